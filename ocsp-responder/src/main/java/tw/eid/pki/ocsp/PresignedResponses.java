package tw.eid.pki.ocsp;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Objects;
import org.bouncycastle.cert.ocsp.CertificateID;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;

/**
 * The store's pre-signed responses (table {@code ocsp_response}, migration V5): one per
 * certificate, for its SHA-1 CertID without a nonce, signed by the {@link OcspUpdater}.
 *
 * <p>Security guarantee: {@link #find} returns a stored response only if the certificate's
 * status, reason and revocation time <em>now</em> equal the ones it was signed for (read in the same
 * statement), and only before half of its validity. A change the updater has not signed yet, or
 * one it missed, makes the responder sign live instead: the store can be late, never wrong.
 */
final class PresignedResponses {
    /** SHA-1: what RFC 5019 clients put in their CertIDs, and the only one pre-signed. */
    static final String HASH_OID = CertificateID.HASH_SHA1.getAlgorithm().getId();

    private PresignedResponses() {}

    static OcspAnswer find(Database database, String caName, String serialHex, Instant now) {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT c.status, c.revocation_reason, c.revocation_time,"
                    + " r.status, r.revocation_reason, r.revocation_time, r.this_update, r.next_update, r.response_der"
                    + " FROM certificate c JOIN ocsp_response r ON r.ca_name = c.ca_name AND r.serial_hex = c.serial_hex"
                    + " WHERE c.ca_name = ? AND c.serial_hex = ? AND c.der IS NOT NULL")) {
                ps.setString(1, caName);
                ps.setString(2, serialHex);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    boolean same = rs.getString(1).equals(rs.getString(4))
                            && Objects.equals(number(rs.getObject(2)), number(rs.getObject(5)))
                            && Objects.equals(rs.getObject(3, LocalDateTime.class), rs.getObject(6, LocalDateTime.class));
                    if (!same) {
                        return null;
                    }
                    Instant thisUpdate = DatabaseTime.fromColumn(rs.getObject(7, LocalDateTime.class));
                    Instant nextUpdate = DatabaseTime.fromColumn(rs.getObject(8, LocalDateTime.class));
                    OcspAnswer answer = new OcspAnswer(rs.getBytes(9), 0, thisUpdate, nextUpdate);
                    return now.isBefore(OcspResponder.freshUntil(answer)) && now.isBefore(nextUpdate) ? answer : null;
                }
            }
        });
    }

    private static Integer number(Object o) {
        return o == null ? null : ((Number) o).intValue();
    }
}
