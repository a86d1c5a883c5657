package tw.eid.pki.ca.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Statement;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class InTransactionTest {

    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @BeforeAll
    static void scratchTable() throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE scratch (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB");
        }
    }

    @Test
    void commitsBeforeReturning() throws SQLException {
        int result = db.database().inTransaction(c -> insert(c, 1, 10));
        assertThat(result).isEqualTo(1);
        // Seen from another connection, so it really was committed.
        assertThat(valueOf(1)).isEqualTo(10);
    }

    @Test
    void rollsBackAndRethrowsARuntimeException() throws SQLException {
        IllegalStateException boom = new IllegalStateException("boom");
        assertThatThrownBy(() -> db.database().inTransaction(c -> {
                    insert(c, 2, 20);
                    throw boom;
                }))
                .isSameAs(boom);
        assertThat(valueOf(2)).isNull();
    }

    @Test
    void rollsBackAndWrapsAnSqlException() throws SQLException {
        assertThatThrownBy(() -> db.database().inTransaction(c -> {
                    insert(c, 3, 30);
                    return insert(c, 3, 31); // duplicate key
                }))
                .isInstanceOfSatisfying(
                        StoreException.class, e -> assertThat(e.code()).isEqualTo(StoreException.Code.SQL));
        assertThat(valueOf(3)).isNull();
    }

    @Test
    void retriesTheLoserOfARealDeadlock() throws Exception {
        db.database().inTransaction(c -> insert(c, 100, 0) + insert(c, 101, 0));
        CyclicBarrier bothHoldTheirFirstRow = new CyclicBarrier(2);
        AtomicInteger bodyRuns = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> a = pool.submit(() -> lockInOrder(100, 101, bothHoldTheirFirstRow, bodyRuns));
            Future<?> b = pool.submit(() -> lockInOrder(101, 100, bothHoldTheirFirstRow, bodyRuns));
            a.get(60, TimeUnit.SECONDS);
            b.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        // Each transaction adds 1 to both rows; both committed, one of them after a retry.
        assertThat(valueOf(100)).isEqualTo(2);
        assertThat(valueOf(101)).isEqualTo(2);
        assertThat(bodyRuns.get()).isEqualTo(3);
    }

    @Test
    void givesUpOnAConflictThatKeepsComing() {
        AtomicInteger runs = new AtomicInteger();
        assertThatThrownBy(() -> db.database().inTransaction(c -> {
                    runs.incrementAndGet();
                    throw new SQLTransactionRollbackException("Deadlock found", "40001", 1213);
                }))
                .isInstanceOfSatisfying(
                        StoreException.class, e -> assertThat(e.code()).isEqualTo(StoreException.Code.CONFLICT));
        assertThat(runs.get()).isEqualTo(Database.MAX_CONFLICT_ATTEMPTS);
    }

    @Test
    void recognisesAConflictWrappedByTheWork() {
        SQLException galera = new SQLException("WSREP detected deadlock/conflict", "40001", 1213);
        assertThat(Database.isTransactionConflict(new RuntimeException(galera))).isTrue();
        assertThat(Database.isTransactionConflict(new SQLException("dup", "23000", 1062)))
                .isFalse();
        assertThat(Database.isTransactionConflict(new IllegalStateException("x")))
                .isFalse();
    }

    private static Object lockInOrder(int first, int second, CyclicBarrier barrier, AtomicInteger runs) {
        AtomicInteger myRuns = new AtomicInteger();
        return db.database().inTransaction(c -> {
            runs.incrementAndGet();
            increment(c, first);
            if (myRuns.incrementAndGet() == 1) {
                try {
                    barrier.await(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            increment(c, second);
            return null;
        });
    }

    private static int insert(Connection c, int id, int v) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO scratch (id, v) VALUES (?, ?)")) {
            s.setInt(1, id);
            s.setInt(2, v);
            return s.executeUpdate();
        }
    }

    private static void increment(Connection c, int id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE scratch SET v = v + 1 WHERE id = ?")) {
            s.setInt(1, id);
            s.executeUpdate();
        }
    }

    private static Integer valueOf(int id) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement s = c.prepareStatement("SELECT v FROM scratch WHERE id = ?")) {
            s.setInt(1, id);
            try (var rs = s.executeQuery()) {
                return rs.next() ? rs.getInt(1) : null;
            }
        }
    }
}
