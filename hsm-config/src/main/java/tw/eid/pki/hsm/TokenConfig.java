package tw.eid.pki.hsm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where a token is and how the layer uses it. A token is named by its label, never by a slot
 * index: SoftHSM2 gives new tokens random slot ids, and HSMs renumber slots.
 *
 * @param library          path of the PKCS#11 library (for SoftHSM2 {@code /usr/lib/softhsm/libsofthsm2.so})
 * @param tokenLabel       the token's CKA label, 1–32 characters
 * @param maxSessions      the session pool's bound; signing callers beyond it wait up to {@code acquireTimeout}
 * @param acquireTimeout   how long a caller waits for a free session before failing with TOKEN_UNAVAILABLE
 * @param retryBackoff     after a failed recovery, calls fail fast for this long before the token is tried again
 * @param restartAfter     how long the token may stay unrecoverable before {@link TokenHealth#restartRequired()}
 *                         asks the supervisor for a process restart (SunPKCS11 loads a library once per JVM)
 */
public record TokenConfig(
        Path library,
        String tokenLabel,
        int maxSessions,
        Duration acquireTimeout,
        Duration retryBackoff,
        Duration restartAfter) {

    /** SoftHSM2's library on Debian and Ubuntu. */
    public static final Path SOFTHSM2_LIBRARY = Path.of("/usr/lib/softhsm/libsofthsm2.so");

    /**
     * The default pool bound. Measured on 2 cores with SoftHSM2 (BENCHMARKS.md): signing is
     * CPU-bound inside the library and a second thread adds little or nothing, so the bound is not
     * about throughput; it caps what a burst of callers can open on an HSM whose session count is
     * limited, with a few spare sessions so a quick signature need not queue behind a slow RSA one.
     */
    public static final int DEFAULT_MAX_SESSIONS =
            Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

    public TokenConfig {
        Objects.requireNonNull(library, "library");
        Objects.requireNonNull(tokenLabel, "tokenLabel");
        Objects.requireNonNull(acquireTimeout, "acquireTimeout");
        Objects.requireNonNull(retryBackoff, "retryBackoff");
        Objects.requireNonNull(restartAfter, "restartAfter");
        if (tokenLabel.isBlank() || tokenLabel.length() > 32) {
            throw new IllegalArgumentException("token label must be 1–32 characters: '" + tokenLabel + "'");
        }
        if (maxSessions < 1 || maxSessions > 256) {
            throw new IllegalArgumentException("maxSessions must be 1–256, not " + maxSessions);
        }
        if (acquireTimeout.isNegative() || acquireTimeout.isZero()) {
            throw new IllegalArgumentException("acquireTimeout must be positive");
        }
        if (retryBackoff.isNegative()) {
            throw new IllegalArgumentException("retryBackoff must not be negative");
        }
        if (restartAfter.compareTo(retryBackoff) < 0) {
            throw new IllegalArgumentException("restartAfter must be at least retryBackoff");
        }
    }

    /** Defaults for a token: pool of {@link #DEFAULT_MAX_SESSIONS}, 5 s acquire, 1 s back-off, restart after 30 s down. */
    public static TokenConfig of(Path library, String tokenLabel) {
        return new TokenConfig(
                library,
                tokenLabel,
                DEFAULT_MAX_SESSIONS,
                Duration.ofSeconds(5),
                Duration.ofSeconds(1),
                Duration.ofSeconds(30));
    }

    public TokenConfig withMaxSessions(int n) {
        return new TokenConfig(library, tokenLabel, n, acquireTimeout, retryBackoff, restartAfter);
    }

    public TokenConfig withTimeouts(Duration acquire, Duration backoff, Duration restart) {
        return new TokenConfig(library, tokenLabel, maxSessions, acquire, backoff, restart);
    }

    /** Fails fast, at start-up, if the library file is missing. */
    public void requireLibrary() {
        if (!Files.isReadable(library)) {
            throw new TokenException(
                    TokenException.Code.LIBRARY_UNUSABLE,
                    "PKCS#11 library not found: " + library + " (install softhsm2, or set the HSM vendor's library)");
        }
    }
}
