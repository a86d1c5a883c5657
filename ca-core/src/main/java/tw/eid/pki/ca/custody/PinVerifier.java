package tw.eid.pki.ca.custody;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * A salted scrypt hash of the PIN, stored in every share file of a split. Reconstruction checks
 * the joined PIN against it before anyone hands the PIN to the token: a PKCS#11 token locks its
 * user PIN after a few failed logins, and a corrupt share must not spend one of them.
 *
 * <p>scrypt rather than a fast hash because the verifier sits in plain sight in every share file,
 * and a PIN chosen by hand (instead of {@link PinSplitter#generatePin}) may be guessable.
 */
record PinVerifier(ScryptCost cost, byte[] salt, byte[] hash) {

    static final int SALT_BYTES = 16;
    static final int HASH_BYTES = 32;

    PinVerifier {
        Objects.requireNonNull(cost, "cost");
        Objects.requireNonNull(salt, "salt");
        Objects.requireNonNull(hash, "hash");
        if (salt.length != SALT_BYTES) {
            throw new IllegalArgumentException("PIN verifier salt must be " + SALT_BYTES + " bytes");
        }
        if (hash.length != HASH_BYTES) {
            throw new IllegalArgumentException("PIN verifier hash must be " + HASH_BYTES + " bytes");
        }
        salt = salt.clone();
        hash = hash.clone();
    }

    static PinVerifier create(byte[] pin, ScryptCost cost, SecureRandom random) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return new PinVerifier(cost, salt, cost.derive(pin, salt, HASH_BYTES));
    }

    boolean matches(byte[] pin) {
        byte[] candidate = cost.derive(pin, salt, HASH_BYTES);
        try {
            return MessageDigest.isEqual(candidate, hash);
        } finally {
            SecretText.wipe(candidate);
        }
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }

    /** By content: every share of one split must carry the same verifier. */
    @Override
    public boolean equals(Object other) {
        return other instanceof PinVerifier v
                && cost.equals(v.cost)
                && Arrays.equals(salt, v.salt)
                && Arrays.equals(hash, v.hash);
    }

    @Override
    public int hashCode() {
        return 31 * cost.hashCode() + Arrays.hashCode(salt);
    }

    @Override
    public String toString() {
        return "PinVerifier[" + cost + "]";
    }
}
