package tw.eid.pki.ca.issuance;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import org.bouncycastle.cert.X509CertificateHolder;
import tw.eid.pki.ca.profile.PreparedCertificate;
import tw.eid.pki.ca.profile.RevocationReason;
import tw.eid.pki.ca.store.DatabaseTime;

/**
 * The two writes of two-phase issuance (docs/style.md #3), shared by every issuer through {@link
 * CertificateWriter}: the linted TBS and its serial stored <em>revoked (cessationOfOperation)</em>
 * before the token signs, then made good with its DER by the final write. A signed serial whose
 * final write never lands stays revoked. The only place in the code that writes a certificate row.
 */
public final class CertificateRows {
    private CertificateRows() {}

    public static void storePrepared(
            Connection c,
            String caName,
            PreparedCertificate prepared,
            String cardNumber,
            byte[] publicKeySha256,
            Integer crlPartition,
            Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO certificate (ca_name, serial_hex, profile, card_number,"
                        + " status, revocation_reason, revocation_time, not_before, not_after, tbs_der, der, public_key_sha256,"
                        + " crl_partition, created_at, updated_at) VALUES (?, ?, ?, ?, 'REVOKED', ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?)")) {
            ps.setString(1, caName);
            ps.setString(2, prepared.serialNumber().toString(16));
            ps.setString(3, prepared.profile().id());
            ps.setString(4, cardNumber);
            ps.setInt(5, RevocationReason.CESSATION_OF_OPERATION.code());
            ps.setObject(6, DatabaseTime.toColumn(now));
            ps.setObject(7, DatabaseTime.toColumn(prepared.notBefore()));
            ps.setObject(8, DatabaseTime.toColumn(prepared.notAfter()));
            ps.setBytes(9, prepared.tbsCertificate());
            ps.setBytes(10, publicKeySha256);
            if (crlPartition == null) {
                ps.setNull(11, Types.INTEGER);
            } else {
                ps.setInt(11, crlPartition);
            }
            ps.setObject(12, DatabaseTime.toColumn(now));
            ps.setObject(13, DatabaseTime.toColumn(now));
            ps.executeUpdate();
        }
    }

    public static void makeGood(
            Connection c, String caName, String serialHex, X509CertificateHolder certificate, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE certificate SET der = ?, status = 'GOOD',"
                + " revocation_reason = NULL, revocation_time = NULL, updated_at = ?"
                + " WHERE ca_name = ? AND serial_hex = ? AND der IS NULL AND status = 'REVOKED'")) {
            ps.setBytes(1, certificate.getEncoded());
            ps.setObject(2, DatabaseTime.toColumn(now));
            ps.setString(3, caName);
            ps.setString(4, serialHex);
            if (ps.executeUpdate() != 1) {
                throw new SQLException("prepared certificate " + serialHex + " is gone or already final");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether serial {@code serialHex} of {@code caName} is stored prepared: revoked, without DER. */
    static boolean isPrepared(Connection c, String caName, String serialHex) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM certificate WHERE ca_name = ? AND serial_hex = ?"
                + " AND der IS NULL AND status = 'REVOKED'")) {
            ps.setString(1, caName);
            ps.setString(2, serialHex);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
