package tw.eid.pki.ca.csr;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1Primitive;
import tw.eid.pki.ca.csr.CsrRejectedException.Code;

/** From the submitted bytes (DER, or one PEM block) to a parsed, strictly DER ASN.1 value. */
final class CsrEncoding {

    /** RFC 7468 §7; the legacy label "NEW CERTIFICATE REQUEST" is refused (§7 lets parsers choose). */
    private static final String BEGIN = "-----BEGIN CERTIFICATE REQUEST-----";

    private static final String END = "-----END CERTIFICATE REQUEST-----";
    private static final int SEQUENCE = 0x30;

    private CsrEncoding() {}

    /**
     * The DER bytes of the request: the input itself when it starts like a DER SEQUENCE, otherwise
     * the content of its single PEM block. Sizes are checked before anything is decoded or copied.
     */
    static byte[] der(byte[] input, CsrLimits limits) {
        if (input.length == 0) {
            throw new CsrRejectedException(Code.MALFORMED, "empty request");
        }
        if ((input[0] & 0xff) == SEQUENCE) {
            if (input.length > limits.maxDerBytes()) {
                throw tooLarge(input.length, limits);
            }
            return input;
        }
        if (input.length > limits.maxPemChars()) {
            throw tooLarge(input.length, limits);
        }
        byte[] der = pem(input);
        if (der.length > limits.maxDerBytes()) {
            throw tooLarge(der.length, limits);
        }
        return der;
    }

    /**
     * Exactly one {@code CERTIFICATE REQUEST} block (RFC 7468 §2, §7), with only whitespace around
     * it and strict, padded base64 inside: no explanatory text, no headers, no second block.
     */
    private static byte[] pem(byte[] input) {
        for (byte b : input) {
            if (b < 0x09 || (b > 0x0d && b < 0x20) || b == 0x7f) { // bytes >= 0x80 are negative
                throw new CsrRejectedException(Code.BAD_PEM, "neither DER nor PEM text");
            }
        }
        String text = new String(input, StandardCharsets.US_ASCII).strip();
        if (!text.startsWith(BEGIN) || !text.endsWith(END)) {
            throw new CsrRejectedException(Code.BAD_PEM, "not a single CERTIFICATE REQUEST PEM block");
        }
        String body = text.substring(BEGIN.length(), text.length() - END.length());
        StringBuilder base64 = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\r' || c == '\n' || c == ' ' || c == '\t') {
                continue;
            }
            boolean alphabet = (c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '+'
                    || c == '/'
                    || c == '=';
            if (!alphabet) {
                // Catches a second block ("-----"), RFC 1421 headers (':') and stray text.
                throw new CsrRejectedException(Code.BAD_PEM, "not a single CERTIFICATE REQUEST PEM block");
            }
            base64.append(c);
        }
        // RFC 7468 §3 and RFC 4648 §4: padded base64. Java's decoder would take a final unit unpadded.
        if (base64.length() % 4 != 0) {
            throw new CsrRejectedException(Code.BAD_PEM, "base64 in the PEM block is not padded to 4 characters");
        }
        try {
            return Base64.getDecoder().decode(base64.toString());
        } catch (IllegalArgumentException e) {
            throw new CsrRejectedException(Code.BAD_PEM, "bad base64 in the PEM block", e);
        }
    }

    /**
     * Scans {@code der} with the pre-scanner, parses it, and requires that it re-encodes in DER to
     * the very same bytes: the final strictness check, which catches what the scanner cannot see
     * (SET OF order, string and time rules, a structure the parser read differently).
     */
    static ASN1Primitive parseStrict(byte[] der, DerScanner scanner) {
        scanner.scan(der);
        ASN1Primitive value;
        try (ASN1InputStream in = new ASN1InputStream(der)) { // its limit is der.length
            value = in.readObject();
            if (value == null || in.available() != 0) {
                throw new CsrRejectedException(Code.TRAILING_DATA, "data after the DER value");
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof CsrRejectedException rejected) {
                throw rejected;
            }
            throw new CsrRejectedException(Code.MALFORMED, "unparseable ASN.1: " + e.getMessage(), e);
        }
        requireSameDer(value, der);
        return value;
    }

    /** X.690 §10, §11: DER is canonical, so re-encoding a strict DER value changes nothing. */
    static void requireSameDer(ASN1Encodable value, byte[] der) {
        byte[] again;
        try {
            again = value.toASN1Primitive().getEncoded(ASN1Encoding.DER);
        } catch (IOException | RuntimeException e) {
            throw new CsrRejectedException(Code.MALFORMED, "cannot re-encode: " + e.getMessage(), e);
        }
        if (!Arrays.equals(again, der)) {
            throw new CsrRejectedException(Code.NOT_DER, "not in DER: re-encoding changes the bytes");
        }
    }

    private static CsrRejectedException tooLarge(int length, CsrLimits limits) {
        return new CsrRejectedException(
                Code.TOO_LARGE, length + " bytes, more than the limit of " + limits.maxDerBytes() + " bytes of DER");
    }
}
