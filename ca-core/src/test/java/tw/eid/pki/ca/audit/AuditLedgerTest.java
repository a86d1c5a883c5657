package tw.eid.pki.ca.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.ca.store.TestDatabase;

class AuditLedgerTest {

    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private final AuditFixture fixture = new AuditFixture();

    @Test
    void aThousandEventsFormAGapFreeChainThatVerifies() throws SQLException {
        try (Database database = TestDatabase.createDatabase()) {
            AuditLedger ledger = AuditLedger.hashChained(AuditFixture.clock());
            List<AuditEntry> entries = AuditFixture.fill(database, ledger, 1, 1000);

            assertThat(entries).hasSize(1000);
            assertThat(entries.get(0).prevHash()).isEqualTo(new byte[32]);
            for (int i = 0; i < entries.size(); i++) {
                assertThat(entries.get(i).seq()).isEqualTo(i + 1);
                if (i > 0) {
                    assertThat(entries.get(i).prevHash())
                            .isEqualTo(entries.get(i - 1).hash());
                }
            }
            AuditReport report = AuditVerifier.verify(database.dataSource(), fixture.verifier());
            assertThat(report.firstProblem()).isNull();
            assertThat(report.ok()).isTrue();
            assertThat(report.eventsChecked()).isEqualTo(1000);
            assertThat(report.lastSeq()).isEqualTo(1000);
            assertThat(report.lastSealedSeq()).isZero();
        }
    }

    @Test
    void storesTheTimeToTheMicrosecondAndTheTextExactly() throws SQLException {
        AuditLedger ledger = AuditLedger.hashChained(AuditFixture.clock());
        AuditEvent event = AuditEvent.of("officer:7", "card.report-lost", "card/TW0000123", AuditResult.SUCCESS)
                .withDetails("{ \"note\" : \"遺失 😀\",  \"spaces\":\"a  b \" }");
        AuditEntry entry = db.database().inTransaction(c -> ledger.append(c, event));

        // The clock reading had 500 ns below the microsecond; the ledger keeps microseconds only.
        assertThat(entry.eventTime()).isEqualTo(AuditFixture.START.truncatedTo(ChronoUnit.MICROS));
        assertThat(entry.eventTime().getNano() % 1000).isZero();
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement s =
                        c.prepareStatement("SELECT event_time, details, hash FROM audit_event WHERE seq = ?")) {
            s.setLong(1, entry.seq());
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(DatabaseTime.fromColumn(rs.getObject(1, LocalDateTime.class)))
                        .isEqualTo(entry.eventTime());
                assertThat(rs.getString(2)).isEqualTo(event.details());
                assertThat(rs.getBytes(3)).isEqualTo(entry.hash());
            }
        }
        assertThat(AuditVerifier.verify(db.dataSource(), fixture.verifier()).ok())
                .isTrue();
    }

    @Test
    void anActRolledBackTakesItsAuditRowWithIt() throws SQLException {
        try (Database database = TestDatabase.createDatabase()) {
            AuditLedger ledger = AuditLedger.hashChained(AuditFixture.clock());
            AuditFixture.fill(database, ledger, 1, 3);
            assertThatThrownBy(() -> database.inTransaction(c -> {
                        ledger.append(c, AuditFixture.event(4));
                        throw new IllegalStateException("the act failed after auditing");
                    }))
                    .isInstanceOf(IllegalStateException.class);
            AuditEntry next = database.inTransaction(c -> ledger.append(c, AuditFixture.event(5)));

            assertThat(next.seq()).isEqualTo(4);
            AuditReport report = AuditVerifier.verify(database.dataSource(), fixture.verifier());
            assertThat(report.ok()).isTrue();
            assertThat(report.lastSeq()).isEqualTo(4);
        }
    }

    @Test
    void refusesToAppendOutsideATransaction() throws SQLException {
        AuditLedger ledger = AuditLedger.hashChained(AuditFixture.clock());
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(true);
            assertThatThrownBy(() -> ledger.append(c, AuditFixture.event(1))).isInstanceOf(IllegalStateException.class);
        }
    }
}
