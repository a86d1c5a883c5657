package tw.eid.pki.ca.profile;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * Subscriber ids: the subject serialNumber of citizen certificates (docs/profiles.md: random, never the
 * national ID). 16 characters of Crockford's base32 alphabet ({@value #ALPHABET}: digits and
 * capitals without I, L, O, U, so an id read aloud or typed from paper is unambiguous), 80 bits
 * from a CSPRNG. Every character is in PrintableString (X.520 serialNumber is a PrintableString,
 * ub-serial-number 64).
 *
 * <p>An id that happens to contain the shape of a national ID number (a letter, 1 or 2, eight
 * digits; about 3 in 100,000 draws) is drawn again, so that {@link ProfileLint}'s national-ID
 * check never refuses a certificate for a random id. Uniqueness is the store's job.
 */
public final class SubscriberIds {

    /** Characters in an id. */
    public static final int LENGTH = 16;

    /** Crockford's base32 alphabet. */
    public static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    private final SecureRandom random;

    public SubscriberIds(SecureRandom random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    /** A fresh id: {@value #LENGTH} characters, 80 random bits. */
    public String next() {
        byte[] bytes = new byte[LENGTH * 5 / 8];
        for (; ; ) {
            random.nextBytes(bytes);
            StringBuilder id = new StringBuilder(LENGTH);
            long bits = 0;
            int available = 0;
            for (byte b : bytes) {
                bits = (bits << 8) | (b & 0xff);
                available += 8;
                while (available >= 5) {
                    available -= 5;
                    id.append(ALPHABET.charAt((int) ((bits >>> available) & 0x1f)));
                }
            }
            String s = id.toString();
            if (isWellFormed(s)) {
                return s;
            }
        }
    }

    /** Whether {@code id} could have come from {@link #next()}. */
    public static boolean isWellFormed(String id) {
        return id != null
                && id.length() == LENGTH
                && id.chars().allMatch(c -> ALPHABET.indexOf(c) >= 0)
                && !NationalIds.appearsIn(id);
    }
}
