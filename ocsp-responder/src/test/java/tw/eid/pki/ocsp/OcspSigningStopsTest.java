package tw.eid.pki.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.MutableClock;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/**
 * Issue 4: the re-signing stops (the token is gone: fault injected by closing it) — no response
 * past its nextUpdate, or past half its validity, is ever served from the store or the memory
 * cache; the answer is tryLater.
 */
class OcspSigningStopsTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @Test
    void withoutSigningNoStaleResponseIsServed() throws Exception {
        // Two hours before 2050: the signer and responses made here end after it (GeneralizedTime).
        MutableClock clock = new MutableClock(Instant.parse("2049-12-31T22:00:00Z"));
        Token token = SoftHsmTestTokens.create("ocsp-stop").open(Clock.systemUTC());
        OcspFixture pki = new OcspFixture(db.database(), token, clock);
        BigInteger good = pki.certificate("GOOD", null);
        OcspResponder responder = new OcspResponder(
                db.database(),
                token,
                OcspAuthorities.load(db.database(), clock.instant()),
                OcspConfig.defaults().withValidity(Duration.ofHours(8)),
                clock);
        OcspUpdater updater = new OcspUpdater(db.database(), responder, "node", clock);
        assertThat(updater.runOnce()).isPositive();
        byte[] request = OcspResponderTest.request(OcspResponderTest.id(pki.ca, good));
        OcspAnswer first = responder.respond(request);
        assertThat(first.responseStatus()).isZero();

        token.close(); // signing stops
        clock.advance(Duration.ofHours(3)); // before half of 8 h: the stored / cached response is still served
        assertThat(responder.respond(request).der()).isEqualTo(first.der());
        assertThat(updater.runOnce()).isZero(); // its re-signing (due at a quarter) fails: nothing signed

        clock.advance(Duration.ofHours(1).plusSeconds(1)); // past half: neither cache nor store may serve it
        OcspAnswer late = responder.respond(request);
        assertThat(late.responseStatus()).isEqualTo(3);
        assertThat(new OCSPResp(late.der()).getStatus()).isEqualTo(OCSPResp.TRY_LATER);
        OcspResponder otherNode = new OcspResponder(
                db.database(),
                token,
                OcspAuthorities.load(db.database(), clock.instant()),
                OcspConfig.defaults(),
                clock);
        assertThat(otherNode.respond(request).responseStatus()).isEqualTo(3);

        clock.advance(Duration.ofHours(5)); // past nextUpdate
        assertThat(responder.respond(request).responseStatus()).isEqualTo(3);
        assertThat(updater.runOnce()).isZero(); // the updater fails too, and says so by signing nothing
        updater.close();
    }
}
