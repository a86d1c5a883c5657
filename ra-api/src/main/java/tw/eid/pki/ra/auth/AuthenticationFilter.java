package tw.eid.pki.ra.auth;

import jakarta.annotation.Priority;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import tw.eid.pki.ca.audit.AuditDetails;
import tw.eid.pki.ca.audit.AuditEvent;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ra.problem.Problem;

/**
 * Runs first on every request, before Jersey even matches a path (so an unauthenticated caller
 * learns nothing about which paths exist):
 * <ol>
 *   <li>a source locked out answers 429 {@code auth.locked-out} with Retry-After, and nothing
 *       about its certificate is looked at;</li>
 *   <li>{@link OperatorAuthenticator} decides who is calling; a refusal answers 401 with its code,
 *       is audited, and is counted against the source ({@link AuthFailures});</li>
 *   <li>otherwise the request carries an {@link AuthenticatedOperator} as its principal.</li>
 * </ol>
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public final class AuthenticationFilter implements ContainerRequestFilter {
    static final String CERTIFICATE_ATTRIBUTE = "jakarta.servlet.request.X509Certificate";
    static final String UNAUTHENTICATED_ACTOR = "unauthenticated";

    private final AuthFailures failures;
    private final OperatorAuthenticator authenticator;
    private final RequestAudit audit;
    private final Clock clock;

    @Context
    private HttpServletRequest request;

    public AuthenticationFilter(
            AuthFailures failures, OperatorAuthenticator authenticator, RequestAudit audit, Clock clock) {
        this.failures = Objects.requireNonNull(failures, "failures");
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void filter(ContainerRequestContext ctx) {
        String ip = request.getRemoteAddr();
        Optional<Instant> locked = failures.lockedUntil(ip);
        if (locked.isPresent()) {
            long seconds =
                    Math.max(1, Duration.between(clock.instant(), locked.get()).toSeconds());
            ctx.abortWith(Problem.of(
                            429,
                            "auth.locked-out",
                            "too many authentication failures from this address; try again later")
                    .toResponseBuilder()
                    .header("Retry-After", Long.toString(seconds))
                    .build());
            return;
        }
        String source = address(request.getRemoteAddr(), request.getRemotePort());
        String destination = address(request.getLocalAddr(), request.getLocalPort());
        X509Certificate[] chain = request.getAttribute(CERTIFICATE_ATTRIBUTE) instanceof X509Certificate[] c ? c : null;
        AuthenticatedOperator operator;
        try {
            operator = authenticator.authenticate(chain, source, destination);
        } catch (AuthenticationFailure f) {
            failures.record(ip);
            AuditEvent event = AuditEvent.of(
                            UNAUTHENTICATED_ACTOR,
                            "ra.authenticate",
                            RequestAudit.target(
                                    ctx.getMethod(), ctx.getUriInfo().getPath()),
                            AuditResult.REFUSED)
                    .withAddresses(source, destination)
                    .withErrorCode(f.code().id());
            if (chain != null && chain.length > 0) {
                // The serial of what was presented, for the auditor (hex: no personal data).
                event = event.withDetails(AuditDetails.of()
                        .put("certificateSerial", chain[0].getSerialNumber().toString(16)));
            }
            audit.refused(event);
            ctx.abortWith(Problem.of(401, f.code().id(), f.getMessage()).toResponse());
            return;
        }
        ctx.setSecurityContext(new OperatorSecurityContext(operator));
    }

    /** {@code host:port}, IPv6 in brackets (RFC 3986 §3.2.2); at most 64 characters for the audit row. */
    static String address(String host, int port) {
        if (host == null) {
            return null;
        }
        String a = host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
        return a.length() <= 64 ? a : a.substring(0, 64);
    }

    private record OperatorSecurityContext(AuthenticatedOperator operator) implements SecurityContext {
        @Override
        public Principal getUserPrincipal() {
            return operator;
        }

        @Override
        public boolean isUserInRole(String role) {
            return operator.role().id().equals(role);
        }

        @Override
        public boolean isSecure() {
            return true;
        }

        @Override
        public String getAuthenticationScheme() {
            return SecurityContext.CLIENT_CERT_AUTH;
        }
    }
}
