package tw.eid.pki.hsm;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token's metrics in Micrometer's global registry (docs/metrics.md): login state, sessions,
 * signature latency, PKCS#11 errors by return code, recoveries. The registry does nothing until a
 * serving process adds its Prometheus registry to it.
 */
final class TokenMetrics {
    /** The return codes whose error counters exist from the start, at 0 (the session and device failures). */
    static final List<String> KNOWN_CODES = List.of(
            "CKR_GENERAL_ERROR",
            "CKR_FUNCTION_FAILED",
            "CKR_DEVICE_ERROR",
            "CKR_DEVICE_MEMORY",
            "CKR_DEVICE_REMOVED",
            "CKR_TOKEN_NOT_PRESENT",
            "CKR_SESSION_CLOSED",
            "CKR_SESSION_HANDLE_INVALID",
            "CKR_USER_NOT_LOGGED_IN",
            "CKR_KEY_HANDLE_INVALID");

    private final MeterRegistry registry = Metrics.globalRegistry;
    private final String label;
    private final Timer signatures;
    private final Counter recoveries;
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();
    private final List<Gauge> gauges;

    TokenMetrics(Token token) {
        this.label = token.label();
        gauges = List.of(
                Gauge.builder("eidpki.token.up", token, t -> t.health().up() ? 1 : 0)
                        .description("1 while the token is logged in and answers, 0 while it is down")
                        .tag("token", label)
                        .register(registry),
                Gauge.builder("eidpki.token.sessions.in.use", token, t -> t.sessionsInUse())
                        .description("PKCS#11 sessions of the pool lent out now")
                        .tag("token", label)
                        .register(registry),
                Gauge.builder(
                                "eidpki.token.sessions.max",
                                token,
                                t -> t.config().maxSessions())
                        .description("the session pool's bound")
                        .tag("token", label)
                        .register(registry));
        signatures = Timer.builder("eidpki.token.signature.duration")
                .description("signatures in the token (C_Sign), including waiting for a session")
                .tag("token", label)
                .serviceLevelObjectives(
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
        recoveries = Counter.builder("eidpki.token.recoveries")
                .description("times the token was found again and logged in after a session or device failure")
                .tag("token", label)
                .register(registry);
        for (String code : KNOWN_CODES) {
            error(code);
        }
    }

    /** The gauges read the token object: a token opened again later under the same label gets its own. */
    void close() {
        gauges.forEach(registry::remove);
    }

    Timer signatures() {
        return signatures;
    }

    void recovered() {
        recoveries.increment();
    }

    void failed(long ckr) {
        error(Pkcs11.name(ckr)).increment();
    }

    private Counter error(String code) {
        return errors.computeIfAbsent(
                code,
                c -> Counter.builder("eidpki.token.errors")
                        .description("PKCS#11 calls that failed, by return code")
                        .tag("token", label)
                        .tag("code", c)
                        .register(registry));
    }
}
