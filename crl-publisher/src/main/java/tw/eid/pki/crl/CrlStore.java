package tw.eid.pki.crl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import tw.eid.pki.ca.store.CertificateReader;
import tw.eid.pki.ca.store.CertificateStatus;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseLease;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.ca.store.Lease;
import tw.eid.pki.ca.store.SqlCertificateStore;
import tw.eid.pki.ca.store.StatusChangeLog;
import tw.eid.pki.ca.store.StoreException;

/**
 * The publisher's reads and writes: CRL numbers, the stored CRLs, and the revoked certificates
 * streamed from a cursor. The {@code crl} table is the record of what was published; the HTTP
 * server and the file directory serve its latest row per URL.
 */
final class CrlStore {
    /** Rows fetched per round trip while streaming entries (the driver streams with a fetch size). */
    static final int FETCH = 1000;

    /** A stored CRL's header fields (its DER is read separately, only when needed). */
    record Stored(long id, long number, Long baseNumber, Instant thisUpdate, Instant nextUpdate) {}

    /** One certificate row as the CRL needs it. */
    record Row(String serialHex, CertificateStatus status, int reason, Instant revocationTime, Instant lastChange) {}

    interface RowSink {
        void accept(Row row);
    }

    private final Database database;
    private final CertificateReader certificates;
    private final StatusChangeLog statusLog;
    private final Lease lease;

    CrlStore(Database database) {
        this.database = database;
        SqlCertificateStore store = SqlCertificateStore.over(database);
        this.certificates = store;
        this.statusLog = store;
        this.lease = new DatabaseLease(database, Lease.Name.CRL_PUBLISHER);
    }

    /** The partitions of {@code caName} (numbered from 1, open or closed). */
    List<Integer> partitions(String caName) {
        return database.inTransaction(c -> {
            List<Integer> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT partition_number FROM crl_partition WHERE ca_name = ? ORDER BY partition_number")) {
                ps.setString(1, caName);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getInt(1));
                    }
                }
            }
            return out;
        });
    }

    Optional<Stored> latest(String caName, int partition, boolean delta) {
        return database.inTransaction(c -> latest(c, caName, partition, delta));
    }

    private static Optional<Stored> latest(Connection c, String caName, int partition, boolean delta)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, crl_number, base_number, this_update, next_update"
                        + " FROM crl WHERE ca_name = ? AND crl_partition = ? AND is_delta = ? ORDER BY crl_number DESC LIMIT 1")) {
            ps.setString(1, caName);
            ps.setInt(2, partition);
            ps.setBoolean(3, delta);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Long base = rs.getObject(3) == null ? null : rs.getLong(3);
                return Optional.of(new Stored(
                        rs.getLong(1),
                        rs.getLong(2),
                        base,
                        DatabaseTime.fromColumn(rs.getObject(4, LocalDateTime.class)),
                        DatabaseTime.fromColumn(rs.getObject(5, LocalDateTime.class))));
            }
        }
    }

    /**
     * A stored CRL's DER: {@code crl.der} and, for a CRL over {@link #FIRST} bytes, its further
     * pieces in order; null when there is no such CRL. A CRL whose pieces do not add up to its
     * recorded length is refused, never served shorter.
     */
    byte[] der(long id) {
        return database.inTransaction(c -> {
            byte[] first;
            Long length;
            try (PreparedStatement ps = c.prepareStatement("SELECT der, der_length FROM crl WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    first = rs.getBytes(1);
                    length = rs.getObject(2) == null ? null : rs.getLong(2);
                }
            }
            if (length == null || length == first.length) {
                return first; // whole in one row (every CRL up to a MiB; rows written before V9)
            }
            if (length < first.length || length > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("CRL " + id + ": recorded length " + length + " against " + first.length
                        + " bytes in its first piece");
            }
            byte[] out = Arrays.copyOf(first, (int) (long) length);
            int at = first.length;
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT piece, bytes FROM crl_der_more WHERE crl_id = ? ORDER BY piece")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    int expected = 1;
                    while (rs.next()) {
                        byte[] b = rs.getBytes(2);
                        if (rs.getInt(1) != expected++ || at + b.length > out.length) {
                            throw new IllegalStateException(
                                    "CRL " + id + ": its pieces do not add up to " + length + " bytes");
                        }
                        System.arraycopy(b, 0, out, at, b.length);
                        at += b.length;
                    }
                }
            }
            if (at != out.length) {
                throw new IllegalStateException("CRL " + id + ": " + at + " of " + length + " bytes stored");
            }
            return out;
        });
    }

    /**
     * The next CRL number of a scope (RFC 5280 §5.2.3: full and delta CRLs of one scope share one
     * sequence), taken under the sequence row's lock and committed at once: two publishers never
     * get the same number, and numbers never go back, across restarts.
     */
    BigInteger allocateNumber(String caName, int partition) {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT IGNORE INTO crl_number_seq (ca_name, crl_partition, next_number) VALUES (?, ?, 1)")) {
                ps.setString(1, caName);
                ps.setInt(2, partition);
                ps.executeUpdate();
            }
            long next = lockSequence(c, caName, partition);
            // Never below a number already stored (a sequence row lost or restored from an old backup).
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT COALESCE(MAX(crl_number), 0) FROM crl WHERE ca_name = ? AND crl_partition = ?")) {
                ps.setString(1, caName);
                ps.setInt(2, partition);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    next = Math.max(next, rs.getLong(1) + 1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE crl_number_seq SET next_number = ? WHERE ca_name = ? AND crl_partition = ?")) {
                ps.setLong(1, next + 1);
                ps.setString(2, caName);
                ps.setInt(3, partition);
                ps.executeUpdate();
            }
            return BigInteger.valueOf(next);
        });
    }

    private static long lockSequence(Connection c, String caName, int partition) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT next_number FROM crl_number_seq WHERE ca_name = ? AND crl_partition = ? FOR UPDATE")) {
            ps.setString(1, caName);
            ps.setInt(2, partition);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no CRL number sequence for " + caName + "/" + partition);
                }
                return rs.getLong(1);
            }
        }
    }

    /** What {@link #store} decided. */
    enum Outcome {
        STORED,
        SUPERSEDED
    }

    /**
     * Stores a signed, checked CRL as the latest of its URL, unless a CRL with a number at least as
     * high is already stored for that URL (another publisher was faster: its CRL is newer, ours is
     * dropped, so the served number never goes back). The sequence row's lock serialises this
     * check and insert between publishers. {@code check} runs under that lock against the CRL it
     * replaces (its DER, or null for the first).
     */
    Outcome store(
            String caName,
            int partition,
            EncodedCrl crl,
            Long baseNumber,
            byte[] idp,
            Instant now,
            Consumer<byte[]> check) {
        return store(caName, partition, crl, baseNumber, idp, now, check, c -> {});
    }

    /** What else a store writes in the same transaction (an audit event). */
    interface AlsoWrite {
        void write(Connection c) throws SQLException;
    }

    /** As above, and {@code also} in the same transaction after the insert. */
    Outcome store(
            String caName,
            int partition,
            EncodedCrl crl,
            Long baseNumber,
            byte[] idp,
            Instant now,
            Consumer<byte[]> check,
            AlsoWrite also) {
        boolean delta = baseNumber != null;
        return database.inTransaction(c -> {
            lockSequence(c, caName, partition);
            Optional<Stored> previous = latest(c, caName, partition, delta);
            if (previous.isPresent() && previous.get().number() >= crl.number().longValueExact()) {
                return Outcome.SUPERSEDED;
            }
            // The IDP is checked against the previous full CRL of the scope for deltas too.
            Optional<Stored> previousFull = delta ? latest(c, caName, partition, false) : previous;
            if (previousFull.isPresent()) {
                check.accept(idpIn(c, previousFull.get().id()));
            }
            long length = crl.length();
            long id;
            InputStream der = crl.inputStream();
            byte[] first = new byte[(int) Math.min(length, FIRST)];
            readFully(der, first, first.length);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO crl (ca_name, crl_partition, crl_number,"
                            + " this_update, next_update, is_delta, base_number, der, der_length, created_at, idp_der)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, caName);
                ps.setInt(2, partition);
                ps.setLong(3, crl.number().longValueExact());
                ps.setObject(4, DatabaseTime.toColumn(crl.thisUpdate()));
                ps.setObject(5, DatabaseTime.toColumn(crl.nextUpdate()));
                ps.setBoolean(6, delta);
                ps.setObject(7, baseNumber);
                ps.setBytes(8, first);
                ps.setLong(9, length);
                ps.setObject(10, DatabaseTime.toColumn(now));
                ps.setBytes(11, idp);
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    id = keys.getLong(1);
                }
            }
            // The rest in pieces: the driver never holds more than one (see V9 and PIECE).
            if (length > FIRST) {
                byte[] piece = new byte[PIECE];
                try (PreparedStatement ps =
                        c.prepareStatement("INSERT INTO crl_der_more (crl_id, piece, bytes) VALUES (?, ?, ?)")) {
                    int n = 1;
                    for (long at = FIRST; at < length; at += PIECE, n++) {
                        int size = (int) Math.min(PIECE, length - at);
                        byte[] b = size == PIECE ? piece : new byte[size];
                        readFully(der, b, size);
                        ps.setLong(1, id);
                        ps.setInt(2, n);
                        ps.setBytes(3, b);
                        ps.executeUpdate();
                    }
                }
            }
            also.write(c);
            return Outcome.STORED;
        });
    }

    /** What a CRL row holds in {@code crl.der} at most (V9): every realistic partition's CRL whole. */
    static final int FIRST = 1 << 20;
    /**
     * The size of the further pieces in {@code crl_der_more}. Small on purpose: the JDBC driver
     * grows a packet buffer to each value's size and drops it after the statement, so 1 MiB pieces
     * cost megabytes of short-lived humongous arrays each; 64 KiB ones stay in its reused buffer.
     */
    static final int PIECE = 64 * 1024;

    private static void readFully(InputStream in, byte[] b, int n) {
        try {
            if (in.readNBytes(b, 0, n) != n) {
                throw new IllegalStateException("the CRL ended before its length");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The IDP extension's DER of a stored CRL, or an empty array when it has none. */
    private static byte[] idpIn(Connection c, long id) {
        try (PreparedStatement ps = c.prepareStatement("SELECT idp_der FROM crl WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                byte[] idp = rs.next() ? rs.getBytes(1) : null;
                return idp == null ? new byte[0] : idp;
            }
        } catch (SQLException e) {
            throw new StoreException(StoreException.Code.SQL, "cannot read the previous CRL", e);
        }
    }

    /** One entry of a full CRL, as the cursor gives it (no object per entry: a partition may list a million). */
    interface EntrySink extends CertificateReader.CrlEntrySink {
        /**
         * @param serialHex the serial's lower-case hex digits, ASCII (the column's bytes)
         * @param hold on hold (certificateHold) rather than revoked
         * @param reason the stored CRLReason code, 0 when none
         * @param revokedAt the revocation time in whole seconds since the epoch (the fraction dropped)
         */
        @Override
        void accept(byte[] serialHex, boolean hold, int reason, long revokedAt);
    }

    /**
     * Streams the certificates a full CRL lists: on hold or revoked before {@code before}, of the
     * partition (0: every certificate of the CA), not expired before {@code expiredBefore} (null:
     * keep expired ones), with a serial (in the store's hex form, compared as strings) at or after
     * {@code fromSerial} and before {@code toSerial} (null: unbounded). One statement, so one
     * consistent read (InnoDB's read view per statement under READ COMMITTED); for a partition it
     * reads only the index {@code certificate_crl_entries} (V9), never the certificate rows.
     */
    void fullEntries(
            String caName,
            int partition,
            Instant before,
            Instant expiredBefore,
            String fromSerial,
            String toSerial,
            EntrySink sink) {
        certificates.crlEntries(caName, partition, before, expiredBefore, fromSerial, toSerial, sink);
    }

    /**
     * The lowest and highest serial of a partition's revoked certificates (two dives into the
     * index, not a scan), for splitting its full CRL's cursor; null when it has none.
     */
    String[] revokedSerialBounds(String caName, int partition) {
        return certificates.revokedSerialBounds(caName, partition).orElse(null);
    }

    /** The plans MariaDB makes for a partition's full CRL cursor, one per range (a test checks they read the index only). */
    List<String> explainFullEntries(
            String caName, int partition, Instant before, Instant expiredBefore, String fromSerial, String toSerial) {
        return certificates.explainCrlEntries(caName, partition, before, expiredBefore, fromSerial, toSerial);
    }

    /**
     * Streams the certificates of a partition whose status changed at or after {@code since} (a
     * delta CRL is cumulative since its base, RFC 5280 §5.2.4), each with its current status and the
     * time of its last change; a certificate whose last change is at or after {@code before} (the
     * CRL's thisUpdate plus a second: it committed while the CRL was being made) waits for the next
     * delta, so no entry is newer than the CRL that lists it.
     */
    void changedEntries(
            String caName, int partition, Instant since, Instant before, Instant expiredBefore, RowSink sink) {
        statusLog.changedSince(
                caName,
                partition,
                since,
                before,
                expiredBefore,
                r -> sink.accept(new Row(r.serialHex(), r.status(), r.reason(), r.revocationTime(), r.lastChange())));
    }

    /** A change of the status log: its id, and the partition of its certificate (0 when none). */
    record Change(long id, int partition, Instant changedAt) {}

    /** Status changes of {@code caName} stamped at or after {@code since}, oldest first. */
    List<Change> changesSince(String caName, Instant since) {
        return statusLog.changesSince(caName, since).stream()
                .map(ch -> new Change(ch.id(), ch.partition(), ch.changedAt()))
                .toList();
    }

    /** The newest CRL header per (CA, partition, full or delta): what the server and directory serve. */
    Map<String, Stored> latestAll() {
        return database.inTransaction(c -> {
            Map<String, Stored> out = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT k.id, k.ca_name, k.crl_partition, k.is_delta,"
                            + " k.crl_number, k.base_number, k.this_update, k.next_update FROM crl k JOIN (SELECT ca_name,"
                            + " crl_partition, is_delta, MAX(crl_number) AS n FROM crl GROUP BY ca_name, crl_partition, is_delta) m"
                            + " ON m.ca_name = k.ca_name AND m.crl_partition = k.crl_partition AND m.is_delta = k.is_delta"
                            + " AND m.n = k.crl_number");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Long base = rs.getObject(6) == null ? null : rs.getLong(6);
                    out.put(
                            key(rs.getString(2), rs.getInt(3), rs.getBoolean(4)),
                            new Stored(
                                    rs.getLong(1),
                                    rs.getLong(5),
                                    base,
                                    DatabaseTime.fromColumn(rs.getObject(7, LocalDateTime.class)),
                                    DatabaseTime.fromColumn(rs.getObject(8, LocalDateTime.class))));
                }
            }
            return out;
        });
    }

    static String key(String caName, int partition, boolean delta) {
        return caName + "/" + partition + (delta ? "/delta" : "");
    }

    /** Takes or renews the publisher lease for {@code owner} until {@code until}; false when another holds it. */
    boolean holdLease(String owner, Instant now, Instant until) {
        return lease.hold(owner, now, until);
    }
}
