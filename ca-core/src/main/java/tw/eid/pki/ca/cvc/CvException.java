package tw.eid.pki.ca.cvc;

import java.util.Objects;

/**
 * A CV certificate, request or act that is refused, with a stable code for the caller (the HTTP edge
 * maps each code to a status once). The message is short and carries no secrets.
 */
public final class CvException extends RuntimeException {
    /** Stable codes. */
    public enum Code {
        /** The bytes are not a well-formed CV certificate or request. */
        MALFORMED("cv.malformed"),
        /** An inner (proof of possession) signature does not verify. */
        BAD_INNER_SIGNATURE("cv.bad-inner-signature"),
        /** An outer (authentication) signature does not verify or names an unknown key. */
        BAD_OUTER_SIGNATURE("cv.bad-outer-signature"),
        /** The key is not on the chain's curve, or not id-TA-ECDSA-SHA-256. */
        WRONG_CURVE("cv.wrong-curve"),
        /** The validity is outside the TR-03139 range of the certificate's role or past the record's end. */
        VALIDITY("cv.validity"),
        /** The requested rights go beyond what was approved. */
        RIGHTS("cv.rights"),
        /** The public key was certified before. */
        KEY_REUSED("cv.key-reused"),
        /** The agency's record is suspended, revoked or past its end. */
        RECORD_NOT_ACTIVE("cv.record-not-active"),
        /** The holder reference is not country + mnemonic + 5-character sequence. */
        HOLDER_REFERENCE("cv.holder-reference"),
        /** No such CV authority, record or certificate. */
        NOT_FOUND("cv.not-found"),
        /** The officer who recorded an agency record cannot approve it (two-person rule). */
        SELF_APPROVAL("cv.self-approval"),
        /** A CVCA or DV act that conflicts with what exists (a key label taken, a CHR issued twice). */
        CONFLICT("cv.conflict");

        private final String id;

        Code(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    private final Code code;

    public CvException(Code code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    public Code code() {
        return code;
    }
}
