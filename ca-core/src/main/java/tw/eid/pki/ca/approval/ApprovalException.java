package tw.eid.pki.ca.approval;

import java.util.Objects;
import tw.eid.pki.ca.revocation.StatusChangeRefusedException;

/**
 * A two-person act refused: malformed, decided already, decided by its own requester, or one that
 * the certificates' state machine cannot carry out. Each code has a stable {@link Code#id()}; the
 * HTTP edge maps it to a status once (ra-api HttpStatuses; docs/style.md #7).
 */
public final class ApprovalException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Code {
        /** The act is not well formed: a bad CA name, serial format, action or reason. */
        MALFORMED("approval.malformed"),
        /** The act names no serial, or more than {@link BulkStatusChange#MAX_SERIALS}. */
        SIZE_OUT_OF_RANGE("approval.size-out-of-range"),
        /** A serial is named twice: refused, so that "N serials" always means N certificates. */
        DUPLICATE_SERIAL("approval.duplicate-serial"),
        /** The requester may not approve or reject his own request (docs/architecture.md: separation of duties). */
        SELF_APPROVAL("approval.self-approval"),
        NOT_FOUND("approval.not-found"),
        /** Approved, rejected or failed already: an approval is decided once. */
        ALREADY_DECIDED("approval.already-decided"),
        /**
         * A named certificate cannot make the transition (not found, revoked, expired, never issued,
         * already on hold): see {@link #serial()} and {@link #certificateRefusal()}. Nothing changed.
         */
        TRANSITION_REFUSED("approval.transition-refused");

        private final String id;

        Code(String id) {
            this.id = id;
        }

        /** The stable code, e.g. {@code approval.self-approval}. */
        public String id() {
            return id;
        }
    }

    private final Code code;
    private final String serial;
    private final StatusChangeRefusedException.Code certificateRefusal;

    public ApprovalException(Code code, String message) {
        this(code, message, null, null);
    }

    ApprovalException(Code code, String message, String serial, StatusChangeRefusedException.Code certificateRefusal) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
        this.serial = serial;
        this.certificateRefusal = certificateRefusal;
    }

    public Code code() {
        return code;
    }

    /** The offending serial (malformed, duplicate, or the first that cannot make the transition); else null. */
    public String serial() {
        return serial;
    }

    /** For {@link Code#TRANSITION_REFUSED}: why the certificate {@link #serial()} refused; else null. */
    public StatusChangeRefusedException.Code certificateRefusal() {
        return certificateRefusal;
    }
}
