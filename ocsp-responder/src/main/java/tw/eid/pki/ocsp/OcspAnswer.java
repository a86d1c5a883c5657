package tw.eid.pki.ocsp;

import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;

/**
 * An encoded OCSPResponse and what HTTP caching needs to know of it.
 *
 * @param der the OCSPResponse
 * @param responseStatus RFC 6960 OCSPResponseStatus (0 successful, 1 malformedRequest, 2
 *     internalError, 3 tryLater, 5 sigRequired, 6 unauthorized)
 * @param thisUpdate the single responses' thisUpdate, null unless successful
 * @param nextUpdate their nextUpdate, null unless successful
 * @param etag the HTTP entity tag of {@code der} (a quoted prefix of its SHA-256)
 * @param etagField {@code etag} as an encoded ETag header, null unless successful
 * @param lastModifiedField thisUpdate as an encoded Last-Modified header, null unless successful
 * @param status the metrics' status label (docs/metrics.md): good, revoked (any CertID revoked),
 *     unknown, or error for an unsuccessful OCSPResponseStatus
 * @param source the metrics' source label: store (a pre-signed response), live (signed for this
 *     request), memory (from the cache), none (an unsigned error)
 */
public record OcspAnswer(
        byte[] der,
        int responseStatus,
        Instant thisUpdate,
        Instant nextUpdate,
        String etag,
        HttpField etagField,
        HttpField lastModifiedField,
        String status,
        String source) {

    /** The metrics' status labels, in the order docs/metrics.md gives them. */
    public static final List<String> STATUSES = List.of("good", "revoked", "unknown", "error");
    /** The metrics' source labels. */
    public static final List<String> SOURCES = List.of("memory", "store", "live", "none");

    /**
     * The headers are made once here, when the answer is signed or read from the store, so that a
     * cached answer is not hashed or formatted again on every GET.
     */
    public OcspAnswer(byte[] der, int responseStatus, Instant thisUpdate, Instant nextUpdate) {
        this(der, responseStatus, thisUpdate, nextUpdate, responseStatus == 0 ? "good" : "error", "none");
    }

    /** As above, with the metrics' labels ({@link #STATUSES}, {@link #SOURCES}). */
    public OcspAnswer(
            byte[] der, int responseStatus, Instant thisUpdate, Instant nextUpdate, String status, String source) {
        this(der, responseStatus, thisUpdate, nextUpdate, etag(der), status, source);
    }

    private OcspAnswer(
            byte[] der,
            int responseStatus,
            Instant thisUpdate,
            Instant nextUpdate,
            String etag,
            String status,
            String source) {
        this(
                der,
                responseStatus,
                thisUpdate,
                nextUpdate,
                etag,
                responseStatus == 0 ? new PreEncodedHttpField(HttpHeader.ETAG, etag) : null,
                responseStatus == 0 && thisUpdate != null
                        ? new PreEncodedHttpField(HttpHeader.LAST_MODIFIED, HttpDates.format(thisUpdate))
                        : null,
                status,
                source);
    }

    private static String etag(byte[] der) {
        return "\"" + HexFormat.of().formatHex(OcspAuthority.digest("SHA-256", der), 0, 16) + "\"";
    }

    public boolean successful() {
        return responseStatus == 0;
    }
}
