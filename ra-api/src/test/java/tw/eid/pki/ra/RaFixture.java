package tw.eid.pki.ra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.card.CardLossReports;
import tw.eid.pki.ca.card.CardRegistration;
import tw.eid.pki.ca.card.CardRegistry;
import tw.eid.pki.ca.card.CardReissues;
import tw.eid.pki.ca.card.NationalId;
import tw.eid.pki.ca.card.PersonalDataKeys;
import tw.eid.pki.ca.csr.ChipCsrChecks;
import tw.eid.pki.ca.cvc.AgencyAuthorizations;
import tw.eid.pki.ca.cvc.CvAuthority;
import tw.eid.pki.ca.cvc.CvRole;
import tw.eid.pki.ca.cvc.HolderReference;
import tw.eid.pki.ca.cvc.TerminalType;
import tw.eid.pki.ca.document.DocumentSignerFixture;
import tw.eid.pki.ca.document.DocumentSignerPool;
import tw.eid.pki.ca.document.SignerPurpose;
import tw.eid.pki.ca.document.seal.TemporaryCertificates;
import tw.eid.pki.ca.issuance.CitizenIssuer;
import tw.eid.pki.ca.issuance.IssueRequest;
import tw.eid.pki.ca.issuance.IssuedCertificate;
import tw.eid.pki.ca.issuance.IssuingCa;
import tw.eid.pki.ca.issuance.OperatorCertificates;
import tw.eid.pki.ca.profile.CaCertificate;
import tw.eid.pki.ca.profile.CertificateIssuance;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.profile.CertificateRequest;
import tw.eid.pki.ca.profile.HolderName;
import tw.eid.pki.ca.profile.OperatorRole;
import tw.eid.pki.ca.profile.PkiNames;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.profile.RevocationReason;
import tw.eid.pki.ca.revocation.RevocationService;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.MutableClock;
import tw.eid.pki.hsm.SecretKeyType;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/**
 * A real RA for a test class: two SoftHSM2 tokens (the online CA token and a "chip"), CA
 * certificates issued with token keys four years ago, the ca rows in a real MariaDB
 * ({@link TestDatabase}), the RA's TLS certificate from the RA Operators CA in an owner-only
 * PKCS#12 file, an operator certificate per role (software keys: they are the clients'), and the
 * RA on Jetty on port 0 with real TLS. The RA's authentication clock is a {@link MutableClock};
 * the domain runs on the system clock so that openssl judges issued certificates at real time.
 */
final class RaFixture implements AutoCloseable {
    static final SecureRandom RANDOM = new SecureRandom();
    static final String OPERATORS_CA = "ra-operators-ca";
    static final String CITIZEN_CA = "citizen-ca";
    static final Actor SETUP = Actor.local("test-setup");
    static final String NATIONAL_ID = "A123456789";

    /** A client of the RA: its TLS context for Java's HttpClient and PEM files for curl. */
    record Client(String name, SSLContext ssl, Path certPem, Path keyPem, X509CertificateHolder certificate) {}

    record Reply(int status, Map<String, List<String>> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.getOrDefault(name.toLowerCase(java.util.Locale.ROOT), List.of()).stream()
                    .findFirst()
                    .orElse(null);
        }

        String contentType() {
            return header("content-type");
        }
    }

    final Path dir;
    final TestDatabase db;
    final Token caToken;
    final Token chip;
    final ProfileSettings settings = ProfileSettings.defaults();
    final MutableClock authClock = new MutableClock(Instant.now());
    final Clock domainClock = Clock.systemUTC();
    final AuditLedger audit = AuditLedger.hashChained(domainClock);
    final X509CertificateHolder root;
    final X509CertificateHolder citizenCa;
    final X509CertificateHolder operatorsCa;
    final Path rootPem;
    final Path citizenCaPem;
    final CardRegistry cards;
    final CitizenIssuer issuer;
    final RevocationService revocations;
    final tw.eid.pki.ca.approval.ApprovalService approvals;
    final DocumentSignerPool sealPool;
    final CardReissues reissues;
    final CardLossReports lossReports;
    final TemporaryCertificates temporary;
    final Map<OperatorRole, Client> clients = new EnumMap<>(OperatorRole.class);
    final Client secondSupervisor;
    final Client foreign;
    final Client expired;
    final Client revoked;
    final Client unknown;
    final Client noCertificate;
    final Server server;
    final int port;
    private final AtomicInteger chipKeys = new AtomicInteger();
    private final AtomicInteger cardNumbers = new AtomicInteger();
    final CaCertificate operatorsCaCa;

    final tw.eid.pki.ca.document.DocumentSignerFixture documents;
    static final HolderReference CVCA = HolderReference.parse("TWCVCA00001");
    static final HolderReference DV = HolderReference.parse("TWDVMOI00001");
    final CvAuthority cvAuthority;

    RaFixture(TestDatabase db, Path dir) throws Exception {
        this(db, dir, RaConfig.DEFAULT_SOD_PER_SECOND);
    }

    RaFixture(TestDatabase db, Path dir, int sodPerSecond) throws Exception {
        this(db, dir, sodPerSecond, java.util.Set.of());
    }

    RaFixture(TestDatabase db, Path dir, int sodPerSecond, java.util.Set<java.net.InetAddress> proxies)
            throws Exception {
        this.db = db;
        this.dir = dir;
        // Both tokens exist before either opens: the PKCS#11 library reads the slot list once.
        SoftHsmTestTokens.TestToken online = SoftHsmTestTokens.create("online");
        SoftHsmTestTokens.TestToken card = SoftHsmTestTokens.create("chip");
        caToken = online.open(Clock.systemUTC());
        chip = card.open(Clock.systemUTC());
        for (String k :
                List.of("root-key", "citizen-ca-key", "ra-operators-ca-key", "rogue-root-key", "rogue-ops-key")) {
            caToken.generateKeyPair(k, KeyAlgorithm.EC_P384);
        }
        caToken.generateKeyPair("audit-key", KeyAlgorithm.EC_P256);
        caToken.generateSecretKey("pii-hmac-1", SecretKeyType.HMAC_SHA256);
        caToken.generateSecretKey("pii-aes-1", SecretKeyType.AES_256);

        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant t0 = now.minus(Duration.ofDays(4 * 365));
        CertificateIssuance atT0 = issuance(t0);
        PkiNames names = settings.names();
        root = atT0.issue(
                atT0.prepareSelfSigned(new CertificateRequest(
                        CertificateProfile.CITIZEN_ROOT, names.citizenRoot(), caToken.publicKey("root-key"))),
                caToken.signer("root-key"));
        CaCertificate rootCa = new CaCertificate(CertificateProfile.CITIZEN_ROOT, root);
        citizenCa = atT0.issue(
                atT0.prepare(
                        new CertificateRequest(
                                CertificateProfile.CITIZEN_CA, names.citizenCa(), caToken.publicKey("citizen-ca-key")),
                        rootCa),
                caToken.signer("root-key"));
        operatorsCa = atT0.issue(
                atT0.prepare(
                        new CertificateRequest(
                                CertificateProfile.RA_OPERATORS_CA,
                                names.raOperatorsCa(),
                                caToken.publicKey("ra-operators-ca-key")),
                        rootCa),
                caToken.signer("root-key"));
        operatorsCaCa = new CaCertificate(CertificateProfile.RA_OPERATORS_CA, operatorsCa);
        // Same names, other keys: a look-alike RA Operators CA under a look-alike root.
        X509CertificateHolder rogueRoot = atT0.issue(
                atT0.prepareSelfSigned(new CertificateRequest(
                        CertificateProfile.CITIZEN_ROOT, names.citizenRoot(), caToken.publicKey("rogue-root-key"))),
                caToken.signer("rogue-root-key"));
        X509CertificateHolder rogueOps = atT0.issue(
                atT0.prepare(
                        new CertificateRequest(
                                CertificateProfile.RA_OPERATORS_CA,
                                names.raOperatorsCa(),
                                caToken.publicKey("rogue-ops-key")),
                        new CaCertificate(CertificateProfile.CITIZEN_ROOT, rogueRoot)),
                caToken.signer("rogue-root-key"));
        rootPem = writePem("root.pem", root);
        citizenCaPem = writePem("citizen-ca.pem", citizenCa);

        db.database().inTransaction(c -> {
            insertCa(c, "citizen-root", root, "root-key");
            insertCa(c, CITIZEN_CA, citizenCa, "citizen-ca-key");
            insertCa(c, OPERATORS_CA, operatorsCa, "ra-operators-ca-key");
            return null;
        });

        cards = new CardRegistry(
                db.database(), new PersonalDataKeys(caToken, "pii-hmac-1", "pii-aes-1"), audit, domainClock);
        issuer = new CitizenIssuer(
                db.database(),
                caToken,
                IssuingCa.load(db.database(), CITIZEN_CA),
                settings,
                new ChipCsrChecks(),
                cards,
                audit,
                domainClock,
                RANDOM,
                CitizenIssuer.DEFAULT_PARTITION_CAPACITY);
        revocations = new RevocationService(db.database(), audit, domainClock);
        approvals = new tw.eid.pki.ca.approval.ApprovalService(db.database(), audit, domainClock);

        // The RA's TLS server key: software P-256 in an owner-only PKCS#12 file (see RaConfig).
        KeyPair tlsKey = p256();
        X509CertificateHolder tlsCert = operatorCertificates(now.minus(Duration.ofHours(1)))
                .issueTlsServer(SETUP, List.of("localhost", "127.0.0.1"), spki(tlsKey));
        Path p12 = dir.resolve("ra-tls.p12");
        Path password = dir.resolve("ra-tls.password");
        char[] pw = HexFormat.of().formatHex(RANDOM.generateSeed(16)).toCharArray();
        Files.writeString(password, new String(pw) + "\n");
        ownerOnly(password);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(
                "ra-tls", tlsKey.getPrivate(), pw, new java.security.cert.Certificate[] {jdk(tlsCert), jdk(operatorsCa)
                });
        try (var out = Files.newOutputStream(p12)) {
            ks.store(out, pw);
        }
        ownerOnly(p12);

        Instant yesterday = now.minus(Duration.ofDays(1));
        for (OperatorRole role : OperatorRole.values()) {
            clients.put(
                    role,
                    operatorClient(role.id() + "-1", role, yesterday, operatorsCaCa, "ra-operators-ca-key", true));
        }
        secondSupervisor = operatorClient(
                "supervisor-2", OperatorRole.SUPERVISOR, yesterday, operatorsCaCa, "ra-operators-ca-key", true);
        foreign = operatorClient(
                "officer-rogue",
                OperatorRole.OFFICER,
                yesterday,
                new CaCertificate(CertificateProfile.RA_OPERATORS_CA, rogueOps),
                "rogue-ops-key",
                false);
        expired = operatorClient(
                "officer-expired",
                OperatorRole.OFFICER,
                t0.plus(Duration.ofDays(1)),
                operatorsCaCa,
                "ra-operators-ca-key",
                true);
        revoked = operatorClient(
                "officer-revoked", OperatorRole.OFFICER, yesterday, operatorsCaCa, "ra-operators-ca-key", true);
        revocations.revoke(
                SETUP,
                OPERATORS_CA,
                revoked.certificate().getSerialNumber().toString(16),
                RevocationReason.KEY_COMPROMISE);
        unknown = operatorClient(
                "officer-unknown", OperatorRole.OFFICER, yesterday, operatorsCaCa, "ra-operators-ca-key", false);
        noCertificate = new Client("anonymous", trustOnly(), null, null, null);

        // The document side: a CSCA (its key in the same test token; a real one is offline) and a
        // certified pool of DS keys, issued a day ago so that the CSCA's usage period holds now.
        documents = new tw.eid.pki.ca.document.DocumentSignerFixture(
                db.database(), caToken, caToken, domainClock, now.minus(Duration.ofDays(1)), dir);
        documents.certifiedBatch(2, 100_000, null);
        // The CV side (issue 22): a CVCA for authentication terminals and a DV, both keys in the same
        // test token (a real CVCA is offline), dated today because cvc-print judges by the real clock.
        cvAuthority = new CvAuthority(db.database(), audit, domainClock);
        cvAuthority.createCvca(SETUP, caToken, "cvca-key", CVCA, TerminalType.AT, Period.ofYears(1));
        cvAuthority.certifyDv(SETUP, caToken, CVCA, caToken, "dv-key", DV, CvRole.DV_DOMESTIC, Period.ofMonths(2));
        // Seal signers (issue 24): the same pool rules, purpose SEAL, certified by the same CSCA.
        sealPool = new DocumentSignerPool(
                db.database(),
                audit,
                domainClock,
                0,
                DocumentSignerPool.Settings.defaults(),
                System::nanoTime,
                SignerPurpose.SEAL);
        sealPool.generate(SETUP, caToken, 1, KeyAlgorithm.EC_P256, 100_000);
        documents.ceremony().certify(SETUP, caToken, DocumentSignerFixture.CSCA, 1, null, SignerPurpose.SEAL);
        RaServices base = new RaServices(
                db.database(), cards, issuer, revocations, settings, audit, List.of(caToken), domainClock);
        reissues = base.reissues();
        lossReports = base.lossReports();
        RaServices services = base.withSods(documents.sodIssuer())
                .withAgencies(new AgencyAuthorizations(db.database(), audit, domainClock), caToken)
                .withTemporaryCertificates(
                        temporary = new TemporaryCertificates(
                                db.database(), cards, reissues, sealPool, caToken, audit, domainClock, "HR"));
        server = RaServer.newServer(RaConfig.builder(services, p12, password)
                .host("127.0.0.1")
                .port(0)
                .clock(authClock)
                .sodPerSecond(sodPerSecond)
                .proxyProtocolFrom(proxies)
                .build());
        server.start();
        port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
        caToken.close();
        chip.close();
    }

    // ------------------------------------------------------------------ HTTP

    URI uri(String path) {
        return URI.create("https://127.0.0.1:" + port + "/api/v1" + path);
    }

    Reply call(Client client, String method, String path) throws IOException, InterruptedException {
        return call(client, method, path, null, null, Map.of());
    }

    Reply call(Client client, String method, String path, String contentType, byte[] body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder()
                .sslContext(client.ssl())
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(60))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        headers.forEach(b::header);
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Reply(r.statusCode(), r.headers().map(), r.body());
    }

    Reply json(Client client, String method, String path, String json) throws IOException, InterruptedException {
        return call(
                client,
                method,
                path,
                json == null ? null : "application/json",
                json == null ? null : json.getBytes(StandardCharsets.UTF_8),
                Map.of());
    }

    Client role(OperatorRole role) {
        return clients.get(role);
    }

    // ------------------------------------------------------------------ domain set-up

    String newCardNumber() {
        return String.format("TWR%07d", cardNumbers.incrementAndGet());
    }

    static final byte[] CHIP_UID = HexFormat.of().parseHex("04a1b2c3d4e5f6a7");

    /** A card registered with a birth date and in re-issue, the new card expected in a week. */
    String cardInReissue() {
        String n = newCardNumber();
        cards.register(
                SETUP,
                new CardRegistration(
                        n,
                        CHIP_UID,
                        NationalId.of(NATIONAL_ID),
                        HolderName.of("王小明", Set.of()),
                        LocalDate.of(1957, 3, 25)));
        reissues.start(SETUP, n, reissues.today().plusDays(7));
        return n;
    }

    /** A card registered through the domain, not the API (set-up for a test of something else). */
    String registeredCard() {
        String n = newCardNumber();
        cards.register(
                SETUP, new CardRegistration(n, CHIP_UID, NationalId.of(NATIONAL_ID), HolderName.of("王小明", Set.of())));
        return n;
    }

    /** The test data groups (DG1, DG2, DG14), by number. */
    static Map<Integer, byte[]> dataGroups() {
        Map<Integer, byte[]> dgs = new java.util.LinkedHashMap<>();
        dgs.put(1, "P<TWNWANG<<XIAOMING<<<<<<<<<<<<<<<<<<<<<<<<<".getBytes(StandardCharsets.US_ASCII));
        dgs.put(2, new byte[] {0x75, 0x03, 1, 2, 3});
        dgs.put(14, new byte[] {0x6e, 0x02, 9, 9});
        return dgs;
    }

    /** The JSON body of an SOD request for {@link #dataGroups()} hashed with {@code algorithm}. */
    static String sodJson(String algorithm) throws Exception {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance(algorithm);
        StringBuilder b = new StringBuilder("{\"hashAlgorithm\":\"" + algorithm + "\",\"dataGroups\":[");
        String sep = "";
        for (Map.Entry<Integer, byte[]> dg : dataGroups().entrySet()) {
            b.append(sep)
                    .append("{\"number\":")
                    .append(dg.getKey())
                    .append(",\"hash\":\"")
                    .append(java.util.Base64.getEncoder().encodeToString(md.digest(dg.getValue())))
                    .append("\"}");
            sep = ",";
        }
        return b.append("]}").toString();
    }

    String sodJson() throws Exception {
        return sodJson("SHA-256");
    }

    /** A registered card that already has its SOD (signed through the domain). */
    String personalizedCard() throws Exception {
        String card = registeredCard();
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        List<tw.eid.pki.ca.document.SodRequest.DataGroupHash> hashes = new ArrayList<>();
        dataGroups()
                .forEach((n, v) -> hashes.add(new tw.eid.pki.ca.document.SodRequest.DataGroupHash(n, md.digest(v))));
        documents
                .sodIssuer()
                .issue(
                        SETUP,
                        new tw.eid.pki.ca.document.SodRequest(
                                card, tw.eid.pki.ca.document.HashAlgorithm.SHA_256, hashes, null));
        return card;
    }

    /** A good citizen-signature certificate of a new card, issued through the domain. */
    IssuedCertificate issuedCertificate() throws Exception {
        return issuedFor(registeredCard());
    }

    IssuedCertificate issuedFor(String card) throws Exception {
        return issuer.issue(
                SETUP,
                new IssueRequest(
                        card, CHIP_UID, CertificateProfile.CITIZEN_SIGNATURE, chipCsrDer(KeyAlgorithm.EC_P256), null));
    }

    /** A new key pair on the "chip" token and its CSR, signed on the chip (proof of possession). */
    byte[] chipCsrDer(KeyAlgorithm algorithm) throws Exception {
        String label = "chip-key-" + chipKeys.incrementAndGet();
        chip.generateKeyPair(label, algorithm);
        return new PKCS10CertificationRequestBuilder(new X500Name("CN=ignored by the CA"), chip.publicKey(label))
                .build(chip.signer(label))
                .getEncoded();
    }

    String chipCsrPem(KeyAlgorithm algorithm) throws Exception {
        return "-----BEGIN CERTIFICATE REQUEST-----\n"
                + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(chipCsrDer(algorithm))
                + "\n-----END CERTIFICATE REQUEST-----\n";
    }

    // ------------------------------------------------------------------ tools

    /** openssl verify of a PEM file up to the Citizen Root, with the Citizen CA as intermediate. */
    String opensslVerify(Path leafPem) throws Exception {
        return run(List.of(
                "openssl",
                "verify",
                "-x509_strict",
                "-CAfile",
                rootPem.toString(),
                "-untrusted",
                citizenCaPem.toString(),
                leafPem.toString()));
    }

    /** Runs a command; returns "exit-code output". */
    long count(String sql) {
        return db.database().inTransaction(c -> {
            try (var st = c.createStatement();
                    var rs = st.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() + " " + out.strip();
    }

    /** curl with the client's certificate and key files, trusting the Citizen Root; returns "exit output". */
    String curl(Client client, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30", "--cacert", rootPem.toString()));
        if (client.certPem() != null) {
            cmd.addAll(List.of(
                    "--cert",
                    client.certPem().toString(),
                    "--key",
                    client.keyPem().toString()));
        }
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    Path writePem(String name, X509CertificateHolder cert) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, pem(cert.getEncoded()));
        return p;
    }

    static String pem(byte[] der) {
        return "-----BEGIN CERTIFICATE-----\n"
                + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END CERTIFICATE-----\n";
    }

    private CertificateIssuance issuance(Instant at) {
        return new CertificateIssuance(settings, Clock.fixed(at, ZoneOffset.UTC), RANDOM);
    }

    /**
     * An operator's client. {@code recorded}: issued through ca-core's OperatorCertificates (stored,
     * audited) at {@code issuedAt}; otherwise signed by {@code ca} with {@code caKey} and never
     * stored (a look-alike CA's certificate, or one the store does not know).
     */
    Client operatorClient(
            String id, OperatorRole role, Instant issuedAt, CaCertificate ca, String caKey, boolean recorded)
            throws Exception {
        KeyPair key = p256();
        X509CertificateHolder cert;
        if (recorded) {
            cert = operatorCertificates(issuedAt).issueOperator(SETUP, id, OFFICE, role, spki(key));
        } else {
            CertificateIssuance at = issuance(issuedAt);
            cert = at.issue(
                    at.prepare(
                            CertificateRequest.operator(
                                    settings.names(), new CertificateRequest.Operator(id, OFFICE, role), spki(key)),
                            ca),
                    caToken.signer(caKey));
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] pw = "client".toCharArray();
        ks.setKeyEntry("client", key.getPrivate(), pw, new java.security.cert.Certificate[] {jdk(cert)});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), trustManagerFactory().getTrustManagers(), RANDOM);
        Path certPem = dir.resolve(id + ".pem");
        Files.writeString(certPem, pem(cert.getEncoded()));
        Path keyPem = dir.resolve(id + ".key");
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pemWriter = new JcaPEMWriter(w)) {
            pemWriter.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key.getPrivate(), null));
        }
        Files.writeString(keyPem, w.toString());
        ownerOnly(keyPem);
        return new Client(id, ssl, certPem, keyPem, cert);
    }

    static final String OFFICE = "Test Household Registration Office";

    OperatorCertificates operatorCertificates(Instant at) {
        return new OperatorCertificates(
                db.database(),
                caToken,
                IssuingCa.load(db.database(), OPERATORS_CA),
                settings,
                audit,
                Clock.fixed(at, ZoneOffset.UTC),
                RANDOM);
    }

    private SSLContext trustOnly() throws Exception {
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, trustManagerFactory().getTrustManagers(), RANDOM);
        return ssl;
    }

    private TrustManagerFactory trustManagerFactory() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("citizen-root", jdk(root));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return tmf;
    }

    private void insertCa(Connection c, String name, X509CertificateHolder cert, String key)
            throws java.sql.SQLException {
        byte[] subject;
        byte[] der;
        try {
            subject = cert.getSubject().getEncoded("DER");
            der = cert.getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO ca (name, kind, subject_der, certificate_der, key_label,"
                        + " token_label, status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'ACTIVE', ?)")) {
            ps.setString(1, name);
            ps.setString(2, name);
            ps.setBytes(3, subject);
            ps.setBytes(4, der);
            ps.setString(5, key);
            ps.setString(6, caToken.label());
            ps.setObject(7, DatabaseTime.toColumn(domainClock.instant()));
            ps.executeUpdate();
        }
    }

    static X509Certificate jdk(X509CertificateHolder h) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(h);
    }

    static KeyPair p256() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    static SubjectPublicKeyInfo spki(KeyPair k) {
        return SubjectPublicKeyInfo.getInstance(k.getPublic().getEncoded());
    }

    static void ownerOnly(Path p) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    }
}
