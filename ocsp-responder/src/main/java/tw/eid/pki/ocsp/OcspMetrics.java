package tw.eid.pki.ocsp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The responder's metrics (docs/metrics.md), in Micrometer's global registry: responses by status,
 * source and method (every combination from the start, at 0), their latency, live-signing
 * refusals, and what the responses served lately say about freshness: the age of the oldest one
 * and the time left until the earliest nextUpdate among them, over the last one to two minutes.
 */
public final class OcspMetrics {
    static final List<String> METHODS = List.of("GET", "POST");
    /** How long a served response counts for the freshness gauges: one window, then the next. */
    static final Duration WINDOW = Duration.ofMinutes(1);

    private static final Counter RATE_LIMITED = Counter.builder("eidpki.ocsp.live.sign.refusals")
            .description("requests answered tryLater because live signing was over its rate")
            .register(Metrics.globalRegistry);

    private final Counter[][][] responses;
    private final Timer[] latency;
    private final Clock clock;
    private final Object windowLock = new Object();
    private Instant windowStart;
    // Written on the hot path without a lock: a plain read first, a CAS only when the value moves.
    private final AtomicLong oldestThisUpdate = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong earliestNextUpdate = new AtomicLong(Long.MAX_VALUE);
    private long previousOldest = Long.MAX_VALUE;
    private long previousEarliest = Long.MAX_VALUE;

    OcspMetrics(OcspConfig config, Clock clock) {
        this.clock = clock;
        this.windowStart = clock.instant();
        MeterRegistry registry = Metrics.globalRegistry;
        responses = new Counter[METHODS.size()][OcspAnswer.STATUSES.size()][OcspAnswer.SOURCES.size()];
        latency = new Timer[METHODS.size()];
        for (int m = 0; m < METHODS.size(); m++) {
            for (int st = 0; st < OcspAnswer.STATUSES.size(); st++) {
                for (int so = 0; so < OcspAnswer.SOURCES.size(); so++) {
                    responses[m][st][so] = Counter.builder("eidpki.ocsp.responses")
                            .description(
                                    "OCSP answers by certificate status, where the answer came from, and HTTP method")
                            .tag("method", METHODS.get(m))
                            .tag("status", OcspAnswer.STATUSES.get(st))
                            .tag("source", OcspAnswer.SOURCES.get(so))
                            .register(registry);
                }
            }
            latency[m] = Timer.builder("eidpki.ocsp.response.duration")
                    .description("from the request's arrival at the handler to its answer being written")
                    .tag("method", METHODS.get(m))
                    .serviceLevelObjectives(
                            Duration.ofNanos(250_000),
                            Duration.ofMillis(1),
                            Duration.ofMillis(2),
                            Duration.ofMillis(5),
                            Duration.ofMillis(10),
                            Duration.ofMillis(25),
                            Duration.ofMillis(50),
                            Duration.ofMillis(100),
                            Duration.ofMillis(250),
                            Duration.ofSeconds(1))
                    .register(registry);
        }
        Gauge.builder("eidpki.ocsp.served.oldest.age", this, OcspMetrics::oldestAgeSeconds)
                .description("now - thisUpdate of the oldest response served in the last 1-2 minutes (NaN: none)")
                .baseUnit("seconds")
                .register(registry);
        Gauge.builder("eidpki.ocsp.served.until.next.update", this, OcspMetrics::untilNextUpdateSeconds)
                .description(
                        "earliest nextUpdate among responses served in the last 1-2 minutes, minus now (NaN: none)")
                .baseUnit("seconds")
                .register(registry);
        Gauge.builder("eidpki.ocsp.response.validity", config, c -> c.validity().toSeconds())
                .description("nextUpdate - thisUpdate of the responses this responder signs")
                .baseUnit("seconds")
                // Micrometer holds a gauge's object weakly: nothing else may keep this config alive.
                .strongReference(true)
                .register(registry);
    }

    static void rateLimited() {
        RATE_LIMITED.increment();
    }

    /** One answer written: {@code source} overrides the answer's own (memory for the hot path). */
    void served(OcspAnswer answer, String source, boolean get, long startedNanos) {
        int m = get ? 0 : 1;
        int st = OcspAnswer.STATUSES.indexOf(answer.status());
        int so = OcspAnswer.SOURCES.indexOf(source);
        responses[m][st < 0 ? 3 : st][so < 0 ? 3 : so].increment();
        latency[m].record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
        if (answer.thisUpdate() != null && answer.nextUpdate() != null) {
            long thisUpdate = answer.thisUpdate().getEpochSecond();
            long nextUpdate = answer.nextUpdate().getEpochSecond();
            if (thisUpdate < oldestThisUpdate.get()) {
                oldestThisUpdate.accumulateAndGet(thisUpdate, Math::min);
            }
            if (nextUpdate < earliestNextUpdate.get()) {
                earliestNextUpdate.accumulateAndGet(nextUpdate, Math::min);
            }
        }
    }

    private double oldestAgeSeconds() {
        long[] w = window();
        return w[0] == Long.MAX_VALUE ? Double.NaN : clock.instant().getEpochSecond() - w[0];
    }

    private double untilNextUpdateSeconds() {
        long[] w = window();
        return w[1] == Long.MAX_VALUE ? Double.NaN : w[1] - clock.instant().getEpochSecond();
    }

    /** The oldest thisUpdate and earliest nextUpdate over this window and the previous one; rotates when due. */
    private long[] window() {
        Instant now = clock.instant();
        synchronized (windowLock) {
            if (!now.isBefore(windowStart.plus(WINDOW))) {
                previousOldest = oldestThisUpdate.getAndSet(Long.MAX_VALUE);
                previousEarliest = earliestNextUpdate.getAndSet(Long.MAX_VALUE);
                windowStart = now;
            }
            return new long[] {
                Math.min(oldestThisUpdate.get(), previousOldest), Math.min(earliestNextUpdate.get(), previousEarliest)
            };
        }
    }
}
