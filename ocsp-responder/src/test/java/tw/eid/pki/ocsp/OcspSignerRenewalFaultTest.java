package tw.eid.pki.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.store.SignedCertificateFault;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.MutableClock;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/**
 * Issue 14 for the unattended renewal: when the store fails right after the CA key signed the new
 * OCSP signer's certificate, its serial stays revoked and audited, and every responder keeps the
 * old signer: the new one is never loaded, so it can vouch for nothing.
 */
class OcspSignerRenewalFaultTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @Test
    void aRenewalWhoseStoreFailsAfterTheSignatureLeavesTheSerialRevokedAndTheOldSignerInPlace() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-02T09:00:00Z"));
        Token token = SoftHsmTestTokens.create("ocsp-renew-fault").open(clock);
        try {
            OcspFixture pki = new OcspFixture(db.database(), token, clock);
            BigInteger good = pki.certificate("GOOD", null);
            OcspResponder responder = OcspSignerRenewalTest.responder(db.database(), token, clock);
            OcspUpdater updater = OcspSignerRenewalTest.renewingUpdater(db.database(), responder, token, clock);
            byte[] request = OcspResponderTest.request(OcspResponderTest.id(pki.ca, good));
            updater.runOnce();

            Instant oldEnd = pki.signer.getNotAfter().toInstant();
            Duration lifetime = Duration.between(pki.signer.getNotBefore().toInstant(), oldEnd);
            clock.set(oldEnd.minus(lifetime.dividedBy(3)).plusSeconds(60)); // due
            List<SignedCertificateFault.Row> before = SignedCertificateFault.rows(db.database());
            try (SignedCertificateFault fault = SignedCertificateFault.inject(db.dataSource())) {
                updater.runOnce(); // the renewal fails inside; the updater goes on
            }
            List<SignedCertificateFault.Row> added =
                    SignedCertificateFault.added(before, SignedCertificateFault.rows(db.database()));
            SignedCertificateFault.assertRevokedNeverGood(added, 1);
            assertThat(added.get(0).caName()).isEqualTo("citizen-ca");
            assertThat(added.get(0).profile()).isEqualTo(CertificateProfile.OCSP_SIGNER.id());
            assertThat(SignedCertificateFault.failureDetails(db.database(), "ocsp-signer.renew"))
                    .singleElement()
                    .asString()
                    .contains(added.get(0).serialHex());

            // Responders keep the old signer: the running one, and one that loads its authorities now.
            assertThat(certifiedSigners()).containsExactly("citizen-ca-ocsp");
            assertThat(OcspAuthorities.load(db.database(), clock.instant()).all())
                    .singleElement()
                    .satisfies(a -> assertThat(a.signerCertificate()).isEqualTo(pki.signer));
            assertThat(OcspSignerRenewalTest.signerOf(responder.respond(request)))
                    .isEqualTo(pki.signer);
            assertThat(OcspSignerRenewalTest.signerOf(OcspSignerRenewalTest.responder(db.database(), token, clock)
                            .respond(request)))
                    .isEqualTo(pki.signer);
            updater.close();
        } finally {
            token.close();
        }
    }

    /** The names of the signer rows that carry a certificate (what a responder could load). */
    private static List<String> certifiedSigners() {
        return db.database().inTransaction(c -> {
            List<String> out = new java.util.ArrayList<>();
            try (java.sql.PreparedStatement ps = c.prepareStatement(
                    "SELECT name FROM ca WHERE kind = ?" + " AND certificate_der IS NOT NULL ORDER BY name")) {
                ps.setString(1, OcspAuthorities.SIGNER_KIND);
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
    }
}
