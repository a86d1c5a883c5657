package tw.eid.pki.ca.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The body of a {@link Database#inTransaction} call. It may run more than once (after a deadlock
 * or a Galera certification conflict), so it must do nothing outside the given connection that
 * cannot be repeated.
 */
@FunctionalInterface
public interface TransactionWork<T> {
    T run(Connection connection) throws SQLException;
}
