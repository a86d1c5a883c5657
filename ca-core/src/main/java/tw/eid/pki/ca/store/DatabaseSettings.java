package tw.eid.pki.ca.store;

import java.time.Duration;
import java.util.Objects;

/**
 * How to reach the database. Any MariaDB server or Galera cluster works by JDBC URL, e.g. {@code
 * jdbc:mariadb:sequential//db1:3306,db2:3306/eidpki} for a Galera cluster with fail-over.
 *
 * @param jdbcUrl a {@code jdbc:mariadb:} (or {@code jdbc:mysql:}) URL naming the database
 * @param user the database account
 * @param password the account's password, from a file or the environment
 * @param maxPoolSize the most connections this process holds; 1 to 500
 * @param migration what to do with the schema when the pool opens
 * @param connectionWait how long a transaction waits for a connection from the pool before the
 *     store is reported unavailable; 250 ms to 60 s
 */
public record DatabaseSettings(
        String jdbcUrl,
        String user,
        DatabasePassword password,
        int maxPoolSize,
        SchemaMigration migration,
        Duration connectionWait) {

    /** Enough for one service process; MariaDB's default max_connections is 151. */
    public static final int DEFAULT_MAX_POOL_SIZE = 10;

    /** Long enough to ride out a node's fail-over (docs/cluster.md#timeouts). */
    public static final Duration DEFAULT_CONNECTION_WAIT = Duration.ofSeconds(10);

    public DatabaseSettings {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(migration, "migration");
        Objects.requireNonNull(connectionWait, "connectionWait");
        if (!jdbcUrl.startsWith("jdbc:mariadb:") && !jdbcUrl.startsWith("jdbc:mysql:")) {
            throw new IllegalArgumentException("jdbcUrl must be a jdbc:mariadb: URL");
        }
        if (jdbcUrl.contains("password=")) {
            // The URL ends up in logs and process listings; the password has its own channel.
            throw new IllegalArgumentException("jdbcUrl must not carry a password");
        }
        if (user.isBlank()) {
            throw new IllegalArgumentException("user must not be blank");
        }
        if (maxPoolSize < 1 || maxPoolSize > 500) {
            throw new IllegalArgumentException("maxPoolSize must be 1..500, was " + maxPoolSize);
        }
        // HikariCP refuses less than 250 ms.
        if (connectionWait.compareTo(Duration.ofMillis(250)) < 0
                || connectionWait.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new IllegalArgumentException("connectionWait must be 250 ms to 60 s, was " + connectionWait);
        }
    }

    /** Settings with the default pool size that apply migrations on open. */
    public static DatabaseSettings of(String jdbcUrl, String user, DatabasePassword password) {
        return new DatabaseSettings(
                jdbcUrl, user, password, DEFAULT_MAX_POOL_SIZE, SchemaMigration.APPLY, DEFAULT_CONNECTION_WAIT);
    }

    public DatabaseSettings withMigration(SchemaMigration newMigration) {
        return new DatabaseSettings(jdbcUrl, user, password, maxPoolSize, newMigration, connectionWait);
    }

    public DatabaseSettings withMaxPoolSize(int newMaxPoolSize) {
        return new DatabaseSettings(jdbcUrl, user, password, newMaxPoolSize, migration, connectionWait);
    }

    public DatabaseSettings withConnectionWait(Duration newConnectionWait) {
        return new DatabaseSettings(jdbcUrl, user, password, maxPoolSize, migration, newConnectionWait);
    }
}
