package tw.eid.pki.ca.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/**
 * The two writes of retiring a CA row's key (V10), each in the caller's transaction with its
 * audit event: the row is marked RETIRED (no process loads it again), then, once the token no
 * longer holds the key, the destruction is recorded. Each returns false when another process did
 * it first.
 */
public interface CaRetirement {

    /** ACTIVE row {@code name} of {@code kind} becomes RETIRED; false if it was not ACTIVE. */
    boolean retire(Connection c, String name, String kind) throws SQLException;

    /** RETIRED row {@code name} records its key destroyed at {@code now}; false if already recorded. */
    boolean recordKeyDestroyed(Connection c, String name, Instant now) throws SQLException;
}
