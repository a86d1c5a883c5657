package tw.eid.pki.ca.store;

import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.Objects;

/**
 * {@link Lease} as a conditional UPDATE of the lease's row: it takes the lease only where it is free,
 * lapsed or already this holder's, and the update count says whether it did. A write, not a
 * {@code SELECT ... FOR UPDATE} and then a write: on Galera a lock taken by a read holds on one
 * node only, whereas two nodes' conflicting writes of the row meet at certification, where one of
 * them loses (and is retried by {@link Database#inTransaction}, finding the lease taken).
 */
public final class DatabaseLease implements Lease {
    private final Database database;
    private final String sql;

    public DatabaseLease(Database database, Name name) {
        this.database = Objects.requireNonNull(database, "database");
        // The table name comes from the enum, never from input.
        this.sql = "UPDATE " + name.table + " SET owner = ?, lease_until = ?"
                + " WHERE id = 1 AND (owner IS NULL OR owner = ? OR lease_until < ?)";
    }

    @Override
    public boolean hold(String holder, Instant now, Instant until) {
        Objects.requireNonNull(holder, "holder");
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, holder);
                ps.setObject(2, DatabaseTime.toColumn(until));
                ps.setString(3, holder);
                ps.setObject(4, DatabaseTime.toColumn(now));
                return ps.executeUpdate() == 1;
            }
        });
    }
}
