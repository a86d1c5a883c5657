package tw.eid.pki.ca.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads of the {@code certificate} table, for every caller outside the store: the RA's look-ups by
 * serial and by card, the status checks of status changes and issuance (locking reads in the
 * caller's transaction), the CRL publisher's entries and the OCSP responder's statuses and
 * pre-signing lists. Nothing here writes; rows are written by the certificate writer ({@link
 * CertificateRows}) and by the status change log ({@link StatusChangeLog}).
 *
 * <p>Methods that take a {@link Connection} run in the caller's transaction (most of them lock what
 * they read: the caller changes it next); the others run on a connection of their own. Every read
 * that must see the latest commits (OCSP and CRL statuses, the second phase of issuance) is one of
 * these methods, so that a causal-read setting of a cluster is applied in one place ({@link
 * SqlCertificateStore}).
 */
public interface CertificateReader {

    /** A certificate issued whole (its DER stored), as the RA shows it. */
    record StoredCertificate(
            String caName,
            String serialHex,
            String profile,
            String cardNumber,
            CertificateStatus status,
            Integer revocationReason,
            Instant revocationTime,
            Instant notBefore,
            Instant notAfter,
            byte[] der) {
        @Override
        public byte[] der() {
            return der.clone();
        }
    }

    /** A certificate's CA and serial. */
    record CertificateKey(String caName, String serialHex) {}

    /** What a status change checks: the status, whether the certificate was issued whole, its end. */
    record Lifecycle(CertificateStatus status, boolean issued, Instant notAfter) {}

    /** A certificate's revocation state: status, RFC 5280 reason code (null: none) and time (null: good). */
    record Revocation(String serialHex, CertificateStatus status, Integer reasonCode, Instant revocationTime) {}

    /** A certificate that changed ({@link #updatedAt}) and whose pre-signed response is missing or differs. */
    record Changed(Revocation revocation, Instant updatedAt) {}

    /** A certificate that names a key: its card, profile, revocation reason code (null: none) and start. */
    record KeyUse(String cardNumber, String profile, Integer revocationReason, Instant notBefore) {}

    /**
     * One read of a certificate and its pre-signed OCSP response: {@code issued} false when the CA
     * never issued the serial (then nothing else is set); {@code stored} null when no response is
     * stored or it no longer says the certificate's current status.
     */
    record PresignedLookup(Revocation current, boolean issued, StoredResponse stored) {}

    /** A pre-signed OCSP response that says the certificate's current status. */
    record StoredResponse(byte[] der, Instant thisUpdate, Instant nextUpdate) {}

    /** Receives a full CRL's entries, row by row, without building objects per row. */
    @FunctionalInterface
    interface CrlEntrySink {
        /**
         * @param serialHex the serial's lower-case hex digits, ASCII (the column's bytes)
         * @param hold on hold (certificateHold) rather than revoked
         * @param reason the RFC 5280 reason code, 0 when none is stored
         * @param revokedEpochSecond the revocation time in whole seconds since the epoch
         */
        void accept(byte[] serialHex, boolean hold, int reason, long revokedEpochSecond);
    }

    /** A certificate revoked or on hold, with its reason code (0 when none) and time. */
    record RevokedRow(String serialHex, int reasonCode, Instant revocationTime) {}

    // The RA.

    /** The certificate, if it was issued whole; one read, no transaction around it. */
    Optional<StoredCertificate> find(String caName, String serialHex);

    /** The card's certificates issued whole, oldest first. */
    List<StoredCertificate> ofCard(String cardNumber);

    // Status changes and issuance, in the caller's transaction.

    /** Locks the certificate's row and reads what a status change checks; empty when there is none. */
    Optional<Lifecycle> lockForStatusChange(Connection c, String caName, String serialHex) throws SQLException;

    /**
     * The named certificates of one CA that exist, by serial, read (and locked if {@code lock}) in
     * ascending serial order, {@code chunk} serials per statement.
     */
    Map<String, Lifecycle> lifecycles(Connection c, String caName, Collection<String> serials, boolean lock, int chunk)
            throws SQLException;

    /** Locks the card's good certificates issued whole and valid at {@code now}, by CA then serial. */
    List<CertificateKey> lockGoodOfCard(Connection c, String cardNumber, Instant now) throws SQLException;

    /**
     * Locks the card's other active (good or on hold) certificates of {@code profile} issued by
     * {@code caName}, all but {@code exceptSerial}, in serial order: issuance supersedes them.
     */
    List<Revocation> lockActiveOfCardProfile(
            Connection c, String caName, String cardNumber, String profile, String exceptSerial) throws SQLException;

    /** Locks and reads every certificate of the key whose SubjectPublicKeyInfo has SHA-256 {@code keyHash}. */
    List<KeyUse> lockUsesOfKey(Connection c, byte[] keyHash) throws SQLException;

    /** A client's earlier issuance under an Idempotency-Key: its request's hash, serial, DER (null: not final) and partition. */
    record Idempotent(byte[] requestSha256, String serialHex, byte[] der, int crlPartition) {}

    /** Locks and reads the issuance {@code actor} made under Idempotency-Key {@code key}, if any. */
    Optional<Idempotent> lockIdempotent(Connection c, String actor, String key) throws SQLException;

    /** The DER of the good certificates of {@code profile} issued whole, oldest first. */
    List<byte[]> goodOfProfile(Connection c, String profile) throws SQLException;

    // The CRL publisher.

    /**
     * Streams the revoked and held certificates of a CA's partition (0: every certificate of the
     * CA) revoked before {@code before}, not expired before {@code expiredBefore} (null: expired ones
     * too), with serials in [{@code fromSerial}, {@code toSerial}) (null: open). Reads only the
     * index {@code certificate_crl_entries} (V9), never the certificate rows.
     */
    void crlEntries(
            String caName,
            int partition,
            Instant before,
            Instant expiredBefore,
            String fromSerial,
            String toSerial,
            CrlEntrySink sink);

    /** The plans MariaDB makes for {@link #crlEntries} (a test checks they read the index only). */
    List<String> explainCrlEntries(
            String caName, int partition, Instant before, Instant expiredBefore, String fromSerial, String toSerial);

    /** The lowest and highest serial of a partition's revoked certificates; empty when it has none. */
    Optional<String[]> revokedSerialBounds(String caName, int partition);

    /** Every certificate of {@code caName} that is not good, for an offline CRL. */
    List<RevokedRow> notGood(String caName);

    // The OCSP responder.

    /** The revocation states of those of {@code serials} the CA issued, in one read, by serial. */
    Map<String, Revocation> revocations(String caName, List<String> serials);

    /** The certificate's state and its stored response, in one read. */
    PresignedLookup presigned(String caName, String serialHex);

    /**
     * Up to {@code limit} certificates issued whole and changed at or after {@code afterTime} (after
     * {@code afterSerial} at that very time) whose stored response is missing or differs, in
     * (updated_at, serial) order.
     */
    List<Changed> changedSincePresigned(String caName, Instant afterTime, String afterSerial, int limit);

    /** Up to {@code limit} certificates not expired at {@code now} whose stored response was signed before {@code before}. */
    List<Revocation> presignedBefore(String caName, Instant before, Instant now, int limit);
}
