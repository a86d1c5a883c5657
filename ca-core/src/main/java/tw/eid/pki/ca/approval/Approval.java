package tw.eid.pki.ca.approval;

import java.time.Instant;
import java.util.Objects;

/**
 * A two-person act and its decision, as the {@code approval} table keeps it.
 *
 * @param id the approval's id (the {@code {id}} of {@code /approvals/{id}})
 * @param act what was asked
 * @param requestedBy the requester's actor id (never personal data)
 * @param requestedAt when it was asked (UTC, microseconds)
 * @param status pending, or how it was decided
 * @param decidedBy who approved or rejected it; null while pending; never {@code requestedBy}
 * @param decidedAt when; null while pending
 * @param outcome for APPROVED and FAILED, what came of it; null otherwise
 */
public record Approval(
        long id,
        ApprovalAct act,
        String requestedBy,
        Instant requestedAt,
        ApprovalStatus status,
        String decidedBy,
        Instant decidedAt,
        ApprovalOutcome outcome) {
    public Approval {
        Objects.requireNonNull(act, "act");
        Objects.requireNonNull(requestedBy, "requestedBy");
        Objects.requireNonNull(requestedAt, "requestedAt");
        Objects.requireNonNull(status, "status");
    }
}
