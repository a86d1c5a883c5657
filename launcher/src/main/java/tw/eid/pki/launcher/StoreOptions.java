package tw.eid.pki.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabasePassword;
import tw.eid.pki.ca.store.DatabaseSettings;
import tw.eid.pki.ca.store.EmbeddedMariaDb;

/**
 * Where state lives: the data directory, and the database — an embedded MariaDB under
 * {@code DATA/db} unless {@code --jdbc-url} names a server or Galera cluster.
 */
final class StoreOptions {
    static final String EMBEDDED_DATABASE = "eidpki";

    @Option(names = "--data-dir", paramLabel = "DIR", description = "data directory (default: $EIDPKI_DATA or ./data)")
    Path dataDir;

    @Option(
            names = "--jdbc-url",
            paramLabel = "URL",
            description =
                    "an external MariaDB or Galera cluster, e.g. jdbc:mariadb://db1,db2/eidpki (default: embedded under DATA/db)")
    String jdbcUrl;

    @Option(names = "--db-user", paramLabel = "USER", description = "database user (with --jdbc-url)")
    String dbUser;

    @Option(
            names = "--db-password-file",
            paramLabel = "FILE",
            description = "file with the database password, owner-only permissions (with --jdbc-url)")
    Path dbPasswordFile;

    Path dataDir() {
        if (dataDir != null) {
            return dataDir.toAbsolutePath().normalize();
        }
        String env = System.getenv("EIDPKI_DATA");
        return Path.of(env == null || env.isBlank() ? "data" : env)
                .toAbsolutePath()
                .normalize();
    }

    /** An open store; close both in reverse order. */
    record Store(EmbeddedMariaDb embedded, Database database) implements AutoCloseable {
        @Override
        public void close() {
            database.close();
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    /**
     * The store a ceremony made. Only a ceremony creates one ({@link #create()}): a command given a
     * mistyped {@code --data-dir} is refused instead of starting an empty database there.
     */
    Store open() {
        if (jdbcUrl == null && !Files.isDirectory(dataDir().resolve("db"))) {
            throw new IllegalArgumentException(
                    "no store in " + dataDir() + " (run a ceremony first, or give --data-dir" + " or --jdbc-url)");
        }
        return create();
    }

    /**
     * How long the process's transactions wait for a pooled connection (null: the store's default).
     * {@code serve ocsp} waits briefly and answers tryLater, rather than holding relying parties for
     * the default's 10 s when no database node can serve it (docs/cluster.md#timeouts).
     */
    Duration connectionWait;

    private DatabaseSettings settings(DatabaseSettings settings) {
        return connectionWait == null ? settings : settings.withConnectionWait(connectionWait);
    }

    /** The store, created under DATA/db if there is none yet (with the embedded database). */
    Store create() {
        if (jdbcUrl != null) {
            if (dbUser == null) {
                throw new IllegalArgumentException("--jdbc-url needs --db-user (and --db-password-file)");
            }
            DatabasePassword password = dbPasswordFile == null
                    ? DatabasePassword.fromEnvironment("EIDPKI_DB_PASSWORD")
                    : DatabasePassword.fromFile(dbPasswordFile);
            return new Store(null, Database.open(settings(DatabaseSettings.of(jdbcUrl, dbUser, password))));
        }
        if (Files.exists(dataDir()) && !Files.isDirectory(dataDir())) {
            throw new IllegalArgumentException("--data-dir " + dataDir() + " is not a directory");
        }
        EmbeddedMariaDb embedded = EmbeddedMariaDb.start(dataDir().resolve("db"), 0);
        try {
            embedded.createDatabaseIfMissing(EMBEDDED_DATABASE);
            return new Store(embedded, Database.open(settings(embedded.settings(EMBEDDED_DATABASE))));
        } catch (RuntimeException e) {
            embedded.close();
            throw e;
        }
    }
}
