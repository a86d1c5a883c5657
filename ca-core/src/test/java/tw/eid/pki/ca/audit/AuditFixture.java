package tw.eid.pki.ca.audit;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;

/**
 * Test helpers for the ledger: a software EC P-256 checkpoint key (production uses a key in the
 * online token), filling a ledger, and the tampering an attacker with write access could do.
 */
public final class AuditFixture {

    public static final Instant START = Instant.parse("2026-05-01T08:00:00.000000500Z");

    private final KeyPair checkpointKey;

    public AuditFixture() {
        this.checkpointKey = newKey();
    }

    public static KeyPair newKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A clock stepping 1.234567 ms per reading, so sub-microsecond digits must be cut. */
    public static SteppingClock clock() {
        return new SteppingClock(START, Duration.ofNanos(1_234_567));
    }

    public ContentSigner signer() {
        return signer(checkpointKey);
    }

    public static ContentSigner signer(KeyPair key) {
        try {
            return new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public ContentVerifierProvider verifier() {
        try {
            return new JcaContentVerifierProviderBuilder().build(checkpointKey.getPublic());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static AuditEvent event(int i) {
        return new AuditEvent(
                "officer:" + (1000 + i % 7),
                "certificate.issue",
                "citizen-ca/" + Integer.toHexString(0x1000 + i),
                i % 5 == 0 ? AuditResult.REFUSED : AuditResult.SUCCESS,
                "10.1.2." + (i % 250) + ":443",
                i % 3 == 0 ? null : "10.0.0.1:8443",
                i % 5 == 0 ? "ra.separation-of-duties" : null,
                i % 2 == 0 ? "{\"profile\":\"citizen-sign-v1\",\"n\":" + i + "}" : null);
    }

    /** Appends events {@code from .. from+count-1}, ten per transaction. */
    public static List<AuditEntry> fill(Database database, AuditLedger ledger, int from, int count) {
        List<AuditEntry> entries = new ArrayList<>();
        for (int i = from; i < from + count; i += 10) {
            int start = i;
            int end = Math.min(from + count, i + 10);
            entries.addAll(database.inTransaction(c -> {
                List<AuditEntry> batch = new ArrayList<>();
                for (int j = start; j < end; j++) {
                    batch.add(ledger.append(c, event(j)));
                }
                return batch;
            }));
        }
        return entries;
    }

    /** What an attacker with DDL rights does first: remove the append-only triggers. */
    public static void dropAppendOnlyTriggers(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DROP TRIGGER audit_event_no_update");
            s.execute("DROP TRIGGER audit_event_no_delete");
            s.execute("DROP TRIGGER audit_checkpoint_no_update");
            s.execute("DROP TRIGGER audit_checkpoint_no_delete");
        }
    }

    public static void execute(Database database, String... statements) {
        database.inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                for (String sql : statements) {
                    s.execute(sql);
                }
            }
            return null;
        });
    }

    public static byte[] hashAt(Connection c, long seq) throws SQLException {
        if (seq == 0) {
            return AuditChainHash.genesis();
        }
        try (PreparedStatement s = c.prepareStatement("SELECT hash FROM audit_event WHERE seq = ?")) {
            s.setLong(1, seq);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBytes(1);
            }
        }
    }

    /** Recomputes prev_hash and hash of every row from {@code fromSeq} on, and moves the head. */
    public static void rehashFrom(Connection c, long fromSeq) throws SQLException {
        byte[] prev = hashAt(c, fromSeq - 1);
        List<Object[]> rows = new ArrayList<>();
        try (PreparedStatement s =
                c.prepareStatement("SELECT seq, event_time, actor, action, target, result, source_addr, dest_addr,"
                        + " error_code, details FROM audit_event WHERE seq >= ? ORDER BY seq")) {
            s.setLong(1, fromSeq);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Object[] {
                        rs.getLong(1),
                        rs.getObject(2, LocalDateTime.class),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getString(8),
                        rs.getString(9),
                        rs.getString(10)
                    });
                }
            }
        }
        long last = fromSeq - 1;
        for (Object[] r : rows) {
            long seq = (Long) r[0];
            byte[] hash = AuditChainHash.eventHash(
                    prev,
                    seq,
                    DatabaseTime.fromColumn((LocalDateTime) r[1]),
                    (String) r[2],
                    (String) r[3],
                    (String) r[4],
                    (String) r[5],
                    (String) r[6],
                    (String) r[7],
                    (String) r[8],
                    (String) r[9]);
            try (PreparedStatement u =
                    c.prepareStatement("UPDATE audit_event SET prev_hash = ?, hash = ? WHERE seq = ?")) {
                u.setBytes(1, prev);
                u.setBytes(2, hash);
                u.setLong(3, seq);
                u.executeUpdate();
            }
            prev = hash;
            last = seq;
        }
        try (PreparedStatement u =
                c.prepareStatement("UPDATE audit_head SET last_seq = ?, last_hash = ? WHERE id = 1")) {
            u.setLong(1, last);
            u.setBytes(2, prev);
            u.executeUpdate();
        }
    }

    /** Inserts a correctly chained forged row at {@code seq} (the slot must be free). */
    public static void insertForgedRow(Connection c, long seq, Instant time) throws SQLException {
        byte[] prev = hashAt(c, seq - 1);
        AuditEvent forged = AuditEvent.of("officer:9999", "certificate.revoke", "citizen-ca/abc", AuditResult.SUCCESS);
        byte[] hash = AuditChainHash.eventHash(prev, seq, time, forged);
        try (PreparedStatement s =
                c.prepareStatement("INSERT INTO audit_event (seq, event_time, actor, action, target, result, prev_hash,"
                        + " hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            s.setLong(1, seq);
            s.setObject(2, DatabaseTime.toColumn(time));
            s.setString(3, forged.actor());
            s.setString(4, forged.action());
            s.setString(5, forged.target());
            s.setString(6, forged.result().name());
            s.setBytes(7, prev);
            s.setBytes(8, hash);
            s.executeUpdate();
        }
    }
}
