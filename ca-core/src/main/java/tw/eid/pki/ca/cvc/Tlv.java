package tw.eid.pki.ca.cvc;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One ISO/IEC 7816-4 BER-TLV data object as TR-03110 Part 3 Annex D uses them: a one- or two-byte tag,
 * a definite length in its shortest form, and a value that is either bytes or nested objects. The
 * parser is strict (no indefinite lengths, no longer-than-needed length forms, nothing after the
 * last object) because a certificate is signed over its exact bytes.
 *
 * <p>Why not Bouncy Castle's {@code org.bouncycastle.asn1.eac}: its CHAT is one byte of inspection
 * system rights (no authentication terminal rights, no roles beyond IS) and its body has no
 * certificate extensions (tag 65); the certificate would lose both. Bouncy Castle still does the
 * object identifiers, curves and ECDSA here.
 */
record Tlv(int tag, byte[] value) {
    static final int CV_CERTIFICATE = 0x7F21;
    static final int CERTIFICATE_BODY = 0x7F4E;
    static final int PROFILE_IDENTIFIER = 0x5F29;
    static final int CA_REFERENCE = 0x42;
    static final int PUBLIC_KEY = 0x7F49;
    static final int HOLDER_REFERENCE = 0x5F20;
    static final int CHAT = 0x7F4C;
    static final int EFFECTIVE_DATE = 0x5F25;
    static final int EXPIRATION_DATE = 0x5F24;
    static final int SIGNATURE = 0x5F37;
    static final int EXTENSIONS = 0x65;
    static final int DISCRETIONARY_DATA_TEMPLATE = 0x73;
    static final int AUTHENTICATION = 0x67;
    static final int OID = 0x06;
    static final int DISCRETIONARY_DATA = 0x53;

    Tlv {
        value = value.clone();
    }

    static Tlv of(int tag, byte[] value) {
        return new Tlv(tag, value);
    }

    static Tlv of(int tag, List<Tlv> children) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Tlv child : children) {
            out.writeBytes(child.encoded());
        }
        return new Tlv(tag, out.toByteArray());
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    byte[] encoded() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
        if (tag > 0xFF) {
            out.write(tag >>> 8);
        }
        out.write(tag & 0xFF);
        int n = value.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n <= 0xFF) {
            out.write(0x81);
            out.write(n);
        } else if (n <= 0xFFFF) {
            out.write(0x82);
            out.write(n >>> 8);
            out.write(n & 0xFF);
        } else {
            throw new IllegalArgumentException("a CV data object is at most 65535 bytes");
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    /** The nested objects of a constructed object. */
    List<Tlv> children() {
        return parseAll(value);
    }

    /** The one child with {@code tag}, if any; a second one is malformed. */
    Optional<Tlv> child(int tag) {
        Tlv found = null;
        for (Tlv c : children()) {
            if (c.tag == tag) {
                if (found != null) {
                    throw new CvException(CvException.Code.MALFORMED, "data object " + hex(tag) + " twice");
                }
                found = c;
            }
        }
        return Optional.ofNullable(found);
    }

    Tlv required(int tag) {
        return child(tag)
                .orElseThrow(() -> new CvException(CvException.Code.MALFORMED, "data object " + hex(tag) + " missing"));
    }

    /** Exactly one object filling {@code bytes}. */
    static Tlv parse(byte[] bytes) {
        List<Tlv> all = parseAll(bytes);
        if (all.size() != 1) {
            throw new CvException(CvException.Code.MALFORMED, "expected one data object, found " + all.size());
        }
        return all.get(0);
    }

    static List<Tlv> parseAll(byte[] bytes) {
        List<Tlv> out = new ArrayList<>();
        int i = 0;
        while (i < bytes.length) {
            int tag = bytes[i++] & 0xFF;
            if (tag == 0x00 || tag == 0xFF) {
                throw new CvException(CvException.Code.MALFORMED, "padding byte where a tag belongs");
            }
            if ((tag & 0x1F) == 0x1F) {
                need(bytes, i, 1);
                int next = bytes[i++] & 0xFF;
                if ((next & 0x80) != 0 || next < 0x1F) {
                    throw new CvException(CvException.Code.MALFORMED, "unsupported tag form");
                }
                tag = (tag << 8) | next;
            }
            need(bytes, i, 1);
            int first = bytes[i++] & 0xFF;
            int length;
            if (first < 0x80) {
                length = first;
            } else if (first == 0x81) {
                need(bytes, i, 1);
                length = bytes[i++] & 0xFF;
                if (length < 0x80) {
                    throw new CvException(CvException.Code.MALFORMED, "length not in its shortest form");
                }
            } else if (first == 0x82) {
                need(bytes, i, 2);
                length = ((bytes[i] & 0xFF) << 8) | (bytes[i + 1] & 0xFF);
                i += 2;
                if (length <= 0xFF) {
                    throw new CvException(CvException.Code.MALFORMED, "length not in its shortest form");
                }
            } else {
                throw new CvException(CvException.Code.MALFORMED, "unsupported length form");
            }
            need(bytes, i, length);
            out.add(new Tlv(tag, Arrays.copyOfRange(bytes, i, i + length)));
            i += length;
        }
        return out;
    }

    private static void need(byte[] bytes, int at, int n) {
        if (n < 0 || at + n > bytes.length) {
            throw new CvException(CvException.Code.MALFORMED, "data object truncated");
        }
    }

    static String hex(int tag) {
        return String.format(tag > 0xFF ? "%04X" : "%02X", tag);
    }
}
