package tw.eid.pki.ocsp.archfixture;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A deliberately wrong class, in test code only: a class in the OCSP module's package space that
 * queries ca-core's {@code certificate} table itself instead of going through ca-core's
 * CertificateReader. {@code ArchitectureTest} shows that the storage rule fails on it.
 */
public final class QueriesTheCertificateTable {
    private QueriesTheCertificateTable() {}

    public static String status(Connection c, String caName, String serialHex) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT status FROM certificate WHERE ca_name = ? AND serial_hex = ?")) {
            ps.setString(1, caName);
            ps.setString(2, serialHex);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
