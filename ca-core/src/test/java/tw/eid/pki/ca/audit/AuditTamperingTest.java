package tw.eid.pki.ca.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tw.eid.pki.ca.audit.AuditFinding.Problem;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.TestDatabase;

/**
 * Each test plays an attacker with full write and DDL access to the database (but not the
 * checkpoint key) and checks that the verifier names the first broken seq.
 */
class AuditTamperingTest {

    private final AuditFixture fixture = new AuditFixture();
    private final AuditLedger ledger = AuditLedger.hashChained(AuditFixture.clock());
    private final AuditCheckpointer checkpointer = new AuditCheckpointer(AuditFixture.clock());
    private Database database;

    @BeforeEach
    void freshLedger() {
        database = TestDatabase.createDatabase();
        database.inTransaction(c -> {
            AuditFixture.dropAppendOnlyTriggers(c);
            return null;
        });
    }

    @AfterEach
    void close() {
        database.close();
    }

    private AuditReport verify() throws SQLException {
        return AuditVerifier.verify(database.dataSource(), fixture.verifier());
    }

    private AuditCheckpoint checkpoint() {
        return database.inTransaction(c -> checkpointer.checkpoint(c, fixture.signer(), "audit-key"));
    }

    private static void assertFinding(AuditReport report, Problem problem, long seq) {
        assertThat(report.ok()).isFalse();
        assertThat(report.firstProblem().problem()).isEqualTo(problem);
        assertThat(report.firstProblem().seq()).isEqualTo(seq);
    }

    @Test
    void anUntouchedLedgerWithCheckpointsVerifies() throws SQLException {
        AuditFixture.fill(database, ledger, 1, 500);
        checkpoint();
        AuditFixture.fill(database, ledger, 501, 500);
        checkpoint();
        AuditReport report = verify();
        assertThat(report.firstProblem()).isNull();
        assertThat(report.checkpointsChecked()).isEqualTo(2);
        assertThat(report.lastSealedSeq()).isEqualTo(1000);
    }

    @Test
    void anEditedMiddleRowIsFound() throws SQLException {
        AuditFixture.fill(database, ledger, 1, 1000);
        AuditFixture.execute(database, "UPDATE audit_event SET target = 'citizen-ca/ffff' WHERE seq = 500");
        AuditReport report = verify();
        assertFinding(report, Problem.ROW_ALTERED, 500);
        assertThat(report.eventsChecked()).isEqualTo(499);
    }

    @Test
    void anEditedTimeIsFound() throws SQLException {
        AuditFixture.fill(database, ledger, 1, 1000);
        // One microsecond later: the encoding covers the time to the microsecond.
        AuditFixture.execute(
                database,
                "UPDATE audit_event SET event_time = event_time" + " + INTERVAL 1 MICROSECOND WHERE seq = 321");
        assertFinding(verify(), Problem.ROW_ALTERED, 321);
    }

    @Test
    void aDeletedMiddleRowIsFound() throws SQLException {
        AuditFixture.fill(database, ledger, 1, 1000);
        AuditFixture.execute(database, "DELETE FROM audit_event WHERE seq = 500");
        assertFinding(verify(), Problem.ROW_MISSING, 500);
    }

    @Test
    void aDeletedRowWithTheRestRenumberedIsFound() throws SQLException {
        AuditFixture.fill(database, ledger, 1, 1000);
        AuditFixture.execute(
                database,
                "DELETE FROM audit_event WHERE seq = 500",
                "UPDATE audit_event SET seq = seq - 1 WHERE seq > 500 ORDER BY seq",
                "UPDATE audit_head SET last_seq = 999");
        assertFinding(verify(), Problem.CHAIN_BROKEN, 500);
    }

    @Test
    void aForgedRowInsertedInTheMiddleIsFound() throws SQLException {
        AuditFixture.fill(database, ledger, 1, 1000);
        database.inTransaction(c -> {
            try (var s = c.createStatement()) {
                s.executeUpdate("UPDATE audit_event SET seq = seq + 1 WHERE seq > 500 ORDER BY seq DESC");
                s.executeUpdate("UPDATE audit_head SET last_seq = 1001");
            }
            // The forger links the row correctly to 500 and hashes it right ...
            AuditFixture.insertForgedRow(c, 501, Instant.parse("2026-05-01T08:00:00.700Z"));
            return null;
        });
        // ... but the next row still links to 500.
        assertFinding(verify(), Problem.CHAIN_BROKEN, 502);
    }

    @Test
    void aForgedRowAppendedWithoutMovingTheHeadIsFound() throws SQLException {
        AuditFixture.fill(database, ledger, 1, 1000);
        database.inTransaction(c -> {
            AuditFixture.insertForgedRow(c, 1001, Instant.parse("2026-05-01T09:00:00Z"));
            return null;
        });
        assertFinding(verify(), Problem.HEAD_MISMATCH, 1001);
    }

    @Test
    void aTamperedHeadIsFound() throws SQLException {
        AuditFixture.fill(database, ledger, 1, 100);
        AuditFixture.execute(database, "UPDATE audit_head SET last_hash = REPEAT(X'11', 32)");
        assertFinding(verify(), Problem.HEAD_MISMATCH, 100);
    }

    @Test
    void aConsistentRewriteGoesUnnoticedWithoutACheckpoint() throws SQLException {
        // This is the limit of a bare hash chain, and why checkpoints are signed.
        AuditFixture.fill(database, ledger, 1, 100);
        AuditFixture.execute(database, "UPDATE audit_event SET target = 'citizen-ca/ffff' WHERE seq = 10");
        database.inTransaction(c -> {
            AuditFixture.rehashFrom(c, 10);
            return null;
        });
        assertThat(verify().firstProblem()).isNull();
    }

    @Test
    void aConsistentRewriteFromSeq10IsCaughtByTheSignedCheckpoint() throws SQLException {
        AuditFixture.fill(database, ledger, 1, 9);
        checkpoint();
        AuditFixture.fill(database, ledger, 10, 41);
        AuditCheckpoint sealedAt50 = checkpoint();
        AuditFixture.fill(database, ledger, 51, 50);
        assertThat(sealedAt50.seq()).isEqualTo(50);

        AuditFixture.execute(database, "UPDATE audit_event SET target = 'citizen-ca/ffff' WHERE seq = 10");
        database.inTransaction(c -> {
            AuditFixture.rehashFrom(c, 10);
            return null;
        });

        AuditReport report = verify();
        assertFinding(report, Problem.CHECKPOINT_MISMATCH, 50);
        // The checkpoint at 9 still matches, so the rewrite began after it.
        assertThat(report.firstProblem().suspectFromSeq()).isEqualTo(10);
        assertThat(report.lastSealedSeq()).isEqualTo(9);
    }

    @Test
    void aRewriteThatAlsoEditsTheCheckpointBreaksItsSignature() throws SQLException {
        AuditFixture.fill(database, ledger, 1, 50);
        checkpoint();
        AuditFixture.execute(database, "UPDATE audit_event SET target = 'citizen-ca/ffff' WHERE seq = 10");
        database.inTransaction(c -> {
            AuditFixture.rehashFrom(c, 10);
            return null;
        });
        AuditFixture.execute(database, "UPDATE audit_checkpoint SET head_hash = (SELECT last_hash FROM audit_head)");
        AuditReport report = verify();
        assertFinding(report, Problem.CHECKPOINT_SIGNATURE_INVALID, 50);
    }

    @Test
    void aTamperedCheckpointSignatureIsFound() throws SQLException {
        AuditFixture.fill(database, ledger, 1, 500);
        checkpoint();
        AuditFixture.fill(database, ledger, 501, 100);
        // Flip the last byte of the signature.
        AuditFixture.execute(
                database,
                "UPDATE audit_checkpoint SET signature = CONCAT("
                        + "LEFT(signature, LENGTH(signature) - 1), CHAR(ASCII(RIGHT(signature, 1)) ^ 1))");
        AuditReport report = verify();
        assertFinding(report, Problem.CHECKPOINT_SIGNATURE_INVALID, 500);
        // The chain itself is intact; only the seal is void.
        assertThat(report.eventsChecked()).isEqualTo(600);
        assertThat(report.lastSealedSeq()).isZero();
    }

    @Test
    void aCheckpointSignedWithAnotherKeyIsFound() throws SQLException {
        AuditFixture.fill(database, ledger, 1, 20);
        database.inTransaction(
                c -> checkpointer.checkpoint(c, AuditFixture.signer(AuditFixture.newKey()), "attacker-key"));
        assertFinding(verify(), Problem.CHECKPOINT_SIGNATURE_INVALID, 20);
    }

    @Test
    void aCutOffTailIsFoundByTheCheckpointThatSealedIt() throws SQLException {
        AuditFixture.fill(database, ledger, 1, 1000);
        checkpoint();
        AuditFixture.execute(database, "DELETE FROM audit_event WHERE seq > 990");
        database.inTransaction(c -> {
            AuditFixture.rehashFrom(c, 991); // moves the head back to 990
            return null;
        });
        assertFinding(verify(), Problem.CHECKPOINT_BEYOND_END, 991);
    }

    @Test
    void theCheckpointerRefusesToSealABrokenHead() {
        AuditFixture.fill(database, ledger, 1, 10);
        AuditFixture.execute(database, "UPDATE audit_head SET last_hash = REPEAT(X'22', 32)");
        assertThatThrownBy(this::checkpoint).isInstanceOf(IllegalStateException.class);
    }
}
