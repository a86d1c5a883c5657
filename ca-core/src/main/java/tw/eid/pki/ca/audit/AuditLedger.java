package tw.eid.pki.ca.audit;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where every act is recorded for the auditor. Events are appended in the transaction of the act
 * they record (docs/style.md #9): the act and its audit row commit together or not at all.
 */
public interface AuditLedger {

    /**
     * Appends an event in the caller's open transaction and returns it as recorded. Takes the
     * ledger's head lock until the caller commits or rolls back, so every audited transaction queues
     * there: append as the last statement of the transaction to keep that queue short, and run the
     * transaction through {@code Database.inTransaction}, which retries the deadlocks and Galera
     * conflicts the lock can cause.
     *
     * @throws IllegalStateException if the connection is in auto-commit mode
     */
    AuditEntry append(Connection connection, AuditEvent event) throws SQLException;

    /**
     * Appends {@code events} in the caller's open transaction, in their order, as consecutive links
     * of the chain: the same rows as {@link #append} once per event, with the head locked and moved
     * once (a group commit of several acts writes their events this way).
     *
     * @throws IllegalStateException if the connection is in auto-commit mode
     */
    default List<AuditEntry> appendAll(Connection connection, List<AuditEvent> events) throws SQLException {
        List<AuditEntry> entries = new ArrayList<>(events.size());
        for (AuditEvent event : events) {
            entries.add(append(connection, event));
        }
        return entries;
    }

    /** The hash-chained ledger in table {@code audit_event}, timed by {@code clock}. */
    static AuditLedger hashChained(Clock clock) {
        return new HashChainedAuditLedger(Objects.requireNonNull(clock, "clock"));
    }
}
