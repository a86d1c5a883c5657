/**
 * The two-person rule (docs/api.md: {@code POST /revocations}, {@code /approvals}): an act that one
 * supervisor requests and a second, different supervisor approves or rejects, carried out only on
 * approval and in the transaction that records it.
 *
 * <p>The door into this package: {@link ApprovalService} with the acts it
 * takes ({@link ApprovalAct}, today only {@link
 * BulkStatusChange}) and the refusals it throws ({@link
 * ApprovalException}, each with a stable code and HTTP status).
 */
package tw.eid.pki.ca.approval;
