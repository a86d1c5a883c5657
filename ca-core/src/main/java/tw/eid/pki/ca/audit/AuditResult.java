package tw.eid.pki.ca.audit;

/** The outcome of an audited act. */
public enum AuditResult {
    /** The act was done. */
    SUCCESS,
    /** The act was attempted and failed (token error, database error, bad input). */
    FAILURE,
    /** The act was refused by policy: role, separation of duties, key policy, state machine. */
    REFUSED
}
