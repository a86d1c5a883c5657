package tw.eid.pki.ca.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real MariaDB for tests: one embedded server per JVM, a fresh database per test class with the
 * migrations applied. Other modules use it through ca-core's test-jar.
 *
 * <pre>
 * {@literal @}RegisterExtension static final TestDatabase db = new TestDatabase();
 * ...
 * db.database().inTransaction(connection -> ...);
 * </pre>
 *
 * <p>The server lives under {@code ${eidpki.test.workdir}/mariadb-<random>} (the POM points
 * eidpki.test.workdir at target/test-work), listens on a free port, and is stopped and its
 * directory deleted when the JVM exits.
 */
public final class TestDatabase implements BeforeAllCallback, AfterAllCallback {

    private static EmbeddedMariaDb server;
    private static Path serverDirectory;

    private String name;
    private Database database;

    /** The per-JVM server, started on first use. */
    public static synchronized EmbeddedMariaDb server() {
        if (server == null) {
            serverDirectory = workDirectory().resolve("mariadb-" + randomSuffix());
            EmbeddedMariaDb started = EmbeddedMariaDb.start(serverDirectory, 0);
            Path directory = serverDirectory;
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                started.close();
                                deleteRecursively(directory);
                            },
                            "test-mariadb-cleanup"));
            server = started;
        }
        return server;
    }

    /**
     * Without a logback-test.xml, logback logs everything at DEBUG; the JDBC driver alone then
     * writes a line per statement, which buries the test output.
     */
    /** Where tests may put files: {@code eidpki.test.workdir}, else target/test-work. */
    public static Path workDirectory() {
        return Paths.get(System.getProperty("eidpki.test.workdir", "target/test-work"))
                .toAbsolutePath();
    }

    /**
     * A new, migrated database on the shared server, for a test that needs a clean one of its own.
     * The caller closes it.
     */
    public static Database createDatabase() {
        return Database.open(server().settings(createDatabaseName()));
    }

    /** Creates an empty database (no migrations) and returns its name. */
    public static String createDatabaseName() {
        String name = "t_" + randomSuffix();
        server().createDatabaseIfMissing(name);
        return name;
    }

    /** Classes entered: a @Nested class inherits the extension and shares its outer class's database. */
    private int depth;

    @Override
    public void beforeAll(ExtensionContext context) {
        if (depth++ > 0) {
            return;
        }
        name = createDatabaseName();
        database = Database.open(server().settings(name));
    }

    @Override
    public void afterAll(ExtensionContext context) throws SQLException {
        if (--depth > 0) {
            return;
        }
        if (database != null) {
            database.close();
            database = null;
        }
        try (Connection connection = DriverManager.getConnection(server().jdbcUrl(name), EmbeddedMariaDb.USER, "");
                Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE `" + name + "`");
        }
    }

    /** This test class's database name. */
    public String name() {
        return name;
    }

    /** This test class's database, migrated. */
    public Database database() {
        if (database == null) {
            throw new IllegalStateException("register TestDatabase with @RegisterExtension on a static field");
        }
        return database;
    }

    public DataSource dataSource() {
        return database().dataSource();
    }

    /** Settings to open another pool on this class's database. */
    public DatabaseSettings settings() {
        return server().settings(name);
    }

    private static String randomSuffix() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    // Best effort at JVM exit; target/ is cleaned by mvn clean anyway.
                }
            });
        } catch (IOException e) {
            // As above.
        }
    }
}
