package tw.eid.pki.ca.profile;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * Certificate serial numbers: 128 bits from a CSPRNG (docs/profiles.md; RFC 5280 §4.1.2.2 wants a
 * positive integer of at most 20 octets, and CA/Browser Forum practice asks for at least 64 bits
 * of CSPRNG output).
 *
 * <p>The 16 random octets are read as an unsigned number, so the value is never negative and its
 * DER encoding is at most 17 octets (a leading zero octet when the top bit is set). A value below
 * 2^63 (probability 2^-65) is drawn again, so every serial is positive and at least 64 bits long
 * and passes {@link ProfileLint}. Uniqueness per CA is the store's job (a unique key).
 */
public final class SerialNumbers {

    static final int BITS = 128;
    static final int MIN_BITS = 64;

    private final SecureRandom random;

    public SerialNumbers(SecureRandom random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    /** A fresh serial: positive, 64 to 128 bits, DER-encoded in at most 17 octets. */
    public BigInteger next() {
        byte[] bytes = new byte[BITS / 8];
        for (; ; ) {
            random.nextBytes(bytes);
            BigInteger serial = new BigInteger(1, bytes);
            if (serial.bitLength() >= MIN_BITS) {
                return serial;
            }
        }
    }
}
