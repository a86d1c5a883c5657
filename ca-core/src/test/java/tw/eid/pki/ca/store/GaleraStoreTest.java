package tw.eid.pki.ca.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store on a real three-node Galera cluster (docs/cluster.md): failure modes 1, 3, 4 and 5 of
 * the cluster issue, each of which broke the store before it handled Galera.
 */
class GaleraStoreTest {

    private static TestGaleraCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = TestGaleraCluster.shared();
    }

    @AfterAll
    static void rejoinAll() {
        for (int n = 1; n <= 3; n++) {
            try {
                cluster.node("join-node", n);
            } catch (RuntimeException ignored) {
                // not isolated
            }
        }
    }

    /**
     * Failure mode 4: three processes starting at once against an empty schema, each on another
     * node. Flyway's own lock holds on one node only; each migration must still be applied exactly
     * once, with no failed row, as every node sees it.
     */
    @Test
    void coldStartOnThreeNodesAppliesEveryMigrationOnce() throws Exception {
        String name = cluster.newDatabase("coldstart");
        int[][] orders = {{1, 2, 3}, {2, 3, 1}, {3, 1, 2}};
        CyclicBarrier start = new CyclicBarrier(orders.length);
        ExecutorService pool = Executors.newFixedThreadPool(orders.length);
        List<Future<Boolean>> opened = new ArrayList<>();
        try {
            for (int[] order : orders) {
                opened.add(pool.submit(() -> {
                    start.await();
                    try (Database db = Database.open(cluster.settings(name, order))) {
                        return port(db) == cluster.port(order[0]);
                    }
                }));
            }
            for (Future<Boolean> f : opened) {
                assertThat(f.get())
                        .as("each process opened the store and saw Galera")
                        .isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        for (int node = 1; node <= 3; node++) {
            String history = cluster.sql(
                    node,
                    "SET SESSION wsrep_sync_wait = 1; SELECT COUNT(*), COUNT(DISTINCT version), SUM(success = 0) FROM "
                            + name + ".flyway_schema_history WHERE version IS NOT NULL");
            String[] f = history.strip().split("\t");
            assertThat(f[0])
                    .as("node %d: rows = distinct versions (none applied twice)", node)
                    .isEqualTo(f[1]);
            assertThat(f[2]).as("node %d: no failed migration row", node).isEqualTo("0");
            assertThat(Integer.parseInt(f[0])).isGreaterThan(5);
        }
    }

    /**
     * Failure mode 1: a node that has left the primary component still accepts connections and
     * answers pings, then fails statements with 1047. A pool whose connections are on that node
     * must carry on through another node, and new pools must not pick it. A pool whose URL names
     * that node alone (drill b's pinned responder) is unavailable after one connection wait, not
     * after five of them.
     */
    @Test
    void aNodeOutOfThePrimaryComponentIsLeftForTheNextOne() throws Exception {
        String name = cluster.newDatabase("isolate");
        try (Database db = Database.open(cluster.settings(name, 1, 2, 3));
                Database pinned = Database.open(cluster.settings(name, 1)
                        .withMigration(SchemaMigration.NONE)
                        .withConnectionWait(Duration.ofMillis(700)))) {
            assertThat(port(db)).as("the first node of the URL is preferred").isEqualTo(cluster.port(1));
            db.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE IF NOT EXISTS probe (id INT PRIMARY KEY, v INT NOT NULL)");
                }
                return null;
            });
            cluster.node("isolate-node", 1);
            waitUntilNonPrimary(1);
            // The pool's connections are on node 1: the transaction loses its node and runs again.
            db.inTransaction(c -> {
                try (PreparedStatement p = c.prepareStatement("INSERT INTO probe (id, v) VALUES (1, 1)")) {
                    p.executeUpdate();
                }
                return null;
            });
            assertThat(port(db)).as("now served by another node").isNotEqualTo(cluster.port(1));
            Throwable refused = catchThrowable(() -> pinned.inTransaction(c -> {
                try (Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM probe")) {
                    return rs.next();
                }
            }));
            assertThat(refused)
                    .as("the pinned pool after its one wait")
                    .isInstanceOf(StoreException.class)
                    .hasMessage("no database connection within 700 ms");
            assertThat(((StoreException) refused).code()).isEqualTo(StoreException.Code.UNAVAILABLE);
            try (Database fresh = Database.open(cluster.settings(name, 1, 2, 3).withMigration(SchemaMigration.NONE))) {
                assertThat(port(fresh)).as("a new pool skips the isolated node").isEqualTo(cluster.port(2));
            }
        } finally {
            cluster.node("join-node", 1);
            waitUntilSynced(1);
        }
    }

    /**
     * Drill b found it: a transaction whose node leaves the primary component between its
     * statements and its commit fails at the commit ("Error while appending streaming replication
     * fragment (provider status: Not connected to Primary Component)"). A failed commit may not be
     * run again blindly, and it is not the client's fault: the outcome is unknown (503), never a
     * plain SQL failure (500).
     */
    @Test
    void aCommitCutOffFromThePrimaryComponentHasAnUnknownOutcome() throws Exception {
        String name = cluster.newDatabase("commit");
        try (Database db = Database.open(cluster.settings(name, 1, 2, 3))) {
            db.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE probe (id INT PRIMARY KEY, v INT NOT NULL)");
                }
                return null;
            });
            AtomicInteger runs = new AtomicInteger();
            Throwable thrown = catchThrowable(() -> db.inTransaction(c -> {
                try (PreparedStatement p = c.prepareStatement("INSERT INTO probe (id, v) VALUES (1, 1)")) {
                    p.executeUpdate();
                }
                if (runs.incrementAndGet() == 1) {
                    // Cut off just before the commit: the commit waits for the group, then fails
                    // when the node finds itself alone.
                    cluster.node("isolate-node", 1);
                }
                return null;
            }));
            assertThat(thrown)
                    .as("the commit on node 1")
                    .isInstanceOfSatisfying(
                            StoreException.class,
                            e -> assertThat(e.code()).isEqualTo(StoreException.Code.OUTCOME_UNKNOWN));
            assertThat(runs).as("not run again").hasValue(1);
        } finally {
            cluster.node("join-node", 1);
            waitUntilSynced(1);
        }
        assertThat(cluster.sql(2, "SELECT COUNT(*) FROM " + name + ".probe").strip())
                .as("nothing committed on the primary component")
                .endsWith("0");
    }

    /**
     * Failure modes 3 and 5: a node that lags (here: FLUSH TABLES WITH READ LOCK holds its applier)
     * must never answer with a state older than a commit acknowledged through another node, so a
     * status read, or issuance's second phase, never sees the past.
     */
    @Test
    void aLaggingNodeNeverAnswersWithAStaleRead() throws Exception {
        String name = cluster.newDatabase("lag");
        try (Database writer = Database.open(cluster.settings(name, 1, 2, 3));
                Database reader = Database.open(cluster.settings(name, 2, 3, 1).withMigration(SchemaMigration.NONE))) {
            writer.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE probe (id INT PRIMARY KEY, status VARCHAR(16) NOT NULL)");
                    s.execute("INSERT INTO probe VALUES (1, 'GOOD')");
                }
                return null;
            });
            assertThat(read(reader)).isEqualTo("GOOD");
            assertThat(port(reader)).isEqualTo(cluster.port(2));
            // Node 2 stops applying for 20 s.
            CompletableFuture<String> lock = CompletableFuture.supplyAsync(
                    () -> cluster.sql(2, "FLUSH TABLES WITH READ LOCK; SELECT SLEEP(20)"));
            waitUntilState(2, "2");
            writer.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("UPDATE probe SET status = 'REVOKED' WHERE id = 1");
                }
                return null;
            });
            // Acknowledged through node 1: no read through node 2's pool may answer GOOD now.
            String seen;
            try {
                seen = read(reader);
            } catch (StoreException e) {
                seen = "error " + e.code().id();
            }
            assertThat(seen).as("a read after an acknowledged change").isNotEqualTo("GOOD");
            lock.get();
        }
    }

    private static String read(Database db) {
        return db.inTransaction(c -> {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT status FROM probe WHERE id = 1")) {
                rs.next();
                return rs.getString(1);
            }
        });
    }

    private static int port(Database db) {
        return db.inTransaction(c -> {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT @@port")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    private static void waitUntilNonPrimary(int node) throws InterruptedException {
        for (int i = 0; i < 120; i++) {
            if (cluster.sql(node, "SHOW STATUS LIKE 'wsrep_cluster_status'").contains("non-Primary")) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("node " + node + " did not leave the primary component");
    }

    private static void waitUntilSynced(int node) throws InterruptedException {
        waitUntilState(node, "4");
    }

    private static void waitUntilState(int node, String state) throws InterruptedException {
        for (int i = 0; i < 240; i++) {
            String out = cluster.sql(node, "SHOW STATUS LIKE 'wsrep_local_state'");
            if (out.strip().endsWith("\t" + state)) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("node " + node + " did not reach wsrep_local_state " + state);
    }
}
