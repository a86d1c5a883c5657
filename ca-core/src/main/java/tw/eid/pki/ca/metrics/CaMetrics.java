package tw.eid.pki.ca.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The RA's domain metrics (docs/metrics.md), in Micrometer's global registry: status changes by
 * kind, SODs signed, citizen issuance latency. Each is counted after its transaction committed.
 * The registry does nothing until a serving process adds its Prometheus registry to it.
 */
public final class CaMetrics {
    /** The kinds of status change, each counter present from the start at 0. */
    public static final List<String> STATUS_CHANGE_KINDS = List.of("suspend", "resume", "revoke", "report_lost");

    private static final Map<String, Counter> STATUS_CHANGES = STATUS_CHANGE_KINDS.stream()
            .collect(Collectors.toUnmodifiableMap(
                    Function.identity(),
                    kind -> Counter.builder("eidpki.ra.status.changes")
                            .description(
                                    "certificate status changes committed, by kind (report_lost: one per certificate held)")
                            .tag("kind", kind)
                            .register(Metrics.globalRegistry)));

    private static final Counter SODS = Counter.builder("eidpki.ra.sods.signed")
            .description("SODs signed by a Document Signer and committed")
            .register(Metrics.globalRegistry);

    private static final Timer ISSUED = issuance("issued");
    private static final Timer REFUSED = issuance("refused");

    private CaMetrics() {}

    private static Timer issuance(String outcome) {
        return Timer.builder("eidpki.ra.issuance.duration")
                .description("citizen certificate issuance, from the CSR checks to the committed certificate")
                .tag("outcome", outcome)
                .serviceLevelObjectives(
                        Duration.ofMillis(10),
                        Duration.ofMillis(25),
                        Duration.ofMillis(50),
                        Duration.ofMillis(100),
                        Duration.ofMillis(250),
                        Duration.ofMillis(500),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(5))
                .register(Metrics.globalRegistry);
    }

    /** Registers the metrics now (they exist from the start at 0, before the first act). */
    public static void register() {
        // Loading the class registered them.
    }

    /** {@code count} status changes of {@code kind} (one of {@link #STATUS_CHANGE_KINDS}) committed. */
    public static void statusChanged(String kind, int count) {
        STATUS_CHANGES.get(kind).increment(count);
    }

    public static void sodSigned() {
        SODS.increment();
    }

    /** An issuance that took {@code nanos}: issued, or refused (any exception). */
    public static void issuance(boolean issued, long nanos) {
        (issued ? ISSUED : REFUSED).record(Duration.ofNanos(nanos));
    }
}
