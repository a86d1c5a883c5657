package tw.eid.pki.ca.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import tw.eid.pki.ca.store.DatabaseTime;

/**
 * The ledger as a hash chain in {@code audit_event}, its head in the one-row table {@code
 * audit_head}. See {@link AuditChainHash} for what is hashed.
 */
final class HashChainedAuditLedger implements AuditLedger {

    private static final String LOCK_HEAD = "SELECT last_seq, last_hash FROM audit_head WHERE id = 1 FOR UPDATE";
    private static final String INSERT_EVENT =
            "INSERT INTO audit_event (seq, event_time, actor, action, target, result, source_addr,"
                    + " dest_addr, error_code, details, prev_hash, hash)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String MOVE_HEAD =
            "UPDATE audit_head SET last_seq = ?, last_hash = ? WHERE id = 1 AND last_seq = ?";

    private final Clock clock;

    HashChainedAuditLedger(Clock clock) {
        this.clock = clock;
    }

    @Override
    public AuditEntry append(Connection connection, AuditEvent event) throws SQLException {
        return appendAll(connection, List.of(event)).get(0);
    }

    @Override
    public List<AuditEntry> appendAll(Connection connection, List<AuditEvent> events) throws SQLException {
        if (connection.getAutoCommit()) {
            // In auto-commit the head lock would end with the SELECT; and an audit row committed apart
            // from its act is exactly what docs/style.md #9 rules out.
            throw new IllegalStateException("audit events are appended inside the act's transaction");
        }
        if (events.isEmpty()) {
            return List.of();
        }
        long lastSeq;
        byte[] prevHash;
        try (PreparedStatement lock = connection.prepareStatement(LOCK_HEAD);
                ResultSet head = lock.executeQuery()) {
            if (!head.next()) {
                throw new SQLException("audit_head has no row; is the schema migrated?");
            }
            lastSeq = head.getLong(1);
            prevHash = head.getBytes(2);
        }
        List<AuditEntry> entries = new ArrayList<>(events.size());
        long seq = lastSeq;
        byte[] hash = prevHash;
        try (PreparedStatement insert = connection.prepareStatement(INSERT_EVENT)) {
            for (AuditEvent event : events) {
                byte[] prev = hash;
                seq = Math.addExact(seq, 1);
                // Taken under the lock, so times do not go backwards along the chain unless the clock does.
                Instant time = clock.instant().truncatedTo(ChronoUnit.MICROS);
                hash = AuditChainHash.eventHash(prev, seq, time, event);
                insert.setLong(1, seq);
                insert.setObject(2, DatabaseTime.toColumn(time));
                insert.setString(3, event.actor());
                insert.setString(4, event.action());
                setNullable(insert, 5, event.target());
                insert.setString(6, event.result().name());
                setNullable(insert, 7, event.sourceAddress());
                setNullable(insert, 8, event.destinationAddress());
                setNullable(insert, 9, event.errorCode());
                setNullable(insert, 10, event.details());
                insert.setBytes(11, prev);
                insert.setBytes(12, hash);
                if (events.size() == 1) {
                    insert.executeUpdate();
                } else {
                    insert.addBatch();
                }
                entries.add(new AuditEntry(seq, time, event, prev, hash));
            }
            if (events.size() > 1) {
                for (int count : insert.executeBatch()) {
                    if (count != 1 && count != Statement.SUCCESS_NO_INFO) {
                        throw new SQLException("an audit event was not inserted");
                    }
                }
            }
        }
        try (PreparedStatement move = connection.prepareStatement(MOVE_HEAD)) {
            move.setLong(1, seq);
            move.setBytes(2, hash);
            move.setLong(3, lastSeq);
            if (move.executeUpdate() != 1) {
                throw new SQLException("audit_head moved while locked");
            }
        }
        return entries;
    }

    private static void setNullable(PreparedStatement statement, int index, String value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.VARCHAR);
        } else {
            statement.setString(index, value);
        }
    }
}
