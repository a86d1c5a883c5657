package tw.eid.pki.ca.custody;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One custodian's contribution to reconstructing a PIN: their share file and the passphrase they
 * typed. The passphrase array is not copied; the caller clears it afterwards.
 */
public record ShareUnlock(Path file, char[] passphrase) {

    public ShareUnlock {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(passphrase, "passphrase");
    }

    /** Never prints the passphrase. */
    @Override
    public String toString() {
        return "ShareUnlock[file=" + file + ", passphrase=***]";
    }
}
