package tw.eid.pki.ra.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.ca.store.AuthLockouts;

/**
 * Authentication failures per source address (seed checklist 4.6): {@code limit} failures within
 * {@code window} lock the source out for {@code lockout}, counted from the failure that tipped it.
 * Failures of a source already locked out are not counted again (the lockout does not grow), and
 * a lockout ends on its own; nothing else resets it.
 *
 * <p>What counts (see RaServer): a client certificate refused in the TLS handshake by {@link
 * OperatorTrustManager} (not issued by the RA Operators CA, outside its validity, not for client
 * authentication), and every refusal of {@link OperatorAuthenticator} on a request (no certificate,
 * expired, on hold, revoked or unknown to the store, no role). A 403 for a role that may not act is
 * not counted, nor are handshakes that fail before a certificate is presented (wrong protocol
 * version, no client certificate at all: JSSE refuses those before any trust manager is asked).
 *
 * <p>With a store ({@link AuthLockouts}), failures and lock-outs are also counted in the store, so
 * that the RA processes of a cluster count a source together and each enforces a lock-out another
 * tipped. A source is locked out if either count says so. Should the store fail, the process goes
 * on with its own count and logs it (a database outage must not let guessers through, nor lock
 * every operator out).
 *
 * <p>Memory is bounded: past {@value #MAX_SOURCES} sources, idle ones are dropped first.
 */
public final class AuthFailures {
    private static final Logger log = LoggerFactory.getLogger(AuthFailures.class);
    static final int MAX_SOURCES = 100_000;

    private final Clock clock;
    private final Duration window;
    private final int limit;
    private final Duration lockout;
    private final ConcurrentHashMap<String, Source> sources = new ConcurrentHashMap<>();
    private final AuthLockouts shared;

    private static final class Source {
        final Deque<Instant> failures = new ArrayDeque<>();
        Instant lockedUntil;
        Instant lastSeen;
    }

    /** Counted in this process alone. */
    public AuthFailures(Clock clock, Duration window, int limit, Duration lockout) {
        this(clock, window, limit, lockout, null);
    }

    /** Counted in this process and in the store shared with the other RA processes (null: alone). */
    public AuthFailures(Clock clock, Duration window, int limit, Duration lockout, AuthLockouts shared) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.window = Objects.requireNonNull(window, "window");
        this.limit = limit;
        this.lockout = Objects.requireNonNull(lockout, "lockout");
        this.shared = shared;
    }

    /** Until when {@code source} is locked out, if it is now. */
    public Optional<Instant> lockedUntil(String source) {
        if (source == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Source s = sources.get(source);
        if (s != null) {
            synchronized (s) {
                if (s.lockedUntil != null && now.isBefore(s.lockedUntil)) {
                    return Optional.of(s.lockedUntil);
                }
            }
        }
        if (shared == null) {
            return Optional.empty();
        }
        try {
            return shared.lockedUntil(source, now);
        } catch (RuntimeException e) {
            log.warn("shared lock-out of {} not readable, using this process's count: {}", source, e.toString());
            return Optional.empty();
        }
    }

    /** Counts one failure of {@code source}; returns true if the source is (now) locked out. */
    public boolean record(String source) {
        if (source == null) {
            return false;
        }
        boolean here = recordHere(source);
        if (shared == null) {
            return here;
        }
        try {
            Optional<Instant> until = shared.recordFailure(source, clock.instant(), window, limit, lockout);
            until.ifPresent(u -> log.warn("source {} locked out until {} (counted by every RA process)", source, u));
            return here || until.isPresent();
        } catch (RuntimeException e) {
            log.warn("shared lock-out of {} not written, counted in this process only: {}", source, e.toString());
            return here;
        }
    }

    private boolean recordHere(String source) {
        if (sources.size() >= MAX_SOURCES) {
            prune();
        }
        Instant now = clock.instant();
        Source s = sources.computeIfAbsent(source, k -> new Source());
        synchronized (s) {
            s.lastSeen = now;
            if (s.lockedUntil != null && now.isBefore(s.lockedUntil)) {
                return true;
            }
            s.lockedUntil = null;
            Instant oldest = now.minus(window);
            while (!s.failures.isEmpty() && !s.failures.peekFirst().isAfter(oldest)) {
                s.failures.removeFirst();
            }
            s.failures.addLast(now);
            if (s.failures.size() >= limit) {
                s.failures.clear();
                s.lockedUntil = now.plus(lockout);
                log.warn(
                        "source {} locked out until {} after {} authentication failures", source, s.lockedUntil, limit);
                return true;
            }
            return false;
        }
    }

    private void prune() {
        Instant idle = clock.instant().minus(window.plus(lockout));
        sources.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                return e.getValue().lastSeen == null || e.getValue().lastSeen.isBefore(idle);
            }
        });
    }
}
