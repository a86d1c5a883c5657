package tw.eid.pki.ca.cvc;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A certificate holder or certification authority reference (TR-03110 Part 3 A.6.1): the ISO 3166-1
 * alpha-2 country code, a holder mnemonic of up to 9 characters, and a 5-character sequence number,
 * ISO 8859-1 characters (we allow A-Z and 0-9 only). The CHR names a certificate's key; the issuer's
 * CHR is the next certificate's CAR, and {@code cvc-print --cvc-dir} finds an issuer as the file named
 * exactly by it.
 */
public record HolderReference(String country, String mnemonic, String sequence) {
    private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");
    private static final Pattern MNEMONIC = Pattern.compile("[A-Z0-9]{1,9}");
    private static final Pattern SEQUENCE = Pattern.compile("[A-Z0-9]{5}");

    public HolderReference {
        Objects.requireNonNull(country, "country");
        Objects.requireNonNull(mnemonic, "mnemonic");
        Objects.requireNonNull(sequence, "sequence");
        if (!COUNTRY.matcher(country).matches()
                || !MNEMONIC.matcher(mnemonic).matches()
                || !SEQUENCE.matcher(sequence).matches()) {
            throw new CvException(
                    CvException.Code.HOLDER_REFERENCE,
                    "a holder reference is a 2-letter country, a 1..9-character mnemonic and a 5-character"
                            + " sequence, A-Z and 0-9");
        }
    }

    /** Parses {@code TWCVCA00001}: the first two characters, the last five, the mnemonic between. */
    public static HolderReference parse(String text) {
        if (text == null || text.length() < 8 || text.length() > 16) {
            throw new CvException(CvException.Code.HOLDER_REFERENCE, "a holder reference is 8..16 characters");
        }
        return new HolderReference(
                text.substring(0, 2), text.substring(2, text.length() - 5), text.substring(text.length() - 5));
    }

    static HolderReference decode(byte[] bytes) {
        return parse(new String(bytes, StandardCharsets.ISO_8859_1));
    }

    byte[] encoded() {
        return toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The same holder with the next sequence number (digits counted up; a rollover or renewal). */
    public HolderReference next() {
        if (!sequence.matches("[0-9]{5}") || sequence.equals("99999")) {
            throw new CvException(CvException.Code.HOLDER_REFERENCE, "sequence " + sequence + " has no successor");
        }
        return new HolderReference(country, mnemonic, String.format("%05d", Integer.parseInt(sequence) + 1));
    }

    @Override
    public String toString() {
        return country + mnemonic + sequence;
    }
}
