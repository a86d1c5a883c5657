package tw.eid.pki.ca.audit;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Objects;

/**
 * Where every act is recorded for the auditor. Events are appended in the transaction of the act
 * they record (STYLE.md #9): the act and its audit row commit together or not at all.
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

  /** The hash-chained ledger in table {@code audit_event}, timed by {@code clock}. */
  static AuditLedger hashChained(Clock clock) {
    return new HashChainedAuditLedger(Objects.requireNonNull(clock, "clock"));
  }
}
