package tw.eid.pki.ca.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.SQLExceptionOverride;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.Metrics;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection pool to the CA's MariaDB database, with the schema brought to this build's
 * migrations ({@code db/migration}, Flyway) when it opens.
 *
 * <p>Every session runs in strict SQL mode (an over-long value is an error, never silently cut,
 * which matters for hash-chained audit rows) and with time zone UTC.
 */
public final class Database implements AutoCloseable {

    /**
     * Attempts for one {@link #inTransaction} call. A Galera cluster under write load aborts some
     * transactions at commit; a handful of retries with jitter clears nearly all of them, and a
     * transaction that keeps losing is better reported than retried forever.
     */
    /** Attempts in all for a transaction that keeps losing its node. */
    static final int MAX_ATTEMPTS = 5;

    /**
     * Attempts in all for a transaction that keeps losing deadlocks or certification conflicts:
     * more than for node failures, since every act writes the one audit chain head, which
     * transactions on different Galera nodes collide on (drill a's bulk set-up gave up after 5).
     */
    static final int MAX_CONFLICT_ATTEMPTS = 8;

    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private static final String SESSION_SETUP =
            "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
                    + "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', time_zone = '+00:00'";

    /**
     * Run on a connection before the pool lends it, on Galera only: an error unless its node is
     * ready, Synced and in the primary component. Such a node answers {@code SELECT 1} and pings,
     * so neither shows it; the scalar subquery that returns two rows is the error.
     */
    static final String GALERA_READY_CHECK = "SELECT 1 FROM DUAL WHERE IF((SELECT COUNT(*) FROM"
            + " information_schema.GLOBAL_STATUS WHERE (VARIABLE_NAME = 'WSREP_READY' AND VARIABLE_VALUE = 'ON')"
            + " OR (VARIABLE_NAME = 'WSREP_LOCAL_STATE' AND VARIABLE_VALUE = '4')"
            + " OR (VARIABLE_NAME = 'WSREP_CLUSTER_STATUS' AND VARIABLE_VALUE = 'Primary')) = 3,"
            + " 1, (SELECT 1 UNION ALL SELECT 2)) = 1";

    /** Driver defaults when the URL does not set them (docs/cluster.md#timeouts). */
    static final int CONNECT_TIMEOUT_MS = 3_000;

    static final int SOCKET_TIMEOUT_MS = 15_000;

    private static final Map<String, LongAdder> RETRIES = new ConcurrentHashMap<>();

    private final HikariDataSource pool;
    private final boolean galera;
    private final Duration connectionWait;

    private Database(HikariDataSource pool, boolean galera, Duration connectionWait) {
        this.pool = pool;
        this.connectionWait = connectionWait;
        this.galera = galera;
    }

    /**
     * Opens the pool and applies (or validates) the schema migrations as the settings say. Fails fast:
     * a database that cannot be reached or migrated stops start-up here.
     */
    public static Database open(DatabaseSettings settings) {
        Objects.requireNonNull(settings, "settings");
        Properties driver = new Properties();
        driver.setProperty("user", settings.user());
        driver.setProperty("password", settings.password().reveal());
        // Server-side prepared statements, cached per connection by the driver: mysqld parses each
        // of the few statements once per connection instead of on every execution.
        driver.setProperty("useServerPrepStmts", "true");
        // Without a socket timeout a node that stops answering (SIGSTOP, a frozen VM) holds a
        // request forever; the URL may set longer ones.
        if (!settings.jdbcUrl().contains("connectTimeout=")) {
            driver.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_MS));
        }
        if (!settings.jdbcUrl().contains("socketTimeout=")) {
            driver.setProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_MS));
        }
        NodeSelectingDataSource nodes =
                new NodeSelectingDataSource(settings.jdbcUrl(), driver, System::currentTimeMillis);
        boolean galera;
        try (Connection probe = nodes.getConnection()) {
            galera = NodeSelectingDataSource.isGalera(probe);
        } catch (SQLException e) {
            throw new StoreException(StoreException.Code.UNAVAILABLE, "cannot connect to the database", e);
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("eidpki-db");
        // hikaricp_connections_* in Micrometer's global registry: a serving process adds its Prometheus
        // registry to it (docs/metrics.md); elsewhere nothing reads them.
        config.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(Metrics.globalRegistry));
        config.setDataSource(nodes);
        config.setMaximumPoolSize(settings.maxPoolSize());
        config.setMinimumIdle(Math.min(2, settings.maxPoolSize()));
        config.setConnectionTimeout(settings.connectionWait().toMillis());
        config.setValidationTimeout(3_000);
        config.setKeepaliveTime(30_000);
        if (galera) {
            // Reads see every transaction the cluster committed before they started (a status change
            // acknowledged through another node included): docs/cluster.md#causal-reads.
            config.setConnectionInitSql(SESSION_SETUP + ", wsrep_sync_wait = 1");
            config.setConnectionTestQuery(GALERA_READY_CHECK);
            // Connections come back to a process's own node once it is healthy again.
            config.setMaxLifetime(300_000);
            config.setIdleTimeout(120_000);
            config.setExceptionOverrideClassName(EvictFromLaggingNode.class.getName());
        } else {
            config.setConnectionInitSql(SESSION_SETUP);
        }
        config.setAutoCommit(true);
        // READ COMMITTED: a locking read locks the rows it returns and no index gaps, so issuances of
        // neighbouring cards do not wait on each other's gap locks (under REPEATABLE READ the final
        // write's "the card's other certificates ... FOR UPDATE" locked the gap where the next card's
        // row goes). Every check that must see the latest state is a locking read or a unique
        // constraint, and the CA row lock still serialises issuance's first phase. Galera supports
        // this level. (The deadlocks the issuance benchmark showed were a different matter, fixed by
        // the V4 index.)
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException(StoreException.Code.UNAVAILABLE, "cannot connect to the database", e);
        }
        try {
            migrate(pool, settings.migration(), galera);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new Database(pool, galera, settings.connectionWait());
    }

    /**
     * Hikari evicts connections on SQLSTATE class 08 (error 1047, a node out of the primary
     * component, is 08S01); this adds 1205, which a causal read gives when its node cannot catch up
     * in time, so the next borrow picks a node again, and {@value #POISONED_TRIGGERS}.
     */
    public static final class EvictFromLaggingNode implements SQLExceptionOverride {
        @java.lang.Override
        public SQLExceptionOverride.Override adjudicate(SQLException e) {
            return e.getErrorCode() == 1205 || e.getErrorCode() == 1047 || e.getErrorCode() == POISONED_TRIGGERS
                    ? SQLExceptionOverride.Override.MUST_EVICT
                    : SQLExceptionOverride.Override.CONTINUE_EVICT;
        }
    }

    /** Whether the database is a Galera cluster (then reads are causal and migrations take a lock). */
    public boolean galera() {
        return galera;
    }

    /** Transactions run again so far in this process, by the SQLSTATE that made them retry. */
    public static Map<String, Long> retriesBySqlState() {
        Map<String, Long> out = new TreeMap<>();
        RETRIES.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    private static void migrate(DataSource dataSource, SchemaMigration migration, boolean galera) {
        if (migration == SchemaMigration.NONE) {
            return;
        }
        if (galera && migration == SchemaMigration.APPLY) {
            // Flyway's own lock holds on one Galera node only: docs/cluster.md#migrations.
            try (MigrationLock lock = MigrationLock.acquire(dataSource)) {
                // The lock's own table is the only one in a new schema: Flyway would call that schema
                // non-empty, so it starts the history at version 0, before every migration.
                runFlyway(dataSource, migration, MigrationLock.onlyTableIn(dataSource));
            }
            return;
        }
        runFlyway(dataSource, migration, false);
    }

    private static void runFlyway(DataSource dataSource, SchemaMigration migration, boolean newSchemaWithLock) {
        Flyway flyway = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .failOnMissingLocations(true)
                .validateMigrationNaming(true)
                .baselineOnMigrate(newSchemaWithLock)
                .baselineVersion("0")
                .baselineDescription("new schema (migration lock table only)")
                .load();
        try {
            if (migration == SchemaMigration.APPLY) {
                flyway.migrate();
            } else {
                flyway.validate();
            }
        } catch (FlywayException e) {
            throw new StoreException(
                    StoreException.Code.MIGRATION,
                    "database schema " + migration.name().toLowerCase() + " failed",
                    e);
        }
    }

    /** Whether the database answers within {@code seconds} (health checks); false on any failure. */
    public boolean reachable(int seconds) {
        try (Connection c = pool.getConnection()) {
            return c.isValid(seconds);
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Whether the database answers within {@code seconds} and takes writes (readiness, docs/metrics.md):
     * the server is not read-only; on Galera the pool only hands out connections to a node that is
     * synced in the primary component. False on any failure.
     */
    public boolean writable(int seconds) {
        try (Connection c = pool.getConnection();
                Statement st = c.createStatement()) {
            if (!c.isValid(seconds)) {
                return false;
            }
            st.setQueryTimeout(seconds);
            try (ResultSet rs = st.executeQuery("SELECT @@global.read_only")) {
                return rs.next() && rs.getInt(1) == 0;
            }
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    /** The pooled data source, for readers that manage their own connections. */
    public DataSource dataSource() {
        return pool;
    }

    /**
     * Runs {@code work} in one transaction and commits before returning its result. When the
     * transaction loses a deadlock or a Galera certification conflict (SQLState 40001, MariaDB error
     * 1213, raised by a statement or by the commit) it is rolled back and run again, up to {@value
     * #MAX_CONFLICT_ATTEMPTS} times in all; when it lost its node, up to {@value #MAX_ATTEMPTS}. Any other failure rolls back and is thrown: a {@link
     * RuntimeException} from the work as it is, an {@link SQLException} as a {@link StoreException}.
     */
    public <T> T inTransaction(TransactionWork<T> work) {
        Objects.requireNonNull(work, "work");
        for (int attempt = 1; ; attempt++) {
            try {
                return attempt(work);
            } catch (SQLException | RuntimeException e) {
                boolean conflict = isTransactionConflict(e);
                boolean nodeFailure = !conflict && isNodeFailure(e);
                if (!conflict && !nodeFailure) {
                    if (e instanceof RuntimeException runtime) {
                        throw runtime;
                    }
                    throw new StoreException(StoreException.Code.SQL, "database transaction failed", e);
                }
                if (nodeFailure && isPoolTimeout(e)) {
                    // The pool already spent the whole connection wait trying every node: another
                    // attempt would only make the caller wait that long again (a responder held
                    // five times 10 s instead of answering tryLater).
                    throw new StoreException(
                            StoreException.Code.UNAVAILABLE,
                            "no database connection within " + connectionWait.toMillis() + " ms",
                            e);
                }
                RETRIES.computeIfAbsent(sqlState(e), k -> new LongAdder()).increment();
                if (attempt >= (conflict ? MAX_CONFLICT_ATTEMPTS : MAX_ATTEMPTS)) {
                    throw new StoreException(
                            conflict ? StoreException.Code.CONFLICT : StoreException.Code.UNAVAILABLE,
                            (conflict ? "transaction still conflicting" : "no database node could run the transaction")
                                    + " after " + attempt + " attempts",
                            e);
                }
                log.debug("transaction retry on attempt {} ({})", attempt, sqlState(e));
                pauseBeforeRetry(attempt);
            }
        }
    }

    private <T> T attempt(TransactionWork<T> work) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                try {
                    connection.commit();
                } catch (SQLException commitFailure) {
                    if (!isTransactionConflict(commitFailure)) {
                        // The commit may have reached the cluster before it failed (a broken link, or
                        // 1180 "Not connected to Primary Component" from a node cut off while it
                        // waited for the group): running the work again could do it twice, so say
                        // that the outcome is unknown. A lost certification is retried as before.
                        throw new StoreException(
                                StoreException.Code.OUTCOME_UNKNOWN,
                                "the commit failed; its outcome is unknown",
                                commitFailure);
                    }
                    throw commitFailure;
                }
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                try {
                    connection.rollback();
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            } finally {
                // Hikari would reset it too; doing it here keeps the contract visible. A connection
                // that broke is closed by then: its failure must not hide the one that broke it.
                try {
                    connection.setAutoCommit(true);
                } catch (SQLException brokenConnection) {
                    log.debug("connection closed after a failure: {}", brokenConnection.toString());
                }
            }
        }
    }

    /**
     * Whether a failure is a lost deadlock or Galera certification conflict, anywhere in the cause
     * chain (the work may have wrapped the SQLException).
     */
    static boolean isTransactionConflict(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException s = sql; s != null; s = s.getNextException()) {
                    if ("40001".equals(s.getSQLState()) || s.getErrorCode() == 1213) {
                        return true;
                    }
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** Whether the pool gave no connection within its wait (HikariCP's SQLTransientConnectionException). */
    static boolean isPoolTimeout(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a failure is the loss of the database node rather than of the transaction: a broken
     * or refused connection (SQLSTATE class 08, which includes Galera's 1047 "not prepared for
     * application use" from a node out of the primary component), or no connection in time. Such a
     * transaction did not commit (any failed commit other than a lost certification is {@link
     * StoreException.Code#OUTCOME_UNKNOWN} instead) and is run again on a connection to a node that
     * is ready.
     */
    /**
     * MariaDB's 1710 "Unknown trigger has an error in its body: 'Query was empty'". Seen in drill c
     * on Galera (10.11, galera-4 26.4): after another process's start-up DDL (the migration lock's
     * {@code CREATE TABLE IF NOT EXISTS}, replicated in total order), one pooled connection of the
     * other RA failed every statement that opened {@code audit_event} for 28 s, while the trigger
     * definitions on every node were intact. Its SQLSTATE is HY000, so Hikari kept lending that
     * connection. A statement fails with it before anything is written: the connection is dropped
     * and the transaction runs again on a new one.
     */
    static final int POISONED_TRIGGERS = 1710;

    static boolean isNodeFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof StoreException) {
                return false;
            }
            if (t instanceof SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql) {
                for (SQLException s = sql; s != null; s = s.getNextException()) {
                    if (s.getErrorCode() == 1047
                            || s.getErrorCode() == POISONED_TRIGGERS
                            || (s.getSQLState() != null && s.getSQLState().startsWith("08"))) {
                        return true;
                    }
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static String sqlState(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                return s.getErrorCode() == 0 ? s.getSQLState() : s.getSQLState() + "/" + s.getErrorCode();
            }
        }
        return "none";
    }

    private static void pauseBeforeRetry(int attempt) {
        // Random back-off so that two transactions that collided do not collide again in lock step.
        long bound = 10L << attempt;
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, bound));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(StoreException.Code.INTERRUPTED, "interrupted while retrying a transaction", e);
        }
    }

    @Override
    public void close() {
        Map<String, Long> retries = retriesBySqlState();
        if (!retries.isEmpty()) {
            log.info("transactions retried, by SQLSTATE/error: {}", retries);
        }
        pool.close();
    }
}
