package tw.eid.pki.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.MutableClock;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/** The delegated signer is renewed in the token before it expires, and answers switch to it without a restart. */
class OcspSignerRenewalTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @Test
    void theLeaseHolderRenewsTheSignerAndRespondersSwitchToIt() throws Exception {
        // Mid-February of a leap year: the 30-day signers it renews span 29 February.
        MutableClock clock = new MutableClock(Instant.parse("2028-02-10T12:00:00Z"));
        Token token = SoftHsmTestTokens.create("ocsp-renew").open(Clock.systemUTC());
        try {
            OcspFixture pki = new OcspFixture(db.database(), token, clock);
            BigInteger good = pki.certificate("GOOD", null);
            OcspResponder responder = responder(db.database(), token, clock);
            OcspUpdater updater = renewingUpdater(db.database(), responder, token, clock);
            byte[] request = OcspResponderTest.request(OcspResponderTest.id(pki.ca, good));

            updater.runOnce();
            assertThat(signerOf(responder.respond(request))).isEqualTo(pki.signer);
            assertThat(signers()).hasSize(1); // fresh: not due

            Instant oldEnd = pki.signer.getNotAfter().toInstant();
            Duration lifetime = Duration.between(pki.signer.getNotBefore().toInstant(), oldEnd);
            clock.set(oldEnd.minus(lifetime.dividedBy(3)).plusSeconds(60)); // less than a third left
            updater.runOnce();
            List<X509CertificateHolder> signers = signers();
            assertThat(signers).hasSize(2);
            X509CertificateHolder renewed = signers.get(1);
            assertThat(renewed.getSubject()).isEqualTo(pki.signer.getSubject());
            assertThat(renewed.getSubjectPublicKeyInfo()).isNotEqualTo(pki.signer.getSubjectPublicKeyInfo());
            assertThat(renewed.isSignatureValid(new JcaContentVerifierProviderBuilder()
                            .setProvider(new BouncyCastleProvider())
                            .build(pki.ca)))
                    .isTrue();
            assertThat(ExtendedKeyUsage.fromExtensions(renewed.getExtensions())
                            .hasKeyPurposeId(KeyPurposeId.id_kp_OCSPSigning))
                    .isTrue();
            assertThat(renewed.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nocheck))
                    .isNotNull();
            assertThat(renewed.getNotAfter().toInstant()).isAfter(oldEnd);

            // New answers come from the new signer, with a full validity (no longer cut short by the old notAfter).
            OcspAnswer after = responder.respond(
                    OcspResponderTest.request(OcspResponderTest.id(pki.ca, pki.certificate("GOOD", null))));
            assertThat(signerOf(after)).isEqualTo(renewed);
            assertThat(Duration.between(after.thisUpdate(), after.nextUpdate())).isEqualTo(Duration.ofHours(24));
            assertThat(audited()).isEqualTo(1);

            // Not renewed again while the new one is fresh.
            updater.runOnce();
            assertThat(signers()).hasSize(2);
            updater.close();
        } finally {
            token.close();
        }
    }

    /** A responder on the authorities {@code database} has now. */
    static OcspResponder responder(Database database, Token token, Clock clock) {
        return new OcspResponder(
                database, token, OcspAuthorities.load(database, clock.instant()), OcspConfig.defaults(), clock);
    }

    /** The lease holder's updater for {@code responder}: it renews signers when due and retires the old ones. */
    static OcspUpdater renewingUpdater(Database database, OcspResponder responder, Token token, Clock clock) {
        OcspSignerRenewal renewal = new OcspSignerRenewal(
                database, token, ProfileSettings.defaults(), AuditLedger.hashChained(clock), clock, new SecureRandom());
        return new OcspUpdater(
                database,
                responder,
                "node",
                clock,
                renewal,
                new OcspSignerRetirement(database, token, AuditLedger.hashChained(clock), clock));
    }

    static X509CertificateHolder signerOf(OcspAnswer answer) throws Exception {
        BasicOCSPResp basic = (BasicOCSPResp) new OCSPResp(answer.der()).getResponseObject();
        X509CertificateHolder signer = basic.getCerts()[0];
        assertThat(basic.isSignatureValid(new JcaContentVerifierProviderBuilder()
                        .setProvider(new BouncyCastleProvider())
                        .build(signer)))
                .isTrue();
        return signer;
    }

    static List<X509CertificateHolder> signers() {
        return db.database().inTransaction(c -> {
            List<X509CertificateHolder> out = new java.util.ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                            "SELECT certificate_der FROM ca WHERE kind = 'ocsp-signer' ORDER BY created_at, name");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    try {
                        out.add(new X509CertificateHolder(rs.getBytes(1)));
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
            return out;
        });
    }

    static int audited() {
        return db.database().inTransaction(c -> {
            try (PreparedStatement ps =
                            c.prepareStatement("SELECT COUNT(*) FROM audit_event WHERE action = 'ocsp-signer.renew'");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }
}
