package tw.eid.pki.ca.audit;

import java.util.Objects;

/**
 * Who acts, as the audit trail records it: an operator id from the client certificate (never
 * personal data), and the source and destination addresses of the request.
 */
public record Actor(String id, String sourceAddress, String destinationAddress) {
    public Actor {
        Objects.requireNonNull(id, "id");
    }

    /** An actor with no network addresses (a ceremony, a scheduled job, a test). */
    public static Actor local(String id) {
        return new Actor(id, null, null);
    }

    /** An event by this actor, with its addresses. */
    public AuditEvent event(String action, String target, AuditResult result) {
        AuditEvent e = AuditEvent.of(id, action, target, result);
        return sourceAddress == null && destinationAddress == null
                ? e
                : e.withAddresses(sourceAddress, destinationAddress);
    }
}
