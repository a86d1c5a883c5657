package tw.eid.pki.ocsp;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.ca.store.CertificateReader.Revocation;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.SqlCertificateStore;

/**
 * The store link of the responder's chain: for a cacheable request, one read gives the
 * certificate's status and its pre-signed response, served if it still says that status and is
 * fresh ({@link PresignedResponses}); otherwise the statuses read are passed on for a live
 * signature. A request with several CertIDs or a nonce reads the statuses of all its serials;
 * they are kept in memory (status only) for the next live signature about these certificates,
 * dropped by the status change log like any entry. A request whose statuses came from memory is
 * passed on without a read. A store that cannot be read is tryLater.
 */
final class PresignedStoreSource implements ResponseSource {
    private static final Logger log = LoggerFactory.getLogger(PresignedStoreSource.class);

    private final Database database;
    private final ResponseCache cache;
    private final Duration statusesKept;
    private final ResponseSource next;

    /**
     * @param statusesKept how long a status read here is kept in memory (half the response validity)
     * @param next the source that signs live when no pre-signed response may be served
     */
    PresignedStoreSource(Database database, ResponseCache cache, Duration statusesKept, ResponseSource next) {
        this.database = Objects.requireNonNull(database, "database");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.statusesKept = Objects.requireNonNull(statusesKept, "statusesKept");
        this.next = Objects.requireNonNull(next, "next");
    }

    @Override
    public Sourced answer(OcspQuery query) {
        if (query.statuses() != null) {
            return next.answer(query);
        }
        String caName = query.authority().caName();
        Map<String, OcspResponder.Row> rows;
        try {
            String serial = query.firstSerial();
            if (query.cacheable() && serial != null) {
                PresignedResponses.Lookup found = PresignedResponses.find(database, caName, serial, query.now());
                if (found.stored() != null) {
                    return new Sourced(found.stored(), new OcspResponder.Row(found.current()));
                }
                rows = found.issued() ? Map.of(serial, new OcspResponder.Row(found.current())) : Map.of();
            } else {
                rows = lookUp(caName, query.serials());
                Instant until = query.now().plus(statusesKept);
                for (Map.Entry<String, OcspResponder.Row> r : rows.entrySet()) {
                    cache.put(
                            ResponseCache.key(caName, r.getKey()),
                            ResponseCache.STATUS_ONLY,
                            new ResponseCache.Entry(null, until, r.getValue()),
                            query.sequence());
                }
            }
        } catch (RuntimeException e) {
            log.warn("OCSP status look-up failed: {}", e.toString());
            return Sourced.error(OCSPRespBuilder.TRY_LATER);
        }
        return next.answer(query.withStatuses(rows));
    }

    /** The statuses of those of {@code serials} the CA issued, in one read. */
    private Map<String, OcspResponder.Row> lookUp(String caName, List<String> serials) {
        List<String> wanted =
                serials.stream().filter(Objects::nonNull).distinct().toList();
        if (wanted.isEmpty()) {
            return Map.of();
        }
        Map<String, OcspResponder.Row> out = new HashMap<>();
        for (Map.Entry<String, Revocation> r :
                SqlCertificateStore.over(database).revocations(caName, wanted).entrySet()) {
            out.put(r.getKey(), new OcspResponder.Row(OcspResponder.status(r.getValue())));
        }
        return out;
    }
}
