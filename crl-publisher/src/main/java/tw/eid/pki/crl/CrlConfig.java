package tw.eid.pki.crl;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The publisher's settings; the compact constructor refuses what would break a rule of
 * docs/profiles.md ("CRLs") at start-up rather than in production.
 *
 * @param fullLifetime nextUpdate − thisUpdate of full CRLs (the Citizen CA's and the RA Operators
 *     CA's), 1 hour to 10 days; a full CRL is re-issued when half of it has passed
 * @param deltaLifetime nextUpdate − thisUpdate of delta CRLs, 10 minutes up to {@code fullLifetime};
 *     re-issued when half of it has passed even without a change
 * @param fullAfterChange how long a change may wait for a full CRL that lists it, at most 24 hours
 *     (issue 5: never more than 24 h between a revocation and a full CRL that lists it)
 * @param round how often the lease holder looks for changes and due CRLs (the delta trigger's
 *     granularity; the target is a delta within 60 s of a change)
 * @param changeMargin how far before a base CRL's thisUpdate a delta reads the status change log: a
 *     transaction stamps its change before it commits, so a change stamped just before the base was
 *     read may not be in it; listing it again in the delta is harmless
 * @param keepExpired keep revoked certificates on the CRLs after they expire (default: they leave
 *     one full lifetime after their notAfter, so each appears on at least one CRL issued after its
 *     expiry, RFC 5280 §3.3)
 * @param offlineWarning how long before an offline CRL's nextUpdate (root ARL, CSCA CRL) the
 *     publisher warns that a ceremony is due
 * @param maxAge Cache-Control max-age of served CRLs, never past their nextUpdate
 * @param directory where CRLs are also written as files for any static web server, or null
 */
public record CrlConfig(
        Duration fullLifetime,
        Duration deltaLifetime,
        Duration fullAfterChange,
        Duration round,
        Duration changeMargin,
        boolean keepExpired,
        Duration offlineWarning,
        Duration maxAge,
        Path directory) {
    public static final Duration MAX_FULL_LIFETIME = Duration.ofDays(10);

    public CrlConfig {
        Objects.requireNonNull(fullLifetime, "fullLifetime");
        Objects.requireNonNull(deltaLifetime, "deltaLifetime");
        Objects.requireNonNull(fullAfterChange, "fullAfterChange");
        Objects.requireNonNull(round, "round");
        Objects.requireNonNull(changeMargin, "changeMargin");
        Objects.requireNonNull(offlineWarning, "offlineWarning");
        Objects.requireNonNull(maxAge, "maxAge");
        // docs/profiles.md: for the Citizen CA nextUpdate − thisUpdate ≤ 10 days.
        require(
                fullLifetime.compareTo(Duration.ofHours(1)) >= 0 && fullLifetime.compareTo(MAX_FULL_LIFETIME) <= 0,
                "fullLifetime must be 1 hour to 10 days, not " + fullLifetime);
        require(
                deltaLifetime.compareTo(Duration.ofMinutes(10)) >= 0 && deltaLifetime.compareTo(fullLifetime) <= 0,
                "deltaLifetime must be 10 minutes up to fullLifetime, not " + deltaLifetime);
        require(
                !fullAfterChange.isNegative() && fullAfterChange.compareTo(Duration.ofHours(24)) <= 0,
                "fullAfterChange must be 0 to 24 hours, not " + fullAfterChange);
        require(
                round.compareTo(Duration.ofMillis(100)) >= 0 && round.compareTo(Duration.ofSeconds(60)) <= 0,
                "round must be 100 ms to 60 s (deltas are due within 60 s of a change), not " + round);
        require(
                !changeMargin.isNegative() && changeMargin.compareTo(Duration.ofHours(1)) <= 0,
                "changeMargin must be 0 to 1 hour, not " + changeMargin);
        require(!maxAge.isNegative(), "maxAge must not be negative");
        require(!offlineWarning.isNegative(), "offlineWarning must not be negative");
    }

    /** Full CRLs for 7 days, deltas for 1 day, a full within 12 h of a change, rounds every 10 s. */
    public static CrlConfig defaults() {
        return new CrlConfig(
                Duration.ofDays(7),
                Duration.ofDays(1),
                Duration.ofHours(12),
                Duration.ofSeconds(10),
                Duration.ofMinutes(5),
                false,
                Duration.ofDays(30),
                Duration.ofSeconds(60),
                null);
    }

    public CrlConfig withDirectory(Path dir) {
        return new CrlConfig(
                fullLifetime,
                deltaLifetime,
                fullAfterChange,
                round,
                changeMargin,
                keepExpired,
                offlineWarning,
                maxAge,
                dir);
    }

    public CrlConfig withKeepExpired(boolean keep) {
        return new CrlConfig(
                fullLifetime,
                deltaLifetime,
                fullAfterChange,
                round,
                changeMargin,
                keep,
                offlineWarning,
                maxAge,
                directory);
    }

    public CrlConfig withFullLifetime(Duration lifetime) {
        return new CrlConfig(
                lifetime,
                deltaLifetime.compareTo(lifetime) > 0 ? lifetime : deltaLifetime,
                fullAfterChange,
                round,
                changeMargin,
                keepExpired,
                offlineWarning,
                maxAge,
                directory);
    }

    public CrlConfig withRound(Duration r) {
        return new CrlConfig(
                fullLifetime,
                deltaLifetime,
                fullAfterChange,
                r,
                changeMargin,
                keepExpired,
                offlineWarning,
                maxAge,
                directory);
    }

    public CrlConfig withMaxAge(Duration age) {
        return new CrlConfig(
                fullLifetime,
                deltaLifetime,
                fullAfterChange,
                round,
                changeMargin,
                keepExpired,
                offlineWarning,
                age,
                directory);
    }

    public CrlConfig withOfflineWarning(Duration warning) {
        return new CrlConfig(
                fullLifetime,
                deltaLifetime,
                fullAfterChange,
                round,
                changeMargin,
                keepExpired,
                warning,
                maxAge,
                directory);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
