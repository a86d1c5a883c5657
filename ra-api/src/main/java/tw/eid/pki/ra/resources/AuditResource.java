package tw.eid.pki.ra.resources;

import static tw.eid.pki.ca.profile.OperatorRole.AUDITOR;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import tw.eid.pki.ca.audit.AuditQuery;
import tw.eid.pki.ra.auth.Allowed;
import tw.eid.pki.ra.problem.ProblemException;

/**
 * {@code GET /audit}: the ledger's events for the auditor, filtered by time ({@code from}
 * inclusive, {@code to} exclusive, RFC 3339 UTC), actor and action, {@code limit} at a time (1–1000,
 * default 100); {@code after} is the cursor a page's {@code nextAfter} gives. Events carry no
 * personal data by the ledger's own contract. The rows are shown as stored; {@code bin/eidpki
 * audit verify} checks the chain.
 */
@Path("audit")
public final class AuditResource {
    static final int DEFAULT_LIMIT = 100;

    private final AuditQuery query;

    public AuditResource(AuditQuery query) {
        this.query = Objects.requireNonNull(query, "query");
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(AUDITOR)
    public Views.AuditPage events(
            @QueryParam("from") String from,
            @QueryParam("to") String to,
            @QueryParam("actor") String actor,
            @QueryParam("action") String action,
            @QueryParam("after") String after,
            @QueryParam("limit") String limit) {
        AuditQuery.Criteria criteria = new AuditQuery.Criteria(
                instant(from, "from"), instant(to, "to"), actor, action, number(after, 0, "after"), (int)
                        Math.min(number(limit, DEFAULT_LIMIT, "limit"), Integer.MAX_VALUE));
        AuditQuery.Page page = query.find(criteria);
        return new Views.AuditPage(
                page.events().stream().map(Views.AuditEventView::of).toList(), page.nextAfterSeq());
    }

    private static Instant instant(String text, String name) {
        if (text == null) {
            return null;
        }
        // RFC 3339 §5.6: a four-digit year. Instant.parse would take "+1000000000-01-01T00:00:00Z",
        // which no DATETIME column (nor LocalDateTime) holds.
        if (!text.matches("[0-9]{4}-.*")) {
            throw invalidTime(name);
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw invalidTime(name);
        }
    }

    private static ProblemException invalidTime(String name) {
        return ProblemException.badRequest(
                "audit.invalid-query", name + " must be an RFC 3339 UTC time, e.g. 2026-01-31T23:59:59Z");
    }

    private static long number(String text, long absent, String name) {
        if (text == null) {
            return absent;
        }
        if (!text.matches("[0-9]{1,18}")) {
            throw ProblemException.badRequest("audit.invalid-query", name + " must be a non-negative integer");
        }
        return Long.parseLong(text);
    }
}
