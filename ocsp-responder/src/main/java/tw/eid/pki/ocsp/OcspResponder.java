package tw.eid.pki.ocsp;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.RevokedInfo;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import tw.eid.pki.ca.store.CertificateReader.Revocation;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.hsm.Token;

/**
 * RFC 6960 / RFC 5019 answers from the store, signed in the token by each CA's delegated signer.
 *
 * <p>Security guarantees: (1) {@code good} only for a certificate whose row is GOOD with its DER
 * stored (a serial whose final write failed is REVOKED in the store, and a serial never issued is
 * {@code unknown}, or the RFC 6960 §2.2 revoked form when configured); (2) a cached response is
 * served only before half of its validity and never after the status change log names its
 * certificate ({@link ResponseCache}); (3) nextUpdate never passes the signer certificate's
 * notAfter, and with an expired signer the answer is tryLater; (4) client input never yields an
 * internalError: anything unreadable is malformedRequest, a CA we do not answer for is
 * unauthorized, a store or token that cannot be reached is tryLater; (5) the answer about a serial
 * never issued is kept in memory for {@link #NEVER_ISSUED_FRESH} at most, so a certificate issued
 * since is answered from the store within that time (before, it is unknown: never good).
 *
 * <p>A request is answered by a chain of sources, each with one job, composed here in order:
 * {@link RequestChecks} (parse and check what the client sent) → {@link MemoryCacheSource} (answers
 * kept in memory) → {@link PresignedStoreSource} (the store's pre-signed responses and statuses) →
 * {@link LiveSigner} (a signature in the token, rate limited). Each answers or passes on.
 */
public final class OcspResponder {
    /** RFC 6960 §4.4.8 id-pkix-ocsp-extended-revoke. */
    static final ASN1ObjectIdentifier EXTENDED_REVOKE = OCSPObjectIdentifiers.id_pkix_ocsp.branch("9");
    /** RFC 6960 §2.2: the revocationTime of the "revoked for a serial never issued" form. */
    static final Instant EPOCH = Instant.EPOCH;
    /**
     * How long the answer about a never-issued serial is served from memory. Issuance writes no
     * status change, so this bounds how long a new certificate can still be answered unknown (an
     * HTTP cache may keep that answer for max-age anyway). Short enough for a card just issued at
     * the counter, long enough that a client repeating its question is not a store read each time.
     */
    public static final Duration NEVER_ISSUED_FRESH = Duration.ofSeconds(10);
    /** How recent the last read of the status change log must be for a live signature to use cached statuses. */
    static final Duration STATUS_LOG_CURRENT = Duration.ofSeconds(1);

    private volatile Instant statusLogReadAt = Instant.MIN;
    private volatile OcspAuthorities authorities;
    private final OcspConfig config;
    private final Clock clock;
    private final ResponseCache cache;
    private final LiveSigner signer;
    private final MemoryCacheSource memory;
    private final RequestChecks checks;

    public OcspResponder(Database database, Token token, OcspAuthorities authorities, OcspConfig config, Clock clock) {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(token, "token");
        this.authorities = Objects.requireNonNull(authorities, "authorities");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.cache = new ResponseCache(config.cacheEntries());
        this.signer = new LiveSigner(token, config, new RateLimiter(config.liveSignaturesPerSecond()));
        this.memory = new MemoryCacheSource(
                cache,
                () -> statusLogReadAt,
                new PresignedStoreSource(database, cache, config.validity().dividedBy(2), signer));
        this.checks = new RequestChecks(config, this::authorities, memory);
    }

    public OcspConfig config() {
        return config;
    }

    public OcspAuthorities authorities() {
        return authorities;
    }

    /** Answers for {@code reloaded} from now on (a renewed signer, a CA added by a ceremony). */
    public void reload(OcspAuthorities reloaded) {
        this.authorities = Objects.requireNonNull(reloaded, "reloaded");
    }

    ResponseCache cache() {
        return cache;
    }

    /**
     * The status change log was read through, starting at {@code startedAt}: every change
     * committed before then has been applied (called by the status log follower).
     */
    public void statusLogRead(Instant startedAt) {
        statusLogReadAt = startedAt;
    }

    /** Drops cached responses of one certificate (called by the status log follower). */
    public void invalidate(String caName, String serialHex) {
        cache.invalidate(caName, serialHex);
    }

    /** Cache figures for /health and the benchmark: entries, hits, misses, evictions. */
    public Map<String, Long> cacheStatistics() {
        return Map.of(
                "entries",
                (long) cache.size(),
                "hits",
                cache.hits(),
                "misses",
                cache.misses(),
                "evictions",
                cache.evictions());
    }

    /**
     * The hot path, which never blocks: the same bytes as an earlier cacheable request (one
     * CertID, no nonce) name the same certificate; its cached answer, if still there and fresh, is
     * served unparsed. Null when {@link #respond} has to do the work (it may read the store or sign).
     */
    public OcspAnswer fromMemory(byte[] requestDer) {
        if (!checks.sized(requestDer)) {
            return null;
        }
        return memory.fromMemory(requestDer, clock.instant());
    }

    /** Answers one DER OCSPRequest, through the chain of sources. Never throws for client input. */
    public OcspAnswer respond(byte[] requestDer) {
        OcspAnswer hit = fromMemory(requestDer);
        if (hit != null) {
            return hit;
        }
        return checks.answer(requestDer, clock.instant());
    }

    /** Signs one response by the CA's delegated signer (the updater's pre-signing); see {@link LiveSigner#sign}. */
    OcspAnswer sign(
            OcspAuthority authority,
            List<CertificateID> ids,
            List<CertificateStatus> statuses,
            Extension nonce,
            boolean extendedRevoke,
            Instant now) {
        return signer.sign(authority, ids, statuses, nonce, extendedRevoke, now);
    }

    /** A response is served (from memory or the store) only before half of its validity. */
    static Instant freshUntil(OcspAnswer answer) {
        return answer.thisUpdate()
                .plus(Duration.between(answer.thisUpdate(), answer.nextUpdate()).dividedBy(2));
    }

    record Row(CertificateStatus status) {}

    /** The Bouncy Castle status (GOOD is null) of a certificate's stored state. */
    static CertificateStatus status(Revocation r) {
        return switch (r.status()) {
            case GOOD -> CertificateStatus.GOOD;
            case HOLD -> revokedStatus(r.revocationTime(), CRLReason.certificateHold);
            case REVOKED -> revokedStatus(r.revocationTime(), r.reasonCode());
        };
    }

    /** RevokedInfo with a GeneralizedTime in whole seconds (RFC 5280 §4.1.2.5.2 form) and the reason, if any. */
    static RevokedStatus revokedStatus(Instant time, Integer reason) {
        return new RevokedStatus(new RevokedInfo(
                new ASN1GeneralizedTime(Date.from(time.truncatedTo(ChronoUnit.SECONDS))),
                reason == null ? null : CRLReason.lookup(reason)));
    }

    /** The unsigned error answers (RFC 6960 §2.3), encoded once: malformed input is the attacker's cheap path. */
    private static final Map<Integer, OcspAnswer> ERRORS = Map.of(
            OCSPRespBuilder.MALFORMED_REQUEST, encodeStatus(OCSPRespBuilder.MALFORMED_REQUEST),
            OCSPRespBuilder.INTERNAL_ERROR, encodeStatus(OCSPRespBuilder.INTERNAL_ERROR),
            OCSPRespBuilder.TRY_LATER, encodeStatus(OCSPRespBuilder.TRY_LATER),
            OCSPRespBuilder.UNAUTHORIZED, encodeStatus(OCSPRespBuilder.UNAUTHORIZED));

    /** The unsigned answer of an error status (malformedRequest, internalError, tryLater, unauthorized). */
    static OcspAnswer status(int responseStatus) {
        return ERRORS.get(responseStatus);
    }

    private static OcspAnswer encodeStatus(int responseStatus) {
        try {
            return new OcspAnswer(
                    new OCSPRespBuilder().build(responseStatus, null).getEncoded(), responseStatus, null, null);
        } catch (OCSPException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses an encoded answer (tests and tools). */
    static OCSPResp parse(byte[] der) throws IOException {
        return new OCSPResp(der);
    }
}
