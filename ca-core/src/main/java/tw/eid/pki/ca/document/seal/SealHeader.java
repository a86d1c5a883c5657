package tw.eid.pki.ca.document.seal;

import java.io.ByteArrayOutputStream;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The header of a Visible Digital Seal (ICAO Doc 9303-13 §2.2; BSI TR-03137 Part 1 §3.2.1): magic
 * 0xDC, the version byte, the issuing country (3 characters, C40), the signer identifier (4
 * characters: the signer's country and a 2-character signer code) with the certificate reference
 * (C40), the document issue date and the signature creation date ({@link SealDate}), the document
 * feature definition reference and the document type category.
 *
 * <p>Version 4 (byte 0x03), the one we issue, writes the signer identifier, two hexadecimal digits
 * giving the length of the certificate reference, and the reference, as one C40 string. Version 3
 * (byte 0x02) has a fixed 5-character reference; it is read (and written) only so that the TR's
 * worked examples of that version can be checked.
 */
public record SealHeader(
        int version,
        String issuingCountry,
        String signerIdentifier,
        String certificateReference,
        LocalDate issueDate,
        LocalDate signatureDate,
        int featureDefinitionReference,
        int documentTypeCategory) {

    public static final int MAGIC = 0xDC;
    /** The version byte of header version 4. */
    public static final int VERSION_4 = 0x03;
    /** The version byte of header version 3. */
    public static final int VERSION_3 = 0x02;

    private static final Pattern COUNTRY = Pattern.compile("[A-Z<]{3}");
    private static final Pattern SIGNER = Pattern.compile("[A-Z0-9]{4}");
    private static final Pattern REFERENCE = Pattern.compile("[A-Z0-9]*");

    public SealHeader {
        if (version != VERSION_4 && version != VERSION_3) {
            throw new SealException(SealException.Code.MALFORMED, "header version byte " + version);
        }
        if (!COUNTRY.matcher(issuingCountry).matches()) {
            throw new SealException(SealException.Code.UNENCODABLE, "issuing country is 3 letters");
        }
        if (!SIGNER.matcher(signerIdentifier).matches()) {
            throw new SealException(SealException.Code.UNENCODABLE, "signer identifier is 4 characters");
        }
        if (!REFERENCE.matcher(certificateReference).matches()
                || (version == VERSION_4 && certificateReference.length() > 0xFF)
                || (version == VERSION_3 && certificateReference.length() != 5)) {
            throw new SealException(SealException.Code.UNENCODABLE, "certificate reference");
        }
        if (featureDefinitionReference < 0 || featureDefinitionReference > 0xFF) {
            throw new SealException(SealException.Code.UNENCODABLE, "feature definition reference is one byte");
        }
        if (documentTypeCategory < 0 || documentTypeCategory > 0xFF) {
            throw new SealException(SealException.Code.UNENCODABLE, "document type category is one byte");
        }
    }

    /** The signer identifier and certificate reference as the header's C40 string carries them. */
    public String signerAndReference() {
        if (version == VERSION_3) {
            return signerIdentifier + certificateReference;
        }
        return signerIdentifier
                + String.format(Locale.ROOT, "%02X", certificateReference.length())
                + certificateReference;
    }

    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32);
        out.write(MAGIC);
        out.write(version);
        out.writeBytes(C40.encode(issuingCountry));
        out.writeBytes(C40.encode(signerAndReference()));
        out.writeBytes(SealDate.encode(issueDate));
        out.writeBytes(SealDate.encode(signatureDate));
        out.write(featureDefinitionReference);
        out.write(documentTypeCategory);
        return out.toByteArray();
    }

    /** A header read from the start of {@code seal}, and its length in bytes. */
    public record Parsed(SealHeader header, int length) {}

    public static Parsed parse(byte[] seal) {
        Reader in = new Reader(seal);
        if (in.u8() != MAGIC) {
            throw new SealException(SealException.Code.MALFORMED, "no seal magic 0xDC");
        }
        int version = in.u8();
        if (version != VERSION_4 && version != VERSION_3) {
            throw new SealException(SealException.Code.MALFORMED, "unknown seal header version byte " + version);
        }
        // ICAO Doc 9303-3 fills a short country code with '<', which C40 reads back as a space
        String country = C40.decode(in.bytes(2)).replace(' ', '<');
        String signer;
        String reference;
        if (version == VERSION_3) {
            String both = C40.decode(in.bytes(6));
            if (both.length() != 9) {
                throw new SealException(SealException.Code.MALFORMED, "version 3 signer and reference");
            }
            signer = both.substring(0, 4);
            reference = both.substring(4);
        } else {
            byte[] first = in.bytes(4);
            String head = C40.decode(first);
            if (head.length() != 6) {
                throw new SealException(SealException.Code.MALFORMED, "signer identifier and length");
            }
            int length;
            try {
                length = Integer.parseInt(head.substring(4), 16);
            } catch (NumberFormatException e) {
                throw new SealException(SealException.Code.MALFORMED, "certificate reference length not hex");
            }
            int total = C40.encodedLength(6 + length);
            byte[] all = new byte[total];
            System.arraycopy(first, 0, all, 0, 4);
            System.arraycopy(in.bytes(total - 4), 0, all, 4, total - 4);
            String both = C40.decode(all);
            if (both.length() != 6 + length) {
                throw new SealException(SealException.Code.MALFORMED, "certificate reference length");
            }
            signer = head.substring(0, 4);
            reference = both.substring(6);
        }
        LocalDate issued = SealDate.decode(in.bytes(SealDate.LENGTH));
        LocalDate signed = SealDate.decode(in.bytes(SealDate.LENGTH));
        int featureDefinition = in.u8();
        int category = in.u8();
        SealHeader header =
                new SealHeader(version, country, signer, reference, issued, signed, featureDefinition, category);
        return new Parsed(header, in.position());
    }

    /** A cursor over seal bytes that refuses to read past the end. */
    static final class Reader {
        private final byte[] data;
        private int position;

        Reader(byte[] data) {
            this(data, 0);
        }

        Reader(byte[] data, int position) {
            this.data = data;
            this.position = position;
        }

        int u8() {
            need(1);
            return data[position++] & 0xFF;
        }

        byte[] bytes(int n) {
            need(n);
            byte[] out = Arrays.copyOfRange(data, position, position + n);
            position += n;
            return out;
        }

        /** A DER-style length (Doc 9303-13: one byte below 0x80, else 0x81 or 0x82 and the length). */
        int length() {
            int first = u8();
            if (first < 0x80) {
                return first;
            }
            if (first == 0x81) {
                int n = u8();
                if (n < 0x80) {
                    throw new SealException(SealException.Code.MALFORMED, "length not in its shortest form");
                }
                return n;
            }
            if (first == 0x82) {
                int n = (u8() << 8) | u8();
                if (n < 0x100) {
                    throw new SealException(SealException.Code.MALFORMED, "length not in its shortest form");
                }
                return n;
            }
            throw new SealException(SealException.Code.MALFORMED, "length form 0x" + Integer.toHexString(first));
        }

        boolean atEnd() {
            return position == data.length;
        }

        int position() {
            return position;
        }

        private void need(int n) {
            if (n < 0 || data.length - position < n) {
                throw new SealException(SealException.Code.MALFORMED, "seal ends early");
            }
        }
    }
}
