package tw.eid.pki.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.DigestCalculator;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.profile.RevocationReason;
import tw.eid.pki.ca.revocation.RevocationService;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.MutableClock;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/** The responder below HTTP, on a real token and store; requests and checks by Bouncy Castle. */
class OcspResponderTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    /** Starts a minute before a new year (tests advance it across the year's end). */
    static final MutableClock CLOCK = new MutableClock(Instant.parse("2027-12-31T23:59:00Z"));

    static Token token;
    static OcspFixture pki;
    static OcspResponder responder;
    static final SecureRandom RANDOM = new SecureRandom();

    @BeforeAll
    static void setUp() {
        token = SoftHsmTestTokens.create("ocsp").open(Clock.systemUTC());
        pki = new OcspFixture(db.database(), token, CLOCK);
        responder = responder(OcspConfig.defaults());
    }

    @AfterAll
    static void tearDown() {
        token.close();
    }

    static OcspResponder responder(OcspConfig config) {
        return new OcspResponder(
                db.database(), token, OcspAuthorities.load(db.database(), CLOCK.instant()), config, CLOCK);
    }

    static DigestCalculator digest(org.bouncycastle.asn1.x509.AlgorithmIdentifier alg) throws Exception {
        return new JcaDigestCalculatorProviderBuilder().build().get(alg);
    }

    static CertificateID id(X509CertificateHolder issuer, BigInteger serial) throws Exception {
        return new CertificateID(digest(CertificateID.HASH_SHA1), issuer, serial);
    }

    static byte[] request(CertificateID... ids) throws Exception {
        OCSPReqBuilder b = new OCSPReqBuilder();
        for (CertificateID id : ids) {
            b.addRequest(id);
        }
        return b.build().getEncoded();
    }

    static byte[] requestWithNonce(CertificateID id, byte[] nonce) throws Exception {
        return new OCSPReqBuilder()
                .addRequest(id)
                .setRequestExtensions(new Extensions(new Extension(
                        OCSPObjectIdentifiers.id_pkix_ocsp_nonce,
                        false,
                        new DEROctetString(nonce).getEncoded(ASN1Encoding.DER))))
                .build()
                .getEncoded();
    }

    /** Parses, checks the signature with the delegated signer's key and that the signer is the one included. */
    static BasicOCSPResp basic(OcspAnswer answer) throws Exception {
        assertThat(answer.responseStatus()).isZero();
        OCSPResp resp = new OCSPResp(answer.der());
        assertThat(resp.getStatus()).isEqualTo(OCSPResp.SUCCESSFUL);
        BasicOCSPResp basic = (BasicOCSPResp) resp.getResponseObject();
        assertThat(basic.getCerts()).containsExactly(pki.signer);
        assertThat(basic.isSignatureValid(new JcaContentVerifierProviderBuilder()
                        .setProvider(new BouncyCastleProvider())
                        .build(pki.signer)))
                .isTrue();
        assertThat(basic.getResponderId().toASN1Primitive().getName()).isNull(); // byKey, not byName
        return basic;
    }

    static CertificateStatus single(OcspAnswer answer) throws Exception {
        SingleResp[] responses = basic(answer).getResponses();
        assertThat(responses).hasSize(1);
        return responses[0].getCertStatus();
    }

    @Test
    void answersGoodHoldRevokedAndUnknownFromTheStore() throws Exception {
        BigInteger good = pki.certificate("GOOD", null);
        BigInteger hold = pki.certificate("HOLD", CRLReason.certificateHold);
        BigInteger compromised = pki.certificate("REVOKED", CRLReason.keyCompromise);
        BigInteger superseded = pki.certificate("REVOKED", CRLReason.superseded);
        BigInteger never = new BigInteger(128, RANDOM).setBit(127);

        assertThat(single(responder.respond(request(id(pki.ca, good))))).isNull(); // BC: null means good
        RevokedStatus h = (RevokedStatus) single(responder.respond(request(id(pki.ca, hold))));
        assertThat(h.getRevocationReason()).isEqualTo(CRLReason.certificateHold);
        assertThat(((RevokedStatus) single(responder.respond(request(id(pki.ca, compromised))))).getRevocationReason())
                .isEqualTo(CRLReason.keyCompromise);
        assertThat(((RevokedStatus) single(responder.respond(request(id(pki.ca, superseded))))).getRevocationReason())
                .isEqualTo(CRLReason.superseded);
        assertThat(single(responder.respond(request(id(pki.ca, never))))).isInstanceOf(UnknownStatus.class);

        // SHA-256 CertIDs name the same CA.
        CertificateID sha256 = new CertificateID(
                digest(new org.bouncycastle.asn1.x509.AlgorithmIdentifier(
                        org.bouncycastle.asn1.nist.NISTObjectIdentifiers.id_sha256)),
                pki.ca,
                compromised);
        assertThat(single(responder.respond(request(sha256)))).isInstanceOf(RevokedStatus.class);
    }

    /**
     * Issue 25: a loss report (CardLossReports) puts the card's certificate on hold in the store, and
     * the responder answers revoked, certificateHold, which openssl reads and verifies too; after the
     * officer's withdrawal a responder answers good again.
     */
    @Test
    void aLossReportIsAnsweredCertificateHoldAndItsWithdrawalGood() throws Exception {
        BigInteger serial = pki.certificate("GOOD", null);
        String card = "LOST" + serial.toString(16).substring(0, 8).toUpperCase(java.util.Locale.ROOT);
        db.database().inTransaction(c -> {
            try (var ps = c.prepareStatement("INSERT INTO card (card_number, national_id_hmac, national_id_enc,"
                    + " national_id_last4, name_enc, status, created_at) VALUES (?, ?, X'00', '6789', X'00',"
                    + " 'REGISTERED', ?)")) {
                ps.setString(1, card);
                ps.setBytes(2, new byte[32]);
                ps.setObject(3, tw.eid.pki.ca.store.DatabaseTime.toColumn(CLOCK.instant()));
                ps.executeUpdate();
            }
            try (var ps = c.prepareStatement("UPDATE certificate SET card_number = ? WHERE serial_hex = ?")) {
                ps.setString(1, card);
                ps.setString(2, serial.toString(16));
                ps.executeUpdate();
            }
            return null;
        });
        AuditLedger audit = AuditLedger.hashChained(CLOCK);
        var reports = new tw.eid.pki.ca.card.CardLossReports(
                db.database(), new RevocationService(db.database(), audit, CLOCK), audit, CLOCK);
        reports.report(Actor.local("officer-1"), card, tw.eid.pki.ca.card.CardLossReports.Channel.OFFICER);

        OcspAnswer held = responder.respond(request(id(pki.ca, serial)));
        assertThat(((RevokedStatus) single(held)).getRevocationReason()).isEqualTo(CRLReason.certificateHold);
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("ocsp-lost");
        java.nio.file.Path der = dir.resolve("held.der");
        java.nio.file.Path signerPem = dir.resolve("signer.pem");
        java.nio.file.Files.write(der, held.der());
        java.nio.file.Files.writeString(
                signerPem,
                "-----BEGIN CERTIFICATE-----\n"
                        + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pki.signer.getEncoded())
                        + "\n-----END CERTIFICATE-----\n");
        Process openssl = new ProcessBuilder(
                        "openssl",
                        "ocsp",
                        "-respin",
                        der.toString(),
                        "-VAfile",
                        signerPem.toString(),
                        "-attime",
                        Long.toString(CLOCK.instant().getEpochSecond()),
                        "-resp_text")
                .redirectErrorStream(true)
                .start();
        String out = new String(openssl.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(openssl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out)
                .contains("Response verify OK")
                .contains("Cert Status: revoked")
                .contains("Revocation Reason: certificateHold");

        reports.withdraw(Actor.local("officer-1"), card);
        assertThat(single(responder(OcspConfig.defaults()).respond(request(id(pki.ca, serial)))))
                .isNull(); // good
    }

    @Test
    void validityIsTheConfiguredOneAndNeverPassesTheSignersNotAfter() throws Exception {
        BigInteger good = pki.certificate("GOOD", null);
        OcspAnswer a = responder.respond(request(id(pki.ca, good)));
        SingleResp s = basic(a).getResponses()[0];
        assertThat(Duration.between(
                        s.getThisUpdate().toInstant(), s.getNextUpdate().toInstant()))
                .isEqualTo(Duration.ofHours(24));
        assertThat(a.nextUpdate()).isEqualTo(s.getNextUpdate().toInstant());

        Instant saved = CLOCK.instant();
        try {
            Instant signerEnd = pki.signer.getNotAfter().toInstant();
            CLOCK.set(signerEnd.minus(Duration.ofHours(3)));
            OcspAnswer late = responder(OcspConfig.defaults()).respond(request(id(pki.ca, good)));
            assertThat(basic(late).getResponses()[0].getNextUpdate().toInstant())
                    .isEqualTo(signerEnd);
            CLOCK.set(signerEnd.plusSeconds(1));
            assertThat(responder
                            .respond(request(id(pki.ca, pki.certificate("GOOD", null))))
                            .responseStatus())
                    .isEqualTo(3); // tryLater: an expired signer signs nothing
        } finally {
            CLOCK.set(saved);
        }
    }

    @Test
    void neverIssuedCanBeAnsweredInTheRfc6960RevokedForm() throws Exception {
        OcspResponder strict = responder(OcspConfig.defaults().withUnknownAsRevoked(true));
        OcspAnswer a = strict.respond(request(id(pki.ca, new BigInteger(128, RANDOM).setBit(127))));
        BasicOCSPResp basic = basic(a);
        RevokedStatus r = (RevokedStatus) basic.getResponses()[0].getCertStatus();
        assertThat(r.getRevocationTime()).isEqualTo(Date.from(Instant.EPOCH));
        assertThat(r.getRevocationReason()).isEqualTo(CRLReason.certificateHold);
        assertThat(basic.getExtension(OcspResponder.EXTENDED_REVOKE)).isNotNull();
        // A serial that could never be ours (zero, negative) is not good either.
        assertThat(single(responder.respond(request(id(pki.ca, BigInteger.ZERO)))))
                .isInstanceOf(UnknownStatus.class);
    }

    @Test
    void noncesOfOneTo128OctetsAreEchoedOthersRefused() throws Exception {
        BigInteger good = pki.certificate("GOOD", null);
        for (int n : new int[] {1, 32, 128}) {
            byte[] nonce = new byte[n];
            RANDOM.nextBytes(nonce);
            BasicOCSPResp basic = basic(responder.respond(requestWithNonce(id(pki.ca, good), nonce)));
            Extension echoed = basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
            assertThat(echoed.getExtnValue().getOctets()).isEqualTo(new DEROctetString(nonce).getEncoded());
        }
        for (int n : new int[] {0, 129}) {
            assertThat(responder
                            .respond(requestWithNonce(id(pki.ca, good), new byte[n]))
                            .responseStatus())
                    .isEqualTo(1);
        }
        OcspResponder ignoring = responder(OcspConfig.defaults().withIgnoreNonce(true));
        BasicOCSPResp basic = basic(ignoring.respond(requestWithNonce(id(pki.ca, good), new byte[200])));
        assertThat(basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce)).isNull();
    }

    @Test
    void clientInputNeverGetsAnInternalError() throws Exception {
        BigInteger good = pki.certificate("GOOD", null);
        byte[] valid = request(id(pki.ca, good));
        assertThat(responder.respond(new byte[0]).responseStatus()).isEqualTo(1);
        assertThat(responder.respond(null).responseStatus()).isEqualTo(1);
        assertThat(responder.respond("GET / HTTP/1.1".getBytes()).responseStatus())
                .isEqualTo(1);
        byte[] trailing = Arrays.copyOf(valid, valid.length + 1);
        assertThat(responder.respond(trailing).responseStatus()).isEqualTo(1);
        assertThat(responder.respond(Arrays.copyOf(valid, valid.length - 1)).responseStatus())
                .isEqualTo(1);
        assertThat(responder.respond(new byte[20_000]).responseStatus()).isEqualTo(1);
        // The root answers through its CRL only; a CA we do not know at all is the same.
        assertThat(responder.respond(request(id(pki.root, good))).responseStatus())
                .isEqualTo(6);
        assertThat(responder
                        .respond(request(id(pki.ca, good), id(pki.root, good)))
                        .responseStatus())
                .isEqualTo(6);
        CertificateID[] many = new CertificateID[21];
        Arrays.fill(many, id(pki.ca, good));
        assertThat(responder.respond(request(many)).responseStatus()).isEqualTo(1);
        // Random bytes of plausible length: never anything but an OCSP status, never an exception.
        for (int i = 0; i < 500; i++) {
            byte[] noise = valid.clone();
            noise[RANDOM.nextInt(noise.length)] ^= (byte) (1 + RANDOM.nextInt(255));
            assertThat(responder.respond(noise).responseStatus()).isIn(0, 1, 3, 6);
        }
    }

    @Test
    void severalCertIdsGetOneResponseEach() throws Exception {
        BigInteger good = pki.certificate("GOOD", null);
        BigInteger revoked = pki.certificate("REVOKED", CRLReason.affiliationChanged);
        BigInteger never = new BigInteger(128, RANDOM).setBit(127);
        SingleResp[] r = basic(responder.respond(request(id(pki.ca, good), id(pki.ca, revoked), id(pki.ca, never))))
                .getResponses();
        assertThat(r).hasSize(3);
        assertThat(r[0].getCertID().getSerialNumber()).isEqualTo(good);
        assertThat(r[0].getCertStatus()).isNull();
        assertThat(r[1].getCertStatus()).isInstanceOf(RevokedStatus.class);
        assertThat(r[2].getCertStatus()).isInstanceOf(UnknownStatus.class);
    }

    @Test
    void aCachedAnswerIsDroppedWhenTheStatusLogNamesItsCertificate() throws Exception {
        OcspResponder cached = responder(OcspConfig.defaults());
        BigInteger serial = pki.certificate("GOOD", null);
        byte[] req = request(id(pki.ca, serial));
        OcspAnswer first = cached.respond(req);
        assertThat(cached.respond(req)).isSameAs(first); // served from the cache
        assertThat(single(cached.respond(requestWithNonce(id(pki.ca, serial), new byte[] {6}))))
                .isNull(); // good
        StatusLogFollower follower = StatusLogFollower.start(db.database(), cached, CLOCK);
        try {
            new RevocationService(db.database(), AuditLedger.hashChained(CLOCK), CLOCK)
                    .suspend(Actor.local("test"), "citizen-ca", serial.toString(16));
            follower.readOnce();
            RevokedStatus hold = (RevokedStatus) single(cached.respond(req));
            assertThat(hold.getRevocationReason()).isEqualTo(CRLReason.certificateHold);
            // A nonce is signed live from the status the cache holds: the log dropped that too.
            RevokedStatus live =
                    (RevokedStatus) single(cached.respond(requestWithNonce(id(pki.ca, serial), new byte[] {7})));
            assertThat(live.getRevocationReason()).isEqualTo(CRLReason.certificateHold);
            new RevocationService(db.database(), AuditLedger.hashChained(CLOCK), CLOCK)
                    .resume(Actor.local("test"), "citizen-ca", serial.toString(16));
            follower.readOnce();
            assertThat(single(cached.respond(req))).isNull();
        } finally {
            follower.close();
        }
        assertThat(cached.cacheStatistics().get("hits")).isPositive();
    }

    /**
     * Failure mode 2 of the cluster issue: log ids are allocated at insert, not at commit. A change
     * that allocates its id first and commits after hundreds of others (a bulk approval beside
     * single suspensions) must still drop its certificate's cached answer.
     */
    @Test
    void aChangeThatCommitsBehindHundredsOfOthersStillDropsItsCachedAnswer() throws Exception {
        OcspResponder cached = responder(OcspConfig.defaults());
        BigInteger late = pki.certificate("GOOD", null);
        List<BigInteger> others = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            others.add(pki.certificate("GOOD", null));
        }
        byte[] req = request(id(pki.ca, late));
        assertThat(single(cached.respond(req))).isNull(); // good, and cached
        RevocationService revocations = new RevocationService(db.database(), AuditLedger.hashChained(CLOCK), CLOCK);
        StatusLogFollower follower = StatusLogFollower.start(db.database(), cached, CLOCK);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection slow = db.database().dataSource().getConnection()) {
            slow.setAutoCommit(false);
            RevocationService.apply(
                    slow,
                    "citizen-ca",
                    late.toString(16),
                    tw.eid.pki.ca.store.CertificateStatus.GOOD,
                    tw.eid.pki.ca.store.CertificateStatus.HOLD,
                    RevocationReason.CERTIFICATE_HOLD,
                    CLOCK.instant());
            Future<?> singles = pool.submit(() -> {
                for (BigInteger s : others) {
                    revocations.suspend(Actor.local("test"), "citizen-ca", s.toString(16));
                }
                return null;
            });
            // The singles either commit while the slow change is open, or wait for it: both are
            // allowed; what is not allowed is to lose the slow change's invalidation.
            for (int i = 0; i < 600 && !singles.isDone() && !waitingForALock(); i++) {
                Thread.sleep(100);
                follower.readOnce();
            }
            follower.readOnce();
            slow.commit();
            singles.get(120, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        follower.readOnce();
        follower.readOnce();
        try {
            CertificateStatus answered = single(cached.respond(req));
            assertThat(answered)
                    .as("the answer once the late change committed (null is good: a stale cached answer)")
                    .isInstanceOf(RevokedStatus.class);
            assertThat(((RevokedStatus) answered).getRevocationReason()).isEqualTo(CRLReason.certificateHold);
        } finally {
            follower.close();
        }
    }

    private static boolean waitingForALock() {
        return db.database().inTransaction(c -> {
            try (java.sql.Statement st = c.createStatement();
                    java.sql.ResultSet rs = st.executeQuery(
                            "SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'")) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        });
    }

    @Test
    void aResponseSignedFromAReadOlderThanAnInvalidationIsNotCached() {
        ResponseCache cache = new ResponseCache(10);
        long before = cache.sequence();
        cache.invalidate("citizen-ca", "abc");
        Instant now = CLOCK.instant();
        OcspAnswer a = new OcspAnswer(new byte[] {1}, 0, now, now.plusSeconds(60));
        cache.put("citizen-ca/abc", "1.3.14.3.2.26", new ResponseCache.Entry(a, now.plusSeconds(30)), before);
        assertThat(cache.get("citizen-ca/abc", "1.3.14.3.2.26", now)).isNull();
        cache.put("citizen-ca/abc", "1.3.14.3.2.26", new ResponseCache.Entry(a, now.plusSeconds(30)), cache.sequence());
        assertThat(cache.get("citizen-ca/abc", "1.3.14.3.2.26", now)).isSameAs(a);
        assertThat(cache.get("citizen-ca/abc", "1.3.14.3.2.26", now.plusSeconds(31)))
                .isNull(); // past half-life
    }

    @Test
    void liveSigningIsRateLimited() throws Exception {
        OcspResponder limited = responder(OcspConfig.defaults().withLiveSignaturesPerSecond(2));
        BigInteger good = pki.certificate("GOOD", null);
        int tryLater = 0;
        for (int i = 0; i < 10; i++) {
            if (limited.respond(requestWithNonce(id(pki.ca, good), new byte[] {(byte) i}))
                            .responseStatus()
                    == 3) {
                tryLater++;
            }
        }
        assertThat(tryLater).isGreaterThanOrEqualTo(5);
    }

    @Test
    void aNeverIssuedAnswerIsKeptBrieflyAndNeverHidesAnIssuanceLongerThanThat() throws Exception {
        // One live signature per second: a repeated question about a never-issued serial must not need another.
        OcspResponder r = responder(OcspConfig.defaults().withLiveSignaturesPerSecond(1));
        BigInteger serial = new BigInteger(128, RANDOM).setBit(127);
        byte[] req = request(id(pki.ca, serial));
        OcspAnswer first = r.respond(req);
        assertThat(single(first)).isInstanceOf(UnknownStatus.class);
        assertThat(r.fromMemory(req)).isSameAs(first);
        assertThat(r.respond(req)).isSameAs(first);

        pki.certificate(serial, "GOOD", null); // issued since
        CLOCK.advance(OcspResponder.NEVER_ISSUED_FRESH);
        assertThat(r.fromMemory(req)).isNull();
        assertThat(single(r.respond(req))).isNull(); // good, read from the store
    }

    @Test
    void aFloodOfNeverIssuedSerialsEvictsNoRealCertificatesAnswer() {
        ResponseCache cache = new ResponseCache(40); // room for 2 never-issued answers
        Instant now = CLOCK.instant();
        OcspAnswer real = new OcspAnswer(new byte[] {1}, 0, now, now.plusSeconds(3600));
        cache.put(
                "citizen-ca/real",
                "1.3.14.3.2.26",
                new ResponseCache.Entry(real, now.plusSeconds(1800)),
                cache.sequence());
        for (int i = 0; i < 1000; i++) {
            OcspAnswer unknown = new OcspAnswer(new byte[] {2, (byte) i}, 0, now, now.plusSeconds(3600));
            cache.putNeverIssued(
                    "citizen-ca/n" + i,
                    "1.3.14.3.2.26",
                    new ResponseCache.Entry(unknown, now.plusSeconds(10)),
                    cache.sequence());
        }
        assertThat(cache.get("citizen-ca/real", "1.3.14.3.2.26", now)).isSameAs(real);
        assertThat(cache.neverIssuedSize()).isEqualTo(2);
        assertThat(cache.get("citizen-ca/n999", "1.3.14.3.2.26", now)).isNotNull();
        assertThat(cache.get("citizen-ca/n999", "1.3.14.3.2.26", now.plusSeconds(10)))
                .isNull();
    }

    @Test
    void aLiveSignatureTakesTheCachedStatusOnlyWhileTheStatusLogIsBeingFollowed() throws Exception {
        OcspResponder r = responder(OcspConfig.defaults());
        BigInteger serial = pki.certificate("GOOD", null);
        r.respond(request(id(pki.ca, serial))); // its status is now in memory
        // A change the log has not delivered yet (written without a status_change row).
        db.database().inTransaction(c -> {
            try (var ps = c.prepareStatement("UPDATE certificate SET status = 'HOLD', revocation_reason = 6,"
                    + " revocation_time = ? WHERE ca_name = 'citizen-ca' AND serial_hex = ?")) {
                ps.setObject(1, tw.eid.pki.ca.store.DatabaseTime.toColumn(CLOCK.instant()));
                ps.setString(2, serial.toString(16));
                ps.executeUpdate();
            }
            return null;
        });
        r.statusLogRead(CLOCK.instant());
        // Log read just now: the status comes from memory, no store read.
        assertThat(single(r.respond(requestWithNonce(id(pki.ca, serial), new byte[] {1}))))
                .isNull();
        // Log not read for longer than STATUS_LOG_CURRENT: the store is read.
        CLOCK.advance(OcspResponder.STATUS_LOG_CURRENT.plusMillis(1));
        RevokedStatus hold = (RevokedStatus) single(r.respond(requestWithNonce(id(pki.ca, serial), new byte[] {2})));
        assertThat(hold.getRevocationReason()).isEqualTo(CRLReason.certificateHold);
    }

    @Test
    void liveSignaturesOnManyThreadsAtOnceAreEachWhole() throws Exception {
        OcspResponder r = responder(OcspConfig.defaults().withLiveSignaturesPerSecond(1_000_000));
        BigInteger serial = pki.certificate("GOOD", null);
        byte[] expectedKeyHash = java.security.MessageDigest.getInstance("SHA-1")
                .digest(pki.signer.getSubjectPublicKeyInfo().getPublicKeyData().getBytes());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.List<java.util.concurrent.Future<OcspAnswer>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                byte[] nonce = {(byte) i, (byte) (i >> 8), 1};
                answers.add(pool.submit(() -> r.respond(requestWithNonce(id(pki.ca, serial), nonce))));
            }
            for (var f : answers) {
                BasicOCSPResp basic = basic(f.get()); // successful, signature verified with the signer's key
                assertThat(basic.getResponderId().toASN1Primitive().getKeyHash())
                        .isEqualTo(expectedKeyHash);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
