package tw.eid.pki.ocsp;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The memory link of the responder's chain: serves a kept answer to a cacheable request (one
 * CertID, no nonce) while it is fresh, and otherwise passes the request on and keeps what comes
 * back. It reads the {@link ResponseCache#sequence} before passing on, so that an answer made from a
 * read older than an invalidation is never kept ({@link ResponseCache#put} refuses it).
 *
 * <p>What it passes on carries the statuses of all the request's certificates when memory holds
 * each of them and the status change log was read less than {@link OcspResponder#STATUS_LOG_CURRENT}
 * ago: a response signed now from them says "known correct at thisUpdate", true only while the log
 * that would have dropped them is being followed. Then the store is not read.
 *
 * <p>Once the status change log has been read, a kept answer is served only while the log is
 * current (read less than {@link OcspResponder#STATUS_LOG_CURRENT} ago): a responder whose database
 * node is cut off from the cluster cannot learn of a revocation committed elsewhere, so it stops
 * vouching from memory and asks the store, which on such a node fails (tryLater) rather than
 * answering a stale good. Before the first read (a responder without a follower) memory serves as
 * before; it holds only what the store answered.
 *
 * <p>An answer about a serial never issued is kept apart and for {@link OcspResponder#NEVER_ISSUED_FRESH}
 * at most: issuance writes no status change.
 */
final class MemoryCacheSource implements ResponseSource {
    private static final long STATUS_LOG_CURRENT_MS = OcspResponder.STATUS_LOG_CURRENT.toMillis();
    private final ResponseCache cache;
    private final Supplier<Instant> statusLogReadAt;
    private final ResponseSource next;

    /**
     * @param statusLogReadAt when the last complete read of the status change log started
     * @param next the source asked when memory holds no answer
     */
    MemoryCacheSource(ResponseCache cache, Supplier<Instant> statusLogReadAt, ResponseSource next) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.statusLogReadAt = Objects.requireNonNull(statusLogReadAt, "statusLogReadAt");
        this.next = Objects.requireNonNull(next, "next");
    }

    /** The fresh answer to a request seen before (the same bytes), unparsed; or null. */
    OcspAnswer fromMemory(byte[] der, Instant now) {
        return logBehind(now) ? null : cache.answer(der, now);
    }

    /** The status change log has been read once and not within the last {@code STATUS_LOG_CURRENT}. */
    private boolean logBehind(Instant now) {
        // On the hot path: millisecond arithmetic, no Duration allocated per request.
        Instant read = statusLogReadAt.get();
        return !read.equals(Instant.MIN) && now.toEpochMilli() - read.toEpochMilli() > STATUS_LOG_CURRENT_MS;
    }

    @Override
    public Sourced answer(OcspQuery query) {
        if (query.cacheable() && !logBehind(query.now())) {
            OcspAnswer cached = cache.get(query.cacheKey(), query.hashOid(), query.now());
            if (cached != null) {
                cache.rememberRequest(query.der(), query.cacheKey(), query.hashOid());
                // Counted under the source that first made the answer (docs/metrics.md): the hot path
                // (fromMemory, by the request's bytes) is what counts as memory.
                return new Sourced(cached, null);
            }
        }
        long sequence = cache.sequence();
        Sourced sourced = next.answer(query.withSequence(sequence).withStatuses(knownStatuses(query)));
        if (query.cacheable() && sourced.answer().successful()) {
            keep(query, sourced, sequence);
        }
        return sourced;
    }

    private void keep(OcspQuery query, Sourced sourced, long sequence) {
        OcspAnswer answer = sourced.answer();
        if (sourced.row() != null) {
            cache.put(
                    query.cacheKey(),
                    query.hashOid(),
                    new ResponseCache.Entry(answer, OcspResponder.freshUntil(answer), sourced.row()),
                    sequence);
        } else if (query.firstSerial() != null) {
            Instant until = query.now().plus(OcspResponder.NEVER_ISSUED_FRESH);
            Instant fresh = OcspResponder.freshUntil(answer);
            cache.putNeverIssued(
                    query.cacheKey(),
                    query.hashOid(),
                    new ResponseCache.Entry(answer, until.isBefore(fresh) ? until : fresh),
                    sequence);
        } else {
            return;
        }
        cache.rememberRequest(query.der(), query.cacheKey(), query.hashOid());
    }

    /**
     * The statuses of all the request's serials if memory holds each and the status change log
     * is current, else null (then the store is read).
     */
    private Map<String, OcspResponder.Row> knownStatuses(OcspQuery query) {
        if (Duration.between(statusLogReadAt.get(), query.now()).compareTo(OcspResponder.STATUS_LOG_CURRENT) > 0) {
            return null;
        }
        Map<String, OcspResponder.Row> out = new HashMap<>();
        for (String serial : query.serials()) {
            OcspResponder.Row row = serial == null
                    ? null
                    : cache.status(ResponseCache.key(query.authority().caName(), serial), query.now());
            if (row == null) {
                return null;
            }
            out.put(serial, row);
        }
        return out;
    }
}
