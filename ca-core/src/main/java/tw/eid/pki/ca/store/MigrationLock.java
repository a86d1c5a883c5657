package tw.eid.pki.ca.store;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster-wide lock around schema migration on Galera (docs/cluster.md#migrations).
 *
 * <p>Flyway locks its history table with {@code SELECT ... FOR UPDATE} (or a named lock): on Galera
 * such a lock holds on one node only, so processes starting together against different nodes
 * applied one migration twice. This lock is a row that is <em>written</em>: two nodes that take it
 * at once conflict at certification, one commit loses and retries, and then reads (causally) who
 * holds it. A holder that dies leaves the row; it is taken over once it has expired ({@value
 * #TTL_SECONDS} s, renewed by nobody: a migration run longer than that is refused at take-over
 * time by Flyway's own checksum and history, and in practice takes seconds).
 */
final class MigrationLock implements AutoCloseable {

    static final int TTL_SECONDS = 600;

    private static final long WAIT_MS = 15 * 60 * 1000L;

    private static final Logger log = LoggerFactory.getLogger(MigrationLock.class);

    private final DataSource dataSource;
    private final String holder;

    private MigrationLock(DataSource dataSource, String holder) {
        this.dataSource = dataSource;
        this.holder = holder;
    }

    static MigrationLock acquire(DataSource dataSource) {
        String holder = ManagementFactory.getRuntimeMXBean().getName() + "/"
                + UUID.randomUUID().toString().substring(0, 8);
        long deadline = System.currentTimeMillis() + WAIT_MS;
        boolean told = false;
        try {
            createTable(dataSource);
            while (true) {
                String current = tryTake(dataSource, holder);
                if (holder.equals(current)) {
                    return new MigrationLock(dataSource, holder);
                }
                if (!told) {
                    log.info("schema migration: waiting for {} to finish migrating", current);
                    told = true;
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new StoreException(
                            StoreException.Code.MIGRATION,
                            "schema migration: another process (" + current + ") has held the migration lock too long");
                }
                Thread.sleep(250 + (long) (Math.random() * 250));
            }
        } catch (SQLException e) {
            throw new StoreException(
                    StoreException.Code.MIGRATION, "schema migration: cannot take the migration lock", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(StoreException.Code.INTERRUPTED, "interrupted waiting for the migration lock", e);
        }
    }

    private static void createTable(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            // DDL on Galera runs in total order on every node; IF NOT EXISTS makes the race harmless.
            s.execute("CREATE TABLE IF NOT EXISTS eidpki_migration_lock (name VARCHAR(32) NOT NULL PRIMARY KEY,"
                    + " holder VARCHAR(200) NOT NULL, expires_at DATETIME(6) NOT NULL) ENGINE=InnoDB");
        }
    }

    /** Takes the lock if free or expired; returns its holder afterwards (read causally). */
    private static String tryTake(DataSource dataSource, String holder) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                try {
                    c.setAutoCommit(false);
                    try (PreparedStatement p = c.prepareStatement("INSERT INTO eidpki_migration_lock"
                            + " (name, holder, expires_at) VALUES ('flyway', ?, UTC_TIMESTAMP(6) + INTERVAL "
                            + TTL_SECONDS + " SECOND) ON DUPLICATE KEY UPDATE"
                            + " holder = IF(expires_at < UTC_TIMESTAMP(6), VALUES(holder), holder),"
                            + " expires_at = IF(holder = VALUES(holder), VALUES(expires_at), expires_at)")) {
                        p.setString(1, holder);
                        p.executeUpdate();
                    }
                    c.commit();
                } catch (SQLException e) {
                    c.rollback();
                    if (!Database.isTransactionConflict(e) || attempt >= 20) {
                        throw e;
                    }
                    continue; // lost certification to another taker: read who won
                } finally {
                    c.setAutoCommit(true);
                }
                try (Statement s = c.createStatement()) {
                    s.execute("SET SESSION wsrep_sync_wait = 1");
                    try (ResultSet rs =
                            s.executeQuery("SELECT holder FROM eidpki_migration_lock WHERE name = 'flyway'")) {
                        return rs.next() ? rs.getString(1) : null;
                    }
                }
            }
        }
    }

    /** Whether the lock's table is the only table of the current schema (a new schema). */
    static boolean onlyTableIn(DataSource dataSource) {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*), SUM(table_name = 'eidpki_migration_lock')"
                        + " FROM information_schema.tables WHERE table_schema = DATABASE()")) {
            rs.next();
            return rs.getInt(1) == 1 && rs.getInt(2) == 1;
        } catch (SQLException e) {
            throw new StoreException(
                    StoreException.Code.MIGRATION, "schema migration: cannot list the schema's tables", e);
        }
    }

    @Override
    public void close() {
        try (Connection c = dataSource.getConnection();
                PreparedStatement p =
                        c.prepareStatement("DELETE FROM eidpki_migration_lock WHERE name = 'flyway' AND holder = ?")) {
            p.setString(1, holder);
            p.executeUpdate();
        } catch (SQLException e) {
            log.warn("schema migration: could not release the migration lock; it expires in {} s", TTL_SECONDS, e);
        }
    }
}
