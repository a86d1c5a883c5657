package tw.eid.pki.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.revocation.RevocationService;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.MutableClock;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/** Pre-signed responses: one updater by lease, stored responses served only while they match the status. */
class OcspUpdaterTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();
    /** Starts an hour before a leap day (tests advance it across midnight into 29 February). */
    static final MutableClock CLOCK = new MutableClock(Instant.parse("2028-02-28T23:00:00Z"));

    static Token token;
    static OcspFixture pki;

    @BeforeAll
    static void setUp() {
        token = SoftHsmTestTokens.create("ocsp-upd").open(Clock.systemUTC());
        pki = new OcspFixture(db.database(), token, CLOCK);
    }

    @AfterAll
    static void tearDown() {
        token.close();
    }

    static OcspResponder responder() {
        return new OcspResponder(
                db.database(),
                token,
                OcspAuthorities.load(db.database(), CLOCK.instant()),
                OcspConfig.defaults(),
                CLOCK);
    }

    static byte[] stored(BigInteger serial) {
        return db.database().inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT response_der FROM ocsp_response WHERE ca_name = 'citizen-ca' AND serial_hex = ?")) {
                ps.setString(1, serial.toString(16));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getBytes(1) : null;
                }
            }
        });
    }

    @Test
    void oneUpdaterSignsEveryCertificateAndRespondersServeTheStoredResponse() throws Exception {
        BigInteger good = pki.certificate("GOOD", null);
        BigInteger revoked = pki.certificate("REVOKED", CRLReason.keyCompromise);
        OcspUpdater first = new OcspUpdater(db.database(), responder(), "node-a", CLOCK);
        OcspUpdater second = new OcspUpdater(db.database(), responder(), "node-b", CLOCK);
        try {
            assertThat(first.runOnce()).isGreaterThanOrEqualTo(2);
            assertThat(second.runOnce()).isEqualTo(-1); // the lease is node-a's
            assertThat(stored(good)).isNotNull();
            assertThat(stored(revoked)).isNotNull();

            OcspResponder fresh = responder(); // empty memory cache: the answer comes from the store
            assertThat(fresh.respond(OcspResponderTest.request(OcspResponderTest.id(pki.ca, good)))
                            .der())
                    .isEqualTo(stored(good));
            assertThat(fresh.respond(OcspResponderTest.request(OcspResponderTest.id(pki.ca, revoked)))
                            .der())
                    .isEqualTo(stored(revoked));

            // A suspension the updater has not signed yet: the stored "good" is not served.
            byte[] before = stored(good);
            new RevocationService(db.database(), AuditLedger.hashChained(CLOCK), CLOCK)
                    .suspend(Actor.local("test"), "citizen-ca", good.toString(16));
            OcspAnswer live = responder().respond(OcspResponderTest.request(OcspResponderTest.id(pki.ca, good)));
            assertThat(live.der()).isNotEqualTo(before);
            assertThat(((RevokedStatus) status(live)).getRevocationReason()).isEqualTo(CRLReason.certificateHold);
            assertThat(first.runOnce()).isGreaterThanOrEqualTo(1);
            assertThat(stored(good)).isNotEqualTo(before);
            assertThat(responder()
                            .respond(OcspResponderTest.request(OcspResponderTest.id(pki.ca, good)))
                            .der())
                    .isEqualTo(stored(good));

            // A quarter of the validity later the updater re-signs; once the lease lapses another node takes over.
            byte[] signedEarlier = stored(revoked);
            CLOCK.advance(OcspConfig.defaults().validity().dividedBy(4).plusMinutes(1));
            assertThat(second.runOnce()).isGreaterThanOrEqualTo(2);
            assertThat(stored(revoked)).isNotEqualTo(signedEarlier);
            assertThat(first.runOnce()).isEqualTo(-1);
        } finally {
            first.close();
            second.close();
        }
    }

    @Test
    void aStoredResponsePastHalfItsValidityIsNotServed() throws Exception {
        BigInteger good = pki.certificate("GOOD", null);
        OcspUpdater updater = new OcspUpdater(db.database(), responder(), "node-c", CLOCK);
        try {
            CLOCK.advance(OcspUpdater.LEASE.plusSeconds(1)); // earlier tests' leases lapse
            assertThat(updater.runOnce()).isGreaterThanOrEqualTo(1);
        } finally {
            updater.close();
        }
        byte[] row = stored(good);
        CLOCK.advance(Duration.ofHours(12).plusSeconds(1));
        OcspAnswer answer = responder().respond(OcspResponderTest.request(OcspResponderTest.id(pki.ca, good)));
        assertThat(answer.der()).isNotEqualTo(row);
        assertThat(answer.thisUpdate()).isAfter(CLOCK.instant().minusSeconds(2));
    }

    @Test
    void aTakeoverStartsAWindowBehindWhereTheLastHolderCaughtUp() {
        CLOCK.advance(OcspUpdater.LEASE.plusSeconds(1)); // earlier tests' leases lapse
        OcspUpdater d = new OcspUpdater(db.database(), responder(), "node-d", CLOCK);
        OcspUpdater e = new OcspUpdater(db.database(), responder(), "node-e", CLOCK);
        try {
            assertThat(d.runOnce()).isGreaterThanOrEqualTo(0);
            Instant roundStart = CLOCK.instant();
            assertThat(caughtUpTo()).isEqualTo(roundStart.truncatedTo(java.time.temporal.ChronoUnit.MICROS));

            CLOCK.advance(OcspUpdater.LEASE.plusSeconds(1)); // node-d stops; its lease lapses
            BigInteger issuedSince = pki.certificate("GOOD", null);
            assertThat(e.runOnce()).isEqualTo(1); // only what changed since node-d's position: this one
            assertThat(stored(issuedSince)).isNotNull();
            assertThat(caughtUpTo()).isAfter(roundStart);
        } finally {
            d.close();
            e.close();
            CLOCK.advance(OcspUpdater.LEASE.plusSeconds(1)); // node-e's lease lapses for the other tests
        }
    }

    static Instant caughtUpTo() {
        return db.database().inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT caught_up_to FROM ocsp_updater_lease WHERE id = 1");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                java.time.LocalDateTime t = rs.getObject(1, java.time.LocalDateTime.class);
                return t == null ? null : tw.eid.pki.ca.store.DatabaseTime.fromColumn(t);
            }
        });
    }

    static Object status(OcspAnswer answer) throws Exception {
        BasicOCSPResp basic = (BasicOCSPResp) new OCSPResp(answer.der()).getResponseObject();
        return basic.getResponses()[0].getCertStatus();
    }
}
