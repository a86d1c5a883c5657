package tw.eid.pki.ca.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Citizen issuance's rows besides the certificate's own ({@link CertificateRows}), each in the
 * caller's transaction: the CA row lock that serialises issuance's first phase, the CRL partition
 * a new certificate joins, and the client's Idempotency-Key (read back by {@link
 * CertificateReader#lockIdempotent}).
 */
public final class IssuanceRows {
    private IssuanceRows() {}

    /** Locks CA row {@code caName}; false when there is none. */
    public static boolean lockCa(Connection c, String caName) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM ca WHERE name = ? FOR UPDATE")) {
            ps.setString(1, caName);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Records that {@code actor}'s request under Idempotency-Key {@code key} is serial {@code serialHex}. */
    public static void recordIdempotencyKey(
            Connection c, String actor, String key, byte[] requestSha256, String caName, String serialHex, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO idempotency_key (actor, idem_key,"
                + " request_sha256, ca_name, serial_hex, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, actor);
            ps.setString(2, key);
            ps.setBytes(3, requestSha256);
            ps.setString(4, caName);
            ps.setString(5, serialHex);
            ps.setObject(6, DatabaseTime.toColumn(now));
            ps.executeUpdate();
        }
    }

    /**
     * The open partition of {@code caName}, or the next one when it holds {@code capacity}
     * certificates (the configured capacity applies to the open partition too: lowering it closes it
     * sooner); counts the new certificate in it. The row lock serialises assignment.
     */
    public static int assignPartition(Connection c, String caName, int capacity, Instant now) throws SQLException {
        int number = 0;
        int assigned = 0;
        int rowCapacity = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT partition_number, assigned, capacity FROM crl_partition"
                + " WHERE ca_name = ? ORDER BY partition_number DESC LIMIT 1 FOR UPDATE")) {
            ps.setString(1, caName);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    number = rs.getInt(1);
                    assigned = rs.getInt(2);
                    rowCapacity = rs.getInt(3);
                }
            }
        }
        if (number == 0 || assigned >= Math.min(rowCapacity, capacity)) {
            if (number != 0) {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE crl_partition SET closed_at = ? WHERE ca_name = ? AND partition_number = ?")) {
                    ps.setObject(1, DatabaseTime.toColumn(now));
                    ps.setString(2, caName);
                    ps.setInt(3, number);
                    ps.executeUpdate();
                }
            }
            number++;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO crl_partition (ca_name, partition_number,"
                    + " capacity, assigned, opened_at) VALUES (?, ?, ?, 1, ?)")) {
                ps.setString(1, caName);
                ps.setInt(2, number);
                ps.setInt(3, capacity);
                ps.setObject(4, DatabaseTime.toColumn(now));
                ps.executeUpdate();
            }
            return number;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE crl_partition SET assigned = assigned + 1 WHERE ca_name = ? AND partition_number = ?")) {
            ps.setString(1, caName);
            ps.setInt(2, number);
            ps.executeUpdate();
        }
        return number;
    }
}
