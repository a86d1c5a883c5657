package tw.eid.pki.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tw.eid.pki.ca.audit.AuditEvent;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;

/**
 * Acceptance (e): the audit trail of a ceremony verifies; an attacker with DDL rights on the
 * database (who drops the append-only triggers) is caught and the broken seq named, up to what a
 * hash chain with signed checkpoints can show. The steps build on each other, in order.
 *
 * <p>Row hashes are recomputed here with an independent implementation of the canonical encoding
 * that AuditChainHash.java specifies.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditLedgerTamperingTest {
    private static CeremonySpec spec;
    /** Seq 1 as the ceremony wrote it. */
    private static String originalDetails;

    private static byte[] originalHash;

    @BeforeAll
    static void runCeremony() {
        spec = CeremonySpec.create(Workspace.fresh("audit"), "cfe");
        Tools.Result r = spec.run();
        assertThat(r.exitCode()).as(r.describe()).isZero();
    }

    @Test
    @Order(1)
    void theCeremonysTrailVerifies() throws Exception {
        Tools.Result r = verify();
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.stdout()).contains("audit trail OK: 1 events, 1 signed checkpoints, sealed up to seq 1");

        try (StoreProbe db = StoreProbe.open(spec.dataDir)) {
            Row row = Row.read(db.connection, 1);
            originalDetails = row.details;
            originalHash = row.hash;
            assertThat(row.action).isEqualTo("ceremony.run");
            assertThat(row.prevHash).as("genesis").isEqualTo(new byte[32]);
            // The published encoding, implemented independently, gives the stored hash.
            assertThat(row.computeHash()).isEqualTo(row.hash);
        }
    }

    @Test
    @Order(2)
    void anEditedRowIsNamed() throws Exception {
        try (StoreProbe db = StoreProbe.open(spec.dataDir)) {
            dropAppendOnlyTriggers(db);
            String forged = originalDetails.replace("\"custodians\":[", "\"custodians\":[\"mallory\",");
            assertThat(forged).isNotEqualTo(originalDetails);
            update(db.connection, "UPDATE audit_event SET details = ? WHERE seq = 1", forged);
        }
        Tools.Result r = verify();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(1);
        assertThat(r.stdout())
                .as(r.describe())
                .contains("audit trail BROKEN")
                .contains("problem=ROW_ALTERED, seq=1,")
                .contains("seq 1: stored hash does not match the row");
    }

    @Test
    @Order(3)
    void aConsistentRewriteIsCaughtByTheSignedCheckpoint() throws Exception {
        try (StoreProbe db = StoreProbe.open(spec.dataDir)) {
            // The attacker recomputes the edited row's hash and moves the head: the chain is whole.
            Row row = Row.read(db.connection, 1);
            byte[] rehashed = row.computeHash();
            update(db.connection, "UPDATE audit_event SET hash = ? WHERE seq = 1", rehashed);
            update(db.connection, "UPDATE audit_head SET last_hash = ? WHERE id = 1", rehashed);
        }
        Tools.Result r = verify();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(1);
        assertThat(r.stdout())
                .as(r.describe())
                .contains("problem=CHECKPOINT_MISMATCH, seq=1,")
                .contains("signed checkpoint at seq 1");
    }

    @Test
    @Order(4)
    void aForgedRowAppendedWithoutMovingTheHeadIsNamed() throws Exception {
        byte[] forgedHash;
        try (StoreProbe db = StoreProbe.open(spec.dataDir)) {
            // Undo the rewrite: the ledger is as the ceremony left it ...
            update(
                    db.connection,
                    "UPDATE audit_event SET details = ?, hash = ? WHERE seq = 1",
                    originalDetails,
                    originalHash);
            update(db.connection, "UPDATE audit_head SET last_hash = ? WHERE id = 1", originalHash);
            Row one = Row.read(db.connection, 1);
            assertThat(one.computeHash()).isEqualTo(originalHash);
            // ... plus a forged seq 2, correctly chained, inserted by someone with INSERT only.
            Row forged = new Row(
                    2,
                    one.eventTime.plusSeconds(1),
                    "ceremony:initial",
                    "ceremony.run",
                    "initial",
                    "SUCCESS",
                    null,
                    null,
                    null,
                    "{\"note\":\"forged\"}",
                    originalHash,
                    null);
            forgedHash = forged.computeHash();
            try (PreparedStatement insert = db.connection.prepareStatement(
                    "INSERT INTO audit_event (seq, event_time, actor, action, target, result, source_addr, dest_addr,"
                            + " error_code, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, NULL, ?, ?, ?)")) {
                insert.setLong(1, 2);
                insert.setObject(2, LocalDateTime.ofInstant(forged.eventTime, ZoneOffset.UTC));
                insert.setString(3, forged.actor);
                insert.setString(4, forged.action);
                insert.setString(5, forged.target);
                insert.setString(6, forged.result);
                insert.setString(7, forged.details);
                insert.setBytes(8, forged.prevHash);
                insert.setBytes(9, forgedHash);
                insert.executeUpdate();
            }
            assertThat(Row.read(db.connection, 2).computeHash()).isEqualTo(forgedHash);
        }
        Tools.Result r = verify();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(1);
        assertThat(r.stdout())
                .as(r.describe())
                .contains("problem=HEAD_MISMATCH, seq=2,")
                .contains("audit_head names seq 1 but the ledger ends at 2");
    }

    @Test
    @Order(5)
    void forgedRowsAppendedWithTheHeadMovedShowAsUnsealed() throws Exception {
        try (StoreProbe db = StoreProbe.open(spec.dataDir)) {
            Row two = Row.read(db.connection, 2);
            try (PreparedStatement move =
                    db.connection.prepareStatement("UPDATE audit_head SET last_seq = 2, last_hash = ? WHERE id = 1")) {
                move.setBytes(1, two.hash);
                move.executeUpdate();
            }
            // And one more through the ledger's own append, as code with the service's rights would.
            Connection c = db.connection;
            c.setAutoCommit(false);
            AuditLedger.hashChained(TestTime.clock())
                    .append(c, AuditEvent.of("system:forger", "ceremony.run", "initial", AuditResult.SUCCESS));
            c.commit();
            c.setAutoCommit(true);
        }
        // A hash chain cannot tell these from real rows until a checkpoint is signed over them; the
        // verifier says exactly how far its signed evidence reaches (AuditVerifier's class comment).
        Tools.Result r = verify();
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.stdout())
                .as(r.describe())
                .contains("audit trail OK: 3 events, 1 signed checkpoints, sealed up to seq 1");
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static Tools.Result verify() {
        return Cli.eidpki("audit", "verify", "--data-dir", spec.dataDir.toString());
    }

    private static void dropAppendOnlyTriggers(StoreProbe db) throws Exception {
        for (String trigger : new String[] {
            "audit_event_no_update", "audit_event_no_delete", "audit_checkpoint_no_update", "audit_checkpoint_no_delete"
        }) {
            db.execute("DROP TRIGGER IF EXISTS " + trigger);
        }
    }

    private static void update(Connection c, String sql, Object... values) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                ps.setObject(i + 1, values[i]);
            }
            assertThat(ps.executeUpdate()).as(sql).isEqualTo(1);
        }
    }

    /** One audit_event row, and its hash by the encoding AuditChainHash.java specifies (version 1). */
    private record Row(
            long seq,
            Instant eventTime,
            String actor,
            String action,
            String target,
            String result,
            String sourceAddress,
            String destinationAddress,
            String errorCode,
            String details,
            byte[] prevHash,
            byte[] hash) {

        static Row read(Connection c, long seq) throws Exception {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT seq, event_time, actor, action, target, result, source_addr,"
                            + " dest_addr, error_code, details, prev_hash, hash FROM audit_event WHERE seq = ?")) {
                ps.setLong(1, seq);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).as("row " + seq).isTrue();
                    return new Row(
                            rs.getLong(1),
                            rs.getObject(2, LocalDateTime.class).toInstant(ZoneOffset.UTC),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5),
                            rs.getString(6),
                            rs.getString(7),
                            rs.getString(8),
                            rs.getString(9),
                            rs.getString(10),
                            rs.getBytes(11),
                            rs.getBytes(12));
                }
            }
        }

        byte[] computeHash() throws Exception {
            ByteArrayOutputStream e = new ByteArrayOutputStream();
            str(e, "tw.eid.pki.audit.event.v1");
            i64(e, seq);
            i64(e, eventTime.getEpochSecond() * 1_000_000L + eventTime.getNano() / 1_000);
            str(e, actor);
            str(e, action);
            opt(e, target);
            str(e, result);
            opt(e, sourceAddress);
            opt(e, destinationAddress);
            opt(e, errorCode);
            opt(e, details);
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(prevHash);
            sha256.update(e.toByteArray());
            return sha256.digest();
        }

        private static void i64(ByteArrayOutputStream out, long v) {
            out.writeBytes(ByteBuffer.allocate(8).putLong(v).array());
        }

        private static void str(ByteArrayOutputStream out, String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(ByteBuffer.allocate(4).putInt(b.length).array());
            out.writeBytes(b);
        }

        private static void opt(ByteArrayOutputStream out, String s) {
            if (s == null) {
                out.write(0);
            } else {
                out.write(1);
                str(out, s);
            }
        }
    }
}
