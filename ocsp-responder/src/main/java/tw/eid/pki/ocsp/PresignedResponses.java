package tw.eid.pki.ocsp;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import tw.eid.pki.ca.store.CertificateReader;
import tw.eid.pki.ca.store.CertificateReader.Revocation;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.ca.store.SqlCertificateStore;

/**
 * The store's pre-signed responses (table {@code ocsp_response}, migration V5): one per
 * certificate, for its SHA-1 CertID without a nonce, signed by the {@link OcspUpdater}.
 *
 * <p>Security guarantee: {@link #find} offers a stored response only if the certificate's
 * status, reason and revocation time <em>now</em> equal the ones it was signed for (read in the same
 * statement, {@link CertificateReader#presigned}), and only before half of its validity. A change the updater has not signed yet, or
 * one it missed, makes the responder sign live instead: the store can be late, never wrong.
 *
 * <p>The OCSP module's DAO for its own rows: {@code ocsp_response} and the updater's position
 * ({@code ocsp_updater_lease.caught_up_to}). The certificate rows are read through ca-core's
 * {@link CertificateReader}; the lease itself is ca-core's {@code Lease}.
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

    /** A response signed for a certificate's state, to store. */
    record Signed(Revocation revocation, OcspAnswer answer) {}

    static Lookup find(Database database, String caName, String serialHex, Instant now) {
        CertificateReader.PresignedLookup found =
                SqlCertificateStore.over(database).presigned(caName, serialHex);
        if (!found.issued()) {
            return new Lookup(null, false, null);
        }
        CertificateStatus current = OcspResponder.status(found.current());
        if (found.stored() == null) {
            return new Lookup(null, true, current);
        }
        Instant nextUpdate = found.stored().nextUpdate();
        OcspAnswer answer = new OcspAnswer(
                found.stored().der(),
                0,
                found.stored().thisUpdate(),
                nextUpdate,
                current == null ? "good" : "revoked",
                "store");
        boolean fresh = now.isBefore(OcspResponder.freshUntil(answer)) && now.isBefore(nextUpdate);
        return new Lookup(fresh ? answer : null, true, current);
    }

    /** Stores (or replaces) the responses of {@code caName}, in one transaction (one commit, not one per response). */
    static void store(Database database, String caName, List<Signed> signed) {
        database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO ocsp_response (ca_name, serial_hex, status,"
                    + " revocation_reason, revocation_time, this_update, next_update, response_der)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE status = VALUES(status),"
                    + " revocation_reason = VALUES(revocation_reason), revocation_time = VALUES(revocation_time),"
                    + " this_update = VALUES(this_update), next_update = VALUES(next_update),"
                    + " response_der = VALUES(response_der)")) {
                for (Signed s : signed) {
                    Revocation r = s.revocation();
                    ps.setString(1, caName);
                    ps.setString(2, r.serialHex());
                    ps.setString(3, r.status().name());
                    ps.setObject(4, r.reasonCode());
                    ps.setObject(5, r.revocationTime() == null ? null : DatabaseTime.toColumn(r.revocationTime()));
                    ps.setObject(6, DatabaseTime.toColumn(s.answer().thisUpdate()));
                    ps.setObject(7, DatabaseTime.toColumn(s.answer().nextUpdate()));
                    ps.setBytes(8, s.answer().der());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /** Where the lease holders got to (null: no holder ever got there), kept in the lease row. */
    static Instant caughtUpTo(Database database) {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT caught_up_to FROM ocsp_updater_lease WHERE id = 1");
                    ResultSet rs = ps.executeQuery()) {
                LocalDateTime t = rs.next() ? rs.getObject(1, LocalDateTime.class) : null;
                return t == null ? null : DatabaseTime.fromColumn(t);
            }
        });
    }

    /** Records that {@code owner}, while it holds the lease, signed every change before {@code roundStart}. */
    static void recordCaughtUp(Database database, String owner, Instant roundStart) {
        database.inTransaction(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE ocsp_updater_lease SET caught_up_to = ? WHERE id = 1 AND owner = ?")) {
                ps.setObject(1, DatabaseTime.toColumn(roundStart));
                ps.setString(2, owner);
                return ps.executeUpdate();
            }
        });
    }
}
