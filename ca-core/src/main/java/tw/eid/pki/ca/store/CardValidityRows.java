package tw.eid.pki.ca.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tw.eid.pki.ca.store.CertificateReader.CertificateKey;

/**
 * Card validity's rows (issue 25, V16–V17), each in the caller's transaction: the card's validity
 * column, its loss reports and the holds each made, and the card-status query's per-ID counter of
 * wrong queries. Validity is a plain string here ({@code CURRENT}, {@code LOST}, {@code REPLACED}):
 * the domain's enum is the card package's.
 */
public final class CardValidityRows {
    private CardValidityRows() {}

    /** An open loss report: its id and when it was made (the revocation time of its holds). */
    public record OpenReport(long id, Instant reportedAt) {}

    /** Locks the card's row; its validity and national ID look-up hash, or empty if there is no such card. */
    public static Optional<Locked> lockCard(Connection c, String cardNumber) throws SQLException {
        SqlCertificateStore.causal(c);
        try (PreparedStatement ps =
                c.prepareStatement("SELECT validity, national_id_hmac FROM card WHERE card_number = ? FOR UPDATE")) {
            ps.setString(1, cardNumber);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Locked(rs.getString(1), rs.getBytes(2))) : Optional.empty();
            }
        }
    }

    /** A certificate of a card that is good or on hold. */
    public record Active(String caName, String serialHex, CertificateStatus status) {}

    /** A locked card's validity and national ID look-up hash. */
    public record Locked(String validity, byte[] nationalIdHash) {}

    public static void setValidity(Connection c, String cardNumber, String validity) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE card SET validity = ? WHERE card_number = ?")) {
            ps.setString(1, validity);
            ps.setString(2, cardNumber);
            if (ps.executeUpdate() != 1) {
                throw new SQLException("card " + cardNumber + " vanished while locked");
            }
        }
    }

    /** Opens a loss report of the card; returns its id. */
    public static long openReport(Connection c, String cardNumber, String channel, String actor, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO card_loss_report (card_number, channel, reported_at, reported_by) VALUES (?, ?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, cardNumber);
            ps.setString(2, channel);
            ps.setObject(3, DatabaseTime.toColumn(now));
            ps.setString(4, actor);
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Records that report {@code reportId} put these certificates on hold. */
    public static void recordHolds(Connection c, long reportId, List<CertificateKey> held) throws SQLException {
        if (held.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO card_loss_report_hold (report_id, ca_name, serial_hex) VALUES (?, ?, ?)")) {
            for (CertificateKey k : held) {
                ps.setLong(1, reportId);
                ps.setString(2, k.caName());
                ps.setString(3, k.serialHex());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** The card's open loss report, locked; empty if none. */
    public static Optional<OpenReport> lockOpenReport(Connection c, String cardNumber) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id, reported_at FROM card_loss_report"
                + " WHERE card_number = ? AND withdrawn_at IS NULL FOR UPDATE")) {
            ps.setString(1, cardNumber);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(new OpenReport(
                                rs.getLong(1), DatabaseTime.fromColumn(rs.getObject(2, LocalDateTime.class))))
                        : Optional.empty();
            }
        }
    }

    /**
     * The certificates report {@code report} put on hold that are still on that hold, locked: on
     * hold since the report's instant (a certificate resumed and suspended again since, or revoked,
     * is not), and not expired at {@code now}.
     */
    public static List<CertificateKey> lockStillHeld(Connection c, OpenReport report, Instant now) throws SQLException {
        SqlCertificateStore.causal(c);
        List<CertificateKey> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT x.ca_name, x.serial_hex FROM card_loss_report_hold h"
                + " JOIN certificate x ON x.ca_name = h.ca_name AND x.serial_hex = h.serial_hex"
                + " WHERE h.report_id = ? AND x.status = ? AND x.revocation_time = ? AND x.not_after > ?"
                + " ORDER BY x.ca_name, x.serial_hex FOR UPDATE")) {
            ps.setLong(1, report.id());
            ps.setString(2, CertificateStatus.HOLD.name());
            ps.setObject(3, DatabaseTime.toColumn(report.reportedAt()));
            ps.setObject(4, DatabaseTime.toColumn(now));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new CertificateKey(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return out;
    }

    /** Withdraws the open report {@code reportId}. */
    public static void withdrawReport(Connection c, long reportId, String actor, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE card_loss_report SET withdrawn_at = ?, withdrawn_by = ?"
                + " WHERE id = ? AND withdrawn_at IS NULL")) {
            ps.setObject(1, DatabaseTime.toColumn(now));
            ps.setString(2, actor);
            ps.setLong(3, reportId);
            if (ps.executeUpdate() != 1) {
                throw new SQLException("loss report " + reportId + " is not open");
            }
        }
    }

    /** Whether another card of the same holder was registered after {@code since} (a new card was issued). */
    public static boolean newerCardOfHolder(Connection c, String cardNumber, byte[] nationalIdHash, Instant since)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM card WHERE national_id_hmac = ?" + " AND card_number <> ? AND created_at > ? LIMIT 1")) {
            ps.setBytes(1, nationalIdHash);
            ps.setString(2, cardNumber);
            ps.setObject(3, DatabaseTime.toColumn(since));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The card's certificates that are good or on hold and issued whole, locked (a replacement revokes them). */
    public static List<Active> lockActiveOfCard(Connection c, String cardNumber) throws SQLException {
        SqlCertificateStore.causal(c);
        List<Active> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT ca_name, serial_hex, status FROM certificate"
                + " WHERE card_number = ? AND der IS NOT NULL AND status IN (?, ?)"
                + " ORDER BY ca_name, serial_hex FOR UPDATE")) {
            ps.setString(1, cardNumber);
            ps.setString(2, CertificateStatus.GOOD.name());
            ps.setString(3, CertificateStatus.HOLD.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Active(rs.getString(1), rs.getString(2), CertificateStatus.valueOf(rs.getString(3))));
                }
            }
        }
        return out;
    }

    /**
     * The card-status query's counter for one national ID (look-up hash) and Taiwan day, locked: the
     * row is created at 0 if missing (a write, so that the lock holds on every Galera node and two
     * first queries for one ID serialise on the primary key), then read. Returns the wrong queries so far.
     */
    public static int lockQueryCounter(Connection c, byte[] nationalIdHash, LocalDate day) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO card_status_query_lock (national_id_hmac, day, wrong)"
                        + " VALUES (?, ?, 0) ON DUPLICATE KEY UPDATE wrong = wrong")) {
            ps.setBytes(1, nationalIdHash);
            ps.setObject(2, day);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT wrong FROM card_status_query_lock WHERE national_id_hmac = ? AND day = ? FOR UPDATE")) {
            ps.setBytes(1, nationalIdHash);
            ps.setObject(2, day);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Counts one more wrong query for the ID and day (its row locked by {@link #lockQueryCounter}). */
    public static void countWrongQuery(Connection c, byte[] nationalIdHash, LocalDate day) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE card_status_query_lock SET wrong = wrong + 1 WHERE national_id_hmac = ? AND day = ?")) {
            ps.setBytes(1, nationalIdHash);
            ps.setObject(2, day);
            ps.executeUpdate();
        }
    }

    /**
     * Whether the holder's CURRENT, unexpired card was issued on {@code issueDate} at {@code
     * issuePlace} as {@code issueType}: one statement, so that a wrong field, an unknown ID, a lost
     * and a replaced card are the same "no".
     */
    public static boolean currentCardMatches(
            Connection c,
            byte[] nationalIdHash,
            LocalDate issueDate,
            String issuePlace,
            String issueType,
            LocalDate today)
            throws SQLException {
        SqlCertificateStore.causal(c);
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM card WHERE national_id_hmac = ?"
                + " AND validity = 'CURRENT' AND issue_date = ? AND issue_place = ? AND issue_type = ?"
                + " AND (expires_on IS NULL OR expires_on >= ?) LIMIT 1")) {
            ps.setBytes(1, nationalIdHash);
            ps.setObject(2, issueDate);
            ps.setString(3, issuePlace);
            ps.setString(4, issueType);
            ps.setObject(5, today);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
