package tw.eid.pki.ca.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The CSCA master lists ({@code master_list}, V7) and the self-signed CSCA certificates they list. */
public final class MasterListRows {
    private MasterListRows() {}

    /** A stored master list: its id, DER and time. */
    public record Stored(long id, byte[] der, Instant createdAt) {}

    /** Stores a signed master list in the caller's transaction; returns its id. */
    public static long insert(Connection c, String signerSerialHex, int cscaCount, byte[] der, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO master_list (signer_serial_hex, csca_count, der, created_at) VALUES (?, ?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, signerSerialHex);
            ps.setInt(2, cscaCount);
            ps.setBytes(3, der);
            ps.setObject(4, DatabaseTime.toColumn(now));
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The DER of every certified CA row of kind csca, oldest first. */
    public static List<byte[]> cscaCertificates(Connection c) throws SQLException {
        List<byte[]> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT certificate_der FROM ca WHERE kind = 'csca'"
                        + " AND certificate_der IS NOT NULL ORDER BY created_at, name");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getBytes(1));
            }
        }
        return out;
    }

    /** The newest master list, if any. */
    public static Optional<Stored> latest(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                        "SELECT id, der, created_at FROM master_list ORDER BY created_at DESC, id DESC LIMIT 1");
                ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new Stored(
                    rs.getLong(1), rs.getBytes(2), DatabaseTime.fromColumn(rs.getObject(3, LocalDateTime.class))));
        }
    }
}
