package tw.eid.pki.ra.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.store.AuthLockouts;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.MutableClock;

class AuthFailuresTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final AuthFailures failures = new AuthFailures(clock, Duration.ofMinutes(10), 3, Duration.ofMinutes(30));

    @Test
    void threeWithinTheWindowLockForThirtyMinutesFromTheThird() {
        assertThat(failures.record("10.0.0.1")).isFalse();
        clock.advance(Duration.ofMinutes(5));
        assertThat(failures.record("10.0.0.1")).isFalse();
        clock.advance(Duration.ofMinutes(4));
        assertThat(failures.record("10.0.0.1")).isTrue();
        assertThat(failures.lockedUntil("10.0.0.1")).contains(clock.instant().plus(Duration.ofMinutes(30)));
        assertThat(failures.lockedUntil("10.0.0.2")).isEmpty();
        // failures during the lockout do not extend it
        clock.advance(Duration.ofMinutes(20));
        failures.record("10.0.0.1");
        clock.advance(Duration.ofMinutes(10));
        assertThat(failures.lockedUntil("10.0.0.1")).isEmpty();
        // and the count starts afresh
        assertThat(failures.record("10.0.0.1")).isFalse();
    }

    @Test
    void failuresOlderThanTheWindowAreForgotten() {
        failures.record("10.0.0.1");
        failures.record("10.0.0.1");
        clock.advance(Duration.ofMinutes(10));
        assertThat(failures.record("10.0.0.1")).isFalse();
        assertThat(failures.lockedUntil("10.0.0.1")).isEmpty();
    }

    /**
     * Two RA processes behind HAProxy (a cluster) share one store: failures spread over them are
     * counted together, and a lock-out one of them tipped is enforced by the other.
     */
    @Test
    void processesSharingAStoreCountASourceTogether() {
        AuthLockouts store = new AuthLockouts(db.database());
        AuthFailures ra1 = new AuthFailures(clock, Duration.ofMinutes(10), 3, Duration.ofMinutes(30), store);
        AuthFailures ra2 = new AuthFailures(clock, Duration.ofMinutes(10), 3, Duration.ofMinutes(30), store);
        assertThat(ra1.record("10.0.0.7")).isFalse();
        clock.advance(Duration.ofMinutes(1));
        assertThat(ra2.record("10.0.0.7")).isFalse();
        assertThat(ra1.lockedUntil("10.0.0.7")).isEmpty();
        clock.advance(Duration.ofMinutes(1));
        // The third failure, on the other process: neither has counted three on its own.
        assertThat(ra1.record("10.0.0.7")).isTrue();
        Instant until = clock.instant().plus(Duration.ofMinutes(30));
        assertThat(ra2.lockedUntil("10.0.0.7")).contains(until);
        assertThat(ra1.lockedUntil("10.0.0.7")).contains(until);
        assertThat(ra2.lockedUntil("10.0.0.8")).isEmpty();
        // Failures during the lock-out do not extend it; it ends on its own, for both.
        clock.advance(Duration.ofMinutes(29));
        assertThat(ra2.record("10.0.0.7")).isTrue();
        clock.advance(Duration.ofMinutes(1));
        assertThat(ra1.lockedUntil("10.0.0.7")).isEmpty();
        assertThat(ra2.lockedUntil("10.0.0.7")).isEmpty();
        // And the count starts afresh.
        assertThat(ra2.record("10.0.0.7")).isFalse();
        assertThat(ra1.record("10.0.0.7")).isFalse();
        assertThat(ra1.lockedUntil("10.0.0.7")).isEmpty();
    }

    /** A window that lapsed forgets its failures in the store too. */
    @Test
    void theSharedWindowLapses() {
        AuthLockouts store = new AuthLockouts(db.database());
        AuthFailures ra1 = new AuthFailures(clock, Duration.ofMinutes(10), 3, Duration.ofMinutes(30), store);
        AuthFailures ra2 = new AuthFailures(clock, Duration.ofMinutes(10), 3, Duration.ofMinutes(30), store);
        ra1.record("10.0.0.9");
        ra2.record("10.0.0.9");
        clock.advance(Duration.ofMinutes(10));
        assertThat(ra1.record("10.0.0.9")).isFalse();
        assertThat(ra2.lockedUntil("10.0.0.9")).isEmpty();
    }
}
