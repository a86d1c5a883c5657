package tw.eid.pki.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.MutableClock;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/**
 * The live signer alone, in a real token: it signs the statuses it is given (a serial without
 * one is never good), by the CA's delegated signer, within the signer's validity, and rate limits
 * the signatures a client does not repeat.
 */
class LiveSignerTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    static final MutableClock CLOCK = new MutableClock(Instant.parse("2028-03-01T00:00:00Z"));
    static final int UNLIMITED = 1_000_000;
    static Token token;
    static OcspFixture pki;
    static OcspAuthority authority;

    @BeforeAll
    static void setUp() {
        token = SoftHsmTestTokens.create("ocsp-live").open(Clock.systemUTC());
        pki = new OcspFixture(db.database(), token, CLOCK);
        authority = OcspAuthorities.load(db.database(), CLOCK.instant()).all().get(0);
    }

    @AfterAll
    static void tearDown() {
        token.close();
    }

    static LiveSigner signer(OcspConfig config, int perSecond) {
        return new LiveSigner(token, config, new RateLimiter(perSecond));
    }

    static OcspResponder.Row row(CertificateStatus status) {
        return new OcspResponder.Row(status);
    }

    /** A query about {@code serials} with the statuses given (a serial not in it was never issued). */
    static OcspQuery query(
            OcspAuthority about,
            Instant now,
            boolean withNonce,
            Map<String, OcspResponder.Row> statuses,
            BigInteger... serials)
            throws Exception {
        return RequestChecksTest.query(about, now, withNonce ? MemoryCacheSourceTest.nonce(16) : null, serials)
                .withStatuses(statuses);
    }

    static OcspQuery query(Map<String, OcspResponder.Row> statuses, BigInteger... serials) throws Exception {
        return query(authority, CLOCK.instant(), false, statuses, serials);
    }

    /** Parses, and checks the signature with the delegated signer's key, included, and named by key. */
    static BasicOCSPResp verified(OcspAnswer answer) throws Exception {
        assertThat(answer.responseStatus()).isZero();
        BasicOCSPResp basic = (BasicOCSPResp) OcspResponder.parse(answer.der()).getResponseObject();
        assertThat(basic.getCerts()).containsExactly(pki.signer);
        assertThat(basic.isSignatureValid(new JcaContentVerifierProviderBuilder()
                        .setProvider(new BouncyCastleProvider())
                        .build(pki.signer)))
                .isTrue();
        byte[] keyHash = MessageDigest.getInstance("SHA-1")
                .digest(pki.signer.getSubjectPublicKeyInfo().getPublicKeyData().getBytes());
        assertThat(basic.getResponderId().toASN1Primitive().getKeyHash()).isEqualTo(keyHash);
        return basic;
    }

    @Test
    void signsTheStatusesItIsGivenInOrderWithTheConfiguredValidity() throws Exception {
        BigInteger good = BigInteger.valueOf(0x1001);
        BigInteger revoked = BigInteger.valueOf(0x1002);
        BigInteger never = BigInteger.valueOf(0x1003);
        RevokedStatus compromised =
                OcspResponder.revokedStatus(CLOCK.instant().minusSeconds(3600), CRLReason.keyCompromise);
        Map<String, OcspResponder.Row> statuses = Map.of("1001", row(CertificateStatus.GOOD), "1002", row(compromised));

        ResponseSource.Sourced sourced =
                signer(OcspConfig.defaults(), UNLIMITED).answer(query(statuses, good, revoked, never));
        SingleResp[] responses = verified(sourced.answer()).getResponses();
        assertThat(responses).extracting(r -> r.getCertID().getSerialNumber()).containsExactly(good, revoked, never);
        assertThat(responses[0].getCertStatus()).isNull(); // good
        assertThat(((RevokedStatus) responses[1].getCertStatus()).getRevocationReason())
                .isEqualTo(CRLReason.keyCompromise);
        assertThat(responses[2].getCertStatus()).isInstanceOf(UnknownStatus.class);
        assertThat(responses[0].getThisUpdate()).isEqualTo(Date.from(CLOCK.instant()));
        assertThat(responses[0].getNextUpdate())
                .isEqualTo(Date.from(CLOCK.instant().plus(Duration.ofHours(24))));
        assertThat(sourced.answer().nextUpdate()).isEqualTo(CLOCK.instant().plus(Duration.ofHours(24)));
        assertThat(sourced.row()).isEqualTo(statuses.get("1001")); // the first certificate's, for the memory cache
    }

    @Test
    void aSerialWithoutAStatusIsNeverGood() throws Exception {
        BigInteger serial = BigInteger.valueOf(0x2001);
        LiveSigner live = signer(OcspConfig.defaults(), UNLIMITED);
        ResponseSource.Sourced unknown = live.answer(query(Map.of(), serial));
        assertThat(verified(unknown.answer()).getResponses()[0].getCertStatus()).isInstanceOf(UnknownStatus.class);
        assertThat(unknown.row()).isNull();
        assertThat(verified(live.answer(query(null, serial)).answer())
                        .getResponses()[0]
                        .getCertStatus())
                .isInstanceOf(UnknownStatus.class); // nothing read: not good either
        assertThat(verified(live.answer(query(Map.of(), BigInteger.ZERO)).answer())
                        .getResponses()[0]
                        .getCertStatus())
                .isInstanceOf(UnknownStatus.class);

        BasicOCSPResp strict = verified(signer(OcspConfig.defaults().withUnknownAsRevoked(true), UNLIMITED)
                .answer(query(Map.of(), serial))
                .answer());
        RevokedStatus r = (RevokedStatus) strict.getResponses()[0].getCertStatus();
        assertThat(r.getRevocationTime()).isEqualTo(Date.from(Instant.EPOCH));
        assertThat(r.getRevocationReason()).isEqualTo(CRLReason.certificateHold);
        assertThat(strict.getExtension(OcspResponder.EXTENDED_REVOKE)).isNotNull();
    }

    @Test
    void theNonceIsEchoed() throws Exception {
        OcspQuery q = query(
                authority,
                CLOCK.instant(),
                true,
                Map.of("3001", row(CertificateStatus.GOOD)),
                BigInteger.valueOf(0x3001));
        BasicOCSPResp basic =
                verified(signer(OcspConfig.defaults(), UNLIMITED).answer(q).answer());
        assertThat(basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce)
                        .getExtnValue()
                        .getOctets())
                .isEqualTo(new DEROctetString(new byte[16]).getEncoded());
    }

    @Test
    void nextUpdateNeverPassesTheSignersNotAfter() throws Exception {
        Instant signerEnd = pki.signer.getNotAfter().toInstant();
        OcspQuery late = query(
                authority,
                signerEnd.minus(Duration.ofHours(3)),
                false,
                Map.of("4001", row(CertificateStatus.GOOD)),
                BigInteger.valueOf(0x4001));
        OcspAnswer answer =
                signer(OcspConfig.defaults(), UNLIMITED).answer(late).answer();
        assertThat(verified(answer).getResponses()[0].getNextUpdate()).isEqualTo(Date.from(signerEnd));
        assertThat(answer.nextUpdate()).isEqualTo(signerEnd);
    }

    @Test
    void onlySignaturesAClientDoesNotRepeatAreRateLimited() throws Exception {
        LiveSigner limited = signer(OcspConfig.defaults(), 1);
        Map<String, OcspResponder.Row> known = Map.of("5001", row(CertificateStatus.GOOD));
        int tryLater = 0;
        for (int i = 0; i < 10; i++) {
            // One CertID, no nonce, issued: the answer the memory cache keeps; never refused for the rate.
            assertThat(limited.answer(query(known, BigInteger.valueOf(0x5001)))
                            .answer()
                            .responseStatus())
                    .isZero();
            if (limited.answer(query(authority, CLOCK.instant(), true, known, BigInteger.valueOf(0x5001)))
                            .answer()
                            .responseStatus()
                    == 3) {
                tryLater++;
            }
            if (limited.answer(query(Map.of(), BigInteger.valueOf(0x5002)))
                            .answer()
                            .responseStatus()
                    == 3) {
                tryLater++;
            }
            if (limited.answer(query(known, BigInteger.valueOf(0x5001), BigInteger.valueOf(0x5001)))
                            .answer()
                            .responseStatus()
                    == 3) {
                tryLater++;
            }
        }
        assertThat(tryLater).isGreaterThanOrEqualTo(20);
    }

    @Test
    void aSignerKeyTheTokenDoesNotHoldIsTryLater() throws Exception {
        OcspAuthority missingKey = OcspAuthority.of(
                authority.caName(),
                authority.caCertificate(),
                authority.signerName(),
                authority.signerCertificate(),
                "no-such-key");
        OcspQuery q = query(
                missingKey,
                CLOCK.instant(),
                false,
                Map.of("6001", row(CertificateStatus.GOOD)),
                BigInteger.valueOf(0x6001));
        ResponseSource.Sourced sourced =
                signer(OcspConfig.defaults(), UNLIMITED).answer(q);
        assertThat(sourced.answer().responseStatus()).isEqualTo(3);
        assertThat(sourced.row()).isNull();
    }
}
