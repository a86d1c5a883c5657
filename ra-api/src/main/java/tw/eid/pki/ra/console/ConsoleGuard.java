package tw.eid.pki.ra.console;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Enumeration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import tw.eid.pki.ca.audit.AuditDetails;
import tw.eid.pki.ca.audit.AuditEvent;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ra.auth.AuthFailures;
import tw.eid.pki.ra.auth.AuthenticatedOperator;
import tw.eid.pki.ra.auth.AuthenticationFailure;
import tw.eid.pki.ra.auth.OperatorAuthenticator;
import tw.eid.pki.ra.auth.RequestAudit;

/**
 * The console's one central filter: every request passes here, in this order, before any page
 * runs (issue 19; checklist 4.1, 4.2, 5.1, 5.7, 6.1):
 * <ol>
 *   <li>the security headers, on every answer (CSP without inline script or style, no framing,
 *       nosniff, no referrer, no caching);</li>
 *   <li>a locked-out source gets 429, as on the API (the same {@link AuthFailures});</li>
 *   <li>the client certificate, checked anew by the API's own {@link OperatorAuthenticator}: 401,
 *       audited ({@code console.authenticate}) and counted;</li>
 *   <li>the route ({@link ConsoleRoute}): unknown 404, wrong method 405, a role it does not name
 *       403, audited ({@code console.authorize});</li>
 *   <li>the session: bound to the certificate that opened it, dropped after 15 idle minutes; a
 *       session id presented with another certificate is refused and audited ({@code
 *       console.session});</li>
 *   <li>every POST: an Origin, if sent, must be this console's, and the form's CSRF token must be
 *       the session's; otherwise 403, audited ({@code console.csrf}), and nothing runs.</li>
 * </ol>
 */
final class ConsoleGuard implements Filter {
    static final String COOKIE = "__Host-eidpki-console";
    static final String CSRF_FIELD = "csrf";
    static final String OPERATOR = ConsoleGuard.class.getName() + ".operator";
    static final String SESSION = ConsoleGuard.class.getName() + ".session";
    static final String MATCH = ConsoleGuard.class.getName() + ".match";
    static final String CERTIFICATE = ConsoleGuard.class.getName() + ".certificate";
    static final String CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self';"
            + " frame-ancestors 'none'; base-uri 'none'";

    private static final String CERTIFICATE_ATTRIBUTE = "jakarta.servlet.request.X509Certificate";

    private final AuthFailures failures;
    private final OperatorAuthenticator authenticator;
    private final RequestAudit audit;
    private final ConsoleSessions sessions;
    private final ConsolePages pages;
    private final Clock clock;

    ConsoleGuard(
            AuthFailures failures,
            OperatorAuthenticator authenticator,
            RequestAudit audit,
            ConsoleSessions sessions,
            ConsolePages pages,
            Clock clock) {
        this.failures = Objects.requireNonNull(failures, "failures");
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.pages = Objects.requireNonNull(pages, "pages");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    static void securityHeaders(HttpServletResponse response) {
        response.setHeader("Content-Security-Policy", CSP);
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "same-origin");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("Cross-Origin-Opener-Policy", "same-origin");
        response.setHeader("Cross-Origin-Resource-Policy", "same-origin");
        response.setHeader("Strict-Transport-Security", "max-age=31536000");
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        securityHeaders(response);
        String language = Messages.language(null, ConsoleGuard.accepted(request));
        String ip = request.getRemoteAddr();
        Optional<Instant> locked = failures.lockedUntil(ip);
        if (locked.isPresent()) {
            long seconds =
                    Math.max(1, Duration.between(clock.instant(), locked.get()).toSeconds());
            response.setHeader("Retry-After", Long.toString(seconds));
            pages.refusal(response, 429, language, "console.locked-out");
            return;
        }
        String source = address(request.getRemoteAddr(), request.getRemotePort());
        String destination = address(request.getLocalAddr(), request.getLocalPort());
        X509Certificate[] chain_ =
                request.getAttribute(CERTIFICATE_ATTRIBUTE) instanceof X509Certificate[] c ? c : null;
        String target = target(request);
        AuthenticatedOperator operator;
        try {
            operator = authenticator.authenticate(chain_, source, destination);
        } catch (AuthenticationFailure f) {
            failures.record(ip);
            AuditEvent event = AuditEvent.of("unauthenticated", "console.authenticate", target, AuditResult.REFUSED)
                    .withAddresses(source, destination)
                    .withErrorCode(f.code().id());
            if (chain_ != null && chain_.length > 0) {
                event = event.withDetails(AuditDetails.of()
                        .put("certificateSerial", chain_[0].getSerialNumber().toString(16)));
            }
            audit.refused(event);
            pages.refusal(response, 401, language, "console.unauthenticated");
            return;
        }
        ConsoleRoute.Found found = ConsoleRoute.find(request.getMethod(), path(request));
        if (found instanceof ConsoleRoute.NoSuchPath) {
            pages.refusal(response, 404, language, "console.not-found");
            return;
        }
        if (found instanceof ConsoleRoute.WrongMethod w) {
            response.setHeader("Allow", w.allowed());
            pages.refusal(response, 405, language, "console.method-not-allowed");
            return;
        }
        ConsoleRoute.Match match = ((ConsoleRoute.Routed) found).match();
        if (!match.route().allows(operator.role())) {
            audit.refused(operator.actor()
                    .event("console.authorize", target, AuditResult.REFUSED)
                    .withErrorCode("auth.role-not-allowed")
                    .withDetails(AuditDetails.of()
                            .put("role", operator.role().id())
                            .put("function", match.route().name())));
            pages.refusal(response, 403, language, "console.role-not-allowed");
            return;
        }
        byte[] certificateHash = hash(chain_[0]);
        ConsoleSessions.Found known = sessions.find(cookie(request), certificateHash);
        if (known.lookup() == ConsoleSessions.Lookup.OTHER_CERTIFICATE) {
            audit.refused(operator.actor()
                    .event("console.session", target, AuditResult.REFUSED)
                    .withErrorCode("console.session-other-certificate"));
        }
        if (request.getMethod().equals("POST")) {
            String refusal = null;
            String origin = request.getHeader("Origin");
            if (origin != null && !origin.equals(ownOrigin(request))) {
                refusal = "console.bad-origin";
            } else if (known.session().isEmpty()) {
                refusal = known.lookup() == ConsoleSessions.Lookup.EXPIRED
                        ? "console.session-expired"
                        : "console.no-session";
            } else if (!known.session().get().csrfMatches(request.getParameter(CSRF_FIELD))) {
                refusal = "console.bad-csrf-token";
            }
            if (refusal != null) {
                audit.refused(operator.actor()
                        .event("console.csrf", target, AuditResult.REFUSED)
                        .withErrorCode(refusal));
                pages.refusal(
                        response,
                        403,
                        Messages.language(
                                known.session()
                                        .map(ConsoleSessions.Session::language)
                                        .orElse(null),
                                ConsoleGuard.accepted(request)),
                        refusal);
                return;
            }
        }
        ConsoleSessions.Session session = known.session().orElseGet(() -> open(response, certificateHash));
        request.setAttribute(OPERATOR, operator);
        request.setAttribute(SESSION, session);
        request.setAttribute(MATCH, match);
        request.setAttribute(CERTIFICATE, chain_[0]);
        chain.doFilter(request, response);
    }

    private ConsoleSessions.Session open(HttpServletResponse response, byte[] certificateHash) {
        ConsoleSessions.Session s = sessions.open(certificateHash);
        // __Host-: Secure, Path=/, no Domain (RFC 6265bis §4.1.3.2); no Max-Age: gone with the browser.
        response.addHeader("Set-Cookie", COOKIE + "=" + s.id() + "; Path=/; Secure; HttpOnly; SameSite=Strict");
        return s;
    }

    /**
     * The languages the browser asks for; null without an Accept-Language header (the servlet API
     * would answer the server's default locale, which is not the browser's choice).
     */
    static Enumeration<Locale> accepted(HttpServletRequest request) {
        return request.getHeader("Accept-Language") == null ? null : request.getLocales();
    }

    /** The path inside the console, {@code /} for the console itself. */
    static String path(HttpServletRequest request) {
        String p = request.getPathInfo();
        return p == null || p.isEmpty() ? "/" : p;
    }

    private static String cookie(HttpServletRequest request) {
        Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return null;
        }
        for (Cookie c : cookies) {
            if (COOKIE.equals(c.getName())) {
                return c.getValue();
            }
        }
        return null;
    }

    /** The origin a browser sends for a page of this console: {@code https://host[:port]}, from the Host header. */
    private static String ownOrigin(HttpServletRequest request) {
        String host = request.getHeader("Host");
        return "https://" + (host == null ? "" : host);
    }

    private static byte[] hash(X509Certificate certificate) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot hash the client certificate", e);
        }
    }

    /** A target for the audit row: method and path, one line, at most 255 characters. */
    static String target(HttpServletRequest request) {
        String t = (request.getMethod() + " " + request.getRequestURI()).replaceAll("\\p{Cntrl}", "?");
        return t.length() <= 255 ? t : t.substring(0, 255);
    }

    /** {@code host:port}, IPv6 in brackets; at most 64 characters for the audit row. */
    static String address(String host, int port) {
        if (host == null) {
            return null;
        }
        String a = host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
        return a.length() <= 64 ? a : a.substring(0, 64);
    }
}
