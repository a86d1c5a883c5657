package tw.eid.pki.ra.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import tw.eid.pki.ca.revocation.CertificateStatus;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.ca.store.StoreException;

/**
 * Read-only look-ups the RA needs and ca-core does not offer yet: one certificate by CA and
 * serial (the operator's own, on every request; {@code GET /certificates/{serial}}) and the
 * certificates of a card. SELECT only; this is the "CertificateReader" of docs/style.md #2 and belongs
 * in ca-core's store once a second caller needs it (OCSP, CRL publisher).
 */
public final class CertificateRecords {
    private static final String COLUMNS = "ca_name, serial_hex, profile, card_number, status, revocation_reason,"
            + " revocation_time, not_before, not_after, der";

    private final Database database;

    public CertificateRecords(Database database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    /**
     * The certificate, if it was issued whole. One SELECT on an auto-commit connection (no
     * transaction around it): the RA asks this for the operator's own certificate on every request,
     * and a single-row read sees the latest committed row either way.
     */
    public Optional<CertificateRecord> find(String caName, String serialHex) {
        try (Connection c = database.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                        + " FROM certificate WHERE ca_name = ? AND serial_hex = ? AND der IS NOT NULL")) {
            ps.setString(1, caName);
            ps.setString(2, serialHex);
            return first(ps);
        } catch (SQLException e) {
            throw new StoreException(StoreException.Code.SQL, "cannot read the certificate", e);
        }
    }

    /** The card's certificates stored whole, oldest first. */
    public List<CertificateRecord> ofCard(String cardNumber) {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + COLUMNS
                            + " FROM certificate WHERE card_number = ? AND der IS NOT NULL ORDER BY not_before, ca_name, serial_hex")) {
                ps.setString(1, cardNumber);
                List<CertificateRecord> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
                return out;
            }
        });
    }

    /** Whether the database answers within {@code seconds}, for {@code /health}. */
    public boolean reachable(int seconds) {
        try (Connection c = database.dataSource().getConnection()) {
            return c.isValid(seconds);
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    private static Optional<CertificateRecord> first(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(read(rs)) : Optional.empty();
        }
    }

    private static CertificateRecord read(ResultSet rs) throws SQLException {
        Object reason = rs.getObject(6);
        LocalDateTime revoked = rs.getObject(7, LocalDateTime.class);
        return new CertificateRecord(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                CertificateStatus.valueOf(rs.getString(5)),
                reason == null ? null : ((Number) reason).intValue(),
                revoked == null ? null : DatabaseTime.fromColumn(revoked),
                DatabaseTime.fromColumn(rs.getObject(8, LocalDateTime.class)),
                DatabaseTime.fromColumn(rs.getObject(9, LocalDateTime.class)),
                rs.getBytes(10));
    }
}
