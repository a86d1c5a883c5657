package tw.eid.pki.ra.auth;

import java.security.Principal;
import java.util.Objects;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.profile.OperatorRole;

/**
 * The operator behind a request: the CN of the client certificate (an operator id, never a name),
 * the one role its certificate policy names, and the request's addresses for the audit trail.
 */
public record AuthenticatedOperator(String operatorId, OperatorRole role, String certificateSerial, Actor actor)
        implements Principal {
    public AuthenticatedOperator {
        Objects.requireNonNull(operatorId, "operatorId");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(certificateSerial, "certificateSerial");
        Objects.requireNonNull(actor, "actor");
    }

    @Override
    public String getName() {
        return operatorId;
    }
}
