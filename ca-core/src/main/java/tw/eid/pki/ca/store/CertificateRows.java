package tw.eid.pki.ca.store;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * The two writes of two-phase issuance (docs/style.md #3), shared by every issuer through
 * {@code tw.eid.pki.ca.issuance.CertificateWriter}, the certificate writer: the linted TBS and its serial stored <em>revoked (cessationOfOperation)</em>
 * before the token signs, then made good with its DER by the final write. A signed serial whose
 * final write never lands stays revoked. The only place in the code that writes a certificate row.
 */
public final class CertificateRows {
    private CertificateRows() {}

    /**
     * A linted TBS to store before it is signed, revoked with {@code reasonCode}
     * (cessationOfOperation: the writer's choice, docs/style.md #3).
     */
    public record Prepared(
            String caName,
            String serialHex,
            String profile,
            String cardNumber,
            Instant notBefore,
            Instant notAfter,
            byte[] tbs,
            byte[] publicKeySha256,
            Integer crlPartition,
            int reasonCode) {}

    public static void storePrepared(Connection c, Prepared prepared, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO certificate (ca_name, serial_hex, profile, card_number,"
                        + " status, revocation_reason, revocation_time, not_before, not_after, tbs_der, der, public_key_sha256,"
                        + " crl_partition, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?)")) {
            ps.setString(1, prepared.caName());
            ps.setString(2, prepared.serialHex());
            ps.setString(3, prepared.profile());
            ps.setString(4, prepared.cardNumber());
            ps.setString(5, CertificateStatus.REVOKED.name());
            ps.setInt(6, prepared.reasonCode());
            ps.setObject(7, DatabaseTime.toColumn(now));
            ps.setObject(8, DatabaseTime.toColumn(prepared.notBefore()));
            ps.setObject(9, DatabaseTime.toColumn(prepared.notAfter()));
            ps.setBytes(10, prepared.tbs());
            ps.setBytes(11, prepared.publicKeySha256());
            if (prepared.crlPartition() == null) {
                ps.setNull(12, Types.INTEGER);
            } else {
                ps.setInt(12, prepared.crlPartition());
            }
            ps.setObject(13, DatabaseTime.toColumn(now));
            ps.setObject(14, DatabaseTime.toColumn(now));
            ps.executeUpdate();
        }
    }

    public static void makeGood(
            Connection c, String caName, String serialHex, X509CertificateHolder certificate, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE certificate SET der = ?, status = ?,"
                + " revocation_reason = NULL, revocation_time = NULL, updated_at = ?"
                + " WHERE ca_name = ? AND serial_hex = ? AND der IS NULL AND status = ?")) {
            ps.setBytes(1, certificate.getEncoded());
            ps.setString(2, CertificateStatus.GOOD.name());
            ps.setObject(3, DatabaseTime.toColumn(now));
            ps.setString(4, caName);
            ps.setString(5, serialHex);
            ps.setString(6, CertificateStatus.REVOKED.name());
            if (ps.executeUpdate() != 1) {
                throw new SQLException("prepared certificate " + serialHex + " is gone or already final");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether serial {@code serialHex} of {@code caName} is stored prepared: revoked, without DER. */
    public static boolean isPrepared(Connection c, String caName, String serialHex) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM certificate WHERE ca_name = ? AND serial_hex = ?" + " AND der IS NULL AND status = ?")) {
            ps.setString(1, caName);
            ps.setString(2, serialHex);
            ps.setString(3, CertificateStatus.REVOKED.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
