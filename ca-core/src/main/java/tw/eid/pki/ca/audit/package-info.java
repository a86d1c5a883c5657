/**
 * The audit ledger: a hash chain of typed events in {@code audit_event}, sealed periodically by
 * signed checkpoints, verifiable offline.
 *
 * <p>The door into this package: {@link AuditLedger#append} (in the act's own
 * transaction, docs/style.md #9), {@link AuditCheckpointer} and {@link
 * AuditCheckpointSchedule} (sign the head with the checkpoint key), and {@link
 * AuditVerifier} (walk the chain, check the checkpoints, report the first
 * break). The byte encoding that is hashed and signed is specified in {@code AuditChainHash}.
 */
package tw.eid.pki.ca.audit;
