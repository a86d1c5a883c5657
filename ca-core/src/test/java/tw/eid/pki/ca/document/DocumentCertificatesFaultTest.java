package tw.eid.pki.ca.document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.store.SignedCertificateFault;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/**
 * Issue 14 for the CSCA's offline paths: a Document Signer batch, a CSCA rollover (self-signed and
 * link certificate) and a master-list signer whose store fails right after the offline key signed
 * leave their prepared serials revoked, never good, and the failure in the audit.
 */
class DocumentCertificatesFaultTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Instant NOW = Instant.parse("2026-03-02T09:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Path DIR = TestDatabase.workDirectory().resolve("document-fault-" + System.nanoTime());
    private static Token offline;
    private static Token online;
    private static DocumentSignerFixture fixture;

    @BeforeAll
    static void setUp() throws Exception {
        Files.createDirectories(DIR);
        // Both tokens exist before SoftHSM2 is loaded: it sees only the tokens it found then.
        SoftHsmTestTokens.TestToken off = SoftHsmTestTokens.create("csca-fault");
        SoftHsmTestTokens.TestToken on = SoftHsmTestTokens.create("online-fault");
        offline = off.open(CLOCK);
        online = on.open(CLOCK);
        fixture = new DocumentSignerFixture(db.database(), offline, online, CLOCK, NOW.minus(Duration.ofDays(1)), DIR);
    }

    @AfterAll
    static void tearDown() {
        online.close();
        offline.close();
    }

    @Test
    void aDocumentSignerBatchWhoseStoreFailsAfterTheSignatureStaysRevokedAndAudited() throws Exception {
        List<String> labels =
                fixture.pool.generate(DocumentSignerFixture.CUSTODIANS, online, 2, KeyAlgorithm.EC_P256, 1000);
        List<SignedCertificateFault.Row> before = SignedCertificateFault.rows(db.database());
        try (SignedCertificateFault fault = SignedCertificateFault.inject(db.dataSource())) {
            assertThatThrownBy(() -> fixture.ceremony()
                            .certify(DocumentSignerFixture.CUSTODIANS, offline, DocumentSignerFixture.CSCA, 2, null))
                    .isInstanceOf(RuntimeException.class);
        }
        List<SignedCertificateFault.Row> added =
                SignedCertificateFault.added(before, SignedCertificateFault.rows(db.database()));
        SignedCertificateFault.assertRevokedNeverGood(added, 2);
        assertThat(added).allSatisfy(r -> assertThat(r.caName()).isEqualTo(DocumentSignerFixture.CSCA));
        assertThat(SignedCertificateFault.failureDetails(db.database(), "ds.certify"))
                .isNotEmpty()
                .anySatisfy(d -> assertThat(d).contains(added.get(0).serialHex()))
                .anySatisfy(d -> assertThat(d).contains(added.get(1).serialHex()));
        // No DS of the batch became CERTIFIED: the pool never signs with a key whose certificate is not good.
        for (String label : labels) {
            assertThat(first("SELECT state FROM document_signer WHERE key_label = ?", label))
                    .isEqualTo("GENERATED");
        }
    }

    @Test
    void aCscaRolloverWhoseStoreFailsAfterTheSignaturesLeavesBothSerialsRevokedAndTheOldCscaCurrent() throws Exception {
        List<SignedCertificateFault.Row> before = SignedCertificateFault.rows(db.database());
        try (SignedCertificateFault fault = SignedCertificateFault.inject(db.dataSource())) {
            assertThatThrownBy(() -> new CscaRollover(
                                    db.database(),
                                    fixture.settings,
                                    AuditLedger.hashChained(CLOCK),
                                    CLOCK,
                                    new SecureRandom())
                            .rollover(
                                    DocumentSignerFixture.CUSTODIANS,
                                    offline,
                                    DocumentSignerFixture.CSCA,
                                    "csca-fault-2",
                                    "csca-fault-2-key",
                                    KeyAlgorithm.EC_P384))
                    .isInstanceOf(RuntimeException.class);
        }
        List<SignedCertificateFault.Row> added =
                SignedCertificateFault.added(before, SignedCertificateFault.rows(db.database()));
        SignedCertificateFault.assertRevokedNeverGood(added, 2);
        // The link is the old CSCA's certificate (its next CRL lists it); the new self-signed one is the new CSCA's
        // own.
        assertThat(added)
                .extracting(SignedCertificateFault.Row::caName, SignedCertificateFault.Row::profile)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(
                                DocumentSignerFixture.CSCA, CertificateProfile.CSCA_LINK.id()),
                        org.assertj.core.groups.Tuple.tuple("csca-fault-2", CertificateProfile.CSCA.id()));
        assertThat(SignedCertificateFault.failureDetails(db.database(), "csca.rollover"))
                .singleElement()
                .asString()
                .contains(added.get(0).serialHex(), added.get(1).serialHex());
        assertThat(first("SELECT status FROM ca WHERE name = ?", DocumentSignerFixture.CSCA))
                .isEqualTo("ACTIVE");
        assertThat(first("SELECT name FROM ca WHERE name = ? AND certificate_der IS NOT NULL", "csca-fault-2"))
                .isEqualTo("missing");
    }

    @Test
    void aMasterListSignerWhoseStoreFailsAfterTheSignatureStaysRevokedAndNoListIsStored() throws Exception {
        List<SignedCertificateFault.Row> before = SignedCertificateFault.rows(db.database());
        try (SignedCertificateFault fault = SignedCertificateFault.inject(db.dataSource())) {
            assertThatThrownBy(() -> new MasterLists(
                                    db.database(),
                                    fixture.settings,
                                    AuditLedger.hashChained(CLOCK),
                                    CLOCK,
                                    new SecureRandom())
                            .sign(
                                    DocumentSignerFixture.CUSTODIANS,
                                    offline,
                                    DocumentSignerFixture.CSCA,
                                    "ml-signer-fault-key"))
                    .isInstanceOf(RuntimeException.class);
        }
        List<SignedCertificateFault.Row> added =
                SignedCertificateFault.added(before, SignedCertificateFault.rows(db.database()));
        SignedCertificateFault.assertRevokedNeverGood(added, 1);
        assertThat(added.get(0).profile()).isEqualTo(CertificateProfile.MASTER_LIST_SIGNER.id());
        assertThat(SignedCertificateFault.failureDetails(db.database(), "csca.master-list"))
                .singleElement()
                .asString()
                .contains(added.get(0).serialHex());
        assertThat(new MasterLists(
                                db.database(),
                                fixture.settings,
                                AuditLedger.hashChained(CLOCK),
                                CLOCK,
                                new SecureRandom())
                        .latest())
                .isEmpty();
    }

    /** The first column of the first row of {@code sql} with {@code argument}, or "missing". */
    private static String first(String sql, String argument) {
        return db.database().inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, argument);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : "missing";
                }
            }
        });
    }
}
