package tw.eid.pki.ra.console;

import jakarta.servlet.DispatcherType;
import java.time.Clock;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import tw.eid.pki.ca.approval.ApprovalService;
import tw.eid.pki.ca.card.CardLossReports;
import tw.eid.pki.ca.card.CardRegistry;
import tw.eid.pki.ca.revocation.RevocationService;
import tw.eid.pki.ra.auth.AuthFailures;
import tw.eid.pki.ra.auth.OperatorAuthenticator;
import tw.eid.pki.ra.auth.RequestAudit;
import tw.eid.pki.ra.store.CertificateRecords;

/**
 * The RA officer console at {@code /console} (issue 19; docs/console.md): a servlet context beside
 * the API's on the same TLS connector, so the same client certificate, the same authenticator and
 * lock-out, and the same domain services. {@link ConsoleGuard} runs before every page.
 */
public final class Console {
    /** Form bodies are small: a CSRF token, a reason, a card number. */
    static final int MAX_FORM_BYTES = 4096;

    private Console() {}

    /** The services the console calls, all shared with the API. */
    public record Services(
            CardRegistry cards,
            CertificateRecords certificates,
            RevocationService revocations,
            CardLossReports lossReports,
            ApprovalService approvals,
            RequestAudit audit,
            String citizenCaName) {}

    public static ServletContextHandler context(
            Services services, AuthFailures failures, OperatorAuthenticator authenticator, Clock clock) {
        ConsolePages pages = new ConsolePages();
        ServletContextHandler context = new ServletContextHandler(ConsoleServlet.CONTEXT_PATH, false, false);
        context.setMaxFormContentSize(MAX_FORM_BYTES);
        context.setMaxFormKeys(8);
        context.addFilter(
                new FilterHolder(new ConsoleGuard(
                        failures,
                        authenticator,
                        services.audit(),
                        new ConsoleSessions(clock, ConsoleSessions.IDLE),
                        pages,
                        clock)),
                "/*",
                EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(
                new ServletHolder(new ConsoleServlet(
                        services.cards(),
                        services.certificates(),
                        services.revocations(),
                        services.lossReports(),
                        services.approvals(),
                        services.audit(),
                        pages,
                        services.citizenCaName())),
                "/*");
        return context;
    }
}
