package tw.eid.pki.conformance;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.eclipse.jetty.server.Server;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.card.CardRegistration;
import tw.eid.pki.ca.card.CardRegistry;
import tw.eid.pki.ca.card.NationalId;
import tw.eid.pki.ca.card.PersonalDataKeys;
import tw.eid.pki.ca.csr.ChipCsrChecks;
import tw.eid.pki.ca.issuance.CitizenIssuer;
import tw.eid.pki.ca.issuance.IssueRequest;
import tw.eid.pki.ca.issuance.IssuedCertificate;
import tw.eid.pki.ca.issuance.IssuingCa;
import tw.eid.pki.ca.profile.CaCertificate;
import tw.eid.pki.ca.profile.CertificateIssuance;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.profile.CertificateRequest;
import tw.eid.pki.ca.profile.HolderName;
import tw.eid.pki.ca.profile.PkiNames;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.revocation.RevocationService;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.SecretKeyType;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;
import tw.eid.pki.ocsp.OcspAuthorities;
import tw.eid.pki.ocsp.OcspConfig;
import tw.eid.pki.ocsp.OcspResponder;
import tw.eid.pki.ocsp.OcspServer;
import tw.eid.pki.ocsp.StatusLogFollower;

/**
 * A real OCSP service for a test class: one SoftHSM2 token with the Citizen Root, the Citizen CA
 * and the Citizen CA's delegated OCSP signer (P-256), issued the way the ceremony issues them and
 * stored in the {@code ca} table of a real MariaDB; citizen certificates issued through
 * {@link CitizenIssuer} from software chip keys; and two OCSP responders (each with its own
 * {@link OcspResponder} and {@link StatusLogFollower}, same store and token) on Jetty on port 0.
 * The CA chain and every certificate are written as PEM files under {@link #dir}.
 */
final class OcspFixture implements AutoCloseable {
    static final SecureRandom RANDOM = new SecureRandom();
    static final String ROOT = "citizen-root";
    static final String CITIZEN_CA = "citizen-ca";
    static final String SIGNER = "citizen-ca-ocsp";
    static final Actor SETUP = Actor.local("ocsp-conformance");
    static final byte[] CHIP_UID = HexFormat.of().parseHex("04a1b2c3d4e5f6a7");

    /** A citizen certificate of the store, and its PEM file. */
    record Cert(String name, String serialHex, X509CertificateHolder holder, Path pem) {
        BigInteger serial() {
            return holder.getSerialNumber();
        }
    }

    /** One running responder: its domain object, follower and HTTP server. */
    record Responder(OcspResponder responder, StatusLogFollower follower, Server server, int port) {
        String url() {
            return "http://127.0.0.1:" + port + "/ocsp";
        }
    }

    final Path dir;
    final Database database;
    final Token token;
    final Clock clock = TestTime.clock();
    final ProfileSettings settings = ProfileSettings.defaults();
    final AuditLedger audit = AuditLedger.hashChained(clock);
    final X509CertificateHolder root;
    final X509CertificateHolder citizenCa;
    final X509CertificateHolder signer;
    final Path rootPem;
    final Path caPem;
    final Path chainPem;
    final Path signerPem;
    final CardRegistry cards;
    final CitizenIssuer issuer;
    final RevocationService revocations;
    final OcspAuthorities authorities;
    final List<Responder> responders = new ArrayList<>();
    final Map<String, Cert> certs = new LinkedHashMap<>();
    private final AtomicInteger cardNumbers = new AtomicInteger();

    OcspFixture(Database database, Path dir) throws Exception {
        this.database = database;
        this.dir = dir;
        SoftHsmTestTokens.TestToken online = SoftHsmTestTokens.create("ocsp-online");
        token = online.open(TestTime.clock());
        for (String k : List.of("root-key", "citizen-ca-key")) {
            token.generateKeyPair(k, KeyAlgorithm.EC_P384);
        }
        token.generateKeyPair("citizen-ca-ocsp-key", KeyAlgorithm.EC_P256);
        token.generateSecretKey("pii-hmac-1", SecretKeyType.HMAC_SHA256);
        token.generateSecretKey("pii-aes-1", SecretKeyType.AES_256);

        Instant now = TestTime.now().truncatedTo(ChronoUnit.SECONDS);
        Instant t0 = now.minus(Duration.ofDays(4 * 365));
        CertificateIssuance atT0 = issuance(t0);
        PkiNames names = settings.names();
        root = atT0.issue(
                atT0.prepareSelfSigned(new CertificateRequest(
                        CertificateProfile.CITIZEN_ROOT, names.citizenRoot(), token.publicKey("root-key"))),
                token.signer("root-key"));
        citizenCa = atT0.issue(
                atT0.prepare(
                        new CertificateRequest(
                                CertificateProfile.CITIZEN_CA, names.citizenCa(), token.publicKey("citizen-ca-key")),
                        new CaCertificate(CertificateProfile.CITIZEN_ROOT, root)),
                token.signer("root-key"));
        // The delegated signer as the ceremony makes it: profile ocsp-signer, issued by the Citizen CA.
        CertificateIssuance anHourAgo = issuance(now.minus(Duration.ofHours(1)));
        signer = anHourAgo.issue(
                anHourAgo.prepare(
                        new CertificateRequest(
                                CertificateProfile.OCSP_SIGNER,
                                names.ocspResponder(CertificateProfile.CITIZEN_CA),
                                token.publicKey("citizen-ca-ocsp-key")),
                        new CaCertificate(CertificateProfile.CITIZEN_CA, citizenCa)),
                token.signer("citizen-ca-key"));
        database.inTransaction(c -> {
            insertCa(c, ROOT, CertificateProfile.CITIZEN_ROOT, root, "root-key");
            insertCa(c, CITIZEN_CA, CertificateProfile.CITIZEN_CA, citizenCa, "citizen-ca-key");
            insertCa(c, SIGNER, CertificateProfile.OCSP_SIGNER, signer, "citizen-ca-ocsp-key");
            return null;
        });
        rootPem = writePem("root.pem", root);
        caPem = writePem("ca.pem", citizenCa);
        signerPem = writePem("ocsp-signer.pem", signer);
        chainPem = dir.resolve("chain.pem");
        Files.writeString(chainPem, pem(root.getEncoded()) + pem(citizenCa.getEncoded()));

        cards = new CardRegistry(database, new PersonalDataKeys(token, "pii-hmac-1", "pii-aes-1"), audit, clock);
        issuer = new CitizenIssuer(
                database,
                token,
                IssuingCa.load(database, CITIZEN_CA),
                settings,
                new ChipCsrChecks(),
                cards,
                audit,
                clock,
                RANDOM,
                CitizenIssuer.DEFAULT_PARTITION_CAPACITY);
        revocations = new RevocationService(database, audit, clock);
        authorities = OcspAuthorities.load(database, clock.instant());
    }

    /** Starts {@code count} responders, each with its own responder object and status log follower. */
    void startResponders(int count) throws Exception {
        for (int i = 0; i < count; i++) {
            OcspResponder responder = new OcspResponder(database, token, authorities, OcspConfig.defaults(), clock);
            StatusLogFollower follower = StatusLogFollower.start(database, responder, clock);
            Server server = OcspServer.newServer(responder, follower, database, token, "127.0.0.1", 0, clock);
            server.start();
            responders.add(new Responder(responder, follower, server, OcspServer.port(server)));
        }
    }

    /** A new card and a citizen-signature certificate for it, issued from a chip CSR; PEM in {@code name}.pem. */
    Cert issue(String name) throws Exception {
        String card = String.format("TWO%07d", cardNumbers.incrementAndGet());
        cards.register(
                SETUP,
                new CardRegistration(card, CHIP_UID, NationalId.of("A123456789"), HolderName.of("王小明", Set.of())));
        IssuedCertificate issued = issuer.issue(
                SETUP, new IssueRequest(card, CHIP_UID, CertificateProfile.CITIZEN_SIGNATURE, chipCsr(), null));
        Cert cert =
                new Cert(name, issued.serialHex(), issued.certificate(), writePem(name + ".pem", issued.certificate()));
        certs.put(name, cert);
        return cert;
    }

    /**
     * A certificate signed with the Citizen CA's key in the token but never recorded in the store:
     * what a responder must not call good.
     */
    Path unrecorded(String name) throws Exception {
        KeyPair key = p256();
        Instant now = TestTime.now().truncatedTo(ChronoUnit.SECONDS);
        X509v3CertificateBuilder b = new X509v3CertificateBuilder(
                citizenCa.getSubject(),
                new BigInteger(159, RANDOM).setBit(158),
                Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(30))),
                new X500Name("C=TW,CN=Not In The Store"),
                SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()));
        return writePem(name + ".pem", b.build(token.signer("citizen-ca-key")));
    }

    /** A P-256 key pair in software standing in for a chip, and its self-signed CSR. */
    private static byte[] chipCsr() throws Exception {
        KeyPair key = p256();
        return new PKCS10CertificationRequestBuilder(
                        new X500Name("CN=ignored by the CA"),
                        SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()))
                .getEncoded();
    }

    static KeyPair p256() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    Path writePem(String name, X509CertificateHolder cert) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, pem(cert.getEncoded()));
        return p;
    }

    static String pem(byte[] der) {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END CERTIFICATE-----\n";
    }

    private CertificateIssuance issuance(Instant at) {
        return new CertificateIssuance(settings, Clock.fixed(at, ZoneOffset.UTC), RANDOM);
    }

    /** A row of the ca table as the ceremony writes it (kind = the profile's name). */
    private void insertCa(Connection c, String name, CertificateProfile profile, X509CertificateHolder cert, String key)
            throws SQLException {
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
            ps.setString(2, profile.profileName());
            ps.setBytes(3, subject);
            ps.setBytes(4, der);
            ps.setString(5, key);
            ps.setString(6, token.label());
            ps.setObject(7, DatabaseTime.toColumn(TestTime.now()));
            ps.executeUpdate();
        }
    }

    @Override
    public void close() {
        try {
            for (Responder r : responders) {
                r.follower().close();
                r.server().stop();
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop an OCSP responder", e);
        } finally {
            token.close();
        }
    }

    /** A new directory for this run's PEM files and requests, under the tests' work directory (target/test-work). */
    static Path workDirectory(String prefix) throws IOException {
        Path base = TestDatabase.workDirectory();
        Files.createDirectories(base);
        return Files.createTempDirectory(base, prefix);
    }
}
