package tw.eid.pki.ca.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * The status change log: a certificate's status changes only together with an entry appended here
 * ({@link #append}, in the caller's transaction), and the OCSP responder and the CRL publisher
 * follow the log by id or by time.
 *
 * <p>Followers beware (V1): ids are allocated at insert, not at commit, and Galera leaves gaps, so
 * a row with a lower id can become visible after a higher one; re-read a window behind the last id
 * seen.
 */
public interface StatusChangeLog {

    /** One entry of the log, as a follower by id needs it. */
    record Entry(long id, String caName, String serialHex) {}

    /** One entry of a CA's log, as the CRL publisher needs it: the partition of its certificate (0: none). */
    record Change(long id, int partition, Instant changedAt) {}

    /** A certificate changed since a time: its current state and the time of its last change. */
    record ChangedCertificate(
            String serialHex, CertificateStatus status, int reason, Instant revocationTime, Instant lastChange) {}

    /** Receives {@link ChangedCertificate}s one by one. */
    @FunctionalInterface
    interface ChangedSink {
        void accept(ChangedCertificate row);
    }

    /**
     * Changes the certificate from {@code from} to {@code to} (reason code null: good again, no
     * revocation time) and appends the change, in the caller's transaction; returns the log id. The
     * caller has locked and checked the row: if it is not in {@code from} any more the transaction
     * fails as a conflict (SQLState 40001) and is retried.
     */
    long append(
            Connection c,
            String caName,
            String serialHex,
            CertificateStatus from,
            CertificateStatus to,
            Integer reasonCode,
            Instant now)
            throws SQLException;

    /**
     * The highest position ({@code commit_seq}, V12) in the log, 0 when it is empty. Positions
     * become visible in their order, unlike ids (docs/cluster.md#the-status-change-log).
     */
    long lastId();

    /** The entries with a position ({@code commit_seq}) above {@code afterId}, in that order; {@link Entry#id()} is the position. */
    List<Entry> since(long afterId);

    /** The changes of {@code caName} stamped at or after {@code since}, oldest first. */
    List<Change> changesSince(String caName, Instant since);

    /**
     * Streams the certificates of a CA's partition (0: all) whose status changed at or after {@code
     * since}, not expired before {@code expiredBefore} (null: expired ones too), each with its
     * current state, leaving out those whose last change is at or after {@code before}.
     */
    void changedSince(
            String caName, int partition, Instant since, Instant before, Instant expiredBefore, ChangedSink sink);
}
