package tw.eid.pki.hsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.bouncycastle.operator.ContentSigner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Provoked token failures on a real SoftHSM2 token: the layer recovers with one retry, fails fast
 * beyond that, reports it in its health, and resumes signing once the token answers again.
 */
class TokenFailureTest {
    private static final byte[] DATA = "failure test".getBytes(StandardCharsets.UTF_8);
    private static SoftHsmTestTokens.TestToken testToken;
    private static SoftHsmTestTokens.TestToken closeTestToken;
    private static FaultInjectingCryptoki ck;
    private static MutableClock clock;
    private static Token token;
    private static KeyInfo key;

    @BeforeAll
    static void open() {
        testToken = SoftHsmTestTokens.create("fail");
        closeTestToken = SoftHsmTestTokens.create("close");
        ck = new FaultInjectingCryptoki(SunCryptoki.load(TokenConfig.SOFTHSM2_LIBRARY));
        clock = new MutableClock(Instant.parse("2026-11-27T00:00:00Z"));
        TokenConfig config = testToken
                .config()
                .withMaxSessions(4)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(30));
        token = Token.open(config, ck, testToken.userPin(), clock);
        key = token.generateKeyPair("k", KeyAlgorithm.EC_P256);
    }

    @AfterAll
    static void close() {
        token.close();
    }

    @BeforeEach
    void healthy() throws Exception {
        ck.heal();
        clock.advance(Duration.ofMinutes(1));
        assertThat(signsCorrectly()).isTrue();
        assertThat(token.health().up()).isTrue();
    }

    private static boolean signsCorrectly() throws Exception {
        ContentSigner signer = token.signer("k");
        return TestSignatures.verify(key.publicKey(), signer, DATA, TestSignatures.sign(signer, DATA));
    }

    @Test
    void logoutUnderneathIsRecoveredByLoggingInAgain() throws Exception {
        ck.logoutUnderneath(token.slot());
        int before = ck.signCalls.get();
        assertThat(signsCorrectly()).isTrue();
        // one call refused with CKR_USER_NOT_LOGGED_IN, one retry after the new login
        assertThat(ck.signCalls.get() - before).isEqualTo(2);
        assertThat(token.health().up()).isTrue();
    }

    @Test
    void sessionsClosedUnderneathAreEvictedAndReplaced() throws Exception {
        ck.closeAllSessionsUnderneath();
        assertThat(signsCorrectly()).isTrue();
        assertThat(signsCorrectly()).isTrue();
        assertThat(token.health().up()).isTrue();
    }

    @Test
    void aDestructionInterruptedByADeviceErrorIsRetriedOnce() {
        token.generateKeyPair("k-destroy", KeyAlgorithm.EC_P256);
        ck.failNext(Pkcs11.CKR_DEVICE_ERROR, 1);
        assertThat(token.destroyKeyPair("k-destroy")).isEqualTo(2);
        assertThat(token.exists("k-destroy")).isFalse();
        assertThat(token.health().up()).isTrue();
    }

    @Test
    void oneDeviceErrorIsRetriedOnce() throws Exception {
        ck.failNext(Pkcs11.CKR_DEVICE_ERROR, 1);
        assertThat(signsCorrectly()).isTrue();
        assertThat(token.health().up()).isTrue();
    }

    @Test
    void persistentDeviceErrorFailsFastThenRecovers() throws Exception {
        ck.failNext(Pkcs11.CKR_DEVICE_ERROR, Integer.MAX_VALUE);
        assertThatThrownBy(FailureCall::sign)
                .isInstanceOf(TokenException.class)
                .satisfies(e -> assertThat(((TokenException) e).isUnavailable()).isTrue())
                .hasMessageContaining("CKR_DEVICE_ERROR");
        TokenHealth down = token.health();
        assertThat(down.up()).isFalse();
        assertThat(down.lastError()).contains("CKR_DEVICE_ERROR");
        assertThat(down.restartRequired()).isFalse();

        // Within the back-off the token is not even asked: the call fails at once.
        int calls = ck.signCalls.get();
        assertThatThrownBy(FailureCall::sign)
                .isInstanceOf(TokenException.class)
                .hasMessageContaining("unavailable since");
        assertThat(ck.signCalls.get()).isEqualTo(calls);

        // Down longer than restartAfter: the supervisor is asked to restart the process.
        clock.advance(Duration.ofSeconds(31));
        assertThat(token.health().restartRequired()).isTrue();

        // The token answers again: after the back-off, signing resumes and health turns green.
        ck.heal();
        assertThat(signsCorrectly()).isTrue();
        assertThat(token.health().up()).isTrue();
        assertThat(token.health().restartRequired()).isFalse();
    }

    @Test
    void requestErrorsAreNotTreatedAsDeviceFailures() {
        ck.failNext(0x70L /* CKR_MECHANISM_INVALID */, 1);
        assertThatThrownBy(FailureCall::sign)
                .isInstanceOf(TokenException.class)
                .extracting(e -> ((TokenException) e).code())
                .isEqualTo(TokenException.Code.OPERATION_REFUSED);
        assertThat(token.health().up()).isTrue();
    }

    @Test
    void sessionsAreBoundedAndNotLeakedAcrossFailures() throws Exception {
        for (int i = 0; i < 20; i++) {
            ck.failNext(Pkcs11.CKR_SESSION_HANDLE_INVALID, 1);
            assertThat(signsCorrectly()).isTrue();
        }
        int open = ck.opened.get() - ck.closed.get();
        assertThat(open).isEqualTo(token.health().openSessions()).isBetween(1, 4);
    }

    @Test
    void closingWhileACallRunsLeavesNoSessionOpen() throws Exception {
        SoftHsmTestTokens.TestToken other = closeTestToken;
        FaultInjectingCryptoki counting = new FaultInjectingCryptoki(SunCryptoki.load(TokenConfig.SOFTHSM2_LIBRARY));
        Token t = Token.open(other.config().withMaxSessions(2), counting, other.userPin(), clock);
        t.generateKeyPair("k", KeyAlgorithm.EC_P256);
        java.util.concurrent.CountDownLatch inCall = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
        Thread caller = new Thread(() -> t.withSession("slow call", s -> {
            inCall.countDown();
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        caller.start();
        inCall.await();
        t.close();
        closed.countDown();
        caller.join();
        assertThat(counting.opened.get() - counting.closed.get()).isZero();
    }

    private static final class FailureCall {
        static void sign() throws Exception {
            TestSignatures.sign(token.signer("k"), DATA);
        }
    }
}
