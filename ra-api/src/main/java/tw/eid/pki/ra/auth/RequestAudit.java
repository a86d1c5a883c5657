package tw.eid.pki.ra.auth;

import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.ca.audit.AuditEvent;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.store.Database;

/**
 * Audits what the RA refuses before the domain sees it (401, 403), each in its own transaction.
 * The refusal stands whether or not the audit row lands: a store that is down must not turn a
 * refusal into an acceptance; the failure to audit is logged. Also records the few acts of the
 * edge itself ({@link #record}), failing closed.
 */
public final class RequestAudit {
    private static final Logger log = LoggerFactory.getLogger(RequestAudit.class);

    private final Database database;
    private final AuditLedger ledger;

    public RequestAudit(Database database, AuditLedger ledger) {
        this.database = Objects.requireNonNull(database, "database");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
    }

    public void refused(AuditEvent event) {
        try {
            database.inTransaction(c -> ledger.append(c, event));
        } catch (RuntimeException e) {
            log.error("could not audit refusal {} {}", event.action(), event.errorCode(), e);
        }
    }

    /**
     * Records an act of the edge that has no transaction of its own in the domain (an officer
     * reading personal data), before its result is shown: a failure to record throws (503), so
     * nothing is shown unrecorded.
     */
    public void record(AuditEvent event) {
        database.inTransaction(c -> ledger.append(c, event));
    }

    /** A target for the audit row: method and path, one line, at most 255 characters. */
    static String target(String method, String path) {
        String t = (method + " /" + path).replaceAll("\\p{Cntrl}", "?");
        return t.length() <= 255 ? t : t.substring(0, 255);
    }
}
