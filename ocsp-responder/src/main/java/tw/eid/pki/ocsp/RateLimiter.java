package tw.eid.pki.ocsp;

/** A token bucket of {@code perSecond} permits, one second deep. Thread-safe. */
final class RateLimiter {
    private final double perSecond;
    private double available;
    private long last;

    RateLimiter(int perSecond) {
        this.perSecond = perSecond;
        this.available = perSecond;
        this.last = System.nanoTime();
    }

    synchronized boolean tryAcquire() {
        long now = System.nanoTime();
        available = Math.min(perSecond, available + (now - last) / 1e9 * perSecond);
        last = now;
        if (available >= 1) {
            available -= 1;
            return true;
        }
        return false;
    }
}
