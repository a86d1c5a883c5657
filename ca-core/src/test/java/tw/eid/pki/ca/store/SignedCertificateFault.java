package tw.eid.pki.ca.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The fault of the store-before-sign tests (issue 14): a store that fails right after the
 * signature. Two triggers refuse every write that would put a signed certificate's DER into the
 * {@code certificate} table, whether the writer inserts the row with its DER (sign first, store
 * after) or makes a prepared row good (store first, sign, then make good). The same technique as
 * CitizenIssuerTest's final-write trigger; nothing else in the store is touched.
 */
public final class SignedCertificateFault implements AutoCloseable {
    private final DataSource dataSource;

    private SignedCertificateFault(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Arms the fault until {@link #close}. */
    public static SignedCertificateFault inject(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.execute(
                    "CREATE TRIGGER fail_signed_insert BEFORE INSERT ON certificate FOR EACH ROW"
                            + " BEGIN IF NEW.der IS NOT NULL THEN"
                            + " SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected failure after the signature'; END IF; END");
            s.execute(
                    "CREATE TRIGGER fail_signed_update BEFORE UPDATE ON certificate FOR EACH ROW"
                            + " BEGIN IF NEW.der IS NOT NULL AND OLD.der IS NULL THEN"
                            + " SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected failure after the signature'; END IF; END");
        }
        return new SignedCertificateFault(dataSource);
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.execute("DROP TRIGGER IF EXISTS fail_signed_insert");
            s.execute("DROP TRIGGER IF EXISTS fail_signed_update");
        }
    }

    /** One row of the certificate table, as the tests judge it. */
    public record Row(String caName, String serialHex, String profile, String status, Integer reason, boolean hasDer) {}

    /** Every certificate row, in a stable order. */
    public static List<Row> rows(Database database) {
        return database.inTransaction(c -> {
            List<Row> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT ca_name, serial_hex, profile, status,"
                            + " revocation_reason, der IS NOT NULL FROM certificate ORDER BY ca_name, serial_hex");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Object reason = rs.getObject(5);
                    out.add(new Row(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            reason == null ? null : ((Number) reason).intValue(),
                            rs.getBoolean(6)));
                }
            }
            return out;
        });
    }

    /** The rows of {@code after} that {@code before} did not have. */
    public static List<Row> added(List<Row> before, List<Row> after) {
        List<Row> out = new ArrayList<>(after);
        out.removeIf(r -> before.stream()
                .anyMatch(b -> b.caName().equals(r.caName()) && b.serialHex().equals(r.serialHex())));
        return out;
    }

    /** How many audit events of {@code action} say FAILURE. */
    public static int auditedFailures(Database database, String action) {
        return database.inTransaction(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT COUNT(*) FROM audit_event WHERE action = ? AND result = 'FAILURE'")) {
                ps.setString(1, action);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    /** Audit details of the FAILURE events of {@code action}, oldest first. */
    public static List<String> failureDetails(Database database, String action) {
        return database.inTransaction(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT COALESCE(details, ''), COALESCE(target, '') FROM audit_event WHERE action = ? AND result = 'FAILURE' ORDER BY seq")) {
                ps.setString(1, action);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(2) + " " + rs.getString(1));
                    }
                }
            }
            return out;
        });
    }

    /**
     * What every path must leave when the store fails after the signature: {@code count} new rows,
     * each revoked (cessationOfOperation) without a DER, and none good.
     */
    public static void assertRevokedNeverGood(List<Row> added, int count) {
        org.assertj.core.api.Assertions.assertThat(added)
                .as("the prepared rows")
                .hasSize(count);
        for (Row r : added) {
            org.assertj.core.api.Assertions.assertThat(r.status())
                    .as(r + " status")
                    .isEqualTo("REVOKED");
            org.assertj.core.api.Assertions.assertThat(r.reason())
                    .as(r + " reason")
                    .isEqualTo(5);
            org.assertj.core.api.Assertions.assertThat(r.hasDer())
                    .as(r + " has a DER")
                    .isFalse();
        }
    }
}
