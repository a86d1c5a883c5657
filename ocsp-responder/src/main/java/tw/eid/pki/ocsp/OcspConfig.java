package tw.eid.pki.ocsp;

import java.time.Duration;
import java.util.Objects;

/**
 * What a responder answers and for how long (issue 4, docs/api.md).
 *
 * @param validity nextUpdate - thisUpdate of every response: 8 hours to 10 days, default 24 h
 *     (never past the signer certificate's notAfter)
 * @param maxAge Cache-Control max-age of a GET response: default 60 s, never past nextUpdate
 * @param unknownAsRevoked answer a serial the CA never issued with the RFC 6960 §2.2 form
 *     (revoked, certificateHold, 1970-01-01, extended-revoke extension) instead of unknown
 * @param ignoreNonce answer without echoing (and without checking) a request's nonce
 * @param maxRequestBytes the largest request accepted (POST body, decoded GET path)
 * @param maxCertIds the most CertIDs in one request
 * @param liveSignaturesPerSecond live signatures per second for requests the cache cannot answer
 *     alone (a nonce, several CertIDs, a serial never issued): above it, tryLater
 * @param cacheEntries the most responses kept in memory
 * @param followInterval how often the status change log is read
 */
public record OcspConfig(
        Duration validity,
        Duration maxAge,
        boolean unknownAsRevoked,
        boolean ignoreNonce,
        int maxRequestBytes,
        int maxCertIds,
        int liveSignaturesPerSecond,
        int cacheEntries,
        Duration followInterval) {

    public static final Duration MIN_VALIDITY = Duration.ofHours(8);
    public static final Duration MAX_VALIDITY = Duration.ofDays(10);

    public OcspConfig {
        Objects.requireNonNull(validity, "validity");
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(followInterval, "followInterval");
        if (validity.compareTo(MIN_VALIDITY) < 0 || validity.compareTo(MAX_VALIDITY) > 0) {
            throw new IllegalArgumentException("OCSP validity must be between 8 hours and 10 days, not " + validity);
        }
        if (maxAge.isNegative() || maxAge.compareTo(validity) > 0) {
            throw new IllegalArgumentException("max-age must be between 0 and the validity");
        }
        if (maxRequestBytes < 64 || maxCertIds < 1 || liveSignaturesPerSecond < 1 || cacheEntries < 0) {
            throw new IllegalArgumentException("request limits, live-signing rate and cache size must be positive");
        }
        if (followInterval.isNegative()
                || followInterval.isZero()
                || followInterval.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("the status log must be read at least every second");
        }
    }

    public static OcspConfig defaults() {
        return new OcspConfig(
                Duration.ofHours(24),
                Duration.ofSeconds(60),
                false,
                false,
                10_240,
                20,
                500,
                200_000,
                Duration.ofMillis(200));
    }

    public OcspConfig withUnknownAsRevoked(boolean value) {
        return new OcspConfig(
                validity,
                maxAge,
                value,
                ignoreNonce,
                maxRequestBytes,
                maxCertIds,
                liveSignaturesPerSecond,
                cacheEntries,
                followInterval);
    }

    public OcspConfig withIgnoreNonce(boolean value) {
        return new OcspConfig(
                validity,
                maxAge,
                unknownAsRevoked,
                value,
                maxRequestBytes,
                maxCertIds,
                liveSignaturesPerSecond,
                cacheEntries,
                followInterval);
    }

    public OcspConfig withValidity(Duration value) {
        return new OcspConfig(
                value,
                maxAge.compareTo(value) > 0 ? value : maxAge,
                unknownAsRevoked,
                ignoreNonce,
                maxRequestBytes,
                maxCertIds,
                liveSignaturesPerSecond,
                cacheEntries,
                followInterval);
    }

    public OcspConfig withLiveSignaturesPerSecond(int value) {
        return new OcspConfig(
                validity,
                maxAge,
                unknownAsRevoked,
                ignoreNonce,
                maxRequestBytes,
                maxCertIds,
                value,
                cacheEntries,
                followInterval);
    }
}
