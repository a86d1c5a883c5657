package tw.eid.pki.ca.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.store.TestDatabase;

class AuditConcurrencyTest {

    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @Test
    void fourAppendersMakeOneValidGapFreeChain() throws Exception {
        AuditLedger ledger = AuditLedger.hashChained(AuditFixture.clock());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> appenders = new ArrayList<>();
        try {
            for (int t = 0; t < 4; t++) {
                String actor = "system:appender-" + t;
                appenders.add(pool.submit(() -> {
                    for (int i = 0; i < 250; i++) {
                        AuditEvent event = AuditEvent.of(actor, "test.append", "n/" + i, AuditResult.SUCCESS);
                        db.database().inTransaction(c -> ledger.append(c, event));
                    }
                    return null;
                }));
            }
            for (Future<?> appender : appenders) {
                appender.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        AuditReport report = AuditVerifier.verify(db.dataSource(), new AuditFixture().verifier());
        assertThat(report.firstProblem()).isNull();
        assertThat(report.eventsChecked()).isEqualTo(1000);
        assertThat(report.lastSeq()).isEqualTo(1000);
        try (var c = db.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT actor, COUNT(*), MIN(seq) >= 1" + " FROM audit_event GROUP BY actor ORDER BY actor")) {
            int actors = 0;
            while (rs.next()) {
                actors++;
                assertThat(rs.getLong(2)).as(rs.getString(1)).isEqualTo(250);
            }
            assertThat(actors).isEqualTo(4);
        }
    }
}
