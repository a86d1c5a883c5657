package tw.eid.pki.ca.issuance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditVerifier;
import tw.eid.pki.ca.card.CardRegistration;
import tw.eid.pki.ca.card.CardRegistry;
import tw.eid.pki.ca.card.NationalId;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.profile.HolderName;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/**
 * Citizen issuance end to end below HTTP: CA keys in one SoftHSM2 token, the chip's keys in
 * another (standing in for the card), a real MariaDB, and openssl judging the result.
 */
class CitizenIssuerTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    private static final Actor PERSO = new Actor("perso-line-1", "127.0.0.1", "127.0.0.1:8443");
    private static final byte[] CHIP = HexFormat.of().parseHex("04a1b2c3d4e5f6a7");
    private static final Clock CLOCK = Clock.systemUTC();
    private static Token caToken;
    private static Token chip;
    private static IssuanceFixture fixture;
    private static CardRegistry cards;
    private static CitizenIssuer issuer;
    private static Path rootPem;
    private static Path caPem;
    private static int chipKeys;

    @BeforeAll
    static void setUp() {
        SoftHsmTestTokens.TestToken online = SoftHsmTestTokens.create("online");
        SoftHsmTestTokens.TestToken card = SoftHsmTestTokens.create("chip");
        caToken = online.open(CLOCK);
        chip = card.open(CLOCK);
        IssuanceFixture pki = new IssuanceFixture(db.database(), caToken, dir, CLOCK);
        fixture = pki;
        cards = pki.cards;
        rootPem = pki.rootPem;
        caPem = pki.caPem;
        issuer = pki.issuer(CitizenIssuer.DEFAULT_PARTITION_CAPACITY);
    }

    private static CitizenIssuer issuer(int capacity) {
        return fixture.issuer(capacity);
    }

    @AfterAll
    static void tearDown() {
        caToken.close();
        chip.close();
    }

    private static Path writePem(String name, X509CertificateHolder cert) {
        return IssuanceFixture.writePem(dir.resolve(name), cert);
    }

    private static String register(String cardNumber) {
        cards.register(
                PERSO,
                new CardRegistration(cardNumber, CHIP, NationalId.of("A123456789"), HolderName.of("王小明", Set.of())));
        return cardNumber;
    }

    /** A new key pair on the "chip" and its CSR, signed by the chip (proof of possession). */
    private static byte[] chipCsr(KeyAlgorithm algorithm) throws Exception {
        String label = "chip-key-" + (++chipKeys);
        chip.generateKeyPair(label, algorithm);
        return chipCsr(label);
    }

    private static byte[] chipCsr(String label) throws Exception {
        return new PKCS10CertificationRequestBuilder(new X500Name("CN=ignored by the CA"), chip.publicKey(label))
                .build(chip.signer(label))
                .getEncoded();
    }

    private static String lastChipKey() {
        return "chip-key-" + chipKeys;
    }

    private static IssuedCertificate issue(String card, CertificateProfile profile, byte[] csr) {
        return issuer.issue(PERSO, new IssueRequest(card, CHIP, profile, csr, null));
    }

    private static String openssl(Path leaf) throws Exception {
        Process p = new ProcessBuilder(
                        "openssl",
                        "verify",
                        "-x509_strict",
                        "-CAfile",
                        rootPem.toString(),
                        "-untrusted",
                        caPem.toString(),
                        leaf.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() + " " + out.strip();
    }

    private static Object[] row(IssuedCertificate c) {
        return db.database().inTransaction(conn -> {
            try (PreparedStatement ps = conn.prepareStatement("SELECT status, revocation_reason, der, crl_partition"
                    + " FROM certificate WHERE ca_name = ? AND serial_hex = ?")) {
                ps.setString(1, c.caName());
                ps.setString(2, c.serialHex());
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    return new Object[] {rs.getString(1), rs.getObject(2), rs.getBytes(3), rs.getInt(4)};
                }
            }
        });
    }

    private static long certificateRows() {
        return db.database().inTransaction(c -> {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM certificate")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Test
    void issuesBothCertificatesOfACardFromTwoChipKeysAndOpensslVerifiesThem() throws Exception {
        String card = register("TWC0000001");
        IssuedCertificate sig = issue(card, CertificateProfile.CITIZEN_SIGNATURE, chipCsr(KeyAlgorithm.EC_P256));
        IssuedCertificate enc = issue(card, CertificateProfile.CITIZEN_ENCRYPTION, chipCsr(KeyAlgorithm.RSA_2048));
        for (IssuedCertificate c : List.of(sig, enc)) {
            assertThat(openssl(writePem(c.serialHex() + ".pem", c.certificate())))
                    .startsWith("0 ")
                    .endsWith(": OK");
            Object[] row = row(c);
            assertThat(row[0]).isEqualTo("GOOD");
            assertThat(row[1]).isNull();
            assertThat((byte[]) row[2]).isEqualTo(c.certificate().getEncoded());
            assertThat(c.certificate().getSubject().toString())
                    .contains("CN=王小明")
                    .doesNotContain("A123456789");
            assertThat(c.certificate()
                            .isSignatureValid(new JcaContentVerifierProviderBuilder()
                                    .setProvider(new BouncyCastleProvider())
                                    .build(caToken.publicKey("citizen-ca-key"))))
                    .isTrue();
        }
        assertThat(sig.certificate().getSubject()).isEqualTo(enc.certificate().getSubject());
    }

    @Test
    void aKeyIsCertifiedForOneCardAndOneProfileOnly() throws Exception {
        String card = register("TWC0000002");
        String other = register("TWC0000003");
        byte[] csr = chipCsr(KeyAlgorithm.EC_P256);
        issue(card, CertificateProfile.CITIZEN_SIGNATURE, csr);
        long rows = certificateRows();
        assertThatThrownBy(() -> issue(card, CertificateProfile.CITIZEN_ENCRYPTION, csr))
                .isInstanceOfSatisfying(
                        IssuanceException.class,
                        e -> assertThat(e.code()).isEqualTo(IssuanceException.Code.KEY_ALREADY_CERTIFIED));
        assertThatThrownBy(() -> issue(other, CertificateProfile.CITIZEN_SIGNATURE, csr))
                .isInstanceOfSatisfying(
                        IssuanceException.class,
                        e -> assertThat(e.code()).isEqualTo(IssuanceException.Code.KEY_ALREADY_CERTIFIED));
        assertThat(certificateRows()).isEqualTo(rows);
    }

    @Test
    void reissuingSupersedesThePreviousCertificateAndARenewalIsAllowedOnce() throws Exception {
        String card = register("TWC0000004");
        IssuedCertificate first = issue(card, CertificateProfile.CITIZEN_SIGNATURE, chipCsr(KeyAlgorithm.EC_P256));
        byte[] sameKey = chipCsr(lastChipKey());
        IssuedCertificate renewal = issue(card, CertificateProfile.CITIZEN_SIGNATURE, sameKey);
        assertThat(row(first)[0]).isEqualTo("REVOKED");
        assertThat(row(first)[1]).isEqualTo(4); // superseded
        assertThat(row(renewal)[0]).isEqualTo("GOOD");
        // 8 years at most in all from the key's first certificate
        assertThat(renewal.certificate().getNotAfter().toInstant())
                .isBefore(first.certificate().getNotBefore().toInstant().plus(Duration.ofDays(8 * 366)));
        assertThatThrownBy(() -> issue(card, CertificateProfile.CITIZEN_SIGNATURE, sameKey))
                .isInstanceOfSatisfying(
                        IssuanceException.class,
                        e -> assertThat(e.code()).isEqualTo(IssuanceException.Code.RENEWAL_EXHAUSTED));
        IssuedCertificate fresh = issue(card, CertificateProfile.CITIZEN_SIGNATURE, chipCsr(KeyAlgorithm.EC_P256));
        assertThat(row(renewal)[0]).isEqualTo("REVOKED");
        assertThat(row(fresh)[0]).isEqualTo("GOOD");
    }

    /**
     * One active certificate per card and profile is held by the database (V11), not only by the
     * supersede under a locking read, which on Galera holds on one node only: bringing a
     * superseded certificate back to GOOD beside its successor is refused by the unique key.
     */
    @Test
    void theDatabaseRefusesASecondActiveCertificateForACardAndProfile() throws Exception {
        String card = register("TWC0000014");
        IssuedCertificate first = issue(card, CertificateProfile.CITIZEN_SIGNATURE, chipCsr(KeyAlgorithm.EC_P256));
        IssuedCertificate second = issue(card, CertificateProfile.CITIZEN_SIGNATURE, chipCsr(KeyAlgorithm.EC_P256));
        assertThat(row(first)[0]).isEqualTo("REVOKED");
        assertThatThrownBy(() -> db.database().inTransaction(c -> {
                    try (java.sql.PreparedStatement ps = c.prepareStatement(
                            "UPDATE certificate SET status = 'GOOD' WHERE ca_name = ? AND serial_hex = ?")) {
                        ps.setString(1, first.caName());
                        ps.setString(2, first.serialHex());
                        return ps.executeUpdate();
                    }
                }))
                .hasRootCauseInstanceOf(java.sql.SQLIntegrityConstraintViolationException.class);
        assertThat(row(first)[0]).isEqualTo("REVOKED");
        assertThat(row(second)[0]).isEqualTo("GOOD");
    }

    @Test
    void aWrongChipOrAnUnknownCardIsRefusedAndStoresNothing() throws Exception {
        String card = register("TWC0000005");
        byte[] csr = chipCsr(KeyAlgorithm.EC_P256);
        long rows = certificateRows();
        assertThatThrownBy(() -> issuer.issue(
                        PERSO,
                        new IssueRequest(
                                card,
                                HexFormat.of().parseHex("04ffffffffffff00"),
                                CertificateProfile.CITIZEN_SIGNATURE,
                                csr,
                                null)))
                .isInstanceOfSatisfying(
                        IssuanceException.class,
                        e -> assertThat(e.code()).isEqualTo(IssuanceException.Code.CHIP_MISMATCH));
        assertThatThrownBy(() -> issue("TWC9999999", CertificateProfile.CITIZEN_SIGNATURE, csr))
                .isInstanceOfSatisfying(
                        IssuanceException.class,
                        e -> assertThat(e.code()).isEqualTo(IssuanceException.Code.CARD_NOT_FOUND));
        assertThat(certificateRows()).isEqualTo(rows);
    }

    @Test
    void anIdempotencyKeyReturnsTheSameCertificateAndNeverASecondSerial() throws Exception {
        String card = register("TWC0000006");
        byte[] csr = chipCsr(KeyAlgorithm.EC_P256);
        IssueRequest request = new IssueRequest(card, CHIP, CertificateProfile.CITIZEN_SIGNATURE, csr, "retry-me-1");
        IssuedCertificate first = issuer.issue(PERSO, request);
        long rows = certificateRows();
        IssuedCertificate again = issuer.issue(PERSO, request);
        assertThat(again.replay()).isTrue();
        assertThat(again.serialHex()).isEqualTo(first.serialHex());
        assertThat(again.certificate()).isEqualTo(first.certificate());
        assertThat(certificateRows()).isEqualTo(rows);
        assertThatThrownBy(() -> issuer.issue(
                        PERSO,
                        new IssueRequest(
                                card,
                                CHIP,
                                CertificateProfile.CITIZEN_ENCRYPTION,
                                chipCsr(KeyAlgorithm.EC_P256),
                                "retry-me-1")))
                .isInstanceOfSatisfying(
                        IssuanceException.class,
                        e -> assertThat(e.code()).isEqualTo(IssuanceException.Code.IDEMPOTENCY_KEY_REUSED));
    }

    @Test
    void aFailedFinalWriteLeavesTheSignedSerialRevokedNeverGood() throws Exception {
        String card = register("TWC0000007");
        byte[] csr = chipCsr(KeyAlgorithm.EC_P256);
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE TRIGGER fail_final_write BEFORE UPDATE ON certificate FOR EACH ROW"
                    + " BEGIN IF NEW.der IS NOT NULL AND OLD.der IS NULL THEN"
                    + " SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected final-write failure'; END IF; END");
        }
        List<String> serials = new ArrayList<>();
        try {
            assertThatThrownBy(() -> issuer.issue(
                            PERSO,
                            new IssueRequest(card, CHIP, CertificateProfile.CITIZEN_SIGNATURE, csr, "final-write-1")))
                    .isInstanceOfSatisfying(
                            IssuanceException.class,
                            e -> assertThat(e.code()).isEqualTo(IssuanceException.Code.FINAL_WRITE_FAILED));
            db.database().inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT serial_hex, status, revocation_reason, der FROM certificate WHERE card_number = ?")) {
                    ps.setString(1, card);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            serials.add(rs.getString(1));
                            assertThat(rs.getString(2)).isEqualTo("REVOKED");
                            assertThat(rs.getInt(3)).isEqualTo(5); // cessationOfOperation
                            assertThat(rs.getBytes(4)).isNull();
                        }
                    }
                }
                return null;
            });
        } finally {
            try (Connection c = db.dataSource().getConnection();
                    Statement s = c.createStatement()) {
                s.execute("DROP TRIGGER fail_final_write");
            }
        }
        assertThat(serials).hasSize(1);
        // The audit names the serial the failure left revoked (CertificateWriter, issue 14).
        assertThat(tw.eid.pki.ca.store.SignedCertificateFault.failureDetails(db.database(), "certificate.issue"))
                .anySatisfy(d -> assertThat(d).contains("citizen-ca/" + serials.get(0)));
        // A retry with the same Idempotency-Key gets no second serial and no good certificate.
        assertThatThrownBy(() -> issuer.issue(
                        PERSO,
                        new IssueRequest(card, CHIP, CertificateProfile.CITIZEN_SIGNATURE, csr, "final-write-1")))
                .isInstanceOfSatisfying(
                        IssuanceException.class,
                        e -> assertThat(e.code()).isEqualTo(IssuanceException.Code.IDEMPOTENCY_PENDING));
    }

    @Test
    void withTheAuditLedgerUnavailableIssuanceAndStatusChangesFailClosed() throws Exception {
        String card = register("TWC0000010");
        IssuedCertificate good = issue(card, CertificateProfile.CITIZEN_SIGNATURE, chipCsr(KeyAlgorithm.EC_P256));
        tw.eid.pki.ca.revocation.RevocationService revocations = new tw.eid.pki.ca.revocation.RevocationService(
                db.database(), tw.eid.pki.ca.audit.AuditLedger.hashChained(CLOCK), CLOCK);
        byte[] csr = chipCsr(KeyAlgorithm.EC_P256);
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("RENAME TABLE audit_head TO audit_head_unavailable");
        }
        long before = certificateRows();
        try {
            assertThatThrownBy(() -> issue(card, CertificateProfile.CITIZEN_ENCRYPTION, csr))
                    .isInstanceOfSatisfying(
                            IssuanceException.class,
                            e -> assertThat(e.code()).isEqualTo(IssuanceException.Code.FINAL_WRITE_FAILED));
            assertThatThrownBy(() -> revocations.suspend(PERSO, "citizen-ca", good.serialHex()))
                    .isInstanceOf(RuntimeException.class);
        } finally {
            try (Connection c = db.dataSource().getConnection();
                    Statement s = c.createStatement()) {
                s.execute("RENAME TABLE audit_head_unavailable TO audit_head");
            }
        }
        // Nothing unaudited took effect: the new serial is revoked and DER-less, the old one still good.
        assertThat(certificateRows()).isEqualTo(before + 1);
        assertThat(row(good)[0]).isEqualTo("GOOD");
        db.database().inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT status, der FROM certificate WHERE card_number = ?"
                    + " AND profile = 'citizen-encryption/1'")) {
                ps.setString(1, card);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("REVOKED");
                    assertThat(rs.getBytes(2)).isNull();
                }
            }
            return null;
        });
    }

    @Test
    void aFullPartitionClosesAndTheNextCertificateNamesANewOne() throws Exception {
        CitizenIssuer small = issuer(1);
        String card = register("TWC0000008");
        IssuedCertificate a = small.issue(
                PERSO,
                new IssueRequest(
                        card, CHIP, CertificateProfile.CITIZEN_SIGNATURE, chipCsr(KeyAlgorithm.EC_P256), null));
        IssuedCertificate b = small.issue(
                PERSO,
                new IssueRequest(
                        card, CHIP, CertificateProfile.CITIZEN_ENCRYPTION, chipCsr(KeyAlgorithm.EC_P256), null));
        assertThat(b.crlPartition()).isEqualTo(a.crlPartition() + 1);
        assertThat(row(b)[3]).isEqualTo(b.crlPartition());
        String crlDp = new String(
                b.certificate()
                        .getExtension(org.bouncycastle.asn1.x509.Extension.cRLDistributionPoints)
                        .getExtnValue()
                        .getOctets(),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(crlDp).contains("/crl/citizen-ca/" + b.crlPartition() + ".crl");
    }

    @Test
    void theAuditTrailVerifiesAfterIssuance() throws Exception {
        String card = register("TWC0000009");
        issue(card, CertificateProfile.CITIZEN_SIGNATURE, chipCsr(KeyAlgorithm.EC_P256));
        var report = AuditVerifier.verify(
                db.dataSource(),
                new JcaContentVerifierProviderBuilder()
                        .setProvider(new BouncyCastleProvider())
                        .build(caToken.publicKey("audit-key")));
        assertThat(report.ok()).as(String.valueOf(report.problem())).isTrue();
        assertThat(report.eventsChecked()).isGreaterThanOrEqualTo(2);
    }
}
