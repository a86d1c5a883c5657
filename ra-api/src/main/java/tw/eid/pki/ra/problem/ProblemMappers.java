package tw.eid.pki.ra.problem;

import com.fasterxml.jackson.core.JacksonException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.ca.approval.ApprovalException;
import tw.eid.pki.ca.audit.AuditQuery;
import tw.eid.pki.ca.card.CardException;
import tw.eid.pki.ca.csr.CsrRejectedException;
import tw.eid.pki.ca.cvc.CvException;
import tw.eid.pki.ca.document.SodException;
import tw.eid.pki.ca.document.seal.SealException;
import tw.eid.pki.ca.document.seal.TemporaryCertificateException;
import tw.eid.pki.ca.issuance.IssuanceException;
import tw.eid.pki.ca.profile.InvalidHolderNameException;
import tw.eid.pki.ca.profile.IssuanceRefusedException;
import tw.eid.pki.ca.revocation.StatusChangeRefusedException;
import tw.eid.pki.ca.store.StoreException;
import tw.eid.pki.hsm.TokenException;

/**
 * Every error becomes a problem here, once, at the edge (docs/style.md #7): one generic mapper for
 * the domain's coded exceptions ({@link Domain}: the status of each code from {@link HttpStatuses}
 * or the rule written next to it), one for Jersey's own errors (unknown path 404, wrong method 405,
 * wrong media type 415, 406), one for unreadable JSON, and a catch-all that answers 500 {@code
 * internal-error} and keeps the stack trace in the server log. The domain's messages are short and
 * free of personal data by their own contracts (CardException, CsrRejectedException, …), so they
 * are the detail; failures that are not the caller's fault (token, store, internal) get a fixed
 * detail instead.
 */
public final class ProblemMappers {
    private static final Logger log = LoggerFactory.getLogger(ProblemMappers.class);

    private ProblemMappers() {}

    /** All mappers, for registration. */
    public static List<Class<?>> all() {
        return List.of(Domain.class, Json.class, Jersey.class, Internal.class);
    }

    /**
     * Every runtime exception Jersey has no closer mapper for ({@link WebApplicationException} has
     * {@link Jersey}): the domain's coded exceptions as their problems, anything else as {@link
     * Internal} answers it.
     */
    public static final class Domain implements ExceptionMapper<RuntimeException> {
        @Override
        public Response toResponse(RuntimeException e) {
            if (e instanceof ProblemException p) {
                return p.problem().toResponse();
            }
            if (e instanceof ApprovalException x) {
                return coded(HttpStatuses.of(x.code()), x.code().id(), x);
            }
            if (e instanceof SealException x) {
                // Temporary ID certificate seals (issue 24).
                return coded(HttpStatuses.of(x.code()), x.code().id(), x);
            }
            if (e instanceof TemporaryCertificateException x) {
                return coded(HttpStatuses.of(x.code()), x.code().id(), x);
            }
            if (e instanceof CvException x) {
                // CV certificate and agency record refusals (issue 22).
                return coded(HttpStatuses.of(x.code()), x.code().id(), x);
            }
            if (e instanceof AuditQuery.InvalidCriteriaException x) {
                return coded(400, x.code(), x);
            }
            if (e instanceof CardException x) {
                return coded(HttpStatuses.of(x.code()), x.code().id(), x);
            }
            if (e instanceof SodException x) {
                return sod(x);
            }
            if (e instanceof IssuanceException x) {
                return issuance(x);
            }
            if (e instanceof StatusChangeRefusedException x) {
                int status = switch (x.code()) {
                    case NOT_FOUND -> 404;
                    case BAD_REASON -> 400;
                    default -> 409;
                };
                return coded(status, x.code().id(), x);
            }
            if (e instanceof CsrRejectedException x) {
                return coded(
                        x.code().kind() == CsrRejectedException.Kind.MALFORMED ? 400 : 422,
                        x.code().id(),
                        x);
            }
            if (e instanceof InvalidHolderNameException x) {
                // docs/profiles.md names: a well-formed request that policy refuses. The message names
                // the rule and a code point position, never the name.
                return coded(422, x.code().id(), x);
            }
            if (e instanceof IssuanceRefusedException x) {
                return issuanceRefused(x);
            }
            if (e instanceof TokenException x) {
                return token(x);
            }
            if (e instanceof StoreException x) {
                return store(x);
            }
            return internal(e);
        }
    }

    /** The problem of a coded refusal whose message is the detail. */
    private static Response coded(int status, String code, RuntimeException e) {
        return Problem.of(status, code, e.getMessage()).toResponse();
    }

    /** SOD refusals keep their status; an empty DS pool is a 503 the line retries after a ceremony. */
    private static Response sod(SodException e) {
        Response.ResponseBuilder b = Problem.of(
                        HttpStatuses.of(e.code()), e.code().id(), e.getMessage())
                .toResponseBuilder();
        if (e.code() == SodException.Code.POOL_EMPTY) {
            log.error("SOD refused: {}", e.getMessage());
            b.header("Retry-After", "300");
        } else if (e.code() == SodException.Code.RATE_LIMITED) {
            b.header("Retry-After", "1");
        }
        return b.build();
    }

    private static Response issuance(IssuanceException e) {
        if (HttpStatuses.of(e.code()) >= 500) {
            log.error("issuance failed: {}", e.code().id(), e);
            return Problem.of(
                            HttpStatuses.of(e.code()),
                            e.code().id(),
                            "the certificate could not be stored; try again later")
                    .toResponse();
        }
        return coded(HttpStatuses.of(e.code()), e.code().id(), e);
    }

    /**
     * A request that does not fit its profile is the caller's (422); a lint, TBS or signature
     * failure is ours (500): the linted certificate was refused before the token signed it.
     */
    private static Response issuanceRefused(IssuanceRefusedException e) {
        if (e.code() == IssuanceRefusedException.Code.BAD_REQUEST) {
            return coded(422, e.code().id(), e);
        }
        log.error("issuance refused by its own checks: {}", e.code().id(), e);
        return Problem.of(500, e.code().id(), "issuance was stopped by a pre-issuance check")
                .toResponse();
    }

    private static Response token(TokenException e) {
        if (e.isUnavailable()) {
            log.warn("token unavailable: {}", e.getMessage());
            return Problem.of(503, "token.unavailable", "the key token cannot be reached; try again later")
                    .toResponseBuilder()
                    .header("Retry-After", "30")
                    .build();
        }
        log.error("token failure {}", e.code(), e);
        return Problem.of(
                        500,
                        "token." + e.code().name().toLowerCase().replace('_', '-'),
                        "the key token refused the operation")
                .toResponse();
    }

    /** 503 when the database cannot be reached (or keeps conflicting), 500 for anything else. */
    private static Response store(StoreException e) {
        if (e.code() == StoreException.Code.OUTCOME_UNKNOWN) {
            log.warn("store: outcome unknown: {}", e.getMessage(), e);
            return Problem.of(
                            503,
                            e.code().id(),
                            "the commit failed and may or may not have taken effect: read the state back"
                                    + " (or retry with the same Idempotency-Key) before acting again")
                    .toResponse();
        }
        if (unreachable(e)) {
            log.warn("store unavailable: {} {}", e.code().id(), e.getMessage(), e);
            String detail = e.code() == StoreException.Code.CONFLICT
                    ? "the database is busy with conflicting changes; try again later"
                    : "the database cannot be reached; try again later";
            return Problem.of(503, "store.unavailable", detail)
                    .toResponseBuilder()
                    .header("Retry-After", e.code() == StoreException.Code.CONFLICT ? "1" : "10")
                    .build();
        }
        log.error("store failure {}", e.code().id(), e);
        return Problem.of(500, e.code().id(), "the database refused the operation")
                .toResponse();
    }

    static boolean unreachable(StoreException e) {
        if (e.code() == StoreException.Code.CONFLICT
                || e.code() == StoreException.Code.INTERRUPTED
                || e.code() == StoreException.Code.UNAVAILABLE) {
            return true;
        }
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return true; // HikariCP: no connection within its timeout
            }
            if (t instanceof SQLException s
                    && s.getSQLState() != null
                    && s.getSQLState().startsWith("08")) {
                return true; // SQLSTATE class 08: connection exception
            }
        }
        return false;
    }

    /** Unreadable, mistyped or unknown JSON fields (Jackson is strict here): 400. */
    public static final class Json implements ExceptionMapper<JacksonException> {
        @Override
        public Response toResponse(JacksonException e) {
            // Jackson's message may quote the input (personal data): say only where it broke.
            String where = e.getLocation() == null
                    ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr();
            return Problem.of(
                            400,
                            "request.malformed-json",
                            "the request body is not the JSON this endpoint takes" + where)
                    .toResponse();
        }
    }

    /** Jersey's own refusals keep their status and headers (Allow on 405) and become problems. */
    public static final class Jersey implements ExceptionMapper<WebApplicationException> {
        @Override
        public Response toResponse(WebApplicationException e) {
            Response original = e.getResponse();
            int status = original == null ? 500 : original.getStatus();
            String code = switch (status) {
                case 400 -> "request.bad-request";
                case 401 -> "auth.unauthenticated";
                case 403 -> "auth.forbidden";
                case 404 -> "request.not-found";
                case 405 -> "request.method-not-allowed";
                case 406 -> "request.not-acceptable";
                case 413 -> "request.too-large";
                case 415 -> "request.unsupported-media-type";
                default -> status >= 500 ? "internal-error" : "request.refused";
            };
            if (status >= 500) {
                log.error("request failed with {}", status, e);
            }
            String detail = switch (status) {
                case 404 -> "no such resource";
                case 405 -> "this resource does not take that method";
                case 406 -> "no representation matches the Accept header";
                case 415 -> "this resource does not take that Content-Type";
                case 400 -> "the request could not be read";
                default -> status >= 500 ? "internal error" : "the request was refused";
            };
            Response.ResponseBuilder b = Problem.of(status, code, detail).toResponseBuilder();
            if (original != null && original.getHeaderString("Allow") != null) {
                b.header("Allow", original.getHeaderString("Allow"));
            }
            return b.build();
        }
    }

    /** Anything else is our fault: 500, a fixed detail, and the stack trace in the server log only. */
    public static final class Internal implements ExceptionMapper<Throwable> {
        @Override
        public Response toResponse(Throwable e) {
            return internal(e);
        }
    }

    private static Response internal(Throwable e) {
        log.error("internal error", e);
        return Problem.of(500, "internal-error", "internal error").toResponse();
    }
}
