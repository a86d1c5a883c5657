package tw.eid.pki.ca.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DatabaseMigrationTest {

    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00.123456Z");

    @Test
    void migrationsCreateTheSchemaTables() throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement s =
                        c.prepareStatement("SELECT table_name, engine, table_collation FROM information_schema.tables"
                                + " WHERE table_schema = ? ORDER BY table_name")) {
            s.setString(1, db.name());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                    if (!rs.getString(1).equals("flyway_schema_history")) {
                        assertThat(rs.getString(2)).as(rs.getString(1)).isEqualTo("InnoDB");
                        assertThat(rs.getString(3)).as(rs.getString(1)).isEqualTo("utf8mb4_bin");
                    }
                }
            }
        }
        assertThat(tables)
                .containsExactlyInAnyOrder(
                        "ca",
                        "card",
                        "certificate",
                        "status_change",
                        "crl",
                        "crl_number_seq",
                        "audit_event",
                        "audit_head",
                        "audit_checkpoint",
                        "ceremony",
                        "flyway_schema_history",
                        // V2, issuance
                        "crl_partition",
                        "idempotency_key",
                        "approval",
                        "ocsp_response",
                        "ocsp_updater_lease",
                        // V6, CRL publisher
                        "crl_publisher_lease",
                        // V7, document signer
                        "document_signer",
                        "card_sod",
                        "master_list",
                        // V9, CRL pieces
                        "crl_der_more",
                        // V12, the status change log's commit order
                        "status_log_clock",
                        // V13, card-verifiable certificates
                        "cv_agency_record",
                        "cv_certificate",
                        // V15, card re-issue and temporary ID certificates (issue 24)
                        "card_reissue",
                        "temporary_certificate",
                        "temporary_certificate_seq",
                        // V17, loss reports and the card-status query's lock-out (issue 25)
                        "card_loss_report",
                        "card_loss_report_hold",
                        "card_status_query_lock",
                        // V19, authentication failures shared by the RA processes (issue 17)
                        "auth_lockout");
    }

    @Test
    void anAgencyRecordIsDecidedByAnotherPersonThanTheOneWhoRecordedIt() {
        String insert = "INSERT INTO cv_agency_record (agency, legal_basis, terminal_type, rights,"
                + " description_der, max_validity_days, end_date, holder_mnemonic, first_request, status,"
                + " requested_by, requested_at, decided_by) VALUES ('A', 'B', 'AT', 'read-dg1', X'30', 30,"
                + " '2030-01-01', ?, X'00', 'ACTIVE', 'officer-1', '2029-01-01 00:00:00', ?)";
        assertThatThrownBy(() -> db.database().inTransaction(c -> {
                    try (var ps = c.prepareStatement(insert)) {
                        ps.setString(1, "SAMEONE");
                        ps.setString(2, "officer-1");
                        return ps.executeUpdate();
                    }
                }))
                .isInstanceOf(StoreException.class);
        int inserted = db.database().inTransaction(c -> {
            try (var ps = c.prepareStatement(insert)) {
                ps.setString(1, "OTHER");
                ps.setString(2, "supervisor-1");
                return ps.executeUpdate();
            }
        });
        assertThat(inserted).isEqualTo(1);
    }

    @Test
    void reopeningAppliesNothingAndKeepsData() throws SQLException {
        String name = TestDatabase.createDatabaseName();
        DatabaseSettings settings = TestDatabase.server().settings(name);
        try (Database first = Database.open(settings)) {
            first.inTransaction(c -> insertCa(c, "reopen-ca"));
        }
        try (Database second = Database.open(settings)) {
            assertThat(count(second, "SELECT COUNT(*) FROM flyway_schema_history WHERE success = 1"))
                    .isEqualTo(count(second, "SELECT COUNT(*) FROM flyway_schema_history"));
            assertThat(count(second, "SELECT COUNT(*) FROM flyway_schema_history WHERE version = '1'"))
                    .isEqualTo(1);
            assertThat(count(second, "SELECT COUNT(*) FROM ca WHERE name = 'reopen-ca'"))
                    .isEqualTo(1);
            long historyRows = count(second, "SELECT COUNT(*) FROM flyway_schema_history");
            try (Database third = Database.open(settings)) {
                assertThat(count(third, "SELECT COUNT(*) FROM flyway_schema_history"))
                        .isEqualTo(historyRows);
            }
        }
    }

    @Test
    void validateOnlyOpensAMigratedDatabaseAndRefusesAnEmptyOne() {
        try (Database validating = Database.open(db.settings().withMigration(SchemaMigration.VALIDATE))) {
            assertThat(validating.dataSource()).isNotNull();
        }
        String empty = TestDatabase.createDatabaseName();
        DatabaseSettings settings = TestDatabase.server().settings(empty).withMigration(SchemaMigration.VALIDATE);
        assertThatThrownBy(() -> Database.open(settings))
                .isInstanceOfSatisfying(
                        StoreException.class, e -> assertThat(e.code()).isEqualTo(StoreException.Code.MIGRATION));
    }

    @Test
    void schemaRefusesMalformedSerialsAndInconsistentRevocation() {
        db.database().inTransaction(c -> insertCa(c, "serial-ca"));
        assertThatThrownBy(
                        () -> db.database().inTransaction(c -> insertCertificate(c, "serial-ca", "0abc", "GOOD", null)))
                .isInstanceOf(StoreException.class);
        assertThatThrownBy(
                        () -> db.database().inTransaction(c -> insertCertificate(c, "serial-ca", "ABC", "GOOD", null)))
                .isInstanceOf(StoreException.class);
        assertThatThrownBy(() ->
                        db.database().inTransaction(c -> insertCertificate(c, "serial-ca", "abc", "REVOKED", null)))
                .isInstanceOf(StoreException.class);
        db.database().inTransaction(c -> insertCertificate(c, "serial-ca", "abc", "GOOD", null));
        db.database().inTransaction(c -> insertCertificate(c, "serial-ca", "abd", "HOLD", T0));
    }

    @Test
    void documentSignerPoolHasOneActiveSignerAndABoundedCount() {
        db.database().inTransaction(c -> insertCa(c, "ds-csca"));
        db.database().inTransaction(c -> insertCertificate(c, "ds-csca", "d1", "GOOD", null));
        db.database().inTransaction(c -> insertCertificate(c, "ds-csca", "d2", "GOOD", null));
        db.database().inTransaction(c -> insertSigner(c, "ds-1", "d1", "ACTIVE", 0, 10));
        // A second ACTIVE signer is refused by the schema, whatever the code does.
        assertThatThrownBy(() -> db.database().inTransaction(c -> insertSigner(c, "ds-2", "d2", "ACTIVE", 0, 10)))
                .isInstanceOf(StoreException.class);
        db.database().inTransaction(c -> insertSigner(c, "ds-2", "d2", "CERTIFIED", 0, 10));
        // The count never passes the maximum.
        assertThatThrownBy(() -> db.database().inTransaction(c -> {
                    try (Statement s = c.createStatement()) {
                        return s.executeUpdate(
                                "UPDATE document_signer SET documents_signed = 11 WHERE key_label = 'ds-1'");
                    }
                }))
                .isInstanceOf(StoreException.class);
        // GENERATED without a certificate is fine; CERTIFIED without one is not.
        assertThatThrownBy(() -> db.database().inTransaction(c -> insertSigner(c, "ds-3", null, "CERTIFIED", 0, 10)))
                .isInstanceOf(StoreException.class);
        db.database().inTransaction(c -> insertSigner(c, "ds-3", null, "GENERATED", 0, 10));
    }

    private static Void insertSigner(Connection c, String label, String serial, String state, long signed, long max)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO document_signer (key_label, token_label, public_key_der, public_key_sha256, state, csca_name,"
                        + " serial_hex, certificate_der, usage_not_before, usage_not_after, max_documents, documents_signed,"
                        + " generated_at) VALUES (?, 'online', X'3000', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            s.setString(1, label);
            s.setBytes(2, java.security.MessageDigest.getInstance("SHA-256").digest(label.getBytes()));
            s.setString(3, state);
            s.setString(4, serial == null ? null : "ds-csca");
            s.setString(5, serial);
            s.setBytes(6, serial == null ? null : new byte[] {0x30, 0});
            s.setObject(7, serial == null ? null : DatabaseTime.toColumn(T0));
            s.setObject(8, serial == null ? null : DatabaseTime.toColumn(T0.plusSeconds(86_400)));
            s.setLong(9, max);
            s.setLong(10, signed);
            s.setObject(11, DatabaseTime.toColumn(T0));
            s.executeUpdate();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return null;
    }

    @Test
    void auditTablesRefuseUpdateAndDelete() {
        db.database().inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO audit_event (seq, event_time, actor, action, result,"
                        + " prev_hash, hash) VALUES (1, '2026-01-01', 'a', 'b', 'SUCCESS', REPEAT(X'00', 32),"
                        + " REPEAT(X'01', 32))");
            }
            return null;
        });
        assertThatThrownBy(() -> db.database().inTransaction(c -> {
                    try (Statement s = c.createStatement()) {
                        return s.executeUpdate("UPDATE audit_event SET actor = 'b' WHERE seq = 1");
                    }
                }))
                .isInstanceOf(StoreException.class)
                .rootCause()
                .hasMessageEndingWith("audit_event is append-only");
        assertThatThrownBy(() -> db.database().inTransaction(c -> {
                    try (Statement s = c.createStatement()) {
                        return s.executeUpdate("DELETE FROM audit_event WHERE seq = 1");
                    }
                }))
                .isInstanceOf(StoreException.class)
                .rootCause()
                .hasMessageEndingWith("audit_event is append-only");
    }

    @Test
    void aFullAndADeltaCrlMayShareANumberButNeitherKindRepeatsOne() {
        // V6, RFC 5280 §5.2.3: a delta issued with its full CRL carries the same number.
        db.database().inTransaction(c -> insertCa(c, "crl-number-ca"));
        db.database().inTransaction(c -> insertCrl(c, "crl-number-ca", 7, false, null));
        db.database().inTransaction(c -> insertCrl(c, "crl-number-ca", 7, true, 5L));
        assertThatThrownBy(() -> db.database().inTransaction(c -> insertCrl(c, "crl-number-ca", 7, false, null)))
                .isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> db.database().inTransaction(c -> insertCrl(c, "crl-number-ca", 7, true, 6L)))
                .isInstanceOf(StoreException.class);
        // The V1 check still holds: a delta's base is below its own number.
        assertThatThrownBy(() -> db.database().inTransaction(c -> insertCrl(c, "crl-number-ca", 8, true, 8L)))
                .isInstanceOf(StoreException.class);
    }

    private static Void insertCrl(Connection c, String ca, long number, boolean delta, Long base) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO crl (ca_name, crl_partition, crl_number, this_update,"
                        + " next_update, is_delta, base_number, der, created_at) VALUES (?, 1, ?, ?, ?, ?, ?, X'3000', ?)")) {
            s.setString(1, ca);
            s.setLong(2, number);
            s.setObject(3, DatabaseTime.toColumn(T0));
            s.setObject(4, DatabaseTime.toColumn(T0.plusSeconds(86_400)));
            s.setBoolean(5, delta);
            s.setObject(6, base);
            s.setObject(7, DatabaseTime.toColumn(T0));
            s.executeUpdate();
        }
        return null;
    }

    static Void insertCa(Connection c, String name) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO ca (name, kind, subject_der, key_label, token_label, status, created_at)"
                        + " VALUES (?, 'ONLINE_CA', X'3000', 'key', 'online', 'ACTIVE', ?)")) {
            s.setString(1, name);
            s.setObject(2, DatabaseTime.toColumn(T0));
            s.executeUpdate();
        }
        return null;
    }

    private static Void insertCertificate(Connection c, String ca, String serial, String status, Instant revokedAt)
            throws SQLException {
        try (PreparedStatement s =
                c.prepareStatement("INSERT INTO certificate (ca_name, serial_hex, profile, status, revocation_reason,"
                        + " revocation_time, not_before, not_after, tbs_der, public_key_sha256, created_at,"
                        + " updated_at) VALUES (?, ?, 'citizen-sign-v1', ?, ?, ?, ?, ?, X'3000',"
                        + " REPEAT(X'aa', 32), ?, ?)")) {
            s.setString(1, ca);
            s.setString(2, serial);
            s.setString(3, status);
            if (revokedAt == null) {
                s.setNull(4, java.sql.Types.TINYINT);
            } else {
                s.setInt(4, 6);
            }
            s.setObject(5, revokedAt == null ? null : DatabaseTime.toColumn(revokedAt));
            s.setObject(6, DatabaseTime.toColumn(T0));
            s.setObject(7, DatabaseTime.toColumn(T0.plusSeconds(86_400)));
            s.setObject(8, DatabaseTime.toColumn(T0));
            s.setObject(9, DatabaseTime.toColumn(T0));
            s.executeUpdate();
        }
        return null;
    }

    static long count(Database database, String sql) {
        return database.inTransaction(c -> {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
