package tw.eid.pki.ra.auth;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;
import java.lang.reflect.Method;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import tw.eid.pki.ca.audit.AuditDetails;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.profile.OperatorRole;
import tw.eid.pki.ra.problem.Problem;

/**
 * Least privilege per resource method (docs/api.md's role column): {@link Allowed} names the roles,
 * {@link AnyOperator} lets every authenticated operator in, and a method with neither is closed
 * to all. A role that may not act gets 403 {@code auth.role-not-allowed}; the refusal is audited
 * and, unlike an authentication failure, not counted toward a lockout.
 */
public final class RoleAuthorization implements DynamicFeature {
    private final RequestAudit audit;

    public RoleAuthorization(RequestAudit audit) {
        this.audit = Objects.requireNonNull(audit, "audit");
    }

    @Override
    public void configure(ResourceInfo resource, FeatureContext context) {
        Method m = resource.getResourceMethod();
        if (m != null && m.isAnnotationPresent(AnyOperator.class)) {
            return;
        }
        // No method (Jersey's own OPTIONS answers) or no annotation: closed to every role.
        Allowed allowed = m == null ? null : m.getAnnotation(Allowed.class);
        Set<OperatorRole> roles = EnumSet.noneOf(OperatorRole.class);
        if (allowed != null) {
            roles.addAll(Set.of(allowed.value()));
        }
        context.register(new RoleFilter(roles, audit));
    }

    @Priority(Priorities.AUTHORIZATION)
    static final class RoleFilter implements ContainerRequestFilter {
        private final Set<OperatorRole> roles;
        private final RequestAudit audit;

        RoleFilter(Set<OperatorRole> roles, RequestAudit audit) {
            this.roles = roles;
            this.audit = audit;
        }

        @Override
        public void filter(ContainerRequestContext ctx) {
            if (ctx.getSecurityContext().getUserPrincipal() instanceof AuthenticatedOperator operator) {
                if (roles.contains(operator.role())) {
                    return;
                }
                audit.refused(operator.actor()
                        .event(
                                "ra.authorize",
                                RequestAudit.target(
                                        ctx.getMethod(), ctx.getUriInfo().getPath()),
                                AuditResult.REFUSED)
                        .withErrorCode("auth.role-not-allowed")
                        .withDetails(
                                AuditDetails.of().put("role", operator.role().id())));
                ctx.abortWith(Problem.of(
                                403,
                                "auth.role-not-allowed",
                                "role " + operator.role().id() + " may not do this")
                        .toResponse());
                return;
            }
            // Not reachable behind AuthenticationFilter; refuse rather than assume.
            ctx.abortWith(Problem.of(401, "auth.unauthenticated", "no authenticated operator")
                    .toResponse());
        }
    }
}
