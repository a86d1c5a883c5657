package tw.eid.pki.crl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CRLEntryHolder;
import org.bouncycastle.cert.X509CRLHolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.document.CscaRollover;
import tw.eid.pki.ca.document.DocumentSignerFixture;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.store.SignedCertificateFault;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/**
 * Issue 14: a serial prepared at an offline ceremony that stopped after the signature is revoked
 * (cessationOfOperation), and the issuer's next offline CRL lists it. Here a CSCA rollover whose
 * store failed: the old CSCA's next CRL lists the link certificate's serial.
 */
class OfflineCrlAfterFailedRolloverTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    private static final Instant NOW = Instant.parse("2026-03-02T09:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void theOldCscasNextCrlListsTheLinkOfAFailedRollover() throws Exception {
        SoftHsmTestTokens.TestToken off = SoftHsmTestTokens.create("csca-crl-fault");
        SoftHsmTestTokens.TestToken on = SoftHsmTestTokens.create("online-crl-fault");
        Token offline = off.open(CLOCK);
        Token online = on.open(CLOCK);
        try {
            DocumentSignerFixture fixture = new DocumentSignerFixture(
                    db.database(), offline, online, CLOCK, NOW.minus(Duration.ofDays(1)), dir);
            List<SignedCertificateFault.Row> before = SignedCertificateFault.rows(db.database());
            try (SignedCertificateFault fault = SignedCertificateFault.inject(db.dataSource())) {
                assertThatThrownBy(() -> new CscaRollover(
                                        db.database(),
                                        fixture.settings,
                                        AuditLedger.hashChained(CLOCK),
                                        CLOCK,
                                        new SecureRandom())
                                .rollover(
                                        Actor.local("ceremony:test"),
                                        offline,
                                        DocumentSignerFixture.CSCA,
                                        "csca-2",
                                        "csca-2-key",
                                        KeyAlgorithm.EC_P384))
                        .isInstanceOf(RuntimeException.class);
            }
            List<SignedCertificateFault.Row> added =
                    SignedCertificateFault.added(before, SignedCertificateFault.rows(db.database()));
            SignedCertificateFault.Row link = added.stream()
                    .filter(r -> r.profile().equals(CertificateProfile.CSCA_LINK.id()))
                    .findFirst()
                    .orElseThrow();

            OfflineCrlCeremony.Signed signed = new OfflineCrlCeremony(db.database(), fixture.settings, CLOCK)
                    .sign(offline, DocumentSignerFixture.CSCA, Duration.ofDays(90), "custodians:alice+bob");
            X509CRLHolder crl = signed.crl();
            X509CRLEntryHolder entry = crl.getRevokedCertificate(new BigInteger(link.serialHex(), 16));
            assertThat(entry).as("the link's serial on the old CSCA's CRL").isNotNull();
            assertThat(CRLReason.getInstance(entry.getExtensions().getExtensionParsedValue(Extension.reasonCode))
                            .getValue())
                    .isEqualTo(BigInteger.valueOf(CRLReason.cessationOfOperation));
            assertThat(crl.getRevokedCertificates()).hasSize(1);
        } finally {
            online.close();
            offline.close();
        }
    }
}
