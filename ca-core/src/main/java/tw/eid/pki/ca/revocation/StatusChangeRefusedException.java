package tw.eid.pki.ca.revocation;

/**
 * A status change the state machine refuses, or a certificate that does not exist. Each code is
 * stable; the HTTP edge answers 404 for NOT_FOUND, 400 for BAD_REASON and 409 for the rest.
 */
public final class StatusChangeRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Code {
        NOT_FOUND("certificate.not-found"),
        /** Revoked is final: no resume, no suspend, no second revocation. */
        ALREADY_REVOKED("certificate.already-revoked"),
        ALREADY_ON_HOLD("certificate.already-on-hold"),
        NOT_ON_HOLD("certificate.not-on-hold"),
        /** Past notAfter: its status no longer changes (and it leaves the CRL). */
        EXPIRED("certificate.expired"),
        /** Signed but never stored whole: it is revoked (cessationOfOperation) and stays so. */
        NOT_ISSUED("certificate.not-issued"),
        /** certificateHold is set by suspend; unspecified(0) and removeFromCRL(8) are never reasons. */
        BAD_REASON("certificate.bad-reason");

        private final String id;

        Code(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    private final Code code;

    public StatusChangeRefusedException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
