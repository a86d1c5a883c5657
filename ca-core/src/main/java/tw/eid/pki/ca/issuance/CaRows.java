package tw.eid.pki.ca.issuance;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import tw.eid.pki.ca.store.DatabaseTime;

/**
 * A CA row ({@code ca} table) for a key the system certifies: stored PREPARED without a certificate
 * before its certificate is signed (so a self-signed certificate's own prepared row, and its
 * subordinates', have a CA to belong to), then given its certificate and made ACTIVE in the final
 * write of {@link CertificateWriter}. Every reader of CA rows reads only rows with a certificate,
 * so a PREPARED row whose ceremony failed is never used; it keeps the name taken and the key label
 * on record.
 */
public final class CaRows {
    private CaRows() {}

    /** Thrown when the store already has a CA of that name. */
    public static final class NameTakenException extends SQLException {
        NameTakenException(String name, SQLException cause) {
            super("the store already has a CA named '" + name + "'", cause.getSQLState(), cause);
        }
    }

    public static void storePrepared(
            Connection c, String name, String kind, X500Name subject, String keyLabel, String tokenLabel, Instant now)
            throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO ca (name, kind, subject_der, certificate_der, key_label,"
                        + " token_label, status, created_at) VALUES (?, ?, ?, NULL, ?, ?, 'PREPARED', ?)")) {
            ps.setString(1, name);
            ps.setString(2, kind);
            ps.setBytes(3, subject.getEncoded("DER"));
            ps.setString(4, keyLabel);
            ps.setString(5, tokenLabel);
            ps.setObject(6, DatabaseTime.toColumn(now));
            ps.executeUpdate();
        } catch (SQLException e) {
            if (e.getErrorCode() == 1062) { // ER_DUP_ENTRY
                throw new NameTakenException(name, e);
            }
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The final write: the PREPARED row {@code name} gets {@code certificate} and becomes ACTIVE. */
    public static void certify(Connection c, String name, X509CertificateHolder certificate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE ca SET certificate_der = ?, status = 'ACTIVE'"
                + " WHERE name = ? AND certificate_der IS NULL AND status = 'PREPARED'")) {
            ps.setBytes(1, certificate.getEncoded());
            ps.setString(2, name);
            if (ps.executeUpdate() != 1) {
                throw new SQLException("CA '" + name + "' is not prepared, or already certified");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
