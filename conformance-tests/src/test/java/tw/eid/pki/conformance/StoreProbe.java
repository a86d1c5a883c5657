package tw.eid.pki.conformance;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import tw.eid.pki.ca.store.EmbeddedMariaDb;

/**
 * Opens a data directory's embedded MariaDB in this JVM, as an auditor or an attacker would,
 * while no CLI process is running on it. The server is stopped (clean shutdown) on close.
 */
final class StoreProbe implements AutoCloseable {
    static final String DATABASE = "eidpki";

    private final EmbeddedMariaDb server;
    final Connection connection;

    private StoreProbe(EmbeddedMariaDb server, Connection connection) {
        this.server = server;
        this.connection = connection;
    }

    static StoreProbe open(Path dataDir) {
        EmbeddedMariaDb server = EmbeddedMariaDb.start(dataDir.resolve("db"), 0);
        try {
            var settings = server.settings(DATABASE);
            return new StoreProbe(server, DriverManager.getConnection(settings.jdbcUrl(), EmbeddedMariaDb.USER, ""));
        } catch (SQLException | RuntimeException e) {
            server.close();
            throw new IllegalStateException("cannot connect to the embedded database of " + dataDir, e);
        }
    }

    long count(String table) throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    void execute(String sql) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            connection.close();
        } finally {
            server.close();
        }
    }
}
