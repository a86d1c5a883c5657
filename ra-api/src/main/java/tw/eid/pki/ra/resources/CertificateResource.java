package tw.eid.pki.ra.resources;

import static tw.eid.pki.ca.profile.OperatorRole.AUDITOR;
import static tw.eid.pki.ca.profile.OperatorRole.OFFICER;
import static tw.eid.pki.ca.profile.OperatorRole.PERSONALIZATION;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.util.Objects;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.profile.RevocationReason;
import tw.eid.pki.ca.revocation.RevocationService;
import tw.eid.pki.ca.revocation.StatusChange;
import tw.eid.pki.ca.revocation.StatusChangeRefusedException;
import tw.eid.pki.ra.auth.Allowed;
import tw.eid.pki.ra.auth.AuthenticatedOperator;
import tw.eid.pki.ra.problem.ProblemException;
import tw.eid.pki.ra.store.CertificateRecord;
import tw.eid.pki.ra.store.CertificateRecords;

/**
 * {@code /certificates/{serial}}: read a certificate (JSON with its status, DER or PEM by Accept)
 * and change the status of a Citizen CA certificate (suspend, resume, revoke). Status changes act
 * on the Citizen CA only: operator and CA-level certificates are revoked with {@code bin/eidpki
 * operator revoke} and the two-person rule, never here.
 */
@Path("certificates/{serial}")
public final class CertificateResource {
    static final String PKIX_CERT = "application/pkix-cert";
    static final String PEM_FILE = "application/x-pem-file";

    private final CertificateRecords certificates;
    private final RevocationService revocations;
    private final String citizenCaName;

    public CertificateResource(CertificateRecords certificates, RevocationService revocations, String citizenCaName) {
        this.certificates = Objects.requireNonNull(certificates, "certificates");
        this.revocations = Objects.requireNonNull(revocations, "revocations");
        this.citizenCaName = Objects.requireNonNull(citizenCaName, "citizenCaName");
    }

    /** JSON is the default (qs=1): an Accept of {@code *}{@code /*} gets the status. */
    @GET
    @Produces(MediaType.APPLICATION_JSON + ";qs=1")
    @Allowed({OFFICER, AUDITOR, PERSONALIZATION})
    public Views.CertificateView json(@PathParam("serial") String serial, @QueryParam("ca") String ca) {
        return Views.CertificateView.of(find(serial, ca), true);
    }

    @GET
    @Produces(PKIX_CERT + ";qs=0.5")
    @Allowed({OFFICER, AUDITOR, PERSONALIZATION})
    public byte[] der(@PathParam("serial") String serial, @QueryParam("ca") String ca) {
        return find(serial, ca).der();
    }

    @GET
    @Produces(PEM_FILE + ";qs=0.5")
    @Allowed({OFFICER, AUDITOR, PERSONALIZATION})
    public String pem(@PathParam("serial") String serial, @QueryParam("ca") String ca) {
        return Views.pem(find(serial, ca).der());
    }

    @POST
    @Path("suspend")
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(OFFICER)
    public Views.StatusChangeView suspend(@PathParam("serial") String serial, @Context SecurityContext security) {
        return view(revocations.suspend(actor(security), citizenCaName, Inputs.serial(serial)));
    }

    @POST
    @Path("resume")
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(OFFICER)
    public Views.StatusChangeView resume(@PathParam("serial") String serial, @Context SecurityContext security) {
        return view(revocations.resume(actor(security), citizenCaName, Inputs.serial(serial)));
    }

    @POST
    @Path("revoke")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(OFFICER)
    public Views.StatusChangeView revoke(
            @PathParam("serial") String serial, Views.RevokeBody body, @Context SecurityContext security) {
        Inputs.serial(serial);
        String name = Inputs.required(Inputs.required(body, "body").reason(), "reason");
        RevocationReason reason = Views.REASONS.get(name);
        if (reason == null) {
            throw ProblemException.badRequest("request.unknown-reason", "not an RFC 5280 CRLReason name");
        }
        return view(revocations.revoke(actor(security), citizenCaName, serial, reason));
    }

    private CertificateRecord find(String serial, String ca) {
        String caName = ca == null ? citizenCaName : Inputs.caName(ca);
        return certificates
                .find(caName, Inputs.serial(serial))
                .orElseThrow(() -> new StatusChangeRefusedException(
                        StatusChangeRefusedException.Code.NOT_FOUND, "no certificate " + serial + " of CA " + caName));
    }

    private static Actor actor(SecurityContext security) {
        return ((AuthenticatedOperator) security.getUserPrincipal()).actor();
    }

    private static Views.StatusChangeView view(StatusChange c) {
        return new Views.StatusChangeView(
                c.caName(),
                c.serialHex(),
                Views.statusName(c.from()),
                Views.statusName(c.to()),
                Views.reasonName(c.reason()),
                c.at().toString());
    }
}
