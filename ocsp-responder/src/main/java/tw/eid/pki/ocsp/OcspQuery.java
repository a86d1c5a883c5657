package tw.eid.pki.ocsp;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.ocsp.CertificateID;

/**
 * A request that passed the {@link RequestChecks}, as the sources after them see it.
 *
 * @param der the request as received (the memory cache's index of repeated requests)
 * @param authority the CA all its CertIDs name, with its delegated signer
 * @param ids its CertIDs, in order
 * @param serials their serials in our form ({@link RequestChecks#serialHex}), null for one no
 *     certificate of ours can carry
 * @param nonce the nonce to echo, null if none (or ignored by configuration)
 * @param now the time of the answer
 * @param sequence the cache's invalidation sequence read before any status was read for this request
 * @param statuses the statuses of the serials, once read (from memory or the store): a serial
 *     without one was never issued; null while not read
 */
record OcspQuery(
        byte[] der,
        OcspAuthority authority,
        List<CertificateID> ids,
        List<String> serials,
        Extension nonce,
        Instant now,
        long sequence,
        Map<String, OcspResponder.Row> statuses) {

    OcspQuery(
            byte[] der,
            OcspAuthority authority,
            List<CertificateID> ids,
            List<String> serials,
            Extension nonce,
            Instant now) {
        this(der, authority, ids, serials, nonce, now, 0, null);
    }

    /** One CertID and no nonce: the answer may be kept and served again. */
    boolean cacheable() {
        return nonce == null && ids.size() == 1;
    }

    /** The first CertID's hash algorithm (an answer is kept by it: a client compares CertIDs). */
    String hashOid() {
        return ids.get(0).getHashAlgOID().getId();
    }

    /** The memory cache's key of the first certificate. */
    String cacheKey() {
        return ResponseCache.key(authority.caName(), serials.get(0));
    }

    /** The first serial in our form, or null. */
    String firstSerial() {
        return serials.get(0);
    }

    OcspQuery withSequence(long readSequence) {
        return new OcspQuery(der, authority, ids, serials, nonce, now, readSequence, statuses);
    }

    OcspQuery withStatuses(Map<String, OcspResponder.Row> read) {
        return new OcspQuery(der, authority, ids, serials, nonce, now, sequence, read);
    }
}
