package tw.eid.pki.ca.profile;

import java.util.List;
import java.util.Objects;

/**
 * Issuance of a certificate or CRL was refused before anything was handed out. Each refusal has
 * a stable {@link Code}, mapped once at the edge (ceremony tool, RA API).
 */
public final class IssuanceRefusedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why issuance was refused. The {@link #id()} strings are stable. */
    public enum Code {
        /** The request does not fit the profile (wrong issuer profile, key type, subject). */
        BAD_REQUEST("issuance.bad-request"),
        /** The lint found the to-be-signed certificate or CRL outside its profile. */
        LINT_FAILED("issuance.lint-failed"),
        /** The real signer would sign bytes other than the linted ones (e.g. another algorithm). */
        TBS_MISMATCH("issuance.tbs-mismatch"),
        /** The real signature does not verify with the issuer's public key (wrong key on the token). */
        BAD_SIGNATURE("issuance.bad-signature"),
        /** The signer failed. */
        SIGNER_FAILED("issuance.signer-failed");

        private final String id;

        Code(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    private final Code code;
    private final transient List<LintFinding> findings;

    IssuanceRefusedException(Code code, String message) {
        this(code, message, List.of(), null);
    }

    IssuanceRefusedException(Code code, String message, List<LintFinding> findings, Throwable cause) {
        super(message + (findings.isEmpty() ? "" : " " + findings), cause);
        this.code = Objects.requireNonNull(code, "code");
        this.findings = List.copyOf(findings);
    }

    public Code code() {
        return code;
    }

    /** The lint findings when {@link #code()} is {@link Code#LINT_FAILED}, else empty. */
    public List<LintFinding> findings() {
        return findings == null ? List.of() : findings;
    }
}
