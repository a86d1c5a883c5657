package tw.eid.pki.hsm;

/**
 * A token-layer failure with a stable code. {@link Code#TOKEN_UNAVAILABLE} and
 * {@link Code#LIBRARY_UNUSABLE} mean "try later" (the HTTP layers answer 503); the others are
 * configuration or request errors.
 */
public final class TokenException extends RuntimeException {

    public enum Code {
        /** No token with the configured label, or two of them. */
        TOKEN_NOT_FOUND,
        /** The PIN was refused by the token (or the token is locked). */
        PIN_REFUSED,
        /** The token failed and did not recover within one retry; calls fail fast until it does. */
        TOKEN_UNAVAILABLE,
        /** The PKCS#11 library cannot be loaded or initialised; only a process restart helps. */
        LIBRARY_UNUSABLE,
        /** No key with that label on the token. */
        KEY_NOT_FOUND,
        /** A key with that label already exists; nothing is overwritten. */
        LABEL_EXISTS,
        /** The token refused an operation for a reason that a retry will not change. */
        OPERATION_REFUSED
    }

    private final Code code;

    public TokenException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public TokenException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public Code code() {
        return code;
    }

    /** Whether a caller should report "service unavailable" (503) rather than a request error. */
    public boolean isUnavailable() {
        return code == Code.TOKEN_UNAVAILABLE || code == Code.LIBRARY_UNUSABLE;
    }
}
