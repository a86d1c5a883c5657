package tw.eid.pki.ra.console;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import tw.eid.pki.ca.approval.Approval;
import tw.eid.pki.ca.approval.ApprovalService;
import tw.eid.pki.ca.approval.BulkStatusChange;
import tw.eid.pki.ca.audit.AuditDetails;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.card.Card;
import tw.eid.pki.ca.card.CardException;
import tw.eid.pki.ca.card.CardLossReports;
import tw.eid.pki.ca.card.CardRegistration;
import tw.eid.pki.ca.card.CardRegistry;
import tw.eid.pki.ca.card.NationalId;
import tw.eid.pki.ca.profile.OperatorRole;
import tw.eid.pki.ca.profile.RevocationReason;
import tw.eid.pki.ca.revocation.RevocationService;
import tw.eid.pki.ca.revocation.StatusChangeRefusedException;
import tw.eid.pki.ca.store.CertificateStatus;
import tw.eid.pki.ra.auth.AuthenticatedOperator;
import tw.eid.pki.ra.auth.RequestAudit;
import tw.eid.pki.ra.problem.HttpStatuses;
import tw.eid.pki.ra.store.CertificateRecord;
import tw.eid.pki.ra.store.CertificateRecords;

/**
 * The RA officer console's pages (issue 19; docs/console.md). Runs only behind {@link
 * ConsoleGuard}, which has authenticated the operator, authorized the route and checked the CSRF
 * token; each page calls the same ca-core services as the REST API ({@link CardRegistry}, {@link
 * RevocationService}, {@link ApprovalService}, the RA's {@link CertificateRecords}) and never the
 * store directly. Refused input changes nothing and is answered in the page's language.
 */
final class ConsoleServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    static final String CONTEXT_PATH = "/console";

    /** RFC 5280 §5.3.1 reasons an officer may give for a revocation (certificateHold is suspend). */
    static final Map<String, RevocationReason> REVOKE_REASONS = new LinkedHashMap<>();

    static {
        REVOKE_REASONS.put("keyCompromise", RevocationReason.KEY_COMPROMISE);
        REVOKE_REASONS.put("affiliationChanged", RevocationReason.AFFILIATION_CHANGED);
        REVOKE_REASONS.put("superseded", RevocationReason.SUPERSEDED);
        REVOKE_REASONS.put("cessationOfOperation", RevocationReason.CESSATION_OF_OPERATION);
        REVOKE_REASONS.put("privilegeWithdrawn", RevocationReason.PRIVILEGE_WITHDRAWN);
    }

    private final transient CardRegistry cards;
    private final transient CertificateRecords certificates;
    private final transient RevocationService revocations;
    private final transient CardLossReports lossReports;
    private final transient ApprovalService approvals;
    private final transient RequestAudit audit;
    private final transient ConsolePages pages;
    private final String citizenCaName;

    ConsoleServlet(
            CardRegistry cards,
            CertificateRecords certificates,
            RevocationService revocations,
            CardLossReports lossReports,
            ApprovalService approvals,
            RequestAudit audit,
            ConsolePages pages,
            String citizenCaName) {
        this.cards = Objects.requireNonNull(cards, "cards");
        this.certificates = Objects.requireNonNull(certificates, "certificates");
        this.revocations = Objects.requireNonNull(revocations, "revocations");
        this.lossReports = Objects.requireNonNull(lossReports, "lossReports");
        this.approvals = Objects.requireNonNull(approvals, "approvals");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.pages = Objects.requireNonNull(pages, "pages");
        this.citizenCaName = Objects.requireNonNull(citizenCaName, "citizenCaName");
    }

    /** One request's context, as the guard left it. */
    private record Call(
            HttpServletRequest request,
            HttpServletResponse response,
            AuthenticatedOperator operator,
            ConsoleSessions.Session session,
            ConsoleRoute.Match match,
            Messages m) {
        ConsoleViews.Frame frame(String titleKey, String back) {
            return ConsolePages.frame(
                    m, titleKey, operator.operatorId(), operator.role().id(), back);
        }
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        request.setCharacterEncoding("UTF-8");
        AuthenticatedOperator operator = (AuthenticatedOperator) request.getAttribute(ConsoleGuard.OPERATOR);
        ConsoleSessions.Session session = (ConsoleSessions.Session) request.getAttribute(ConsoleGuard.SESSION);
        ConsoleRoute.Match match = (ConsoleRoute.Match) request.getAttribute(ConsoleGuard.MATCH);
        if (operator == null || session == null || match == null) {
            // Not reachable behind ConsoleGuard; refuse rather than assume.
            pages.refusal(response, 401, "zh-TW", "console.unauthenticated");
            return;
        }
        Call call = new Call(
                request,
                response,
                operator,
                session,
                match,
                Messages.of(Messages.language(session.language(), ConsoleGuard.accepted(request))));
        try {
            switch (match.route()) {
                case HOME -> home(call);
                case STYLE -> style(call);
                case LANGUAGE -> language(call);
                case SEARCH -> search(call);
                case SEARCH_NATIONAL_ID -> searchNationalId(call);
                case CARD -> card(call);
                case PEM -> pem(call);
                case CONFIRM -> confirm(call);
                case ACT -> act(call);
                case CONFIRM_LOST -> confirmLost(call);
                case REPORT_LOST -> reportLost(call);
                case APPROVALS -> approvals(call);
            }
        } catch (CardException e) {
            message(call, HttpStatuses.of(e.code()), "error." + e.code().id());
        } catch (StatusChangeRefusedException e) {
            int status = switch (e.code()) {
                case NOT_FOUND -> 404;
                case BAD_REASON -> 400;
                default -> 409;
            };
            message(call, status, "error." + e.code().id());
        }
    }

    private void message(Call call, int status, String key) throws IOException {
        String known = call.m().has(key) ? key : "error.refused";
        pages.render(
                call.response(),
                status,
                "message.jte",
                new ConsoleViews.Message(call.frame("title.refused", Redirects.HOME), status, known));
    }

    // ------------------------------------------------------------------ who am I

    private void home(Call call) throws IOException {
        X509Certificate certificate = (X509Certificate) call.request().getAttribute(ConsoleGuard.CERTIFICATE);
        pages.render(
                call.response(),
                200,
                "home.jte",
                new ConsoleViews.Home(
                        call.frame("title.home", Redirects.HOME),
                        call.operator().operatorId(),
                        call.operator().role().id(),
                        office(certificate.getSubjectX500Principal()),
                        call.operator().certificateSerial(),
                        call.m().time(certificate.getNotAfter().toInstant())));
    }

    /** The OU of an operator certificate's subject: the office (docs/profiles.md). */
    private static String office(X500Principal subject) {
        RDN[] ous = X500Name.getInstance(subject.getEncoded()).getRDNs(BCStyle.OU);
        return ous.length == 0 ? "" : IETFUtils.valueToString(ous[0].getFirst().getValue());
    }

    private void style(Call call) throws IOException {
        byte[] css;
        try (InputStream in = ConsoleServlet.class.getResourceAsStream("console.css")) {
            css = Objects.requireNonNull(in, "console.css").readAllBytes();
        }
        call.response().setStatus(200);
        call.response().setContentType("text/css;charset=utf-8");
        call.response().setHeader("Cache-Control", "private, max-age=3600");
        call.response().setContentLength(css.length);
        call.response().getOutputStream().write(css);
    }

    private void language(Call call) throws IOException {
        String to = call.request().getParameter("to");
        if (Messages.LANGUAGES.contains(to)) {
            call.session().language(to);
        }
        redirect(call, call.request().getParameter("back"));
    }

    // ------------------------------------------------------------------ search

    private void search(Call call) throws IOException {
        String cardNumber = call.request().getParameter("card");
        if (cardNumber == null || cardNumber.isBlank()) {
            searchPage(call, 200, "", null, List.of());
            return;
        }
        cardNumber = cardNumber.strip();
        try {
            CardRegistration.requireCardNumber(cardNumber);
        } catch (CardException e) {
            searchPage(call, 400, cardNumber, "error." + e.code().id(), List.of());
            return;
        }
        if (cards.find(cardNumber, false).isEmpty()) {
            searchPage(call, 404, cardNumber, "search.none", List.of());
            return;
        }
        redirect(call, CONTEXT_PATH + "/cards/" + cardNumber);
    }

    /**
     * By national ID, exactly (the store keeps only its HMAC: there is no partial match). The
     * search is personal data: recorded in the audit trail (without the ID) before it is answered.
     */
    private void searchNationalId(Call call) throws IOException {
        String text = call.request().getParameter("nationalId");
        NationalId id;
        try {
            id = NationalId.of(text == null ? null : text.strip());
        } catch (CardException e) {
            searchPage(call, 400, "", "error." + e.code().id(), List.of());
            return;
        }
        List<String> found = cards.cardsOf(id);
        audit.record(call.operator()
                .actor()
                .event("console.card-search", "national-id", AuditResult.SUCCESS)
                .withDetails(AuditDetails.of().put("matches", found.size())));
        if (found.size() == 1) {
            redirect(call, CONTEXT_PATH + "/cards/" + found.get(0));
            return;
        }
        searchPage(call, found.isEmpty() ? 404 : 200, "", found.isEmpty() ? "search.none" : "search.several", found);
    }

    private void searchPage(Call call, int status, String cardNumber, String messageKey, List<String> matches)
            throws IOException {
        pages.render(
                call.response(),
                status,
                "search.jte",
                new ConsoleViews.Search(
                        call.frame("title.search", CONTEXT_PATH + "/search"),
                        ConsoleRoute.SEARCH_NATIONAL_ID.allows(call.operator().role()),
                        cardNumber,
                        messageKey,
                        matches));
    }

    // ------------------------------------------------------------------ card view

    private void card(Call call) throws IOException {
        String cardNumber = call.match().parameter(1);
        CardRegistration.requireCardNumber(cardNumber);
        boolean personalData = call.operator().role() == OperatorRole.OFFICER;
        Card card = cards.find(cardNumber, personalData)
                .orElseThrow(() -> new CardException(CardException.Code.CARD_NOT_FOUND, "no such card"));
        if (personalData) {
            // As GET /cards/{cardNumber}: recorded before the name is shown; no record, no page.
            audit.record(call.operator().actor().event("card.view-personal-data", cardNumber, AuditResult.SUCCESS));
        }
        String done = call.request().getParameter("done");
        String doneKey = done != null
                        && List.of("suspend", "resume", "revoke", "report-lost").contains(done)
                ? "done." + done
                : null;
        pages.render(
                call.response(),
                200,
                "card.jte",
                new ConsoleViews.Card(
                        call.frame("title.card", CONTEXT_PATH + "/cards/" + cardNumber),
                        card.cardNumber(),
                        card.chipUidHex(),
                        personalData ? card.nationalIdLast4() : "",
                        personalData ? card.holderName() : "",
                        personalData,
                        card.status(),
                        call.m().time(card.registeredAt()),
                        certificates.ofCard(cardNumber).stream()
                                .map(r -> view(call.m(), r))
                                .toList(),
                        doneKey,
                        ConsoleRoute.ACT.allows(call.operator().role())));
    }

    private static ConsoleViews.Certificate view(Messages m, CertificateRecord r) {
        return new ConsoleViews.Certificate(
                r.serialHex(),
                r.profile(),
                status(r.status()),
                r.revocationReason() == null ? "" : reasonName(RevocationReason.ofCode(r.revocationReason())),
                m.time(r.revocationTime()),
                m.time(r.notBefore()),
                m.time(r.notAfter()));
    }

    private static String status(CertificateStatus s) {
        return s.name().toLowerCase(Locale.ROOT);
    }

    private static String reasonName(RevocationReason reason) {
        if (reason == RevocationReason.CERTIFICATE_HOLD) {
            return "certificateHold";
        }
        return REVOKE_REASONS.entrySet().stream()
                .filter(e -> e.getValue() == reason)
                .map(Map.Entry::getKey)
                .findFirst()
                .orElse(reason.name());
    }

    private void pem(Call call) throws IOException {
        CertificateRecord r = citizenCertificate(call.match().parameter(1));
        String pem = "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(r.der())
                + "\n-----END CERTIFICATE-----\n";
        byte[] body = pem.getBytes(StandardCharsets.US_ASCII);
        call.response().setStatus(200);
        call.response().setContentType("application/x-pem-file");
        call.response().setHeader("Content-Disposition", "attachment; filename=\"" + r.serialHex() + ".pem\"");
        call.response().setContentLength(body.length);
        call.response().getOutputStream().write(body);
    }

    private CertificateRecord citizenCertificate(String serial) {
        if (serial == null || !serial.matches("[1-9a-f][0-9a-f]{0,39}")) {
            throw new StatusChangeRefusedException(StatusChangeRefusedException.Code.NOT_FOUND, "not a serial");
        }
        return certificates
                .find(citizenCaName, serial)
                .orElseThrow(() -> new StatusChangeRefusedException(
                        StatusChangeRefusedException.Code.NOT_FOUND, "no such certificate"));
    }

    // ------------------------------------------------------------------ acts

    /** What the act will change, stated before it is done (checklist 4.10: a fresh confirmation). */
    private void confirm(Call call) throws IOException {
        confirmPage(
                call,
                200,
                citizenCertificate(call.match().parameter(1)),
                call.match().parameter(2),
                null);
    }

    private void confirmPage(Call call, int status, CertificateRecord r, String act, String messageKey)
            throws IOException {
        pages.render(
                call.response(),
                status,
                "confirm.jte",
                new ConsoleViews.Confirm(
                        call.frame("title.confirm." + act, CONTEXT_PATH + "/cards/" + r.cardNumber()),
                        act,
                        r.cardNumber(),
                        view(call.m(), r),
                        switch (act) {
                            case "suspend" -> "hold";
                            case "resume" -> "good";
                            default -> "revoked";
                        },
                        List.copyOf(REVOKE_REASONS.keySet()),
                        call.session().csrfToken(),
                        messageKey));
    }

    /**
     * The act itself: the same RevocationService calls as {@code POST /certificates/{serial}/...},
     * committed (and audited by the domain) before the 303 to the card's page. A revocation needs
     * a reason from the picker and the card number typed again; a refused form changes nothing.
     */
    private void act(Call call) throws IOException {
        CertificateRecord r = citizenCertificate(call.match().parameter(1));
        String act = call.match().parameter(2);
        String cardNumber = r.cardNumber();
        switch (act) {
            case "suspend" -> revocations.suspend(call.operator().actor(), citizenCaName, r.serialHex());
            case "resume" -> revocations.resume(call.operator().actor(), citizenCaName, r.serialHex());
            default -> {
                RevocationReason reason = REVOKE_REASONS.get(call.request().getParameter("reason"));
                if (reason == null) {
                    confirmPage(call, 400, r, act, "error.reason-required");
                    return;
                }
                String typed = Optional.ofNullable(call.request().getParameter("typedCardNumber"))
                        .map(String::strip)
                        .orElse("");
                if (cardNumber == null || !cardNumber.equals(typed)) {
                    confirmPage(call, 400, r, act, "error.card-number-mismatch");
                    return;
                }
                revocations.revoke(call.operator().actor(), citizenCaName, r.serialHex(), reason);
            }
        }
        redirect(call, CONTEXT_PATH + "/cards/" + cardNumber + "?done=" + act);
    }

    /** The card's good certificates, which a loss report puts on hold, listed before it is made. */
    private void confirmLost(Call call) throws IOException {
        String cardNumber = existingCard(call.match().parameter(1));
        confirmLostPage(call, 200, cardNumber, null);
    }

    private void confirmLostPage(Call call, int status, String cardNumber, String messageKey) throws IOException {
        pages.render(
                call.response(),
                status,
                "lost.jte",
                new ConsoleViews.ConfirmLost(
                        call.frame("title.confirm.report-lost", CONTEXT_PATH + "/cards/" + cardNumber),
                        cardNumber,
                        certificates.ofCard(cardNumber).stream()
                                .filter(r -> r.status() == CertificateStatus.GOOD)
                                .map(r -> view(call.m(), r))
                                .toList(),
                        call.session().csrfToken(),
                        messageKey));
    }

    /**
     * {@code CardLossReports.report}, as {@code POST /cards/{cardNumber}/report-lost}: the card LOST
     * and every good certificate of it on hold in one transaction, with the report recorded. The
     * card number must be typed again.
     */
    private void reportLost(Call call) throws IOException {
        String cardNumber = existingCard(call.match().parameter(1));
        String typed = Optional.ofNullable(call.request().getParameter("typedCardNumber"))
                .map(String::strip)
                .orElse("");
        if (!cardNumber.equals(typed)) {
            confirmLostPage(call, 400, cardNumber, "error.card-number-mismatch");
            return;
        }
        lossReports.report(call.operator().actor(), cardNumber, CardLossReports.Channel.OFFICER);
        redirect(call, CONTEXT_PATH + "/cards/" + cardNumber + "?done=report-lost");
    }

    private String existingCard(String cardNumber) {
        CardRegistration.requireCardNumber(cardNumber);
        cards.find(cardNumber, false)
                .orElseThrow(() -> new CardException(CardException.Code.CARD_NOT_FOUND, "no such card"));
        return cardNumber;
    }

    // ------------------------------------------------------------------ approvals (read-only)

    private void approvals(Call call) throws IOException {
        List<ConsoleViews.Approval> pending =
                approvals.pending().stream().map(a -> approval(call.m(), a)).toList();
        pages.render(
                call.response(),
                200,
                "approvals.jte",
                new ConsoleViews.Approvals(call.frame("title.approvals", CONTEXT_PATH + "/approvals"), pending));
    }

    private static ConsoleViews.Approval approval(Messages m, Approval a) {
        String summary = a.act() instanceof BulkStatusChange b
                ? b.action().name().toLowerCase(Locale.ROOT) + " " + b.caName() + " ×"
                        + b.serials().size()
                : "";
        return new ConsoleViews.Approval(
                Long.toString(a.id()),
                BulkStatusChange.KIND,
                a.requestedBy(),
                m.time(a.requestedAt()),
                a.status().name().toLowerCase(Locale.ROOT),
                summary);
    }

    /** 303 to an allow-listed path of the console (checklist 2.5), whatever {@code target} was. */
    private static void redirect(Call call, String target) {
        call.response().setStatus(303);
        call.response().setHeader("Location", Redirects.safe(target));
    }
}
