package tw.eid.pki.ocsp;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Objects;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;

/**
 * The store's pre-signed responses (table {@code ocsp_response}, migration V5): one per
 * certificate, for its SHA-1 CertID without a nonce, signed by the {@link OcspUpdater}.
 *
 * <p>Security guarantee: {@link #find} offers a stored response only if the certificate's
 * status, reason and revocation time <em>now</em> equal the ones it was signed for (read in the same
 * statement), and only before half of its validity. A change the updater has not signed yet, or
 * one it missed, makes the responder sign live instead: the store can be late, never wrong.
 */
final class PresignedResponses {
    /** SHA-1: what RFC 5019 clients put in their CertIDs, and the only one pre-signed. */
    static final String HASH_OID = CertificateID.HASH_SHA1.getAlgorithm().getId();

    private PresignedResponses() {}

    /**
     * What one read of the store says about a certificate: the stored response, if it may be
     * served, whether the CA issued the serial, and its current status (Bouncy Castle's GOOD is
     * null), so that a miss signs live without reading the certificate again.
     */
    record Lookup(OcspAnswer stored, boolean issued, CertificateStatus current) {}

    static Lookup find(Database database, String caName, String serialHex, Instant now) {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT c.status, c.revocation_reason, c.revocation_time,"
                    + " c.der IS NOT NULL, r.status, r.revocation_reason, r.revocation_time, r.this_update, r.next_update,"
                    + " r.response_der FROM certificate c LEFT JOIN ocsp_response r"
                    + " ON r.ca_name = c.ca_name AND r.serial_hex = c.serial_hex"
                    + " WHERE c.ca_name = ? AND c.serial_hex = ?")) {
                ps.setString(1, caName);
                ps.setString(2, serialHex);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return new Lookup(null, false, null);
                    }
                    LocalDateTime revoked = rs.getObject(3, LocalDateTime.class);
                    CertificateStatus current = OcspResponder.status(rs.getString(1), rs.getObject(2), revoked);
                    boolean same = rs.getBoolean(4)
                            && rs.getString(5) != null
                            && rs.getString(1).equals(rs.getString(5))
                            && Objects.equals(number(rs.getObject(2)), number(rs.getObject(6)))
                            && Objects.equals(revoked, rs.getObject(7, LocalDateTime.class));
                    if (!same) {
                        return new Lookup(null, true, current);
                    }
                    Instant thisUpdate = DatabaseTime.fromColumn(rs.getObject(8, LocalDateTime.class));
                    Instant nextUpdate = DatabaseTime.fromColumn(rs.getObject(9, LocalDateTime.class));
                    OcspAnswer answer = new OcspAnswer(rs.getBytes(10), 0, thisUpdate, nextUpdate);
                    boolean fresh = now.isBefore(OcspResponder.freshUntil(answer)) && now.isBefore(nextUpdate);
                    return new Lookup(fresh ? answer : null, true, current);
                }
            }
        });
    }

    private static Integer number(Object o) {
        return o == null ? null : ((Number) o).intValue();
    }
}
