package tw.eid.pki.ra.resources;

import static tw.eid.pki.ca.profile.OperatorRole.AUDITOR;
import static tw.eid.pki.ca.profile.OperatorRole.OFFICER;
import static tw.eid.pki.ca.profile.OperatorRole.SUPERVISOR;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import tw.eid.pki.ca.cvc.AccessRight;
import tw.eid.pki.ca.cvc.AgencyAuthorizations;
import tw.eid.pki.ca.cvc.AgencyRecord;
import tw.eid.pki.ca.cvc.CertificateDescription;
import tw.eid.pki.ca.cvc.CvCertificate;
import tw.eid.pki.ca.cvc.TerminalType;
import tw.eid.pki.hsm.Token;
import tw.eid.pki.ra.auth.Allowed;
import tw.eid.pki.ra.problem.ProblemException;

/**
 * Agency authorization records for card-verifiable terminal certificates (docs/api.md "Agency
 * authorization"): an officer records the agency with its terminal's first CV request; a supervisor
 * (never the same person) approves it, which issues the first terminal certificate; a supervisor
 * suspends, resumes or revokes it. Refusals are ca-core's {@code cv.*} codes.
 */
@Path("cv/agencies")
public final class AgencyResource {
    private static final Pattern ID = Pattern.compile("[1-9][0-9]{0,17}");

    private final AgencyAuthorizations agencies;
    private final Token dvToken;

    public AgencyResource(AgencyAuthorizations agencies, Token dvToken) {
        this.agencies = agencies;
        this.dvToken = dvToken;
    }

    /** What an officer records. */
    public record AgencyBody(
            String agency,
            String legalBasis,
            String terminalType,
            List<String> rights,
            String sectorKeyHash,
            DescriptionBody description,
            Integer maxValidityDays,
            String endDate,
            String holderMnemonic,
            String firstRequest) {}

    public record DescriptionBody(String issuerName, String subjectName, String termsOfUsage) {}

    public record AgencyView(
            long id,
            String agency,
            String terminalType,
            List<String> rights,
            int maxValidityDays,
            String endDate,
            String holderMnemonic,
            String status,
            String requestedBy,
            String decidedBy) {
        static AgencyView of(AgencyRecord r) {
            return new AgencyView(
                    r.id(),
                    r.agency(),
                    r.type().name(),
                    r.rights().stream().sorted().map(AccessRight::id).toList(),
                    r.maxValidityDays(),
                    r.endDate().toString(),
                    r.holderMnemonic(),
                    r.status().name(),
                    r.requestedBy(),
                    r.decidedBy());
        }
    }

    /** An issued terminal certificate: the 7F21 object in base64, named by its CHR. */
    public record CvCertificateView(
            String chr, String car, String effective, String expiration, List<String> rights, String certificate) {
        static CvCertificateView of(CvCertificate c) {
            return new CvCertificateView(
                    c.body().chr().toString(),
                    c.body().car().toString(),
                    c.body().effective().toString(),
                    c.body().expiration().toString(),
                    c.body().chat().rights().stream()
                            .sorted()
                            .map(AccessRight::id)
                            .toList(),
                    Base64.getEncoder().encodeToString(c.encoded()));
        }
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(OFFICER)
    public Response request(AgencyBody body, @Context SecurityContext security, @Context UriInfo uri) {
        AgencyAuthorizations a = configured();
        Inputs.required(body, "body");
        TerminalType type = terminalType(Inputs.required(body.terminalType(), "terminalType"));
        Set<AccessRight> rights = EnumSet.noneOf(AccessRight.class);
        for (String r : Inputs.required(body.rights(), "rights")) {
            rights.add(AccessRight.fromId(Inputs.required(r, "rights[]")));
        }
        DescriptionBody d = Inputs.required(body.description(), "description");
        AgencyRecord record = new AgencyRecord(
                0,
                Inputs.required(body.agency(), "agency"),
                Inputs.required(body.legalBasis(), "legalBasis"),
                type,
                rights,
                body.sectorKeyHash() == null ? null : hex(body.sectorKeyHash()),
                new CertificateDescription(
                        Inputs.required(d.issuerName(), "description.issuerName"),
                        Inputs.required(d.subjectName(), "description.subjectName"),
                        Inputs.required(d.termsOfUsage(), "description.termsOfUsage")),
                Inputs.required(body.maxValidityDays(), "maxValidityDays"),
                date(Inputs.required(body.endDate(), "endDate")),
                Inputs.required(body.holderMnemonic(), "holderMnemonic"),
                AgencyRecord.Status.REQUESTED,
                ApprovalResource.actor(security).id(),
                null);
        byte[] first = Inputs.base64(Inputs.required(body.firstRequest(), "firstRequest"), "firstRequest");
        long id = a.request(ApprovalResource.actor(security), record, first);
        return Response.created(uri.getBaseUriBuilder().path("cv/agencies/{id}").build(Long.toString(id)))
                .entity(AgencyView.of(a.load(id)))
                .build();
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed({OFFICER, SUPERVISOR, AUDITOR})
    public AgencyView get(@PathParam("id") String id) {
        return AgencyView.of(configured().load(id(id)));
    }

    /** Approves the record and issues the first terminal certificate from its first request. */
    @POST
    @Path("{id}/approve")
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(SUPERVISOR)
    public Response approve(@PathParam("id") String id, @Context SecurityContext security) {
        CvCertificate c = configured().approve(ApprovalResource.actor(security), id(id), dvToken);
        return Response.status(201).entity(CvCertificateView.of(c)).build();
    }

    /** Refuses a REQUESTED record: nothing is issued, the record is REFUSED for good. */
    @POST
    @Path("{id}/refuse")
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(SUPERVISOR)
    public AgencyView refuse(@PathParam("id") String id, @Context SecurityContext security) {
        configured().refuse(ApprovalResource.actor(security), id(id));
        return AgencyView.of(agencies.load(id(id)));
    }

    @POST
    @Path("{id}/suspend")
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(SUPERVISOR)
    public AgencyView suspend(@PathParam("id") String id, @Context SecurityContext security) {
        configured().suspend(ApprovalResource.actor(security), id(id));
        return AgencyView.of(agencies.load(id(id)));
    }

    @POST
    @Path("{id}/resume")
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(SUPERVISOR)
    public AgencyView resume(@PathParam("id") String id, @Context SecurityContext security) {
        configured().resume(ApprovalResource.actor(security), id(id));
        return AgencyView.of(agencies.load(id(id)));
    }

    @POST
    @Path("{id}/revoke")
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(SUPERVISOR)
    public AgencyView revoke(@PathParam("id") String id, @Context SecurityContext security) {
        configured().revoke(ApprovalResource.actor(security), id(id));
        return AgencyView.of(agencies.load(id(id)));
    }

    private AgencyAuthorizations configured() {
        if (agencies == null) {
            throw new ProblemException(503, "cv.not-configured", "this RA has no Document Verifier");
        }
        return agencies;
    }

    private static long id(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw ProblemException.badRequest("request.bad-agency-id", "an agency record id is a positive integer");
        }
        return Long.parseLong(id);
    }

    private static TerminalType terminalType(String name) {
        try {
            return TerminalType.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("request.bad-terminal-type", "terminalType is AT or IS");
        }
    }

    private static LocalDate date(String text) {
        try {
            return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("request.bad-date", "endDate is YYYY-MM-DD");
        }
    }

    private static byte[] hex(String text) {
        try {
            return HexFormat.of().parseHex(text);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("request.bad-hex", "sectorKeyHash is hexadecimal");
        }
    }
}
