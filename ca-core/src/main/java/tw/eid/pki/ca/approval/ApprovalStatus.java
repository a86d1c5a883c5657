package tw.eid.pki.ca.approval;

/** Where an approval stands. Only PENDING moves, and only once, to one of the other three. */
public enum ApprovalStatus {
    /** Requested, waiting for a second person. */
    PENDING,
    /** Approved by a second person and carried out, in the transaction that approved it. */
    APPROVED,
    /** Rejected by a second person; nothing was done. */
    REJECTED,
    /** Approved, but the act could not be carried out (see the outcome); nothing was done. */
    FAILED
}
