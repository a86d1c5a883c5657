package tw.eid.pki.ocsp;

import java.time.Instant;

/**
 * An encoded OCSPResponse and what HTTP caching needs to know of it.
 *
 * @param der the OCSPResponse
 * @param responseStatus RFC 6960 OCSPResponseStatus (0 successful, 1 malformedRequest, 2
 *     internalError, 3 tryLater, 5 sigRequired, 6 unauthorized)
 * @param thisUpdate the single responses' thisUpdate, null unless successful
 * @param nextUpdate their nextUpdate, null unless successful
 */
public record OcspAnswer(byte[] der, int responseStatus, Instant thisUpdate, Instant nextUpdate) {
    public boolean successful() {
        return responseStatus == 0;
    }
}
