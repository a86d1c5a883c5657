package tw.eid.pki.ra.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tw.eid.pki.hsm.MutableClock;

class AuthFailuresTest {
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
}
