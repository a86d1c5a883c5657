package tw.eid.pki.ca.audit;

import java.util.Optional;

/**
 * The outcome of {@link AuditVerifier#verify}.
 *
 * @param eventsChecked rows whose link and hash were recomputed
 * @param lastSeq the last seq walked (0 if the ledger is empty)
 * @param checkpointsChecked checkpoints whose signature was verified
 * @param lastSealedSeq the highest seq covered by a valid, matching checkpoint: rows after it are
 *     protected by the hash chain alone, which someone with write access could rebuild
 * @param firstProblem the first break found, or null if the ledger verified
 */
public record AuditReport(
        long eventsChecked, long lastSeq, int checkpointsChecked, long lastSealedSeq, AuditFinding firstProblem) {

    public boolean ok() {
        return firstProblem == null;
    }

    public Optional<AuditFinding> problem() {
        return Optional.ofNullable(firstProblem);
    }
}
