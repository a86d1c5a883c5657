package tw.eid.pki.ca.audit;

import java.util.Objects;

/**
 * The first thing wrong with the ledger.
 *
 * @param problem what kind of break it is
 * @param seq the ledger position where it shows
 * @param suspectFromSeq the first position that can no longer be trusted: equal to {@code seq} for
 *     a local break, earlier for a consistent rewrite caught by a checkpoint (everything after the
 *     last checkpoint that still matches)
 * @param description one line for the auditor; no row contents
 */
public record AuditFinding(Problem problem, long seq, long suspectFromSeq, String description) {

    /** Kinds of break. */
    public enum Problem {
        /** A row's stored hash is not the hash of its fields: the row was edited. */
        ROW_ALTERED,
        /** A sequence number is missing: a row was deleted. */
        ROW_MISSING,
        /**
         * A row's prev_hash is not the previous row's hash: a row was inserted or removed before it
         * and the sequence renumbered.
         */
        CHAIN_BROKEN,
        /**
         * A validly signed checkpoint's head hash differs from the chain's hash at its seq: the chain
         * was rewritten consistently (every hash recomputed) somewhere up to that seq.
         */
        CHECKPOINT_MISMATCH,
        /** A checkpoint's signature does not verify with the checkpoint key. */
        CHECKPOINT_SIGNATURE_INVALID,
        /** A checkpoint seals a seq the ledger no longer reaches: its tail was cut off. */
        CHECKPOINT_BEYOND_END,
        /** The head row does not name the ledger's last row and hash. */
        HEAD_MISMATCH
    }

    public AuditFinding {
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(description, "description");
        if (suspectFromSeq > seq) {
            throw new IllegalArgumentException("suspectFromSeq must not be after seq");
        }
    }
}
