package tw.eid.pki.ca.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
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
          assertThat(DatabaseMigrationTest.count(database,
              "SELECT COUNT(*) FROM ca WHERE name = 'survivor-ca'")).isEqualTo(1);
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
  void refusesADirectoryWhereMariaDb4jWouldWipeTheData() {
    Path underTmp = Paths.get(System.getProperty("java.io.tmpdir"), "eidpki-db");
    assertThatThrownBy(() -> EmbeddedMariaDb.start(underTmp, 0))
        .isInstanceOfSatisfying(StoreException.class,
            e -> assertThat(e.code()).isEqualTo(StoreException.Code.INVALID_SETTINGS));
    assertThat(Files.exists(underTmp.resolve("data"))).isFalse();
  }

  @Test
  void refusesDatabaseNamesThatCouldEscapeQuoting() {
    EmbeddedMariaDb server = TestDatabase.server();
    assertThatThrownBy(() -> server.createDatabaseIfMissing("x`; DROP DATABASE mysql; --"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> server.jdbcUrl("Upper"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
