package tw.eid.pki.ca.issuance;

/**
 * An issuance refused or failed, with a stable code and the HTTP status the edge answers.
 */
public final class IssuanceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Code {
        CARD_NOT_FOUND("issuance.card-not-found", 404),
        /** Only citizen-signature and citizen-encryption are issued from a chip CSR. */
        PROFILE_NOT_ISSUABLE("issuance.profile-not-issuable", 400),
        /** The chip's key is a type the profile does not certify (PROFILES.md: RSA-2048 or P-256). */
        KEY_TYPE_NOT_CERTIFIED("issuance.key-type-not-certified", 422),
        /** The chip unique id of the request is not the registered one. */
        CHIP_MISMATCH("issuance.chip-mismatch", 422),
        /** The key is certified for another card or another profile (two distinct chip keys per card). */
        KEY_ALREADY_CERTIFIED("issuance.key-already-certified", 422),
        /** The key was once revoked for keyCompromise. */
        KEY_COMPROMISED("issuance.key-compromised", 422),
        /** The same key was already renewed once (PROFILES.md: one renewal, 8 years at most). */
        RENEWAL_EXHAUSTED("issuance.renewal-exhausted", 422),
        /** The Idempotency-Key was used before with a different request. */
        IDEMPOTENCY_KEY_REUSED("issuance.idempotency-key-reused", 422),
        /** A request with this Idempotency-Key is being issued, or its issuance failed. */
        IDEMPOTENCY_PENDING("issuance.idempotency-pending", 409),
        /** Signed, but the final write failed: the serial stays revoked (cessationOfOperation). */
        FINAL_WRITE_FAILED("issuance.final-write-failed", 503);

        private final String id;
        private final int httpStatus;

        Code(String id, int httpStatus) {
            this.id = id;
            this.httpStatus = httpStatus;
        }

        public String id() {
            return id;
        }

        public int httpStatus() {
            return httpStatus;
        }
    }

    private final Code code;

    public IssuanceException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public IssuanceException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
