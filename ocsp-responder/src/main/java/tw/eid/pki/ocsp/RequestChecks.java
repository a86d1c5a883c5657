package tw.eid.pki.ocsp;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.OCSPRequest;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The head of the responder's chain: reads and checks what a client sent before anything is
 * looked up or signed, and passes a request that passes on as an {@link OcspQuery}. Anything
 * unreadable (size, encoding, CertID count, an unknown critical extension, a bad nonce) is
 * malformedRequest; CertIDs of a CA we do not answer for, or of CAs with different signers, are
 * unauthorized; a CA whose signer has expired is tryLater.
 */
final class RequestChecks {
    private static final Logger log = LoggerFactory.getLogger(RequestChecks.class);

    /** RFC 9654 §2.1: nonce length limits. */
    static final int MAX_NONCE = 128;
    /** Nesting deeper than any OCSPRequest has (one with a signature and its certificates is about 12 deep). */
    static final int MAX_DER_NESTING = 32;

    private final OcspConfig config;
    private final Supplier<OcspAuthorities> authorities;
    private final ResponseSource next;

    RequestChecks(OcspConfig config, Supplier<OcspAuthorities> authorities, ResponseSource next) {
        this.config = Objects.requireNonNull(config, "config");
        this.authorities = Objects.requireNonNull(authorities, "authorities");
        this.next = Objects.requireNonNull(next, "next");
    }

    /** Whether {@code der} has a size a request may have (checked before anything else reads it). */
    boolean sized(byte[] der) {
        return der != null && der.length > 0 && der.length <= config.maxRequestBytes();
    }

    /** Answers one DER OCSPRequest: an error status here, or what the sources after the checks answer. */
    OcspAnswer answer(byte[] der, Instant now) {
        if (!sized(der) || !shallowDer(der)) {
            return OcspResponder.status(OCSPRespBuilder.MALFORMED_REQUEST);
        }
        OCSPReq request;
        Req[] singles;
        try {
            // fromByteArray refuses trailing bytes; the size limit above bounds the parser, and
            // shallowDer its recursion.
            request = new OCSPReq(OCSPRequest.getInstance(ASN1Primitive.fromByteArray(der)));
            singles = request.getRequestList();
        } catch (IOException | RuntimeException e) {
            return OcspResponder.status(OCSPRespBuilder.MALFORMED_REQUEST);
        }
        if (singles.length == 0 || singles.length > config.maxCertIds() || unknownCritical(request, singles)) {
            return OcspResponder.status(OCSPRespBuilder.MALFORMED_REQUEST);
        }
        Extension nonce = config.ignoreNonce() ? null : request.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
        if (nonce != null && !validNonce(nonce)) {
            return OcspResponder.status(OCSPRespBuilder.MALFORMED_REQUEST);
        }

        OcspAuthorities known = authorities.get();
        OcspAuthority authority = null;
        List<CertificateID> ids = new ArrayList<>();
        List<String> serials = new ArrayList<>();
        for (Req single : singles) {
            CertificateID id = single.getCertID();
            OcspAuthority a = known.find(id.getHashAlgOID(), id.getIssuerNameHash(), id.getIssuerKeyHash())
                    .orElse(null);
            if (a == null || (authority != null && a != authority)) {
                // Not ours, or CertIDs of CAs with different signers in one request.
                return OcspResponder.status(OCSPRespBuilder.UNAUTHORIZED);
            }
            authority = a;
            ids.add(id);
            serials.add(serialHex(id.getSerialNumber()));
        }
        if (!now.isBefore(authority.signerNotAfter())) {
            log.error(
                    "OCSP signer '{}' of '{}' expired at {}: answering tryLater",
                    authority.signerName(),
                    authority.caName(),
                    authority.signerNotAfter());
            return OcspResponder.status(OCSPRespBuilder.TRY_LATER);
        }
        return next.answer(new OcspQuery(der, authority, ids, serials, nonce, now))
                .answer();
    }

    /**
     * RFC 6960 §4.4 (and RFC 5280 §4.2): an extension the responder does not recognize is ignored
     * unless it is critical. The nonce is the only one this responder recognizes; a critical
     * other, in the request or in one of its single requests, makes the request one it must not
     * answer as if the extension were not there.
     */
    private static boolean unknownCritical(OCSPReq request, Req[] singles) {
        for (Object oid : request.getCriticalExtensionOIDs()) {
            if (!OCSPObjectIdentifiers.id_pkix_ocsp_nonce.equals(oid)) {
                return true;
            }
        }
        for (Req single : singles) {
            Extensions extensions = single.getSingleRequestExtensions();
            if (extensions != null && extensions.getCriticalExtensionOIDs().length > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code der} holds only definite-length values, each length in the fewest octets,
     * nested at most {@link #MAX_DER_NESTING} deep, each within its container, read without
     * recursion. RFC 6960 Appendix A: a request is the DER encoding of the OCSPRequest, and only DER
     * makes one request one string of bytes (the GET form's cache key). Bouncy Castle's parser recurses
     * once per level: 2,500 nested SEQUENCEs in a request of 10 KB overflowed the thread's stack,
     * and the StackOverflowError escaped as an HTTP 500. DER has no indefinite length (X.690
     * §10.1). What passes still has to parse as an OCSPRequest.
     */
    static boolean shallowDer(byte[] der) {
        int[] ends = new int[MAX_DER_NESTING];
        int depth = 0;
        int pos = 0;
        while (pos < der.length) {
            while (depth > 0 && pos == ends[depth - 1]) {
                depth--;
            }
            int limit = depth == 0 ? der.length : ends[depth - 1];
            int id = der[pos++] & 0xff;
            if ((id & 0x1f) == 0x1f) { // high tag number: base-128 octets up to one without bit 8
                do {
                    if (pos >= limit) {
                        return false;
                    }
                } while ((der[pos++] & 0x80) != 0);
            }
            if (pos >= limit) {
                return false;
            }
            int first = der[pos++] & 0xff;
            long length = first;
            if (first == 0x80) {
                return false; // indefinite
            } else if (first > 0x80) {
                int octets = first & 0x7f;
                if (octets > 4 || octets > limit - pos) {
                    return false;
                }
                if (der[pos] == 0) {
                    return false; // DER: no leading zero octet in a length (X.690 §10.1)
                }
                length = 0;
                for (int i = 0; i < octets; i++) {
                    length = (length << 8) | (der[pos++] & 0xff);
                }
                if (length < 0x80) {
                    return false; // DER: a length under 128 takes the short form (X.690 §10.1)
                }
            }
            if (length > limit - pos) {
                return false;
            }
            if ((id & 0x20) != 0) {
                if (depth == MAX_DER_NESTING) {
                    return false;
                }
                ends[depth++] = pos + (int) length;
            } else {
                pos += (int) length;
            }
        }
        return true;
    }

    /** RFC 9654: the nonce is an OCTET STRING of 1 to 128 octets inside extnValue. */
    private static boolean validNonce(Extension nonce) {
        byte[] value = nonce.getExtnValue().getOctets();
        if (!shallowDer(value)) {
            return false;
        }
        try {
            ASN1OctetString inner = ASN1OctetString.getInstance(ASN1Primitive.fromByteArray(value));
            int length = inner.getOctets().length;
            return length >= 1 && length <= MAX_NONCE;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Our serial form (lower-case hex, no leading zeros), or null for what no certificate of ours can carry. */
    static String serialHex(BigInteger serial) {
        if (serial == null || serial.signum() <= 0 || serial.bitLength() > 159) {
            return null;
        }
        return serial.toString(16);
    }
}
