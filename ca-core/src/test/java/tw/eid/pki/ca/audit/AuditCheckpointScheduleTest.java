package tw.eid.pki.ca.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.TestDatabase;

class AuditCheckpointScheduleTest {

    private final AuditFixture fixture = new AuditFixture();

    @Test
    void sealsOnlyWhenTheIntervalHasPassedAndTheLedgerHasGrown() throws SQLException {
        SteppingClock clock = new SteppingClock(Instant.parse("2026-05-01T00:00:00Z"), Duration.ZERO);
        AuditLedger ledger = AuditLedger.hashChained(clock);
        try (Database database = TestDatabase.createDatabase();
                AuditCheckpointSchedule schedule = new AuditCheckpointSchedule(
                        database,
                        new AuditCheckpointer(clock),
                        fixture::signer,
                        "audit-key",
                        Duration.ofMinutes(10),
                        clock)) {
            assertThat(schedule.checkpointIfDue()).as("nothing to seal yet").isEmpty();

            AuditFixture.fill(database, ledger, 1, 5);
            Optional<AuditCheckpoint> first = schedule.checkpointIfDue();
            assertThat(first).as("no checkpoint yet, so one is due").isPresent();
            assertThat(first.get().seq()).isEqualTo(5);
            assertThat(first.get().signedAt()).isEqualTo(Instant.parse("2026-05-01T00:00:00Z"));

            AuditFixture.fill(database, ledger, 6, 5);
            clock.advance(Duration.ofMinutes(9));
            assertThat(schedule.checkpointIfDue()).as("interval not over").isEmpty();

            clock.advance(Duration.ofMinutes(1));
            Optional<AuditCheckpoint> second = schedule.checkpointIfDue();
            assertThat(second).isPresent();
            assertThat(second.get().seq()).isEqualTo(10);

            clock.advance(Duration.ofHours(1));
            assertThat(schedule.checkpointIfDue()).as("ledger has not grown").isEmpty();

            AuditReport report = AuditVerifier.verify(database.dataSource(), fixture.verifier());
            assertThat(report.firstProblem()).isNull();
            assertThat(report.checkpointsChecked()).isEqualTo(2);
            assertThat(report.lastSealedSeq()).isEqualTo(10);
        }
    }
}
