package tw.eid.pki.ca.issuance;

/**
 * An issuance refused or failed, with a stable code; the HTTP edge maps it to a status once (ra-api
 * HttpStatuses).
 */
public final class IssuanceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Code {
        CARD_NOT_FOUND("issuance.card-not-found"),
        /** Only citizen-signature and citizen-encryption are issued from a chip CSR. */
        PROFILE_NOT_ISSUABLE("issuance.profile-not-issuable"),
        /** The chip's key is a type the profile does not certify (docs/profiles.md: RSA-2048 or P-256). */
        KEY_TYPE_NOT_CERTIFIED("issuance.key-type-not-certified"),
        /** The chip unique id of the request is not the registered one. */
        CHIP_MISMATCH("issuance.chip-mismatch"),
        /** The key is certified for another card or another profile (two distinct chip keys per card). */
        KEY_ALREADY_CERTIFIED("issuance.key-already-certified"),
        /** The key was once revoked for keyCompromise. */
        KEY_COMPROMISED("issuance.key-compromised"),
        /** The same key was already renewed once (docs/profiles.md: one renewal, 8 years at most). */
        RENEWAL_EXHAUSTED("issuance.renewal-exhausted"),
        /** The Idempotency-Key was used before with a different request. */
        IDEMPOTENCY_KEY_REUSED("issuance.idempotency-key-reused"),
        /** A request with this Idempotency-Key is being issued, or its issuance failed. */
        IDEMPOTENCY_PENDING("issuance.idempotency-pending"),
        /** Signed, but the final write failed: the serial stays revoked (cessationOfOperation). */
        FINAL_WRITE_FAILED("issuance.final-write-failed");

        private final String id;

        Code(String id) {
            this.id = id;
        }

        public String id() {
            return id;
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
