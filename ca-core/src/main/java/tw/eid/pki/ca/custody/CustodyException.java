package tw.eid.pki.ca.custody;

import java.util.Objects;

/**
 * A refusal from the custodian PIN scheme. Each failure has a stable {@link Code} so that the
 * ceremony tool and the service start-up can map it once, at the edge; the message is one line
 * and names the custodian or the share file concerned, because the person reading it has to know
 * whose share to look at.
 */
public final class CustodyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why the custody operation was refused. The {@link #id()} strings are stable. */
    public enum Code {
        /** The split was asked for with bad parameters: k, n, names, label, PIN or passphrase. */
        INVALID_SPLIT("custody.invalid-split"),
        /** A share file to be written already exists; nothing is overwritten. */
        SHARE_FILE_EXISTS("custody.share-file-exists"),
        /** A share file could not be written (directory missing, no POSIX permissions, I/O). */
        WRITE_FAILED("custody.write-failed"),
        /** A share file could not be read at all (missing, permission denied). */
        SHARE_UNREADABLE("custody.share-unreadable"),
        /** A share file is damaged: bad JSON or base64, a tampered header or ciphertext. */
        CORRUPT_SHARE("custody.corrupt-share"),
        /** The passphrase given for a custodian does not open that custodian's share. */
        WRONG_PASSPHRASE("custody.wrong-passphrase"),
        /** The share files come from different splits or different tokens. */
        MIXED_SPLITS("custody.mixed-splits"),
        /** The shares belong to another token than the one being activated. */
        WRONG_TOKEN("custody.wrong-token"),
        /** Two share files carry the same share index. */
        DUPLICATE_INDEX("custody.duplicate-index"),
        /** Fewer than k distinct shares were given. */
        TOO_FEW_SHARES("custody.too-few-shares"),
        /** The shares joined, but the result does not match the PIN verifier. */
        PIN_MISMATCH("custody.pin-mismatch");

        private final String id;

        Code(String id) {
            this.id = id;
        }

        /** The stable short code, e.g. {@code custody.wrong-passphrase}. */
        public String id() {
            return id;
        }
    }

    private final Code code;

    CustodyException(Code code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    CustodyException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    public Code code() {
        return code;
    }

    @Override
    public String toString() {
        return code.id() + ": " + getMessage();
    }
}
