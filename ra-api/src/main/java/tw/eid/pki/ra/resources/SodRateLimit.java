package tw.eid.pki.ra.resources;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * SOD requests per client (issue 6: "rate-limited per client"): a token bucket per operator
 * certificate, {@code perSecond} tokens a second up to a burst of twice that. A personalization
 * line that runs away, or a stolen line certificate, cannot drain the DS pool's document counts.
 * In memory, per RA node: several nodes each allow the rate. Elapsed time comes from a monotonic
 * nanosecond source ({@code System::nanoTime} in the server; injected so tests can step it), not
 * from the RA's wall clock, which tests pin.
 */
public final class SodRateLimit {
    private final LongSupplier nanos;
    private final double perSecond;
    private final double burst;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long lastNanos;
    }

    public SodRateLimit(LongSupplier nanos, int perSecond) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("perSecond must be at least 1");
        }
        this.nanos = Objects.requireNonNull(nanos, "nanos");
        this.perSecond = perSecond;
        this.burst = 2.0 * perSecond;
    }

    /** Whether {@code client} may make one more request now; takes a token if so. */
    public boolean tryAcquire(String client) {
        long now = nanos.getAsLong();
        Bucket b = buckets.computeIfAbsent(client, k -> {
            Bucket nb = new Bucket();
            nb.tokens = burst;
            nb.lastNanos = now;
            return nb;
        });
        synchronized (b) {
            double elapsed = Math.max(0, now - b.lastNanos) / 1e9; // nanoTime differences, overflow-safe
            b.tokens = Math.min(burst, b.tokens + elapsed * perSecond);
            b.lastNanos = now;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return true;
            }
            return false;
        }
    }
}
