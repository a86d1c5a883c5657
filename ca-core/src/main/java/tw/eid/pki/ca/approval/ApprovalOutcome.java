package tw.eid.pki.ca.approval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What came of an approved act: carried out (how many things it changed) or failed (why, and on
 * which target). A rejected or pending approval has no outcome.
 *
 * @param changed how many things the act changed: every named certificate, or 0 when it failed
 * @param errorCode the stable code of the refusal that failed the act (e.g. {@code
 *     certificate.already-revoked}); null when carried out
 * @param target the first thing that could not make the transition (a serial); null when carried out
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApprovalOutcome(
        @JsonProperty("changed") int changed,
        @JsonProperty("errorCode") String errorCode,
        @JsonProperty("target") String target) {

    public static ApprovalOutcome carriedOut(int changed) {
        return new ApprovalOutcome(changed, null, null);
    }

    public static ApprovalOutcome failed(String errorCode, String target) {
        return new ApprovalOutcome(0, errorCode, target);
    }

    public boolean carriedOut() {
        return errorCode == null;
    }
}
