package tw.eid.pki.ra.auth;

/** Why a client certificate is refused on a request; each code is stable and answers 401. */
public final class AuthenticationFailure extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Code {
        NO_CERTIFICATE("auth.no-client-certificate"),
        /** Not issued by the RA Operators CA (or its signature does not verify). */
        UNTRUSTED("auth.untrusted-certificate"),
        EXPIRED("auth.certificate-expired"),
        NOT_YET_VALID("auth.certificate-not-yet-valid"),
        /** Not an operator certificate: no clientAuth, no readable operator id. */
        MALFORMED("auth.malformed-certificate"),
        /** No certificate policy that names exactly one role. */
        NO_ROLE("auth.no-role"),
        /** Not in the store as issued by the RA Operators CA (or the stored bytes differ). */
        UNKNOWN("auth.certificate-unknown"),
        /** Revoked, or on hold. */
        REVOKED("auth.certificate-revoked");

        private final String id;

        Code(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    private final Code code;

    public AuthenticationFailure(Code code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
