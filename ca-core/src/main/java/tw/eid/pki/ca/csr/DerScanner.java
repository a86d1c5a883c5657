package tw.eid.pki.ca.csr;

import tw.eid.pki.ca.csr.CsrRejectedException.Code;

/**
 * A strict DER pre-scanner (X.690 §8, §10, §11) that walks the TLVs of an input iteratively,
 * before any parser allocates anything. It refuses indefinite lengths, non-minimal lengths,
 * lengths past the end of the enclosing value, nesting deeper than the limit, over-long object
 * identifiers and the primitive-encoding rules of DER it can check locally. It reads each input
 * byte at most once and allocates only its stack of {@code maxNesting} ints, so its cost is
 * bounded by the input's length whatever the lengths inside declare.
 *
 * <p>It does not know the ASN.1 module: what it passes still has to parse as the expected
 * structure and re-encode to the same bytes (unsorted SET OF, string and time rules).
 */
final class DerScanner {

    /** Object identifiers longer than this are refused (a CSR needs a dozen at most). */
    static final int MAX_OID_ARCS = 64;
    /** An arc takes at most 10 base-128 digits, the tenth being 0 or 1: below 2^64. */
    private static final int MAX_ARC_DIGITS = 10;
    /** High tag numbers in at most this many octets after the first (tags below 2^28). */
    private static final int MAX_TAG_OCTETS = 4;

    private static final int TAG_BOOLEAN = 1;
    private static final int TAG_INTEGER = 2;
    private static final int TAG_BIT_STRING = 3;
    private static final int TAG_NULL = 5;
    private static final int TAG_OID = 6;
    private static final int TAG_EXTERNAL = 8;
    private static final int TAG_ENUMERATED = 10;
    private static final int TAG_EMBEDDED_PDV = 11;
    private static final int TAG_RELATIVE_OID = 13;
    private static final int TAG_SEQUENCE = 16;
    private static final int TAG_SET = 17;
    private static final int TAG_CHARACTER_STRING = 29;

    private final int maxNesting;
    private long bytesRead;

    DerScanner(int maxNesting) {
        this.maxNesting = maxNesting;
    }

    /** How many input bytes the last scans examined (never more than their lengths). */
    long bytesRead() {
        return bytesRead;
    }

    /**
     * Checks that {@code der} is exactly one DER value, with nothing after it.
     *
     * @throws CsrRejectedException with a malformed-input code
     */
    void scan(byte[] der) {
        if (der.length == 0) {
            throw reject(Code.MALFORMED, "empty input");
        }
        int[] ends = new int[maxNesting];
        int depth = 0;
        int pos = 0;
        boolean first = true;
        while (true) {
            while (depth > 0 && pos == ends[depth - 1]) {
                depth--;
            }
            if (depth == 0 && !first) {
                return; // the first value ends exactly at the end of the input (checked below)
            }
            int limit = depth == 0 ? der.length : ends[depth - 1];

            // Identifier octets (X.690 §8.1.2).
            int id = read(der, pos++, limit);
            int tagClass = id >>> 6;
            boolean constructed = (id & 0x20) != 0;
            long tagNumber = id & 0x1f;
            if (tagNumber == 0x1f) {
                // X.690 §8.1.2.4.2: high tag numbers, base 128, no leading 0x80, and only for tags >= 31.
                int b = read(der, pos++, limit);
                if (b == 0x80) {
                    throw reject(Code.NOT_DER, "non-minimal high tag number");
                }
                tagNumber = b & 0x7f;
                int octets = 1;
                while ((b & 0x80) != 0) {
                    if (++octets > MAX_TAG_OCTETS) {
                        throw reject(Code.NOT_DER, "tag number too large");
                    }
                    b = read(der, pos++, limit);
                    tagNumber = (tagNumber << 7) | (b & 0x7f);
                }
                if (tagNumber < 0x1f) {
                    throw reject(Code.NOT_DER, "high-tag-number form for a low tag number (X.690 §8.1.2.2)");
                }
            }

            // Length octets (X.690 §8.1.3, §10.1).
            int first8 = read(der, pos++, limit);
            long length;
            if (first8 < 0x80) {
                length = first8;
            } else if (first8 == 0x80) {
                throw reject(Code.INDEFINITE_LENGTH, "indefinite length at offset " + (pos - 2));
            } else {
                int count = first8 & 0x7f;
                if (count > 4) {
                    // X.690 §8.1.3.5 (0xFF is reserved); more than 4 octets can only say "more than 4 GiB".
                    throw reject(Code.BAD_LENGTH, "length field of " + count + " octets at offset " + (pos - 2));
                }
                length = 0;
                for (int i = 0; i < count; i++) {
                    int b = read(der, pos++, limit);
                    if (i == 0 && b == 0) {
                        throw reject(Code.NON_MINIMAL_LENGTH, "length with a leading zero octet");
                    }
                    length = (length << 8) | b;
                }
                if (length < 0x80) {
                    throw reject(Code.NON_MINIMAL_LENGTH, "long form for a length below 128");
                }
            }
            if (length > limit - pos) {
                throw reject(Code.BAD_LENGTH, "length " + length + " runs past the end of its container");
            }
            int contentEnd = pos + (int) length;
            if (first) {
                first = false;
                if (contentEnd != der.length) {
                    throw reject(Code.TRAILING_DATA, (der.length - contentEnd) + " bytes after the DER value");
                }
            }

            if (tagClass == 0) {
                checkUniversalForm((int) tagNumber, constructed);
            }
            if (constructed) {
                if (depth == maxNesting) {
                    throw reject(Code.TOO_DEEP, "nesting deeper than " + maxNesting);
                }
                ends[depth++] = contentEnd;
            } else {
                if (tagClass == 0) {
                    checkPrimitive((int) tagNumber, der, pos, contentEnd);
                }
                pos = contentEnd;
            }
        }
    }

    private int read(byte[] der, int pos, int limit) {
        if (pos >= limit) {
            throw reject(Code.BAD_LENGTH, "value truncated at offset " + pos);
        }
        bytesRead++;
        return der[pos] & 0xff;
    }

    /** X.690 §10.2 and §8.9.1/§8.11.1: strings are primitive in DER, SEQUENCE and SET constructed. */
    private static void checkUniversalForm(int tag, boolean constructed) {
        if (tag == 0) {
            throw reject(Code.NOT_DER, "end-of-contents octets outside an indefinite length");
        }
        boolean mayBeConstructed = tag == TAG_SEQUENCE
                || tag == TAG_SET
                || tag == TAG_EXTERNAL
                || tag == TAG_EMBEDDED_PDV
                || tag == TAG_CHARACTER_STRING;
        if (constructed && !mayBeConstructed) {
            throw reject(Code.NOT_DER, "constructed encoding of primitive universal type " + tag);
        }
        if (!constructed && (tag == TAG_SEQUENCE || tag == TAG_SET)) {
            throw reject(Code.NOT_DER, "primitive SEQUENCE or SET");
        }
    }

    private void checkPrimitive(int tag, byte[] der, int start, int end) {
        int length = end - start;
        switch (tag) {
            case TAG_BOOLEAN -> {
                // X.690 §11.1: FALSE is 00, TRUE is FF.
                int value = length == 1 ? octet(der, start) : -1;
                if (value != 0x00 && value != 0xff) {
                    throw reject(Code.NOT_DER, "BOOLEAN not 00 or FF");
                }
            }
            case TAG_INTEGER, TAG_ENUMERATED -> {
                // X.690 §8.3.2: at least one octet; the first nine bits not all equal.
                if (length == 0) {
                    throw reject(Code.NOT_DER, "empty INTEGER");
                }
                if (length > 1) {
                    int b0 = octet(der, start);
                    int b1 = octet(der, start + 1);
                    if ((b0 == 0x00 && (b1 & 0x80) == 0) || (b0 == 0xff && (b1 & 0x80) != 0)) {
                        throw reject(Code.NOT_DER, "INTEGER not in minimal form");
                    }
                }
            }
            case TAG_BIT_STRING -> {
                // X.690 §8.6.2 and §11.2.1: the unused-bits count is 0..7, 0 when empty, and those bits are 0.
                if (length == 0) {
                    throw reject(Code.NOT_DER, "BIT STRING without its unused-bits octet");
                }
                int unused = octet(der, start);
                if (unused > 7 || (length == 1 && unused != 0)) {
                    throw reject(Code.NOT_DER, "bad BIT STRING unused-bits count");
                }
                if (unused != 0 && (octet(der, end - 1) & ((1 << unused) - 1)) != 0) {
                    throw reject(Code.NOT_DER, "BIT STRING unused bits not zero (X.690 §11.2.1)");
                }
            }
            case TAG_NULL -> {
                if (length != 0) {
                    throw reject(Code.NOT_DER, "NULL with contents");
                }
            }
            case TAG_OID -> checkOid(der, start, end, true);
            case TAG_RELATIVE_OID -> checkOid(der, start, end, false);
            default -> {
                // Strings and times: their rules are checked by parsing and re-encoding.
            }
        }
    }

    /** X.690 §8.19: minimal base-128 sub-identifiers, each below 2^64, at most 64 arcs. */
    private void checkOid(byte[] der, int start, int end, boolean absolute) {
        if (start == end) {
            throw reject(Code.BAD_OID, "empty object identifier");
        }
        int subidentifiers = 0;
        int digits = 0;
        int leading = 0;
        for (int i = start; i < end; i++) {
            int b = octet(der, i);
            if (digits == 0) {
                if (b == 0x80) {
                    throw reject(Code.BAD_OID, "sub-identifier with a leading 0x80 (X.690 §8.19.2)");
                }
                leading = b & 0x7f;
            }
            digits++;
            if (digits > MAX_ARC_DIGITS || (digits == MAX_ARC_DIGITS && leading > 1)) {
                throw reject(Code.BAD_OID, "object identifier arc of 2^64 or more");
            }
            if ((b & 0x80) == 0) {
                subidentifiers++;
                digits = 0;
                // The first sub-identifier of an absolute OID carries two arcs (X.690 §8.19.4).
                if (subidentifiers + (absolute ? 1 : 0) > MAX_OID_ARCS) {
                    throw reject(Code.BAD_OID, "object identifier of more than " + MAX_OID_ARCS + " arcs");
                }
            }
        }
        if (digits != 0) {
            throw reject(Code.BAD_OID, "truncated object identifier");
        }
    }

    private int octet(byte[] der, int pos) {
        bytesRead++;
        return der[pos] & 0xff;
    }

    private static CsrRejectedException reject(Code code, String message) {
        return new CsrRejectedException(code, message);
    }
}
