package tw.eid.pki.ra.resources;

import static tw.eid.pki.ca.profile.OperatorRole.SUPERVISOR;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import tw.eid.pki.ca.approval.ApprovalService;
import tw.eid.pki.ca.approval.BulkStatusChange;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.profile.RevocationReason;
import tw.eid.pki.ra.auth.Allowed;
import tw.eid.pki.ra.auth.AuthenticatedOperator;
import tw.eid.pki.ra.problem.ProblemException;

/**
 * The two-person rule (docs/api.md), its second half: a supervisor asked for a bulk act ({@code POST
 * /revocations}, 202 with the pending approval), a second supervisor approves or rejects it. That
 * the second is not the first is ca-core's rule (ApprovalService: {@code approval.self-approval},
 * 403); that both are supervisors is this edge's.
 */
@Path("approvals")
public final class ApprovalResource {
    private static final Pattern ID = Pattern.compile("[1-9][0-9]{0,17}");

    private final ApprovalService approvals;

    public ApprovalResource(ApprovalService approvals) {
        this.approvals = Objects.requireNonNull(approvals, "approvals");
    }

    /** The pending approvals, oldest first. */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(SUPERVISOR)
    public List<Views.ApprovalView> pending() {
        return approvals.pending().stream().map(Views.ApprovalView::of).toList();
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(SUPERVISOR)
    public Views.ApprovalView get(@PathParam("id") String id) {
        return Views.ApprovalView.of(approvals.get(id(id)));
    }

    @POST
    @Path("{id}/approve")
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(SUPERVISOR)
    public Views.ApprovalView approve(@PathParam("id") String id, @Context SecurityContext security) {
        return Views.ApprovalView.of(approvals.approve(actor(security), id(id)));
    }

    @POST
    @Path("{id}/reject")
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(SUPERVISOR)
    public Views.ApprovalView reject(@PathParam("id") String id, @Context SecurityContext security) {
        return Views.ApprovalView.of(approvals.reject(actor(security), id(id)));
    }

    private static long id(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw ProblemException.badRequest("request.bad-approval-id", "an approval id is a positive integer");
        }
        return Long.parseLong(id);
    }

    static RevocationReason reason(String name) {
        RevocationReason reason = Views.REASONS.get(name);
        if (reason == null) {
            throw ProblemException.badRequest("request.unknown-reason", "not an RFC 5280 CRLReason name");
        }
        return reason;
    }

    static String actionName(BulkStatusChange.Action action) {
        return action.name().toLowerCase(Locale.ROOT);
    }

    static Actor actor(SecurityContext security) {
        return ((AuthenticatedOperator) security.getUserPrincipal()).actor();
    }
}
