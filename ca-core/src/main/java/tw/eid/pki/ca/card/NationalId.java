package tw.eid.pki.ca.card;

import java.util.Arrays;

/**
 * A national ID number (國民身分證統一編號): a letter for the place of first registration, 1 or 2,
 * seven digits and a check digit. Held as a char array so it can be cleared; {@link #toString()}
 * never prints it (personal data, docs/architecture.md).
 */
public final class NationalId {
    /** A=10, B=11, … with the historic gaps: I=34, O=35, W=32, X=30, Y=31, Z=33. */
    private static final int[] LETTER_CODE = {
        10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25, 26, 27, 28, 29, 32, 30, 31, 33
    };

    private final char[] value;

    private NationalId(char[] value) {
        this.value = value;
    }

    /**
     * Checks shape and check digit: with the letter's code n1 n2, the sum n1 + 9·n2 + Σ (8..1)·d1..d8
     * + d9 must be a multiple of 10.
     */
    public static NationalId of(String text) {
        if (text == null || text.length() != 10) {
            throw invalid();
        }
        char[] v = text.toCharArray();
        if (v[0] < 'A' || v[0] > 'Z' || (v[1] != '1' && v[1] != '2')) {
            throw invalid();
        }
        for (int i = 1; i < 10; i++) {
            if (v[i] < '0' || v[i] > '9') {
                throw invalid();
            }
        }
        int code = LETTER_CODE[v[0] - 'A'];
        int sum = code / 10 + (code % 10) * 9;
        for (int i = 1; i <= 8; i++) {
            sum += (v[i] - '0') * (9 - i);
        }
        sum += v[9] - '0';
        if (sum % 10 != 0) {
            Arrays.fill(v, '\0');
            throw invalid();
        }
        return new NationalId(v);
    }

    private static CardException invalid() {
        return new CardException(CardException.Code.INVALID_NATIONAL_ID, "not a valid national ID number");
    }

    /** The last four digits, the only part that may appear on an officer's screen or in a certificate. */
    public String last4() {
        return new String(value, 6, 4);
    }

    /** The ASCII bytes, for the keyed look-up hash and the encryption; the caller clears them. */
    byte[] asciiBytes() {
        byte[] b = new byte[value.length];
        for (int i = 0; i < value.length; i++) {
            b[i] = (byte) value[i];
        }
        return b;
    }

    void clear() {
        Arrays.fill(value, '\0');
    }

    @Override
    public String toString() {
        return "NationalId[******" + last4() + "]";
    }
}
