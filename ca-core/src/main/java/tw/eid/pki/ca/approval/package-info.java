/**
 * The two-person rule (API.md: {@code POST /revocations}, {@code /approvals}): an act that one
 * supervisor requests and a second, different supervisor approves or rejects, carried out only on
 * approval and in the transaction that records it.
 *
 * <p>The door into this package: {@link tw.eid.pki.ca.approval.ApprovalService} with the acts it
 * takes ({@link tw.eid.pki.ca.approval.ApprovalAct}, today only {@link
 * tw.eid.pki.ca.approval.BulkStatusChange}) and the refusals it throws ({@link
 * tw.eid.pki.ca.approval.ApprovalException}, each with a stable code and HTTP status).
 */
package tw.eid.pki.ca.approval;
