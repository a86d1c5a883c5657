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
 * Every error becomes a problem here, once, at the edge (docs/style.md #7): one mapper per domain
 * exception, one for Jersey's own errors (unknown path 404, wrong method 405, wrong media type 415,
 * 406), one for unreadable JSON, and a catch-all that answers 500 {@code internal-error} and keeps
 * the stack trace in the server log. The domain's messages are short and free of personal data
 * by their own contracts (CardException, CsrRejectedException, …), so they are the detail;
 * failures that are not the caller's fault (token, store, internal) get a fixed detail instead.
 */
public final class ProblemMappers {
    private static final Logger log = LoggerFactory.getLogger(ProblemMappers.class);

    private ProblemMappers() {}

    /** All mappers, for registration. */
    public static List<Class<?>> all() {
        return List.of(
                Approval.class,
                AuditCriteria.class,
                Card.class,
                Seal.class,
                TemporaryCertificate.class,
                Sod.class,
                Issuance.class,
                StatusChange.class,
                Csr.class,
                HolderName.class,
                IssuanceRefused.class,
                Token.class,
                Store.class,
                Json.class,
                Jersey.class,
                Edge.class,
                Internal.class);
    }

    public static final class Approval implements ExceptionMapper<ApprovalException> {
        @Override
        public Response toResponse(ApprovalException e) {
            return Problem.of(HttpStatuses.of(e.code()), e.code().id(), e.getMessage())
                    .toResponse();
        }
    }

    public static final class AuditCriteria implements ExceptionMapper<AuditQuery.InvalidCriteriaException> {
        @Override
        public Response toResponse(AuditQuery.InvalidCriteriaException e) {
            return Problem.of(400, e.code(), e.getMessage()).toResponse();
        }
    }

    public static final class Card implements ExceptionMapper<CardException> {
        @Override
        public Response toResponse(CardException e) {
            return Problem.of(HttpStatuses.of(e.code()), e.code().id(), e.getMessage())
                    .toResponse();
        }
    }

    public static final class Seal implements ExceptionMapper<SealException> {
        @Override
        public Response toResponse(SealException e) {
            return Problem.of(HttpStatuses.of(e.code()), e.code().id(), e.getMessage())
                    .toResponse();
        }
    }

    public static final class TemporaryCertificate implements ExceptionMapper<TemporaryCertificateException> {
        @Override
        public Response toResponse(TemporaryCertificateException e) {
            return Problem.of(HttpStatuses.of(e.code()), e.code().id(), e.getMessage())
                    .toResponse();
        }
    }

    /** SOD refusals keep their status; an empty DS pool is a 503 the line retries after a ceremony. */
    public static final class Sod implements ExceptionMapper<SodException> {
        @Override
        public Response toResponse(SodException e) {
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
    }

    public static final class Issuance implements ExceptionMapper<IssuanceException> {
        @Override
        public Response toResponse(IssuanceException e) {
            if (HttpStatuses.of(e.code()) >= 500) {
                log.error("issuance failed: {}", e.code().id(), e);
                return Problem.of(
                                HttpStatuses.of(e.code()),
                                e.code().id(),
                                "the certificate could not be stored; try again later")
                        .toResponse();
            }
            return Problem.of(HttpStatuses.of(e.code()), e.code().id(), e.getMessage())
                    .toResponse();
        }
    }

    public static final class StatusChange implements ExceptionMapper<StatusChangeRefusedException> {
        @Override
        public Response toResponse(StatusChangeRefusedException e) {
            int status = switch (e.code()) {
                case NOT_FOUND -> 404;
                case BAD_REASON -> 400;
                default -> 409;
            };
            return Problem.of(status, e.code().id(), e.getMessage()).toResponse();
        }
    }

    public static final class Csr implements ExceptionMapper<CsrRejectedException> {
        @Override
        public Response toResponse(CsrRejectedException e) {
            int status = e.code().kind() == CsrRejectedException.Kind.MALFORMED ? 400 : 422;
            return Problem.of(status, e.code().id(), e.getMessage()).toResponse();
        }
    }

    /** docs/profiles.md names: every refusal is a well-formed request that policy refuses, 422. */
    public static final class HolderName implements ExceptionMapper<InvalidHolderNameException> {
        @Override
        public Response toResponse(InvalidHolderNameException e) {
            // The message names the rule and a code point position, never the name.
            return Problem.of(422, e.code().id(), e.getMessage()).toResponse();
        }
    }

    /**
     * A request that does not fit its profile is the caller's (422); a lint, TBS or signature
     * failure is ours (500): the linted certificate was refused before the token signed it.
     */
    public static final class IssuanceRefused implements ExceptionMapper<IssuanceRefusedException> {
        @Override
        public Response toResponse(IssuanceRefusedException e) {
            if (e.code() == IssuanceRefusedException.Code.BAD_REQUEST) {
                return Problem.of(422, e.code().id(), e.getMessage()).toResponse();
            }
            log.error("issuance refused by its own checks: {}", e.code().id(), e);
            return Problem.of(500, e.code().id(), "issuance was stopped by a pre-issuance check")
                    .toResponse();
        }
    }

    public static final class Token implements ExceptionMapper<TokenException> {
        @Override
        public Response toResponse(TokenException e) {
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
    }

    /** 503 when the database cannot be reached (or keeps conflicting), 500 for anything else. */
    public static final class Store implements ExceptionMapper<StoreException> {
        @Override
        public Response toResponse(StoreException e) {
            if (unreachable(e)) {
                log.warn("store unavailable: {} {}", e.code().id(), e.getMessage(), e);
                return Problem.of(503, "store.unavailable", "the database cannot be reached; try again later")
                        .toResponseBuilder()
                        .header("Retry-After", "10")
                        .build();
            }
            log.error("store failure {}", e.code().id(), e);
            return Problem.of(500, e.code().id(), "the database refused the operation")
                    .toResponse();
        }

        static boolean unreachable(StoreException e) {
            if (e.code() == StoreException.Code.CONFLICT || e.code() == StoreException.Code.INTERRUPTED) {
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

    public static final class Edge implements ExceptionMapper<ProblemException> {
        @Override
        public Response toResponse(ProblemException e) {
            return e.problem().toResponse();
        }
    }

    /** Anything else is our fault: 500, a fixed detail, and the stack trace in the server log only. */
    public static final class Internal implements ExceptionMapper<Throwable> {
        @Override
        public Response toResponse(Throwable e) {
            log.error("internal error", e);
            return Problem.of(500, "internal-error", "internal error").toResponse();
        }
    }
}
