package tw.eid.pki.ra.resources;

import static tw.eid.pki.ca.profile.OperatorRole.OFFICER;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.util.Locale;
import tw.eid.pki.ca.document.seal.TemporaryCertificates;
import tw.eid.pki.ra.auth.Allowed;
import tw.eid.pki.ra.auth.AuthenticatedOperator;
import tw.eid.pki.ra.problem.ProblemException;

/** {@code /temporary-certificates/{number}/revoke}: an officer revokes a temporary ID certificate. */
@Path("temporary-certificates")
public final class TemporaryCertificateResource {
    private final TemporaryCertificates temporary;

    /** {@code temporary} may be null: an RA without a seal signer pool answers 503. */
    public TemporaryCertificateResource(TemporaryCertificates temporary) {
        this.temporary = temporary;
    }

    @POST
    @Path("{number}/revoke")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(OFFICER)
    public Views.TemporaryCertificateStatusView revoke(
            @PathParam("number") String number, Views.RevokeBody body, @Context SecurityContext security) {
        if (temporary == null) {
            throw new ProblemException(503, "seal.not-configured", "this RA has no seal signer pool");
        }
        TemporaryCertificates.Record r = temporary.revoke(
                ((AuthenticatedOperator) security.getUserPrincipal()).actor(),
                number,
                body == null ? null : body.reason());
        return new Views.TemporaryCertificateStatusView(
                r.number(),
                r.cardNumber(),
                r.validFrom().toString(),
                r.validUntil().toString(),
                r.status().toLowerCase(Locale.ROOT),
                r.revocationReason(),
                r.revokedAt() == null ? null : r.revokedAt().toString());
    }
}
