package tw.eid.pki.ra.resources;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SodRateLimitTest {
    @Test
    void aBurstOfTwiceTheRateThenTheRatePerClient() {
        AtomicLong nanos = new AtomicLong(1_000);
        SodRateLimit limit = new SodRateLimit(nanos::get, 10);
        int allowed = 0;
        for (int i = 0; i < 50; i++) {
            allowed += limit.tryAcquire("line-1") ? 1 : 0;
        }
        assertThat(allowed).isEqualTo(20);
        assertThat(limit.tryAcquire("line-2"))
                .as("another client has its own bucket")
                .isTrue();
        nanos.addAndGet(500_000_000L); // half a second: five more
        allowed = 0;
        for (int i = 0; i < 50; i++) {
            allowed += limit.tryAcquire("line-1") ? 1 : 0;
        }
        assertThat(allowed).isEqualTo(5);
        nanos.addAndGet(60_000_000_000L); // a minute idle refills to the burst, not beyond
        allowed = 0;
        for (int i = 0; i < 50; i++) {
            allowed += limit.tryAcquire("line-1") ? 1 : 0;
        }
        assertThat(allowed).isEqualTo(20);
    }
}
