package tw.eid.pki.ocsp;

import java.time.Instant;
import java.util.HexFormat;
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
 */
public record OcspAnswer(
        byte[] der,
        int responseStatus,
        Instant thisUpdate,
        Instant nextUpdate,
        String etag,
        HttpField etagField,
        HttpField lastModifiedField) {

    /**
     * The headers are made once here, when the answer is signed or read from the store, so that a
     * cached answer is not hashed or formatted again on every GET.
     */
    public OcspAnswer(byte[] der, int responseStatus, Instant thisUpdate, Instant nextUpdate) {
        this(der, responseStatus, thisUpdate, nextUpdate, etag(der));
    }

    private OcspAnswer(byte[] der, int responseStatus, Instant thisUpdate, Instant nextUpdate, String etag) {
        this(
                der,
                responseStatus,
                thisUpdate,
                nextUpdate,
                etag,
                responseStatus == 0 ? new PreEncodedHttpField(HttpHeader.ETAG, etag) : null,
                responseStatus == 0 && thisUpdate != null
                        ? new PreEncodedHttpField(HttpHeader.LAST_MODIFIED, HttpDates.format(thisUpdate))
                        : null);
    }

    private static String etag(byte[] der) {
        return "\"" + HexFormat.of().formatHex(OcspAuthority.digest("SHA-256", der), 0, 16) + "\"";
    }

    public boolean successful() {
        return responseStatus == 0;
    }
}
