package tw.eid.pki.ca.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
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
    static final int MAX_ATTEMPTS = 5;

    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private static final String SESSION_SETUP =
            "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
                    + "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', time_zone = '+00:00'";

    private final HikariDataSource pool;

    private Database(HikariDataSource pool) {
        this.pool = pool;
    }

    /**
     * Opens the pool and applies (or validates) the schema migrations as the settings say. Fails fast:
     * a database that cannot be reached or migrated stops start-up here.
     */
    public static Database open(DatabaseSettings settings) {
        Objects.requireNonNull(settings, "settings");
        HikariConfig config = new HikariConfig();
        config.setPoolName("eidpki-db");
        config.setJdbcUrl(settings.jdbcUrl());
        config.setUsername(settings.user());
        config.setPassword(settings.password().reveal());
        config.setMaximumPoolSize(settings.maxPoolSize());
        config.setMinimumIdle(Math.min(2, settings.maxPoolSize()));
        config.setConnectionInitSql(SESSION_SETUP);
        config.setAutoCommit(true);
        // Server-side prepared statements, cached per connection by the driver: mysqld parses each
        // of the few statements once per connection instead of on every execution.
        config.addDataSourceProperty("useServerPrepStmts", "true");
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
            throw new StoreException(StoreException.Code.SQL, "cannot connect to the database", e);
        }
        try {
            migrate(pool, settings.migration());
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new Database(pool);
    }

    private static void migrate(DataSource dataSource, SchemaMigration migration) {
        if (migration == SchemaMigration.NONE) {
            return;
        }
        Flyway flyway = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .failOnMissingLocations(true)
                .validateMigrationNaming(true)
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

    /** The pooled data source, for readers that manage their own connections. */
    public DataSource dataSource() {
        return pool;
    }

    /**
     * Runs {@code work} in one transaction and commits before returning its result. When the
     * transaction loses a deadlock or a Galera certification conflict (SQLState 40001, MariaDB error
     * 1213, raised by a statement or by the commit) it is rolled back and run again, up to {@value
     * #MAX_ATTEMPTS} times in all. Any other failure rolls back and is thrown: a {@link
     * RuntimeException} from the work as it is, an {@link SQLException} as a {@link StoreException}.
     */
    public <T> T inTransaction(TransactionWork<T> work) {
        Objects.requireNonNull(work, "work");
        for (int attempt = 1; ; attempt++) {
            try {
                return attempt(work);
            } catch (SQLException | RuntimeException e) {
                if (!isTransactionConflict(e)) {
                    if (e instanceof RuntimeException runtime) {
                        throw runtime;
                    }
                    throw new StoreException(StoreException.Code.SQL, "database transaction failed", e);
                }
                if (attempt >= MAX_ATTEMPTS) {
                    throw new StoreException(
                            StoreException.Code.CONFLICT,
                            "transaction still conflicting after " + attempt + " attempts",
                            e);
                }
                log.debug("transaction conflict on attempt {}, retrying", attempt);
                pauseBeforeRetry(attempt);
            }
        }
    }

    private <T> T attempt(TransactionWork<T> work) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                try {
                    connection.rollback();
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            } finally {
                // Hikari would reset it too; doing it here keeps the contract visible.
                connection.setAutoCommit(true);
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
        pool.close();
    }
}
