package tw.eid.pki.ra.resources;

import static tw.eid.pki.ca.profile.OperatorRole.AUDITOR;
import static tw.eid.pki.ca.profile.OperatorRole.OFFICER;
import static tw.eid.pki.ca.profile.OperatorRole.PERSONALIZATION;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.card.Card;
import tw.eid.pki.ca.card.CardException;
import tw.eid.pki.ca.card.CardIssueData;
import tw.eid.pki.ca.card.CardLossReports;
import tw.eid.pki.ca.card.CardRegistration;
import tw.eid.pki.ca.card.CardRegistry;
import tw.eid.pki.ca.card.CardReissues;
import tw.eid.pki.ca.card.NationalId;
import tw.eid.pki.ca.document.HashAlgorithm;
import tw.eid.pki.ca.document.IssuedSod;
import tw.eid.pki.ca.document.SodException;
import tw.eid.pki.ca.document.SodIssuer;
import tw.eid.pki.ca.document.SodRequest;
import tw.eid.pki.ca.document.seal.TemporaryCertificates;
import tw.eid.pki.ca.issuance.CitizenIssuer;
import tw.eid.pki.ca.issuance.IssueRequest;
import tw.eid.pki.ca.issuance.IssuedCertificate;
import tw.eid.pki.ca.profile.HolderName;
import tw.eid.pki.ca.profile.OperatorRole;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.revocation.RevocationService;
import tw.eid.pki.ca.revocation.StatusChange;
import tw.eid.pki.ra.auth.Allowed;
import tw.eid.pki.ra.auth.AuthenticatedOperator;
import tw.eid.pki.ra.auth.RequestAudit;
import tw.eid.pki.ra.problem.ProblemException;
import tw.eid.pki.ra.store.CertificateRecords;

/**
 * {@code /cards}: register a card, show it, issue its certificates from the chip's CSRs, report it
 * lost. Each method hands a checked request to one ca-core call and shapes the answer; errors are
 * the domain's exceptions, mapped to problems at the edge (ProblemMappers).
 */
@Path("cards")
public final class CardResource {
    static final String PKCS10 = "application/pkcs10";

    private final CardRegistry cards;
    private final CitizenIssuer issuer;
    private final RevocationService revocations;
    private final CertificateRecords certificates;
    private final ProfileSettings settings;
    private final RequestAudit audit;
    private final SodIssuer sods;
    private final SodRateLimit sodRate;
    private final CardReissues reissues;
    private final TemporaryCertificates temporary;
    private final TemporaryCertificatePdf pdf;
    private final CardLossReports lossReports;

    /**
     * {@code sods} may be null: an RA without a DS pool answers 503 to SOD requests; likewise {@code
     * temporary} without a seal signer pool.
     */
    public CardResource(
            CardRegistry cards,
            CitizenIssuer issuer,
            RevocationService revocations,
            CertificateRecords certificates,
            ProfileSettings settings,
            RequestAudit audit,
            SodIssuer sods,
            SodRateLimit sodRate,
            CardReissues reissues,
            TemporaryCertificates temporary,
            TemporaryCertificatePdf pdf,
            CardLossReports lossReports) {
        this.lossReports = Objects.requireNonNull(lossReports, "lossReports");
        this.reissues = Objects.requireNonNull(reissues, "reissues");
        this.temporary = temporary;
        this.pdf = temporary == null ? null : Objects.requireNonNull(pdf, "pdf");
        this.sods = sods;
        this.sodRate = Objects.requireNonNull(sodRate, "sodRate");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.cards = Objects.requireNonNull(cards, "cards");
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.revocations = Objects.requireNonNull(revocations, "revocations");
        this.certificates = Objects.requireNonNull(certificates, "certificates");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(OFFICER)
    public Response register(Views.CardBody body, @Context SecurityContext security, @Context UriInfo uri) {
        Inputs.required(body, "body");
        CardRegistration.requireCardNumber(Inputs.required(body.cardNumber(), "cardNumber"));
        byte[] chipUid = CardRegistration.chipUidFromHex(Inputs.required(body.chipUid(), "chipUid"));
        NationalId id = NationalId.of(Inputs.required(body.nationalId(), "nationalId"));
        HolderName name =
                HolderName.of(Inputs.required(body.holderName(), "holderName"), settings.holderNamePrivateUse());
        CardIssueData issue = CardIssueData.of(
                Inputs.date(body.issueDate(), "issueDate"),
                body.issuePlace(),
                body.issueType(),
                Inputs.date(body.expiryDate(), "expiryDate"));
        CardRegistration registration = new CardRegistration(
                body.cardNumber(), chipUid, id, name, Inputs.date(body.birthDate(), "birthDate"), issue);
        // A successor card ends its predecessor's re-issue in its own registration transaction.
        Card card = body.replaces() == null
                ? cards.register(actor(security).actor(), registration)
                : reissues.registerSuccessor(actor(security).actor(), registration, body.replaces());
        return Response.created(uri.getBaseUriBuilder()
                        .path("cards")
                        .path(card.cardNumber())
                        .build())
                .entity(view(card, true, List.of(), reissues.today()))
                .build();
    }

    /**
     * The card, its status and its certificates; auditors get no personal data (name, ID digits).
     * An officer's view opens the holder's name in the token: that is recorded in the audit trail
     * before the name is shown (if it cannot be recorded, nothing is shown).
     */
    @GET
    @Path("{cardNumber}")
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed({OFFICER, AUDITOR})
    public Views.CardView get(@PathParam("cardNumber") String cardNumber, @Context SecurityContext security) {
        boolean personalData = actor(security).role() != OperatorRole.AUDITOR;
        Card card = cards.find(cardNumber, personalData).orElseThrow(() -> notFound(cardNumber));
        if (personalData) {
            audit.record(actor(security).actor().event("card.view-personal-data", cardNumber, AuditResult.SUCCESS));
        }
        return view(
                card,
                personalData,
                certificates.ofCard(cardNumber).stream()
                        .map(r -> Views.CertificateView.of(r, false))
                        .toList(),
                reissues.today());
    }

    @POST
    @Path("{cardNumber}/certificates")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed({PERSONALIZATION, OFFICER})
    public Response issueFromJson(
            @PathParam("cardNumber") String cardNumber,
            Views.IssueBody body,
            @HeaderParam("Idempotency-Key") String idempotencyKey,
            @Context SecurityContext security,
            @Context UriInfo uri) {
        Inputs.required(body, "body");
        byte[] csr = Inputs.required(body.csr(), "csr").getBytes(StandardCharsets.UTF_8);
        return issue(cardNumber, body.profile(), body.chipUid(), csr, idempotencyKey, security, uri);
    }

    /** The CSR as the body (RFC 5967: DER, or PEM), profile and chip id as query parameters. */
    @POST
    @Path("{cardNumber}/certificates")
    @Consumes(PKCS10)
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed({PERSONALIZATION, OFFICER})
    public Response issueFromPkcs10(
            @PathParam("cardNumber") String cardNumber,
            @QueryParam("profile") String profile,
            @QueryParam("chipUid") String chipUid,
            byte[] csr,
            @HeaderParam("Idempotency-Key") String idempotencyKey,
            @Context SecurityContext security,
            @Context UriInfo uri) {
        if (csr == null || csr.length == 0) {
            throw ProblemException.badRequest("request.missing-field", "missing field: csr");
        }
        return issue(cardNumber, profile, chipUid, csr, idempotencyKey, security, uri);
    }

    private Response issue(
            String cardNumber,
            String profile,
            String chipUidHex,
            byte[] csr,
            String idempotencyKey,
            SecurityContext security,
            UriInfo uri) {
        CardRegistration.requireCardNumber(cardNumber);
        IssueRequest request = new IssueRequest(
                cardNumber,
                CardRegistration.chipUidFromHex(Inputs.required(chipUidHex, "chipUid")),
                Inputs.profile(profile),
                csr,
                Inputs.idempotencyKey(idempotencyKey));
        IssuedCertificate issued = issuer.issue(actor(security).actor(), request);
        byte[] der;
        try {
            der = issued.certificate().getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException("an issued certificate does not encode", e);
        }
        Response.ResponseBuilder b = Response.created(uri.getBaseUriBuilder()
                        .path("certificates")
                        .path(issued.serialHex())
                        .queryParam("ca", issued.caName())
                        .build())
                .entity(new Views.IssuedView(
                        issued.caName(),
                        issued.serialHex(),
                        request.profile().profileName(),
                        "good",
                        issued.crlPartition(),
                        Views.pem(der),
                        issued.replay()));
        if (issued.replay()) {
            b.header("Idempotency-Replayed", "true");
        }
        return b.build();
    }

    /**
     * The card reported lost: it becomes LOST and every good certificate on it goes on hold, in one
     * transaction with the report and its audit event (CardLossReports.report); 409 for a card that
     * is already lost or replaced.
     */
    @POST
    @Path("{cardNumber}/report-lost")
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(OFFICER)
    public Views.LostReportView reportLost(
            @PathParam("cardNumber") String cardNumber, @Context SecurityContext security) {
        CardLossReports.LossReport report =
                lossReports.report(actor(security).actor(), cardNumber, CardLossReports.Channel.OFFICER);
        return new Views.LostReportView(
                report.number(),
                cardNumber,
                report.channel(),
                report.reportedAt().toString(),
                report.held().stream().map(StatusChange::serialHex).toList());
    }

    /**
     * The officer withdraws the card's loss report (撤銷掛失), while no new card has been issued: the
     * card is current again and exactly the certificates the report held are resumed.
     */
    @POST
    @Path("{cardNumber}/report-lost/withdraw")
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(OFFICER)
    public Views.LossWithdrawalView withdrawLossReport(
            @PathParam("cardNumber") String cardNumber, @Context SecurityContext security) {
        CardLossReports.Withdrawal w = lossReports.withdraw(actor(security).actor(), cardNumber);
        return new Views.LossWithdrawalView(
                w.number(),
                cardNumber,
                w.withdrawnAt().toString(),
                w.resumed().stream().map(StatusChange::serialHex).toList());
    }

    /**
     * The card's EF.SOD from its data-group hashes (docs/api.md; issue 6): once per personalization of a
     * registered card, rate-limited per client, stored and audited before it is answered. JSON with
     * the SOD in base64 by default; the bare EF.SOD bytes with {@code Accept: application/octet-stream}.
     */
    @POST
    @Path("{cardNumber}/sod")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, MediaType.APPLICATION_OCTET_STREAM})
    @Allowed(PERSONALIZATION)
    public Response sod(
            @PathParam("cardNumber") String cardNumber,
            Views.SodBody body,
            @Context SecurityContext security,
            @Context UriInfo uri,
            @Context HttpHeaders headers) {
        AuthenticatedOperator operator = actor(security);
        if (!sodRate.tryAcquire(operator.certificateSerial())) {
            audit.record(operator.actor()
                    .event("card.sod", cardNumber, AuditResult.REFUSED)
                    .withErrorCode(SodException.Code.RATE_LIMITED.id()));
            throw new SodException(SodException.Code.RATE_LIMITED, "too many SOD requests from this client; slow down");
        }
        if (sods == null) {
            throw new ProblemException(503, "ds.not-configured", "this RA has no document signer pool");
        }
        CardRegistration.requireCardNumber(cardNumber);
        Inputs.required(body, "body");
        HashAlgorithm algorithm = HashAlgorithm.of(body.hashAlgorithm());
        List<SodRequest.DataGroupHash> groups = new ArrayList<>();
        if (body.dataGroups() != null) {
            for (Views.DataGroupBody g : body.dataGroups()) {
                Inputs.required(g, "dataGroups[]");
                groups.add(new SodRequest.DataGroupHash(
                        Inputs.required(g.number(), "dataGroups[].number"),
                        Inputs.base64(Inputs.required(g.hash(), "dataGroups[].hash"), "dataGroups[].hash")));
            }
        }
        SodRequest.LdsVersion version = body.ldsVersion() == null && body.unicodeVersion() == null
                ? null
                : new SodRequest.LdsVersion(body.ldsVersion(), body.unicodeVersion());
        IssuedSod sod = sods.issue(operator.actor(), new SodRequest(cardNumber, algorithm, groups, version));
        URI location = uri.getBaseUriBuilder().path("cards").path(cardNumber).build();
        if (headers.getAcceptableMediaTypes().get(0).isCompatible(MediaType.APPLICATION_OCTET_STREAM_TYPE)
                && !headers.getAcceptableMediaTypes().get(0).isWildcardType()) {
            return Response.created(location)
                    .type(MediaType.APPLICATION_OCTET_STREAM_TYPE)
                    .entity(sod.efSod())
                    .build();
        }
        return Response.created(location)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new Views.SodView(
                        cardNumber,
                        sod.personalization(),
                        sod.dsSerialHex(),
                        Base64.getEncoder().encodeToString(sod.efSod())))
                .build();
    }

    /** The officer's act before a re-personalization: the card may get one more SOD (409 if it has none). */
    @POST
    @Path("{cardNumber}/personalization/reopen")
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(OFFICER)
    public Response reopen(@PathParam("cardNumber") String cardNumber, @Context SecurityContext security) {
        CardRegistration.requireCardNumber(cardNumber);
        if (sods == null) {
            throw new ProblemException(503, "ds.not-configured", "this RA has no document signer pool");
        }
        sods.reopen(actor(security).actor(), cardNumber);
        return Response.noContent().build();
    }

    /** Starts the card's re-issue: the new card is expected on {@code expectedDelivery}. */
    @POST
    @Path("{cardNumber}/reissue")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(OFFICER)
    public Response startReissue(
            @PathParam("cardNumber") String cardNumber, Views.ReissueBody body, @Context SecurityContext security) {
        Inputs.required(body, "body");
        LocalDate delivery =
                Inputs.date(Inputs.required(body.expectedDelivery(), "expectedDelivery"), "expectedDelivery");
        return Response.status(201)
                .entity(view(reissues.start(actor(security).actor(), cardNumber, delivery)))
                .build();
    }

    /** Cancels the card's re-issue; its temporary certificates are revoked in the same transaction. */
    @POST
    @Path("{cardNumber}/reissue/cancel")
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(OFFICER)
    public Views.ReissueView cancelReissue(
            @PathParam("cardNumber") String cardNumber, @Context SecurityContext security) {
        return view(reissues.cancel(actor(security).actor(), cardNumber));
    }

    /**
     * A temporary ID certificate for a card in re-issue: stored and audited before it is answered,
     * with the seal's bytes, the signer certificate and the printed fields (Traditional Chinese and
     * English).
     */
    @POST
    @Path("{cardNumber}/temporary-certificates")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(OFFICER)
    public Response issueTemporaryCertificate(
            @PathParam("cardNumber") String cardNumber,
            Views.TemporaryCertificateBody body,
            @Context SecurityContext security,
            @Context UriInfo uri) {
        if (temporary == null) {
            throw new ProblemException(503, "seal.not-configured", "this RA has no seal signer pool");
        }
        CardRegistration.requireCardNumber(cardNumber);
        Inputs.required(body, "body");
        TemporaryCertificates.Issued issued = temporary.issue(
                actor(security).actor(),
                cardNumber,
                Inputs.required(body.officeCode(), "officeCode"),
                Inputs.date(body.validFrom(), "validFrom"),
                Inputs.date(body.validUntil(), "validUntil"));
        byte[] signer;
        try {
            signer = issued.signerCertificate().getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException("a seal signer certificate does not encode", e);
        }
        Base64.Encoder b64 = Base64.getEncoder();
        return Response.created(uri.getBaseUriBuilder()
                        .path("temporary-certificates")
                        .path(issued.number())
                        .build())
                .entity(new Views.TemporaryCertificateView(
                        issued.number(),
                        cardNumber,
                        issued.content().validFrom().toString(),
                        issued.content().validUntil().toString(),
                        issued.content().officeCode(),
                        b64.encodeToString(issued.seal()),
                        b64.encodeToString(signer),
                        TemporaryCertificatePrint.fields(issued.content()),
                        b64.encodeToString(pdf.render(issued.content(), issued.seal()))))
                .build();
    }

    private static Views.ReissueView view(CardReissues.Reissue r) {
        return new Views.ReissueView(
                r.cardNumber(),
                r.expectedDelivery().toString(),
                r.startedAt().toString(),
                r.endedAt() == null ? null : r.endedAt().toString(),
                r.endReason() == null ? null : r.endReason().toLowerCase(Locale.ROOT),
                r.successorCard());
    }

    private static CardException notFound(String cardNumber) {
        return new CardException(CardException.Code.CARD_NOT_FOUND, "card " + cardNumber + " is not registered");
    }

    private static AuthenticatedOperator actor(SecurityContext security) {
        return (AuthenticatedOperator) security.getUserPrincipal();
    }

    private static Views.CardView view(
            Card card, boolean personalData, List<Views.CertificateView> certificates, LocalDate today) {
        CardIssueData issue = card.issue();
        return new Views.CardView(
                card.cardNumber(),
                card.chipUidHex(),
                card.status().toLowerCase(Locale.ROOT),
                card.registeredAt().toString(),
                personalData ? card.holderName() : null,
                personalData ? card.nationalIdLast4() : null,
                card.validity().name().toLowerCase(Locale.ROOT),
                card.expiredOn(today),
                issue == null ? null : issue.issueDate().toString(),
                issue == null ? null : issue.issuePlace(),
                issue == null ? null : issue.issueType().id(),
                issue == null || issue.expiresOn() == null
                        ? null
                        : issue.expiresOn().toString(),
                certificates);
    }
}
