package tw.eid.pki.ca.document.seal;

/** A temporary ID certificate request refused, with a stable code for the edge (RFC 9457 problem "code"). */
public final class TemporaryCertificateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Code {
        /** Valid-until more than 30 days (the first day included) after valid-from (422). */
        VALIDITY_TOO_LONG("temporary-certificate.validity-too-long"),
        /** Valid-until after the new card's expected delivery (422). */
        PAST_DELIVERY("temporary-certificate.past-delivery"),
        /** Valid-from before today, or valid-until before valid-from (400). */
        INVALID_VALIDITY("temporary-certificate.invalid-validity"),
        /** The card was registered without a birth date, which the seal needs (422). */
        NO_BIRTH_DATE("temporary-certificate.no-birth-date"),
        /** No such temporary certificate (404). */
        NOT_FOUND("temporary-certificate.not-found"),
        /** Already revoked (409). */
        ALREADY_REVOKED("temporary-certificate.already-revoked");

        private final String id;

        Code(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    private final Code code;

    public TemporaryCertificateException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
