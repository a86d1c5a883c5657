package tw.eid.pki.ocsp;

import java.time.Instant;
import java.util.HexFormat;

/**
 * An encoded OCSPResponse and what HTTP caching needs to know of it.
 *
 * @param der the OCSPResponse
 * @param responseStatus RFC 6960 OCSPResponseStatus (0 successful, 1 malformedRequest, 2
 *     internalError, 3 tryLater, 5 sigRequired, 6 unauthorized)
 * @param thisUpdate the single responses' thisUpdate, null unless successful
 * @param nextUpdate their nextUpdate, null unless successful
 * @param etag the HTTP entity tag of {@code der} (a quoted prefix of its SHA-256), computed once
 *     here so that a cached answer is not hashed again on every GET
 */
public record OcspAnswer(byte[] der, int responseStatus, Instant thisUpdate, Instant nextUpdate, String etag) {

    public OcspAnswer(byte[] der, int responseStatus, Instant thisUpdate, Instant nextUpdate) {
        this(der, responseStatus, thisUpdate, nextUpdate,
                "\"" + HexFormat.of().formatHex(OcspAuthority.digest("SHA-256", der), 0, 16) + "\"");
    }

    public boolean successful() {
        return responseStatus == 0;
    }
}
