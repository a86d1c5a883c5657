package tw.eid.pki.ca.issuance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.profile.OperatorRole;
import tw.eid.pki.ca.store.SignedCertificateFault;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/**
 * Issue 14 for the RA Operators CA: when the store fails right after the token signed an operator's
 * or the RA's TLS certificate, the serial stays revoked, nothing is good, and the audit says so.
 */
class OperatorCertificatesFaultTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-02T09:00:00Z"), ZoneOffset.UTC);
    private static final Actor OFFICER = Actor.local("security-officer");
    private static Token token;
    private static IssuanceFixture pki;

    @BeforeAll
    static void setUp() {
        token = SoftHsmTestTokens.create("ops-fault").open(CLOCK);
        pki = new IssuanceFixture(db.database(), token, dir, CLOCK);
    }

    @AfterAll
    static void tearDown() {
        token.close();
    }

    @Test
    void anOperatorCertificateWhoseStoreFailsAfterTheSignatureStaysRevokedAndAudited() throws Exception {
        SubjectPublicKeyInfo key = OperatorCertificatesTest.newKey();
        List<SignedCertificateFault.Row> before = SignedCertificateFault.rows(db.database());
        try (SignedCertificateFault fault = SignedCertificateFault.inject(db.dataSource())) {
            assertThatThrownBy(() -> pki.operatorCertificates()
                            .issueOperator(OFFICER, "op-fault-1", "taipei-01", OperatorRole.OFFICER, key))
                    .isInstanceOf(RuntimeException.class);
        }
        List<SignedCertificateFault.Row> added =
                SignedCertificateFault.added(before, SignedCertificateFault.rows(db.database()));
        SignedCertificateFault.assertRevokedNeverGood(added, 1);
        assertThat(added.get(0).caName()).isEqualTo("ra-operators-ca");
        assertThat(SignedCertificateFault.failureDetails(db.database(), "operator.issue"))
                .singleElement()
                .asString()
                .contains("ra-operators-ca/" + added.get(0).serialHex());
    }

    @Test
    void theRaTlsCertificateWhoseStoreFailsAfterTheSignatureStaysRevokedAndAudited() throws Exception {
        SubjectPublicKeyInfo key = OperatorCertificatesTest.newKey();
        List<SignedCertificateFault.Row> before = SignedCertificateFault.rows(db.database());
        try (SignedCertificateFault fault = SignedCertificateFault.inject(db.dataSource())) {
            assertThatThrownBy(
                            () -> pki.operatorCertificates().issueTlsServer(OFFICER, List.of("ra.example.test"), key))
                    .isInstanceOf(RuntimeException.class);
        }
        List<SignedCertificateFault.Row> added =
                SignedCertificateFault.added(before, SignedCertificateFault.rows(db.database()));
        SignedCertificateFault.assertRevokedNeverGood(added, 1);
        assertThat(SignedCertificateFault.failureDetails(db.database(), "ra-tls.issue"))
                .singleElement()
                .asString()
                .contains("ra-operators-ca/" + added.get(0).serialHex());
    }
}
