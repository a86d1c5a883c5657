package tw.eid.pki.ca.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The one lease of the OCSP updater and the CRL publisher, on the real MariaDB (fixed instants, no wall clock). */
class DatabaseLeaseTest {

    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Instant T0 = Instant.parse("2031-03-01T00:00:00Z");
    private static final Duration TERM = Duration.ofSeconds(30);

    @BeforeEach
    void freeBothLeases() throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE ocsp_updater_lease SET owner = NULL, lease_until = NULL");
            s.executeUpdate("UPDATE crl_publisher_lease SET owner = NULL, lease_until = NULL");
        }
    }

    @Test
    void oneHolderAtATimeUntilItsLeaseLapses() {
        Lease lease = new DatabaseLease(db.database(), Lease.Name.OCSP_UPDATER);
        assertThat(lease.hold("a", T0, T0.plus(TERM))).as("free: a takes it").isTrue();
        assertThat(lease.hold("b", T0.plusSeconds(10), T0.plusSeconds(10).plus(TERM)))
                .as("a's lease runs")
                .isFalse();
        assertThat(lease.hold("a", T0.plusSeconds(10), T0.plusSeconds(10).plus(TERM)))
                .as("a renews")
                .isTrue();
        assertThat(lease.hold("b", T0.plusSeconds(39), T0.plusSeconds(39).plus(TERM)))
                .as("a's renewed lease still runs")
                .isFalse();
        assertThat(lease.hold("b", T0.plusSeconds(41), T0.plusSeconds(41).plus(TERM)))
                .as("lapsed: b takes over")
                .isTrue();
        assertThat(lease.hold("a", T0.plusSeconds(42), T0.plusSeconds(42).plus(TERM)))
                .as("a lost it")
                .isFalse();
    }

    @Test
    void theOcspAndCrlLeasesAreApart() {
        Lease ocsp = new DatabaseLease(db.database(), Lease.Name.OCSP_UPDATER);
        Lease crl = new DatabaseLease(db.database(), Lease.Name.CRL_PUBLISHER);
        assertThat(ocsp.hold("a", T0, T0.plus(TERM))).isTrue();
        assertThat(crl.hold("b", T0, T0.plus(TERM))).isTrue();
        assertThat(ocsp.hold("b", T0, T0.plus(TERM))).isFalse();
        assertThat(crl.hold("a", T0, T0.plus(TERM))).isFalse();
    }

    @Test
    void ofManyContendersAtOnceExactlyOneWins() throws Exception {
        Lease lease = new DatabaseLease(db.database(), Lease.Name.CRL_PUBLISHER);
        int n = 8;
        CyclicBarrier start = new CyclicBarrier(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String holder = "p" + i;
                results.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    return lease.hold(holder, T0, T0.plus(TERM));
                }));
            }
            int winners = 0;
            for (Future<Boolean> r : results) {
                winners += r.get(60, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }
}
