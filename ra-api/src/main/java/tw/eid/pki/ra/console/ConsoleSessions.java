package tw.eid.pki.ra.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's sessions, in memory: a random id (the cookie), the SHA-256 of the client
 * certificate that opened it, the synchronizer CSRF token and the chosen language. A session is
 * good only for the certificate that opened it and only while it has been used within {@link
 * #IDLE} (issue 19: 15 minutes); time is the injected clock's. Bounded: at most {@link #MAX}
 * sessions, the idle ones dropped first.
 */
final class ConsoleSessions {
    static final Duration IDLE = Duration.ofMinutes(15);
    static final int MAX = 10_000;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;
    private final Duration idle;
    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();

    ConsoleSessions(Clock clock, Duration idle) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.idle = Objects.requireNonNull(idle, "idle");
    }

    /** One session. {@code language} is null until the officer picks one. */
    static final class Session {
        private final String id;
        private final byte[] certificateHash;
        private final String csrfToken;
        private volatile Instant lastUsed;
        private volatile String language;

        private Session(String id, byte[] certificateHash, String csrfToken, Instant lastUsed) {
            this.id = id;
            this.certificateHash = certificateHash;
            this.csrfToken = csrfToken;
            this.lastUsed = lastUsed;
        }

        String id() {
            return id;
        }

        String csrfToken() {
            return csrfToken;
        }

        String language() {
            return language;
        }

        void language(String language) {
            this.language = language;
        }

        /** Constant-time comparison of a submitted token with this session's. */
        boolean csrfMatches(String submitted) {
            return submitted != null
                    && MessageDigest.isEqual(
                            csrfToken.getBytes(StandardCharsets.US_ASCII),
                            submitted.getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** What a presented session id turned out to be. */
    enum Lookup {
        NONE,
        GOOD,
        EXPIRED,
        OTHER_CERTIFICATE
    }

    record Found(Lookup lookup, Optional<Session> session) {}

    /**
     * The session {@code id} names, if it is good for {@code certificateHash} now; a good one is
     * touched. An expired one is dropped. One opened by another certificate is left alone (its
     * owner may still use it) and reported.
     */
    Found find(String id, byte[] certificateHash) {
        if (id == null) {
            return new Found(Lookup.NONE, Optional.empty());
        }
        Session s = sessions.get(id);
        if (s == null) {
            return new Found(Lookup.NONE, Optional.empty());
        }
        if (!MessageDigest.isEqual(s.certificateHash, certificateHash)) {
            return new Found(Lookup.OTHER_CERTIFICATE, Optional.empty());
        }
        Instant now = clock.instant();
        if (now.isAfter(s.lastUsed.plus(idle))) {
            sessions.remove(id, s);
            return new Found(Lookup.EXPIRED, Optional.empty());
        }
        s.lastUsed = now;
        return new Found(Lookup.GOOD, Optional.of(s));
    }

    Session open(byte[] certificateHash) {
        if (sessions.size() >= MAX) {
            Instant now = clock.instant();
            sessions.values().removeIf(s -> now.isAfter(s.lastUsed.plus(idle)));
            if (sessions.size() >= MAX) {
                sessions.clear();
            }
        }
        Session s = new Session(random(), certificateHash.clone(), random(), clock.instant());
        sessions.put(s.id, s);
        return s;
    }

    private static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
