package tw.eid.pki.ca.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The SQL of {@link CertificateReader} and {@link StatusChangeLog} on MariaDB: the one class outside
 * the certificate writer's {@link CertificateRows} that holds statements on the {@code certificate}
 * and {@code status_change} tables. Callers hold it as the narrow interface they need.
 *
 * <p>Causal reads: every read that must see the latest commits goes through {@link #causal} first.
 * It does nothing on a single server; a Galera cluster's setting ({@code SET SESSION
 * wsrep_sync_wait = ...}) goes there, in one place.
 */
public final class SqlCertificateStore implements CertificateReader, StatusChangeLog {
    /** Rows fetched per round trip by the streaming reads (CRL entries). */
    static final int FETCH = 1000;

    private static final String COLUMNS = "ca_name, serial_hex, profile, card_number, status, revocation_reason,"
            + " revocation_time, not_before, not_after, der";

    private final Database database;

    private SqlCertificateStore(Database database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    /** The certificate reader and status change log over {@code database}. */
    public static SqlCertificateStore over(Database database) {
        return new SqlCertificateStore(database);
    }

    /** Where a causal-read setting of a cluster goes: before a read that must see the latest commits. */
    static void causal(Connection c) throws SQLException {
        // On Galera every pooled connection already reads causally (wsrep_sync_wait = 1, set by
        // Database: docs/cluster.md#causal-reads); on a single server every commit is visible.
    }

    private static Instant time(ResultSet rs, int column) throws SQLException {
        LocalDateTime t = rs.getObject(column, LocalDateTime.class);
        return t == null ? null : DatabaseTime.fromColumn(t);
    }

    private static Integer integer(Object o) {
        return o == null ? null : ((Number) o).intValue();
    }

    private static Revocation revocation(ResultSet rs, int first) throws SQLException {
        return new Revocation(
                rs.getString(first),
                CertificateStatus.valueOf(rs.getString(first + 1)),
                integer(rs.getObject(first + 2)),
                time(rs, first + 3));
    }

    // The RA.

    /**
     * One SELECT on an auto-commit connection (no transaction around it): the RA asks this for the
     * operator's own certificate on every request, and a single-row read sees the latest committed
     * row either way.
     */
    @Override
    public Optional<StoredCertificate> find(String caName, String serialHex) {
        try (Connection c = database.dataSource().getConnection()) {
            causal(c);
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM certificate WHERE ca_name = ? AND serial_hex = ? AND der IS NOT NULL")) {
                ps.setString(1, caName);
                ps.setString(2, serialHex);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(stored(rs)) : Optional.empty();
                }
            }
        } catch (SQLException e) {
            throw new StoreException(StoreException.Code.SQL, "cannot read the certificate", e);
        }
    }

    @Override
    public List<StoredCertificate> ofCard(String cardNumber) {
        return database.inTransaction(c -> {
            causal(c);
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + COLUMNS
                            + " FROM certificate WHERE card_number = ? AND der IS NOT NULL ORDER BY not_before, ca_name, serial_hex")) {
                ps.setString(1, cardNumber);
                List<StoredCertificate> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(stored(rs));
                    }
                }
                return out;
            }
        });
    }

    private static StoredCertificate stored(ResultSet rs) throws SQLException {
        return new StoredCertificate(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                CertificateStatus.valueOf(rs.getString(5)),
                integer(rs.getObject(6)),
                time(rs, 7),
                time(rs, 8),
                time(rs, 9),
                rs.getBytes(10));
    }

    // Status changes and issuance.

    @Override
    public Optional<Lifecycle> lockForStatusChange(Connection c, String caName, String serialHex) throws SQLException {
        causal(c);
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT status, der IS NULL, not_after FROM certificate WHERE ca_name = ? AND serial_hex = ? FOR UPDATE")) {
            ps.setString(1, caName);
            ps.setString(2, serialHex);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(
                        new Lifecycle(CertificateStatus.valueOf(rs.getString(1)), !rs.getBoolean(2), time(rs, 3)));
            }
        }
    }

    @Override
    public Map<String, Lifecycle> lifecycles(
            Connection c, String caName, Collection<String> serials, boolean lock, int chunkSize) throws SQLException {
        causal(c);
        List<String> sorted = new ArrayList<>(serials);
        Collections.sort(sorted); // binary collation: the column orders as String.compareTo on ASCII
        Map<String, Lifecycle> states = new HashMap<>(serials.size() * 2);
        for (int from = 0; from < sorted.size(); from += chunkSize) {
            List<String> chunk = sorted.subList(from, Math.min(sorted.size(), from + chunkSize));
            String placeholders = String.join(",", Collections.nCopies(chunk.size(), "?"));
            try (PreparedStatement ps = c.prepareStatement("SELECT serial_hex, status, der IS NOT NULL, not_after"
                    + " FROM certificate WHERE ca_name = ? AND serial_hex IN (" + placeholders + ")"
                    + " ORDER BY serial_hex" + (lock ? " FOR UPDATE" : ""))) {
                ps.setString(1, caName);
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(i + 2, chunk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        states.put(
                                rs.getString(1),
                                new Lifecycle(
                                        CertificateStatus.valueOf(rs.getString(2)), rs.getBoolean(3), time(rs, 4)));
                    }
                }
            }
        }
        return states;
    }

    @Override
    public List<CertificateKey> lockGoodOfCard(Connection c, String cardNumber, Instant now) throws SQLException {
        causal(c);
        List<CertificateKey> targets = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT ca_name, serial_hex FROM certificate"
                + " WHERE card_number = ? AND status = ? AND der IS NOT NULL AND not_after > ?"
                + " ORDER BY ca_name, serial_hex FOR UPDATE")) {
            ps.setString(1, cardNumber);
            ps.setString(2, CertificateStatus.GOOD.name());
            ps.setObject(3, DatabaseTime.toColumn(now));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    targets.add(new CertificateKey(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return targets;
    }

    @Override
    public List<Revocation> lockActiveOfCardProfile(
            Connection c, String caName, String cardNumber, String profile, String exceptSerial) throws SQLException {
        causal(c);
        List<Revocation> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT serial_hex, status, revocation_reason, revocation_time FROM certificate WHERE ca_name = ?"
                        + " AND card_number = ? AND profile = ? AND serial_hex <> ? AND der IS NOT NULL"
                        + " AND status IN (?, ?) ORDER BY serial_hex FOR UPDATE")) {
            ps.setString(1, caName);
            ps.setString(2, cardNumber);
            ps.setString(3, profile);
            ps.setString(4, exceptSerial);
            ps.setString(5, CertificateStatus.GOOD.name());
            ps.setString(6, CertificateStatus.HOLD.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(revocation(rs, 1));
                }
            }
        }
        return out;
    }

    @Override
    public List<KeyUse> lockUsesOfKey(Connection c, byte[] keyHash) throws SQLException {
        causal(c);
        List<KeyUse> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT card_number, profile, revocation_reason, not_before"
                + " FROM certificate WHERE public_key_sha256 = ? FOR UPDATE")) {
            ps.setBytes(1, keyHash);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new KeyUse(rs.getString(1), rs.getString(2), integer(rs.getObject(3)), time(rs, 4)));
                }
            }
        }
        return out;
    }

    @Override
    public Optional<Idempotent> lockIdempotent(Connection c, String actor, String key) throws SQLException {
        causal(c);
        try (PreparedStatement ps = c.prepareStatement("SELECT i.request_sha256, i.serial_hex, c.der, c.crl_partition"
                + " FROM idempotency_key i JOIN certificate c ON c.ca_name = i.ca_name AND c.serial_hex = i.serial_hex"
                + " WHERE i.actor = ? AND i.idem_key = ? FOR UPDATE")) {
            ps.setString(1, actor);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Idempotent(rs.getBytes(1), rs.getString(2), rs.getBytes(3), rs.getInt(4)));
            }
        }
    }

    @Override
    public List<byte[]> goodOfProfile(Connection c, String profile) throws SQLException {
        List<byte[]> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT der FROM certificate WHERE profile = ?"
                + " AND der IS NOT NULL AND status = ? ORDER BY created_at")) {
            ps.setString(1, profile);
            ps.setString(2, CertificateStatus.GOOD.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getBytes(1));
                }
            }
        }
        return out;
    }

    // The CRL publisher.

    /**
     * One statement, so one consistent read (InnoDB's read view per statement under READ
     * COMMITTED).
     */
    @Override
    public void crlEntries(
            String caName,
            int partition,
            Instant before,
            Instant expiredBefore,
            String fromSerial,
            String toSerial,
            CrlEntrySink sink) {
        String sql = crlEntriesSql(partition, expiredBefore != null, fromSerial != null, toSerial != null);
        database.inTransaction(c -> {
            causal(c);
            try (PreparedStatement ps =
                    c.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
                bindCrlEntries(ps, caName, partition, before, expiredBefore, fromSerial, toSerial);
                ps.setFetchSize(FETCH);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        sink.accept(rs.getBytes(1), rs.getBoolean(2), rs.getInt(3), rs.getLong(4));
                    }
                }
            }
            return null;
        });
    }

    private static String crlEntriesSql(int partition, boolean expiry, boolean from, boolean to) {
        // revocation_reason as it is (getInt gives 0 for NULL): COALESCE(it, 0) came back as a DECIMAL,
        // which the driver decodes through a String and a BigDecimal per row. The epoch as a TIMESTAMP
        // literal: as a string the server parsed it again for every row. The time in seconds: the
        // driver's LocalDateTime decoding (time zones, calendars) cost more than the server's sum.
        // status IN (...) rather than <> GOOD (the same rows, by the table's CHECK): two clean index
        // ranges, each bounded by the serials. FORCE INDEX: on small test tables the optimizer may
        // prefer the primary key's serial range, which reads whole certificate rows. The statuses
        // are the enum's names, written into the statement (constants, not input).
        return "SELECT serial_hex, status = '" + CertificateStatus.HOLD.name() + "', revocation_reason,"
                + " TIMESTAMPDIFF(SECOND, TIMESTAMP'1970-01-01 00:00:00', revocation_time) FROM certificate"
                + (partition == 0 ? "" : " FORCE INDEX (certificate_crl_entries)")
                + " WHERE ca_name = ?" + (partition == 0 ? "" : " AND crl_partition = ?")
                + " AND status IN ('" + CertificateStatus.HOLD.name() + "', '" + CertificateStatus.REVOKED.name()
                + "') AND revocation_time < ?" + (expiry ? " AND not_after >= ?" : "")
                + (from ? " AND serial_hex >= ?" : "") + (to ? " AND serial_hex < ?" : "");
    }

    private static void bindCrlEntries(
            PreparedStatement ps,
            String caName,
            int partition,
            Instant before,
            Instant expiredBefore,
            String fromSerial,
            String toSerial)
            throws SQLException {
        int i = 1;
        ps.setString(i++, caName);
        if (partition != 0) {
            ps.setInt(i++, partition);
        }
        ps.setObject(i++, DatabaseTime.toColumn(before));
        if (expiredBefore != null) {
            ps.setObject(i++, DatabaseTime.toColumn(expiredBefore));
        }
        if (fromSerial != null) {
            ps.setString(i++, fromSerial);
        }
        if (toSerial != null) {
            ps.setString(i, toSerial);
        }
    }

    @Override
    public List<String> explainCrlEntries(
            String caName, int partition, Instant before, Instant expiredBefore, String fromSerial, String toSerial) {
        return database.inTransaction(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN "
                    + crlEntriesSql(partition, expiredBefore != null, fromSerial != null, toSerial != null))) {
                bindCrlEntries(ps, caName, partition, before, expiredBefore, fromSerial, toSerial);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add("key=" + rs.getString("key") + " extra=" + rs.getString("Extra"));
                    }
                }
            }
            return out;
        });
    }

    /** Two dives into the index, not a scan. */
    @Override
    public Optional<String[]> revokedSerialBounds(String caName, int partition) {
        return database.inTransaction(c -> {
            causal(c);
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT MIN(serial_hex), MAX(serial_hex) FROM certificate"
                            + " FORCE INDEX (certificate_crl_entries) WHERE ca_name = ? AND crl_partition = ? AND status = ?")) {
                ps.setString(1, caName);
                ps.setInt(2, partition);
                ps.setString(3, CertificateStatus.REVOKED.name());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getString(1) != null
                            ? Optional.of(new String[] {rs.getString(1), rs.getString(2)})
                            : Optional.<String[]>empty();
                }
            }
        });
    }

    @Override
    public List<RevokedRow> notGood(String caName) {
        return database.inTransaction(c -> {
            causal(c);
            List<RevokedRow> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT serial_hex, revocation_reason, revocation_time"
                    + " FROM certificate WHERE ca_name = ? AND status <> ?")) {
                ps.setString(1, caName);
                ps.setString(2, CertificateStatus.GOOD.name());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new RevokedRow(rs.getString(1), rs.getInt(2), time(rs, 3)));
                    }
                }
            }
            return out;
        });
    }

    // The OCSP responder.

    @Override
    public Map<String, Revocation> revocations(String caName, List<String> serials) {
        if (serials.isEmpty()) {
            return Map.of();
        }
        return database.inTransaction(c -> {
            causal(c);
            Map<String, Revocation> out = new HashMap<>();
            StringBuilder sql = new StringBuilder("SELECT serial_hex, status, revocation_reason, revocation_time"
                    + " FROM certificate WHERE ca_name = ? AND serial_hex IN (");
            for (int i = 0; i < serials.size(); i++) {
                sql.append(i == 0 ? "?" : ", ?");
            }
            sql.append(')');
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                ps.setString(1, caName);
                for (int i = 0; i < serials.size(); i++) {
                    ps.setString(i + 2, serials.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Revocation r = revocation(rs, 1);
                        out.put(r.serialHex(), r);
                    }
                }
            }
            return out;
        });
    }

    @Override
    public PresignedLookup presigned(String caName, String serialHex) {
        return database.inTransaction(c -> {
            causal(c);
            try (PreparedStatement ps = c.prepareStatement("SELECT c.serial_hex, c.status, c.revocation_reason,"
                    + " c.revocation_time, c.der IS NOT NULL, r.status, r.revocation_reason, r.revocation_time,"
                    + " r.this_update, r.next_update, r.response_der FROM certificate c LEFT JOIN ocsp_response r"
                    + " ON r.ca_name = c.ca_name AND r.serial_hex = c.serial_hex"
                    + " WHERE c.ca_name = ? AND c.serial_hex = ?")) {
                ps.setString(1, caName);
                ps.setString(2, serialHex);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return new PresignedLookup(null, false, null);
                    }
                    Revocation current = revocation(rs, 1);
                    boolean same = rs.getBoolean(5)
                            && rs.getString(6) != null
                            && rs.getString(2).equals(rs.getString(6))
                            && Objects.equals(current.reasonCode(), integer(rs.getObject(7)))
                            && Objects.equals(current.revocationTime(), time(rs, 8));
                    if (!same) {
                        return new PresignedLookup(current, true, null);
                    }
                    return new PresignedLookup(
                            current, true, new StoredResponse(rs.getBytes(11), time(rs, 9), time(rs, 10)));
                }
            }
        });
    }

    /**
     * The index on updated_at holds the primary key too, so the range starts right after the last
     * row read.
     */
    @Override
    public List<Changed> changedSincePresigned(String caName, Instant afterTime, String afterSerial, int limit) {
        return database.inTransaction(c -> {
            causal(c);
            List<Changed> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT c.serial_hex, c.status, c.revocation_reason,"
                    + " c.revocation_time, c.updated_at FROM certificate c LEFT JOIN ocsp_response r"
                    + " ON r.ca_name = c.ca_name AND r.serial_hex = c.serial_hex"
                    + " WHERE c.ca_name = ? AND ((c.updated_at = ? AND c.serial_hex > ?) OR c.updated_at > ?)"
                    + " AND c.der IS NOT NULL AND (r.serial_hex IS NULL"
                    + " OR r.status <> c.status OR NOT (r.revocation_reason <=> c.revocation_reason)"
                    + " OR NOT (r.revocation_time <=> c.revocation_time)) ORDER BY c.updated_at, c.serial_hex LIMIT "
                    + limit)) {
                LocalDateTime after = DatabaseTime.toColumn(afterTime);
                ps.setString(1, caName);
                ps.setObject(2, after);
                ps.setString(3, afterSerial);
                ps.setObject(4, after);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Changed(revocation(rs, 1), time(rs, 5)));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public List<Revocation> presignedBefore(String caName, Instant before, Instant now, int limit) {
        return database.inTransaction(c -> {
            causal(c);
            List<Revocation> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT c.serial_hex, c.status, c.revocation_reason,"
                    + " c.revocation_time FROM ocsp_response r JOIN certificate c"
                    + " ON c.ca_name = r.ca_name AND c.serial_hex = r.serial_hex"
                    + " WHERE r.ca_name = ? AND r.this_update < ? AND c.not_after > ? ORDER BY r.this_update LIMIT "
                    + limit)) {
                ps.setString(1, caName);
                ps.setObject(2, DatabaseTime.toColumn(before));
                ps.setObject(3, DatabaseTime.toColumn(now));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(revocation(rs, 1));
                    }
                }
            }
            return out;
        });
    }

    // The status change log.

    @Override
    public long append(
            Connection c,
            String caName,
            String serialHex,
            CertificateStatus from,
            CertificateStatus to,
            Integer reasonCode,
            Instant now)
            throws SQLException {
        return appendChange(c, caName, serialHex, from, to, reasonCode, now);
    }

    /** {@link #append} for callers that hold no store (the certificate writer's neighbours in a transaction). */
    public static long appendChange(
            Connection c,
            String caName,
            String serialHex,
            CertificateStatus from,
            CertificateStatus to,
            Integer reasonCode,
            Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE certificate SET status = ?, revocation_reason = ?,"
                + " revocation_time = ?, updated_at = ? WHERE ca_name = ? AND serial_hex = ? AND status = ?")) {
            ps.setString(1, to.name());
            if (reasonCode == null) {
                ps.setNull(2, Types.TINYINT);
                ps.setNull(3, Types.TIMESTAMP);
            } else {
                ps.setInt(2, reasonCode);
                ps.setObject(3, DatabaseTime.toColumn(now));
            }
            ps.setObject(4, DatabaseTime.toColumn(now));
            ps.setString(5, caName);
            ps.setString(6, serialHex);
            ps.setString(7, from.name());
            if (ps.executeUpdate() != 1) {
                throw new SQLException("certificate " + serialHex + " changed under its row lock", "40001");
            }
        }
        // The log's commit order (V12, docs/cluster.md#the-status-change-log): this row's lock is
        // held until commit, so commit_seq values become visible in their order.
        long commitSeq;
        try (PreparedStatement ps = c.prepareStatement("UPDATE status_log_clock SET seq = seq + 1 WHERE id = 1")) {
            if (ps.executeUpdate() != 1) {
                throw new SQLException("the status log clock row is missing", "42000");
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT seq FROM status_log_clock WHERE id = 1");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            commitSeq = rs.getLong(1);
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO status_change (ca_name, serial_hex, old_status,"
                        + " new_status, reason, changed_at, commit_seq) VALUES (?, ?, ?, ?, ?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, caName);
            ps.setString(2, serialHex);
            ps.setString(3, from.name());
            ps.setString(4, to.name());
            if (reasonCode == null) {
                ps.setNull(5, Types.TINYINT);
            } else {
                ps.setInt(5, reasonCode);
            }
            ps.setObject(6, DatabaseTime.toColumn(now));
            ps.setLong(7, commitSeq);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    @Override
    public long lastId() {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(commit_seq), 0) FROM status_change");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public List<Entry> since(long afterId) {
        return database.inTransaction(c -> {
            causal(c);
            List<Entry> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT commit_seq, ca_name, serial_hex FROM status_change"
                    + " WHERE commit_seq > ? ORDER BY commit_seq")) {
                ps.setLong(1, afterId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Entry(rs.getLong(1), rs.getString(2), rs.getString(3)));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public List<Change> changesSince(String caName, Instant since) {
        return database.inTransaction(c -> {
            causal(c);
            List<Change> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT s.id, COALESCE(c.crl_partition, 0), s.changed_at"
                    + " FROM status_change s JOIN certificate c ON c.ca_name = s.ca_name AND c.serial_hex = s.serial_hex"
                    + " WHERE s.ca_name = ? AND s.changed_at >= ? ORDER BY s.changed_at")) {
                ps.setString(1, caName);
                ps.setObject(2, DatabaseTime.toColumn(since));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Change(rs.getLong(1), rs.getInt(2), time(rs, 3)));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public void changedSince(
            String caName, int partition, Instant since, Instant before, Instant expiredBefore, ChangedSink sink) {
        String sql = "SELECT c.serial_hex, c.status, c.revocation_reason, c.revocation_time, MAX(s.changed_at)"
                + " FROM status_change s JOIN certificate c ON c.ca_name = s.ca_name AND c.serial_hex = s.serial_hex"
                + " WHERE s.ca_name = ? AND s.changed_at >= ?" + (partition == 0 ? "" : " AND c.crl_partition = ?")
                + (expiredBefore == null ? "" : " AND c.not_after >= ?")
                + " GROUP BY c.serial_hex, c.status, c.revocation_reason, c.revocation_time HAVING MAX(s.changed_at) < ?";
        database.inTransaction(c -> {
            causal(c);
            try (PreparedStatement ps =
                    c.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
                int i = 1;
                ps.setString(i++, caName);
                ps.setObject(i++, DatabaseTime.toColumn(since));
                if (partition != 0) {
                    ps.setInt(i++, partition);
                }
                if (expiredBefore != null) {
                    ps.setObject(i++, DatabaseTime.toColumn(expiredBefore));
                }
                ps.setObject(i, DatabaseTime.toColumn(before));
                ps.setFetchSize(FETCH);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        sink.accept(new ChangedCertificate(
                                rs.getString(1),
                                CertificateStatus.valueOf(rs.getString(2)),
                                rs.getInt(3), // 0 when NULL: no reasonCode
                                time(rs, 4),
                                time(rs, 5)));
                    }
                }
            }
            return null;
        });
    }
}
