package tw.eid.pki.ca.ceremony;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Object;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.PrivateKeyUsagePeriod;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.util.io.pem.PemObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.ca.audit.AuditCheckpointer;
import tw.eid.pki.ca.audit.AuditDetails;
import tw.eid.pki.ca.audit.AuditEvent;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.custody.Custodian;
import tw.eid.pki.ca.custody.CustodyException;
import tw.eid.pki.ca.custody.PinReconstructor;
import tw.eid.pki.ca.custody.PinSplitter;
import tw.eid.pki.ca.custody.ScryptCost;
import tw.eid.pki.ca.custody.ShareLocator;
import tw.eid.pki.ca.custody.ShareUnlock;
import tw.eid.pki.ca.document.DocumentSignerPool;
import tw.eid.pki.ca.issuance.CaRows;
import tw.eid.pki.ca.issuance.CertificateWriter;
import tw.eid.pki.ca.issuance.IssuanceException;
import tw.eid.pki.ca.profile.CaCertificate;
import tw.eid.pki.ca.profile.CertificateIssuance;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.profile.CertificateRequest;
import tw.eid.pki.ca.profile.CrlProfile;
import tw.eid.pki.ca.profile.OfflineCrls;
import tw.eid.pki.ca.profile.PkiNames;
import tw.eid.pki.ca.profile.PreparedCrl;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.KeyInfo;
import tw.eid.pki.hsm.SecretKeyType;
import tw.eid.pki.hsm.Token;
import tw.eid.pki.hsm.TokenConfig;
import tw.eid.pki.hsm.TokenException;
import tw.eid.pki.hsm.TokenInitializer;

/**
 * Runs a {@link CeremonyFile}. In order, and refusing before any change wherever it can:
 * <ol>
 *   <li>check the file (done by {@link CeremonyFile#read}), the output directory (must be new) and
 *       every custodian's passphrase;</li>
 *   <li>for a token that already exists, rebuild its PIN from the present custodians' shares and
 *       check it against the shares' verifier, so a bad share never spends a login attempt;</li>
 *   <li>for a new token, refuse a label that exists, generate its user and SO PINs, split each
 *       into k-of-n custodian share files, then initialise the token;</li>
 *   <li>open the tokens, refuse any key label that exists, then run the steps: generate keys in the
 *       tokens, issue certificates through {@link CertificateWriter} (profile lint, then the CA row
 *       and the certificate's row stored, revoked, before the real signature), sign the offline
 *       CRLs;</li>
 *   <li>write the outputs, make the certificates good and their CAs active, record the CRLs and
 *       the transcript in the store with an audit event in one transaction, sign an audit
 *       checkpoint, and sign the transcript with the offline root key. A ceremony that stops after
 *       its first certificate was prepared leaves every prepared serial revoked
 *       (cessationOfOperation) and the failure in the audit.</li>
 * </ol>
 */
public final class Ceremony {
    private static final Logger log = LoggerFactory.getLogger(Ceremony.class);

    /** How a custodian's passphrase reaches the ceremony when the file names no passphrase file. */
    @FunctionalInterface
    public interface PassphrasePrompt {
        char[] passphrase(String custodian, String purpose);
    }

    /**
     * @param dataDir          relative paths of the ceremony file resolve against it
     * @param toolEnvironment  environment for pkcs11-tool (e.g. SOFTHSM2_CONF)
     */
    public record Environment(
            Path dataDir,
            Map<String, String> toolEnvironment,
            Clock clock,
            SecureRandom random,
            ScryptCost scryptCost,
            PassphrasePrompt prompt) {
        public Environment {
            Objects.requireNonNull(dataDir, "dataDir");
            toolEnvironment = Map.copyOf(toolEnvironment);
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(random, "random");
            Objects.requireNonNull(scryptCost, "scryptCost");
            Objects.requireNonNull(prompt, "prompt");
        }
    }

    /** What the ceremony produced. */
    public record Result(
            Path outputDirectory,
            Path transcript,
            Path transcriptSignature,
            Map<String, X509CertificateHolder> certificates,
            List<Path> shareFiles) {}

    private final CeremonyFile file;
    private final byte[] fileSha256;
    private final Environment env;
    private final Database database;
    private final Path output;
    private final Path shareDir;
    private final ProfileSettings settings;
    private final AuditLedger ledger;

    private Ceremony(CeremonyFile file, byte[] fileBytes, Environment env, Database database) {
        this.file = file;
        this.fileSha256 = Transcript.sha256(fileBytes);
        this.env = env;
        this.database = database;
        this.output = env.dataDir().resolve(file.output()).normalize();
        this.shareDir = env.dataDir().resolve(file.custodians().shares()).normalize();
        PkiNames d = PkiNames.defaults();
        String org = file.publication().organization() == null
                ? d.organization()
                : file.publication().organization();
        this.settings = ProfileSettings.defaults()
                .withPublicationBase(URI.create(file.publication().baseUrl()))
                .withNames(new PkiNames(
                        org,
                        d.citizenRootCn(),
                        d.citizenCaOu(),
                        d.citizenCaCn(),
                        d.raOperatorsCaCn(),
                        d.cscaCn(),
                        d.documentSignerCnPrefix()));
        this.ledger = AuditLedger.hashChained(env.clock());
    }

    /** Reads, checks and runs the ceremony file. */
    public static Result run(Path ceremonyFile, Environment env, Database database) {
        CeremonyFile file = CeremonyFile.read(ceremonyFile);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(ceremonyFile);
        } catch (IOException e) {
            throw new CeremonyException("cannot read " + ceremonyFile + ": " + e.getMessage());
        }
        return new Ceremony(file, bytes, env, database).run();
    }

    private Result run() {
        Instant started = env.clock().instant();
        if (Files.exists(output)) {
            throw new CeremonyException("output directory " + output + " already exists: a ceremony never overwrites");
        }
        List<String> present = presentCustodians();
        Map<String, char[]> passphrases = passphrases(present);
        Map<String, char[]> pins = new LinkedHashMap<>();
        List<Path> shareFiles = new ArrayList<>();
        Map<String, Token> tokens = new LinkedHashMap<>();
        Transcript transcript = new Transcript(file.name(), fileSha256, started, present);
        try {
            // Every new label is checked before any token is initialised: a refusal must leave no
            // half-made token behind.
            for (CeremonyFile.TokenSpec spec : file.tokens().values()) {
                if (spec.initialize()
                        && new TokenInitializer(tokenConfig(spec).library(), env.toolEnvironment())
                                .labels()
                                .contains(spec.label())) {
                    throw new CeremonyException("a token labelled '" + spec.label()
                            + "' already exists: a ceremony never re-initialises a token");
                }
            }
            // Existing tokens first: their shares are checked before anything is created.
            for (Map.Entry<String, CeremonyFile.TokenSpec> t : file.tokens().entrySet()) {
                if (!t.getValue().initialize()) {
                    pins.put(t.getKey(), reconstructPin(t.getValue().label(), present, passphrases));
                }
            }
            for (Map.Entry<String, CeremonyFile.TokenSpec> t : file.tokens().entrySet()) {
                CeremonyFile.TokenSpec spec = t.getValue();
                if (spec.initialize()) {
                    pins.put(t.getKey(), initializeToken(spec, passphrases, shareFiles, transcript, t.getKey()));
                }
                transcript.token(t.getKey(), spec.label(), spec.initialize());
            }
            // SoftHSM2 sees only tokens that existed when this process loaded it: open after every init.
            for (Map.Entry<String, CeremonyFile.TokenSpec> t : file.tokens().entrySet()) {
                tokens.put(t.getKey(), Token.open(tokenConfig(t.getValue()), pins.get(t.getKey()), env.clock()));
            }
            refuseExistingLabels(tokens);
            CertificateWriter.Batch batch = new CertificateWriter(database, ledger, env.clock())
                    .begin(
                            new CertificateIssuance(settings, env.clock(), env.random()),
                            AuditEvent.of("ceremony:" + file.name(), "ceremony.run", file.name(), AuditResult.FAILURE));
            try {
                Outputs outputs = runSteps(tokens, transcript, batch);
                return finish(tokens, transcript, outputs, shareFiles, present, batch);
            } catch (RuntimeException e) {
                // A ceremony that stops after its first prepared certificate leaves every prepared
                // serial revoked (cessationOfOperation), and says so in the audit.
                throw batch.abandon(e);
            }
        } catch (TokenException | CustodyException e) {
            throw new CeremonyException(e.getMessage(), e);
        } finally {
            tokens.values().forEach(Token::close);
            pins.values().forEach(p -> Arrays.fill(p, '\0'));
            passphrases.values().forEach(p -> Arrays.fill(p, '\0'));
        }
    }

    private TokenConfig tokenConfig(CeremonyFile.TokenSpec spec) {
        Path library = spec.library() == null ? TokenConfig.SOFTHSM2_LIBRARY : Path.of(spec.library());
        TokenConfig config = TokenConfig.of(library, spec.label());
        config.requireLibrary();
        return config;
    }

    private List<String> presentCustodians() {
        List<String> all = file.custodians().members().stream()
                .map(CeremonyFile.Member::name)
                .toList();
        boolean anyInit = file.tokens().values().stream().anyMatch(CeremonyFile.TokenSpec::initialize);
        List<String> present =
                file.custodians().present() == null ? all : file.custodians().present();
        if (anyInit && present.size() != all.size()) {
            throw new CeremonyException(
                    "a ceremony that initialises a token needs every custodian present to receive a share ("
                            + all.size() + " members, " + present.size() + " present)");
        }
        if (present.size() < file.custodians().threshold()) {
            throw new CeremonyException("a ceremony needs at least k="
                    + file.custodians().threshold() + " custodians present, not " + present.size());
        }
        return present;
    }

    private Map<String, char[]> passphrases(List<String> present) {
        Map<String, char[]> result = new LinkedHashMap<>();
        for (CeremonyFile.Member m : file.custodians().members()) {
            if (!present.contains(m.name())) {
                continue;
            }
            char[] p;
            if (m.passphraseFile() != null) {
                Path f = env.dataDir().resolve(m.passphraseFile());
                try {
                    p = Files.readString(f).strip().toCharArray();
                } catch (IOException e) {
                    throw new CeremonyException("custodian " + m.name() + ": cannot read passphrase file " + f);
                }
            } else {
                p = env.prompt().passphrase(m.name(), "passphrase for custodian " + m.name());
            }
            if (p == null || p.length < Custodian.MIN_PASSPHRASE_LENGTH) {
                throw new CeremonyException("custodian " + m.name() + ": passphrase must have at least "
                        + Custodian.MIN_PASSPHRASE_LENGTH + " characters");
            }
            result.put(m.name(), p);
        }
        return result;
    }

    private char[] reconstructPin(String tokenLabel, List<String> present, Map<String, char[]> passphrases) {
        List<ShareUnlock> unlocks = new ArrayList<>();
        for (String custodian : present) {
            unlocks.add(
                    new ShareUnlock(ShareLocator.find(shareDir, tokenLabel, custodian), passphrases.get(custodian)));
        }
        return new PinReconstructor().reconstruct(tokenLabel, unlocks);
    }

    private char[] initializeToken(
            CeremonyFile.TokenSpec spec,
            Map<String, char[]> passphrases,
            List<Path> shareFiles,
            Transcript transcript,
            String role) {
        TokenConfig config = tokenConfig(spec);
        TokenInitializer initializer = new TokenInitializer(config.library(), env.toolEnvironment());
        if (initializer.labels().contains(spec.label())) {
            throw new CeremonyException(
                    "a token labelled '" + spec.label() + "' already exists: a ceremony never re-initialises a token");
        }
        char[] userPin = PinSplitter.generatePin(env.random());
        char[] soPin = PinSplitter.generatePin(env.random());
        List<Custodian> custodians = new ArrayList<>();
        for (CeremonyFile.Member m : file.custodians().members()) {
            custodians.add(new Custodian(m.name(), passphrases.get(m.name())));
        }
        PinSplitter splitter = new PinSplitter(env.random(), env.clock(), env.scryptCost());
        List<Path> written = new ArrayList<>();
        try {
            Files.createDirectories(shareDir);
            written.addAll(splitter.split(
                    spec.label(), userPin, custodians, file.custodians().threshold(), shareDir));
            written.addAll(splitter.split(
                    spec.label() + ".so", soPin, custodians, file.custodians().threshold(), shareDir));
            initializer.initialize(spec.label(), soPin, userPin);
        } catch (IOException | RuntimeException e) {
            for (Path p : written) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: the token was not initialised, the shares are useless
                }
            }
            throw e instanceof CeremonyException c
                    ? c
                    : new CeremonyException("initialising token '" + spec.label() + "' failed: " + e.getMessage(), e);
        } finally {
            Arrays.fill(soPin, '\0');
        }
        for (Path p : written) {
            try {
                String name = p.getFileName().toString();
                transcript.share(
                        role,
                        name.substring(name.lastIndexOf(".share-"))
                                .replaceAll("^\\.share-\\d+-of-\\d+\\.|\\.json$", ""),
                        shareDir.relativize(p).toString(),
                        Files.readAllBytes(p));
            } catch (IOException e) {
                throw new CeremonyException("cannot read back share file " + p);
            }
        }
        shareFiles.addAll(written);
        log.info(
                "initialised token '{}' with {}-of-{} custodian shares",
                spec.label(),
                file.custodians().threshold(),
                file.custodians().members().size());
        return userPin;
    }

    private void refuseExistingLabels(Map<String, Token> tokens) {
        for (CeremonyFile.Step s : file.steps()) {
            String token = s.key() != null
                    ? s.key().token()
                    : s.secret() != null ? s.secret().token() : null;
            String label = s.key() != null
                    ? s.key().label()
                    : s.secret() != null ? s.secret().label() : null;
            if (token != null && tokens.get(token).exists(label)) {
                throw new CeremonyException("token '" + tokens.get(token).label() + "' already holds '" + label
                        + "': a ceremony never overwrites a key");
            }
        }
    }

    /** Certificates and CRLs made by the steps, in order, with where their keys live. */
    private record Issued(
            String name,
            CertificateProfile profile,
            X509CertificateHolder certificate,
            String tokenRole,
            String keyLabel,
            String issuer) {
        /** This certificate as an issuer (only CA profiles may be). */
        CaCertificate ca() {
            return new CaCertificate(profile, certificate);
        }
    }

    private record Outputs(Map<String, Issued> certificates, Map<String, X509CRLHolder> crls) {}

    private Outputs runSteps(Map<String, Token> tokens, Transcript transcript, CertificateWriter.Batch batch) {
        Map<String, String> keyToken = new LinkedHashMap<>();
        Map<String, SubjectPublicKeyInfo> publicKeys = new LinkedHashMap<>();
        Map<String, Issued> issued = new LinkedHashMap<>();
        Map<String, X509CRLHolder> crls = new LinkedHashMap<>();
        int documentSigners = 0;
        for (CeremonyFile.Step step : file.steps()) {
            if (step.key() != null) {
                CeremonyFile.KeyStep k = step.key();
                KeyAlgorithm algorithm = KeyAlgorithm.fromId(k.algorithm());
                KeyInfo info = tokens.get(k.token()).generateKeyPair(k.label(), algorithm);
                if (!info.sensitive() || info.extractable()) {
                    throw new CeremonyException(
                            "token generated '" + k.label() + "' without CKA_SENSITIVE or with CKA_EXTRACTABLE");
                }
                keyToken.put(k.label(), k.token());
                publicKeys.put(k.label(), info.publicKey());
                transcript.key(k.token(), k.label(), algorithm.id(), der(info.publicKey()));
            } else if (step.secret() != null) {
                CeremonyFile.SecretStep k = step.secret();
                SecretKeyType type = SecretKeyType.fromId(k.type());
                tokens.get(k.token()).generateSecretKey(k.label(), type);
                keyToken.put(k.label(), k.token());
                transcript.secretKey(k.token(), k.label(), type.id());
            } else if (step.certificate() != null) {
                CeremonyFile.CertificateStep c = step.certificate();
                CertificateProfile profile = CeremonyFile.profile(c.profile());
                SubjectPublicKeyInfo subjectKey = publicKeys.get(c.key());
                if (subjectKey == null) {
                    throw new CeremonyException(
                            "certificate '" + c.name() + "': key '" + c.key() + "' is a secret key");
                }
                Issued issuer = c.issuer() == null ? null : issued.get(c.issuer());
                X500Name subject =
                        subject(profile, issuer, profile == CertificateProfile.DOCUMENT_SIGNER ? ++documentSigners : 0);
                CertificateRequest request = new CertificateRequest(profile, subject, subjectKey);
                String caName = c.issuer() == null ? c.name() : c.issuer();
                String tokenLabel = tokens.get(keyToken.get(c.key())).label();
                // Stored before any key signs it: the certificate's own CA row (PREPARED, without a
                // certificate) and its prepared row, revoked, as a certificate of its issuer. A
                // self-signed certificate's prepared row is a row of its own CA. If the ceremony stops,
                // a subordinate's revoked serial is on its issuer's next CRL or ARL; a root's own has
                // no CRL to be on, by decision: the failed root never gets its certificate in the
                // store, so no ARL of it is ever signed (one signed by a key nobody trusts would tell
                // nobody anything), nothing issues under it, and a root is trusted only from the
                // outputs of a ceremony that finished.
                CertificateWriter.Pending pending = database.inTransaction(tx -> {
                    try {
                        CaRows.storePrepared(
                                tx,
                                c.name(),
                                profile.profileName(),
                                subject,
                                c.key(),
                                tokenLabel,
                                env.clock().instant());
                    } catch (CaRows.NameTakenException e) {
                        throw new CeremonyException(e.getMessage());
                    }
                    return batch.prepare(tx, caName, request, issuer == null ? null : issuer.ca(), null, null, null);
                });
                String signerToken = issuer == null ? keyToken.get(c.key()) : issuer.tokenRole();
                String signerKey = issuer == null ? c.key() : issuer.keyLabel();
                X509CertificateHolder cert =
                        batch.sign(pending, () -> tokens.get(signerToken).signer(signerKey));
                issued.put(
                        c.name(),
                        new Issued(
                                c.name(),
                                profile,
                                cert,
                                keyToken.get(c.key()),
                                c.key(),
                                c.issuer() == null ? c.name() : c.issuer()));
                transcript.certificate(
                        c.name(),
                        profile.id(),
                        cert.getSerialNumber().toString(16),
                        cert.getSubject().toString(),
                        c.issuer() == null ? c.name() : c.issuer(),
                        encoded(cert));
            } else {
                CeremonyFile.CrlStep c = step.crl();
                Issued issuer = issued.get(c.issuer());
                CrlProfile crlProfile =
                        issuer.profile() == CertificateProfile.CSCA ? CrlProfile.CSCA_CRL : CrlProfile.CITIZEN_ROOT_ARL;
                Duration lifetime = Duration.ofDays(c.nextUpdateDays());
                ProfileSettings crlSettings = crlProfile == CrlProfile.CSCA_CRL
                        ? settings.withCscaCrlLifetime(lifetime)
                        : settings.withRootArlLifetime(lifetime);
                OfflineCrls offline = new OfflineCrls(crlSettings, env.clock(), env.random());
                // The first CRL of a new CA is number 1; later ceremonies continue the store's sequence.
                PreparedCrl prepared = offline.prepare(crlProfile, issuer.ca(), BigInteger.ONE, List.of());
                X509CRLHolder crl =
                        offline.sign(prepared, tokens.get(issuer.tokenRole()).signer(issuer.keyLabel()));
                crls.put(c.issuer(), crl);
                transcript.crl(
                        c.issuer(), crlProfile.id(), 1, prepared.thisUpdate(), prepared.nextUpdate(), encoded(crl));
            }
        }
        return new Outputs(issued, crls);
    }

    private X500Name subject(CertificateProfile profile, Issued issuer, int documentSignerNumber) {
        PkiNames names = settings.names();
        return switch (profile) {
            case OCSP_SIGNER -> names.ocspResponder(issuer.profile());
            case DOCUMENT_SIGNER -> names.documentSigner(documentSignerNumber);
            default -> names.caSubject(profile);
        };
    }

    private Result finish(
            Map<String, Token> tokens,
            Transcript transcript,
            Outputs outputs,
            List<Path> shareFiles,
            List<String> present,
            CertificateWriter.Batch batch) {
        Map<String, X509CertificateHolder> certificates = new LinkedHashMap<>();
        outputs.certificates().forEach((name, i) -> certificates.put(name, i.certificate()));
        try {
            Files.createDirectories(output.getParent());
            Files.createDirectory(output);
            for (Issued i : outputs.certificates().values()) {
                byte[] der = encoded(i.certificate());
                write(output.resolve(i.name() + ".crt"), der);
                write(output.resolve(i.name() + ".pem"), pem("CERTIFICATE", der));
            }
            for (Map.Entry<String, X509CRLHolder> c : outputs.crls().entrySet()) {
                byte[] der = encoded(c.getValue());
                write(output.resolve(c.getKey() + ".crl"), der);
                write(output.resolve(c.getKey() + ".crl.pem"), pem("X509 CRL", der));
            }
        } catch (IOException e) {
            throw new CeremonyException("cannot write outputs to " + output + ": " + e.getMessage());
        }

        // The transcript is signed by the offline root key: custodians can check it with openssl alone.
        transcript.finished(env.clock().instant());
        byte[] json = transcript.toJson();
        String signerRole = file.keySteps().get(file.transcriptSigner()).token();
        ContentSigner signer = tokens.get(signerRole).signer(file.transcriptSigner());
        byte[] signature = sign(signer, json);
        Path transcriptFile = output.resolve("transcript.json");
        Path signatureFile = output.resolve("transcript.json.sig");
        write(transcriptFile, json);
        write(signatureFile, signature);

        String checkpointKey = file.auditCheckpointKey();
        if (checkpointKey != null) {
            SubjectPublicKeyInfo auditKey =
                    tokens.get(file.keySteps().get(checkpointKey).token()).publicKey(checkpointKey);
            write(output.resolve("audit-checkpoint-key.pem"), pem("PUBLIC KEY", der(auditKey)));
        }
        record(outputs, json, signature, present, tokens, batch);
        return new Result(output, transcriptFile, signatureFile, certificates, List.copyOf(shareFiles));
    }

    /**
     * The final write of {@link CertificateWriter}: every certificate of the ceremony made good, its
     * CA row certified and ACTIVE, with the CRLs, the transcript and the audit event, in one
     * transaction. If it fails, every serial stays revoked and the failure is audited; the outputs
     * already written are void.
     */
    private void record(
            Outputs outputs,
            byte[] transcriptJson,
            byte[] signature,
            List<String> present,
            Map<String, Token> tokens,
            CertificateWriter.Batch batch) {
        Instant now = env.clock().instant();
        AuditDetails details = AuditDetails.of()
                .put("ceremony", file.name())
                .put("transcriptSha256", Transcript.hex(Transcript.sha256(transcriptJson)))
                .put("transcriptSignature", Base64.getEncoder().encodeToString(signature))
                .putStrings("custodians", present);
        try {
            batch.finish(c -> {
                for (Issued i : outputs.certificates().values()) {
                    CaRows.certify(c, i.name(), i.certificate());
                }
                for (Issued i : outputs.certificates().values()) {
                    if (i.profile() == CertificateProfile.DOCUMENT_SIGNER) {
                        insertDocumentSigner(c, i, tokens.get(i.tokenRole()).label(), now);
                    }
                }
                for (Map.Entry<String, X509CRLHolder> crl : outputs.crls().entrySet()) {
                    insertCrl(c, crl.getKey(), crl.getValue(), now);
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO ceremony (file_sha256, transcript, created_at) VALUES (?, ?, ?)")) {
                    ps.setBytes(1, fileSha256);
                    ps.setString(2, new String(transcriptJson, StandardCharsets.UTF_8));
                    ps.setObject(3, DatabaseTime.toColumn(now));
                    ps.executeUpdate();
                }
                ledger.append(
                        c,
                        AuditEvent.of("ceremony:" + file.name(), "ceremony.run", file.name(), AuditResult.SUCCESS)
                                .withDetails(details));
                String checkpointKey = file.auditCheckpointKey();
                if (checkpointKey != null) {
                    new AuditCheckpointer(env.clock())
                            .checkpoint(
                                    c,
                                    tokens.get(file.keySteps()
                                                    .get(checkpointKey)
                                                    .token())
                                            .signer(checkpointKey),
                                    checkpointKey);
                }
                return null;
            });
        } catch (IssuanceException e) {
            throw new CeremonyException(
                    "the ceremony could not be recorded, so its certificates stay revoked and the" + " outputs in "
                            + output + " are void: " + e.getMessage(),
                    e);
        }
    }

    /**
     * A Document Signer certified at this ceremony joins the DS pool (tw.eid.pki.ca.document) as
     * CERTIFIED, with the default document count; the pool activates it when the first SOD is asked.
     */
    private static void insertDocumentSigner(Connection c, Issued i, String tokenLabel, Instant now)
            throws SQLException {
        X509CertificateHolder cert = i.certificate();
        PrivateKeyUsagePeriod usage = PrivateKeyUsagePeriod.getInstance(
                cert.getExtension(Extension.privateKeyUsagePeriod).getParsedValue());
        String cn =
                cert.getSubject().getRDNs(BCStyle.CN)[0].getFirst().getValue().toString();
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO document_signer (key_label, token_label, public_key_der,"
                        + " public_key_sha256, state, ds_number, csca_name, serial_hex, certificate_der, usage_not_before,"
                        + " usage_not_after, max_documents, documents_signed, generated_at, certified_at)"
                        + " VALUES (?, ?, ?, ?, 'CERTIFIED', ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)")) {
            ps.setString(1, i.keyLabel());
            ps.setString(2, tokenLabel);
            ps.setBytes(3, der(cert.getSubjectPublicKeyInfo()));
            ps.setBytes(4, Transcript.sha256(der(cert.getSubjectPublicKeyInfo())));
            ps.setInt(5, Integer.parseInt(cn.substring(cn.length() - 3)));
            ps.setString(6, i.issuer());
            ps.setString(7, cert.getSerialNumber().toString(16));
            ps.setBytes(8, encoded(cert));
            ps.setObject(9, DatabaseTime.toColumn(usage.getNotBefore().getDate().toInstant()));
            ps.setObject(10, DatabaseTime.toColumn(usage.getNotAfter().getDate().toInstant()));
            ps.setLong(11, DocumentSignerPool.DEFAULT_MAX_DOCUMENTS);
            ps.setObject(12, DatabaseTime.toColumn(now));
            ps.setObject(13, DatabaseTime.toColumn(now));
            ps.executeUpdate();
        } catch (ParseException e) {
            throw new CeremonyException("Document Signer '" + i.name() + "': privateKeyUsagePeriod does not parse");
        }
    }

    private static void insertCrl(Connection c, String caName, X509CRLHolder crl, Instant now) throws SQLException {
        long number = 1;
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO crl (ca_name, crl_partition, crl_number, this_update, next_update, is_delta, der, created_at)"
                        + " VALUES (?, 0, ?, ?, ?, FALSE, ?, ?)")) {
            ps.setString(1, caName);
            ps.setLong(2, number);
            ps.setObject(3, DatabaseTime.toColumn(crl.getThisUpdate().toInstant()));
            ps.setObject(4, DatabaseTime.toColumn(crl.getNextUpdate().toInstant()));
            ps.setBytes(5, encoded(crl));
            ps.setObject(6, DatabaseTime.toColumn(now));
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO crl_number_seq (ca_name, crl_partition, next_number) VALUES (?, 0, ?)")) {
            ps.setString(1, caName);
            ps.setLong(2, number + 1);
            ps.executeUpdate();
        }
    }

    private static byte[] sign(ContentSigner signer, byte[] data) {
        try (var out = signer.getOutputStream()) {
            out.write(data);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return signer.getSignature();
    }

    private static void write(Path file, byte[] content) {
        try {
            Files.write(file, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new CeremonyException(file + " already exists: a ceremony never overwrites");
        } catch (IOException e) {
            throw new CeremonyException("cannot write " + file + ": " + e.getMessage());
        }
    }

    static byte[] pem(String type, byte[] der) {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return w.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] encoded(X509CertificateHolder cert) {
        try {
            return cert.getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] encoded(X509CRLHolder crl) {
        try {
            return crl.getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] der(ASN1Object o) {
        try {
            return o.getEncoded("DER");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
