package tw.eid.pki.ca.approval;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * An act that needs a second person's approval before it is done (docs/architecture.md: two people for
 * CA-level and bulk acts). Stored as the JSON payload of an {@code approval} row, its {@link #kind()}
 * in the row's {@code kind} column and as the payload's {@code "kind"} property.
 *
 * <p>To add a kind (e.g. an operator certificate issued or revoked by two admins): a record
 * implementing this interface, listed in {@code permits} and {@link JsonSubTypes}, and its
 * execution in {@link ApprovalService}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "kind")
@JsonSubTypes({@JsonSubTypes.Type(value = BulkStatusChange.class, name = BulkStatusChange.KIND)})
public sealed interface ApprovalAct permits BulkStatusChange {

    /** The stable kind name, e.g. {@code bulk-status-change}. */
    String kind();

    /** How many things the act names (for the audit trail and for listings). */
    int size();
}
