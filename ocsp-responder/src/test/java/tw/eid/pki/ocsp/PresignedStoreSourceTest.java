package tw.eid.pki.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.MutableClock;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/**
 * The pre-signed store source alone, on a real store (responses pre-signed by the updater in a
 * real token): a stored response is served only while it says the certificate's current status and
 * is fresh; otherwise the statuses read are passed on. The next source only records what it is given.
 */
class PresignedStoreSourceTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    static final MutableClock CLOCK = new MutableClock(Instant.parse("2028-07-01T10:00:00Z"));
    static final OcspAnswer PASSED = new OcspAnswer(new byte[] {0x30, 0}, 0, CLOCK.instant(), CLOCK.instant());
    static Token token;
    static OcspFixture pki;
    static OcspAuthority authority;

    final ResponseCache cache = new ResponseCache(100);
    final List<OcspQuery> passed = new ArrayList<>();
    final PresignedStoreSource store = source(db.database());

    @BeforeAll
    static void setUp() {
        token = SoftHsmTestTokens.create("ocsp-store").open(Clock.systemUTC());
        pki = new OcspFixture(db.database(), token, CLOCK);
        authority = OcspAuthorities.load(db.database(), CLOCK.instant()).all().get(0);
    }

    @AfterAll
    static void tearDown() {
        token.close();
    }

    PresignedStoreSource source(Database database) {
        return new PresignedStoreSource(database, cache, Duration.ofHours(12), q -> {
            passed.add(q);
            return new ResponseSource.Sourced(PASSED, null);
        });
    }

    /** Pre-signs every certificate that has no response yet, as the updater does. */
    static void preSign() {
        OcspResponder responder = new OcspResponder(
                db.database(),
                token,
                OcspAuthorities.load(db.database(), CLOCK.instant()),
                OcspConfig.defaults(),
                CLOCK);
        try (OcspUpdater updater = new OcspUpdater(db.database(), responder, "store-test", CLOCK)) {
            assertThat(updater.runOnce()).isPositive();
        }
    }

    static OcspQuery query(Instant now, boolean withNonce, BigInteger... serials) throws Exception {
        return RequestChecksTest.query(authority, now, withNonce ? MemoryCacheSourceTest.nonce(4) : null, serials);
    }

    static OcspQuery query(BigInteger serial) throws Exception {
        return query(CLOCK.instant(), false, serial);
    }

    @Test
    void aFreshPreSignedResponseThatSaysTheCurrentStatusIsServed() throws Exception {
        BigInteger good = pki.certificate("GOOD", null);
        preSign();
        ResponseSource.Sourced sourced = store.answer(query(good));
        BasicOCSPResp basic =
                (BasicOCSPResp) OcspResponder.parse(sourced.answer().der()).getResponseObject();
        assertThat(basic.getResponses()[0].getCertID().getSerialNumber()).isEqualTo(good);
        assertThat(basic.getResponses()[0].getCertStatus()).isNull(); // good
        assertThat(basic.getProducedAt().toInstant()).isEqualTo(CLOCK.instant()); // signed by the updater before
        assertThat(sourced.row()).isNotNull();
        assertThat(sourced.row().status()).isNull(); // Bouncy Castle's GOOD
        assertThat(passed).isEmpty();
    }

    @Test
    void withoutAPreSignedResponseTheStatusReadIsPassedOn() throws Exception {
        BigInteger good = pki.certificate("GOOD", null);
        BigInteger revoked = pki.certificate("REVOKED", CRLReason.keyCompromise);
        assertThat(store.answer(query(good)).answer()).isSameAs(PASSED);
        assertThat(store.answer(query(revoked)).answer()).isSameAs(PASSED);
        assertThat(passed.get(0).statuses()).containsOnlyKeys(good.toString(16));
        assertThat(passed.get(0).statuses().get(good.toString(16)).status()).isNull();
        RevokedStatus status = (RevokedStatus)
                passed.get(1).statuses().get(revoked.toString(16)).status();
        assertThat(status.getRevocationReason()).isEqualTo(CRLReason.keyCompromise);
        assertThat(cache.size()).isZero(); // a single read is kept with the answer, by the memory cache source
    }

    @Test
    void aStoredResponseThatNoLongerSaysTheStatusIsNeverServed() throws Exception {
        BigInteger serial = pki.certificate("GOOD", null);
        preSign();
        // Suspended after it was pre-signed, and not signed again yet.
        db.database().inTransaction(c -> {
            try (var ps = c.prepareStatement("UPDATE certificate SET status = 'HOLD', revocation_reason = 6,"
                    + " revocation_time = ? WHERE ca_name = 'citizen-ca' AND serial_hex = ?")) {
                ps.setObject(1, DatabaseTime.toColumn(CLOCK.instant()));
                ps.setString(2, serial.toString(16));
                ps.executeUpdate();
            }
            return null;
        });
        assertThat(store.answer(query(serial)).answer()).isSameAs(PASSED);
        RevokedStatus hold = (RevokedStatus)
                passed.get(0).statuses().get(serial.toString(16)).status();
        assertThat(hold.getRevocationReason()).isEqualTo(CRLReason.certificateHold);
    }

    @Test
    void aStoredResponsePastHalfItsValidityIsNotServed() throws Exception {
        BigInteger good = pki.certificate("GOOD", null);
        preSign();
        Instant half = CLOCK.instant().truncatedTo(ChronoUnit.SECONDS).plus(Duration.ofHours(12));
        assertThat(store.answer(query(half.minusSeconds(1), false, good)).answer())
                .isNotSameAs(PASSED);
        assertThat(store.answer(query(half, false, good)).answer()).isSameAs(PASSED);
        assertThat(passed.get(0).statuses()).containsOnlyKeys(good.toString(16));
    }

    @Test
    void aSerialNeverIssuedIsPassedOnWithoutAStatus() throws Exception {
        BigInteger never = BigInteger.ONE.shiftLeft(127).add(BigInteger.valueOf(12345));
        store.answer(query(never));
        store.answer(query(BigInteger.ZERO));
        assertThat(passed).hasSize(2);
        assertThat(passed.get(0).statuses()).isEmpty();
        assertThat(passed.get(1).statuses()).isEmpty();
    }

    @Test
    void severalSerialsAreReadAtOnceAndTheirStatusesKeptUnlessInvalidatedSince() throws Exception {
        BigInteger good = pki.certificate("GOOD", null);
        BigInteger hold = pki.certificate("HOLD", CRLReason.certificateHold);
        BigInteger never = BigInteger.ONE.shiftLeft(127).add(BigInteger.valueOf(777));
        Instant now = CLOCK.instant();
        store.answer(query(now, false, good, hold, never).withSequence(cache.sequence()));
        assertThat(passed.get(0).statuses()).containsOnlyKeys(good.toString(16), hold.toString(16));
        assertThat(cache.status(ResponseCache.key("citizen-ca", good.toString(16)), now))
                .isNotNull();
        assertThat(cache.status(ResponseCache.key("citizen-ca", hold.toString(16)), now)
                        .status())
                .isInstanceOf(RevokedStatus.class);
        assertThat(cache.status(ResponseCache.key("citizen-ca", good.toString(16)), now.plus(Duration.ofHours(12))))
                .isNull(); // kept for the configured time only

        BigInteger other = pki.certificate("GOOD", null);
        long before = cache.sequence();
        cache.invalidate("citizen-ca", other.toString(16));
        store.answer(query(now, true, other).withSequence(before)); // a nonce: read and kept like several
        assertThat(passed.get(1).statuses()).containsOnlyKeys(other.toString(16));
        assertThat(cache.status(ResponseCache.key("citizen-ca", other.toString(16)), now))
                .isNull();
    }

    @Test
    void statusesAlreadyKnownAreNotReadAgain() throws Exception {
        BigInteger good = pki.certificate("GOOD", null);
        Map<String, OcspResponder.Row> known = Map.of(
                good.toString(16),
                new OcspResponder.Row(OcspResponder.revokedStatus(CLOCK.instant(), CRLReason.certificateHold)));
        store.answer(query(good).withStatuses(known));
        assertThat(passed.get(0).statuses()).isSameAs(known);
    }

    @Test
    void aStoreThatCannotBeReadIsTryLater() throws Exception {
        BigInteger good = pki.certificate("GOOD", null);
        Database closed = Database.open(db.settings());
        closed.close();
        PresignedStoreSource unreachable = source(closed);
        assertThat(unreachable.answer(query(good)).answer().responseStatus()).isEqualTo(3);
        assertThat(unreachable
                        .answer(query(CLOCK.instant(), true, good))
                        .answer()
                        .responseStatus())
                .isEqualTo(3);
        assertThat(passed).isEmpty();
    }
}
