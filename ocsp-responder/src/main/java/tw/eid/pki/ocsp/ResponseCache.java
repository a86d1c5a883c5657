package tw.eid.pki.ocsp;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Signed responses for single-CertID, nonce-free requests, by CA, serial and CertID hash
 * algorithm; bounded (least recently used out). An entry is served only while it is fresh (before
 * half of its validity) and is dropped when the status change log names its certificate.
 *
 * <p>Answers about serials the CA never issued (unknown, or the RFC 6960 §2.2 form) are kept apart,
 * in a map a twentieth of the size, for a few seconds only ({@link OcspResponder#NEVER_ISSUED_FRESH}):
 * nothing in the status change log announces an issuance, so a short life is what bounds how long
 * a new certificate can still be answered as never issued; and a flood of random serials evicts
 * only other such answers, never a real certificate's.
 *
 * <p>The race between a response signed from an older read and the log's invalidation is closed
 * by a sequence number: {@link #put} refuses an entry whose read began before the last
 * invalidation ({@link #sequence}), so a response that could predate a change is never cached.
 * Thread-safe.
 */
final class ResponseCache {

    /**
     * A cached answer, and the certificate status it was signed for (null when not known: then
     * it is not offered by {@link #status}).
     */
    /** The hash "OID" under which a status is kept without an answer (after a live signature's store read). */
    static final String STATUS_ONLY = "status";

    record Entry(OcspAnswer answer, Instant freshUntil, OcspResponder.Row row) {
        Entry(OcspAnswer answer, Instant freshUntil) {
            this(answer, freshUntil, null);
        }
    }

    private final int capacity;
    /** By "ca/serial"; each holds the entries of its CertID hash algorithms (one or two). */
    private final Map<String, Map<String, Entry>> entries;
    /** Answers about never-issued serials, by the same key. */
    private final Map<String, Map<String, Entry>> neverIssued;

    private final AtomicLong invalidations = new AtomicLong();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();

    /**
     * Raw request bytes of cacheable requests (one CertID, no nonce) → {cache key, hash OID}: a
     * repeated request is answered without parsing it. Only an index: the entry it points to is
     * looked up (and may be gone, invalidated or stale) as for any other request.
     */
    private final Map<ByteBuffer, String[]> requests;

    ResponseCache(int capacity) {
        this.capacity = capacity;
        this.requests = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ByteBuffer, String[]> eldest) {
                return size() > 2 * ResponseCache.this.capacity;
            }
        };
        int neverIssuedCapacity = capacity == 0 ? 0 : Math.max(1, capacity / 20);
        this.neverIssued = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Map<String, Entry>> eldest) {
                return size() > neverIssuedCapacity;
            }
        };
        this.entries = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Map<String, Entry>> eldest) {
                if (size() > ResponseCache.this.capacity) {
                    evictions.incrementAndGet();
                    return true;
                }
                return false;
            }
        };
    }

    static String key(String caName, String serialHex) {
        return caName + '/' + serialHex;
    }

    /** The invalidation sequence to read before a database read whose result may be cached. */
    long sequence() {
        return invalidations.get();
    }

    synchronized OcspAnswer get(String key, String hashOid, Instant now) {
        OcspAnswer answer = fresh(entries, key, hashOid, now);
        if (answer == null) {
            answer = fresh(neverIssued, key, hashOid, now);
        }
        (answer == null ? misses : hits).incrementAndGet();
        return answer;
    }

    /**
     * The status of a certificate, from any fresh entry of it (not from never-issued answers),
     * or null. As current as the entry itself: the status change log drops both.
     */
    synchronized OcspResponder.Row status(String key, Instant now) {
        Map<String, Entry> byHash = entries.get(key);
        if (byHash != null) {
            for (Entry e : byHash.values()) {
                if (e.row() != null && now.isBefore(e.freshUntil())) {
                    return e.row();
                }
            }
        }
        return null;
    }

    private static OcspAnswer fresh(Map<String, Map<String, Entry>> map, String key, String hashOid, Instant now) {
        Map<String, Entry> byHash = map.get(key);
        Entry e = byHash == null ? null : byHash.get(hashOid);
        if (e == null) {
            return null;
        }
        if (!now.isBefore(e.freshUntil())) {
            byHash.remove(hashOid);
            if (byHash.isEmpty()) {
                map.remove(key);
            }
            return null;
        }
        return e.answer();
    }

    synchronized void put(String key, String hashOid, Entry entry, long readSequence) {
        if (capacity == 0 || invalidations.get() != readSequence) {
            return;
        }
        entries.computeIfAbsent(key, k -> new HashMap<>(2)).put(hashOid, entry);
    }

    /** Like {@link #put}, for the answer about a serial the CA never issued (kept apart, briefly). */
    synchronized void putNeverIssued(String key, String hashOid, Entry entry, long readSequence) {
        if (capacity == 0 || invalidations.get() != readSequence) {
            return;
        }
        neverIssued.computeIfAbsent(key, k -> new HashMap<>(2)).put(hashOid, entry);
    }

    /** The fresh answer to a request seen before (by its bytes), or null: one lock for both look-ups. */
    synchronized OcspAnswer answer(byte[] der, Instant now) {
        String[] known = requests.get(ByteBuffer.wrap(der));
        return known == null ? null : get(known[0], known[1], now);
    }

    synchronized void rememberRequest(byte[] der, String key, String hashOid) {
        if (capacity > 0) {
            requests.put(ByteBuffer.wrap(der.clone()), new String[] {key, hashOid});
        }
    }

    /** Drops every entry of this certificate (all CertID hash algorithms). */
    synchronized void invalidate(String caName, String serialHex) {
        invalidations.incrementAndGet();
        entries.remove(key(caName, serialHex));
        neverIssued.remove(key(caName, serialHex));
    }

    synchronized int size() {
        return entries.size();
    }

    synchronized int neverIssuedSize() {
        return neverIssued.size();
    }

    long hits() {
        return hits.get();
    }

    long misses() {
        return misses.get();
    }

    long evictions() {
        return evictions.get();
    }
}
