package tw.eid.pki.ca.custody;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Objects;

/**
 * A custodian at a split ceremony: the name written into their share file and the passphrase
 * that will protect it.
 *
 * <p>The passphrase array is not copied: the caller owns it and should clear it once the split is
 * done, so that no second copy of the secret lingers on the heap.
 */
public record Custodian(String name, char[] passphrase) {

    /** Names end up in file names and in messages read aloud at a ceremony; keep them short. */
    public static final int MAX_NAME_LENGTH = 64;

    /**
     * The passphrase is the only thing between a lost share file and an attacker with the
     * share; scrypt makes each guess costly, but a short passphrase has too few guesses to make
     * that matter.
     */
    public static final int MIN_PASSPHRASE_LENGTH = 12;

    public Custodian {
        if (name == null || name.isBlank()) {
            throw new CustodyException(CustodyException.Code.INVALID_SPLIT, "custodian name is blank");
        }
        name = name.strip();
        if (name.length() > MAX_NAME_LENGTH) {
            throw new CustodyException(
                    CustodyException.Code.INVALID_SPLIT,
                    "custodian name '" + name + "' is longer than " + MAX_NAME_LENGTH + " characters");
        }
        if (name.codePoints().anyMatch(Character::isISOControl)) {
            throw new CustodyException(
                    CustodyException.Code.INVALID_SPLIT, "custodian name contains control characters");
        }
        Objects.requireNonNull(passphrase, "passphrase");
        if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
            throw new CustodyException(
                    CustodyException.Code.INVALID_SPLIT,
                    "passphrase of custodian '" + name + "' is shorter than " + MIN_PASSPHRASE_LENGTH + " characters");
        }
    }

    /**
     * The form under which two names count as the same person: "Alice" and "alice ", or a name
     * typed with full-width letters, would give two custodians nobody can tell apart.
     */
    String identityKey() {
        return Normalizer.normalize(name, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    }

    /** Never prints the passphrase. */
    @Override
    public String toString() {
        return "Custodian[name=" + name + ", passphrase=***]";
    }
}
