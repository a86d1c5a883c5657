package tw.eid.pki.ra.resources;

import static tw.eid.pki.ca.profile.OperatorRole.SUPERVISOR;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Objects;
import tw.eid.pki.ca.approval.Approval;
import tw.eid.pki.ca.approval.ApprovalService;
import tw.eid.pki.ca.approval.BulkStatusChange;
import tw.eid.pki.ra.auth.Allowed;
import tw.eid.pki.ra.problem.ProblemException;

/**
 * {@code POST /revocations}: a supervisor asks for a bulk suspend or revoke of named serials of one
 * CA (the Citizen CA unless {@code ca} says otherwise). Nothing changes yet: the answer is 202 with
 * the pending approval, which a second supervisor decides at {@code /approvals/{id}}.
 */
@Path("revocations")
public final class RevocationsResource {
    private final ApprovalService approvals;
    private final String citizenCaName;

    public RevocationsResource(ApprovalService approvals, String citizenCaName) {
        this.approvals = Objects.requireNonNull(approvals, "approvals");
        this.citizenCaName = Objects.requireNonNull(citizenCaName, "citizenCaName");
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(SUPERVISOR)
    public Response request(Views.BulkBody body, @Context SecurityContext security, @Context UriInfo uri) {
        Inputs.required(body, "body");
        String ca = body.ca() == null ? citizenCaName : Inputs.caName(body.ca());
        String action = Inputs.required(body.action(), "action");
        List<String> serials = Inputs.required(body.serials(), "serials");
        BulkStatusChange act = switch (action) {
            case "suspend" -> {
                if (body.reason() != null) {
                    throw ProblemException.badRequest(
                            "request.unexpected-reason", "suspend takes no reason (certificateHold)");
                }
                yield BulkStatusChange.suspend(ca, serials);
            }
            case "revoke" ->
                BulkStatusChange.revoke(ca, ApprovalResource.reason(Inputs.required(body.reason(), "reason")), serials);
            default -> throw ProblemException.badRequest("request.unknown-action", "action must be suspend or revoke");
        };
        Approval approval = approvals.request(ApprovalResource.actor(security), act);
        return Response.accepted(Views.ApprovalView.of(approval))
                .location(uri.getBaseUriBuilder()
                        .path("approvals")
                        .path(Long.toString(approval.id()))
                        .build())
                .build();
    }
}
