package tw.eid.pki.conformance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A minimal DER reader, so that byte-level checks (string types in names, the raw issuer of a CRL,
 * privateKeyUsagePeriod) do not go through the Bouncy Castle code that produced the bytes.
 */
final class Der {
    final int tag;
    /** The whole TLV. */
    final byte[] encoded;
    /** The contents octets. */
    final byte[] content;

    private Der(int tag, byte[] encoded, byte[] content) {
        this.tag = tag;
        this.encoded = encoded;
        this.content = content;
    }

    /** The one TLV that {@code bytes} must be exactly. */
    static Der parse(byte[] bytes) {
        List<Der> all = sequenceOf(bytes);
        if (all.size() != 1) {
            throw new IllegalArgumentException("expected one DER element, found " + all.size());
        }
        return all.get(0);
    }

    /** The TLVs that {@code bytes} is a concatenation of. */
    static List<Der> sequenceOf(byte[] bytes) {
        List<Der> out = new ArrayList<>();
        int i = 0;
        while (i < bytes.length) {
            int start = i;
            int tag = bytes[i++] & 0xff;
            if ((tag & 0x1f) == 0x1f) {
                throw new IllegalArgumentException("high tag numbers are not expected here");
            }
            int len = bytes[i++] & 0xff;
            if (len == 0x80) {
                throw new IllegalArgumentException("indefinite length is not DER");
            }
            if (len > 0x7f) {
                int n = len & 0x7f;
                len = 0;
                for (int k = 0; k < n; k++) {
                    len = (len << 8) | (bytes[i++] & 0xff);
                }
            }
            byte[] content = Arrays.copyOfRange(bytes, i, i + len);
            i += len;
            out.add(new Der(tag, Arrays.copyOfRange(bytes, start, i), content));
        }
        return out;
    }

    /** The elements inside a constructed value. */
    List<Der> children() {
        if ((tag & 0x20) == 0) {
            throw new IllegalArgumentException("tag 0x" + Integer.toHexString(tag) + " is primitive");
        }
        return sequenceOf(content);
    }

    Der child(int index) {
        return children().get(index);
    }

    /** Dotted form of an OBJECT IDENTIFIER's contents. */
    String oid() {
        if (tag != 0x06) {
            throw new IllegalArgumentException("not an OID: tag 0x" + Integer.toHexString(tag));
        }
        StringBuilder s = new StringBuilder();
        long value = 0;
        boolean first = true;
        for (byte b : content) {
            value = (value << 7) | (b & 0x7f);
            if ((b & 0x80) == 0) {
                if (first) {
                    long a = Math.min(value / 40, 2);
                    s.append(a).append('.').append(value - 40 * a);
                    first = false;
                } else {
                    s.append('.').append(value);
                }
                value = 0;
            }
        }
        return s.toString();
    }

    /** The subject Name of a certificate: TBSCertificate's sixth field (version is [0] explicit). */
    static Der certificateSubject(byte[] certificateDer) {
        List<Der> tbs = parse(certificateDer).child(0).children();
        int i = tbs.get(0).tag == 0xa0 ? 1 : 0;
        return tbs.get(i + 4);
    }

    /** The issuer Name of a certificate. */
    static Der certificateIssuer(byte[] certificateDer) {
        List<Der> tbs = parse(certificateDer).child(0).children();
        int i = tbs.get(0).tag == 0xa0 ? 1 : 0;
        return tbs.get(i + 2);
    }

    /** The issuer Name of a CRL: TBSCertList is version (optional INTEGER), signature, issuer. */
    static Der crlIssuer(byte[] crlDer) {
        List<Der> tbs = parse(crlDer).child(0).children();
        int i = tbs.get(0).tag == 0x02 ? 1 : 0;
        return tbs.get(i + 1);
    }

    /**
     * The extnValue contents of a certificate's extension, read from the raw bytes (the JDK
     * re-encodes some extensions it knows, e.g. id-pkix-ocsp-nocheck as an empty value), or null.
     */
    static byte[] rawExtensionValue(byte[] certificateDer, String oid) {
        for (Der field : parse(certificateDer).child(0).children()) {
            if (field.tag == 0xa3) {
                for (Der extension : field.child(0).children()) {
                    List<Der> parts = extension.children();
                    if (parts.get(0).oid().equals(oid)) {
                        return parts.get(parts.size() - 1).content;
                    }
                }
            }
        }
        return null;
    }

    /** A Name's attributes in order, as {@code OID -> (string tag, value)}. */
    record Attribute(String oid, int stringTag, String value) {}

    static List<Attribute> nameAttributes(Der name) {
        List<Attribute> out = new ArrayList<>();
        for (Der rdn : name.children()) {
            for (Der atv : rdn.children()) {
                Der value = atv.child(1);
                out.add(new Attribute(
                        atv.child(0).oid(),
                        value.tag,
                        new String(value.content, java.nio.charset.StandardCharsets.UTF_8)));
            }
        }
        return out;
    }
}
