package tw.eid.pki.ca.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.ContentVerifier;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.OperatorCreationException;
import tw.eid.pki.ca.audit.AuditFinding.Problem;
import tw.eid.pki.ca.store.DatabaseTime;

/**
 * Checks the whole ledger: every row's hash and link, the signed checkpoints, and the head. Needs
 * only SELECT, and works as well on a restored dump (offline verification).
 *
 * <p>Events are streamed in seq order (a forward-only cursor with a fetch size), so memory does not
 * grow with the ledger; only the checkpoints' seq and head hash are held (about 50 bytes each).
 *
 * <p>What a hash chain can and cannot show: an edited, deleted or inserted row shows as a broken
 * link. Someone with write access can rebuild every hash after a change; that is caught only up to
 * the last signed checkpoint, so rows after {@link AuditReport#lastSealedSeq()} are weaker
 * evidence. Appending forged rows at the end and moving the head is likewise undetectable until
 * the next checkpoint would be signed over them; the checkpointer at least refuses to sign a head
 * that does not match the ledger.
 */
public final class AuditVerifier {

    private static final int FETCH_SIZE = 1_000;

    private AuditVerifier() {}

    /**
     * Verifies on a connection of its own, in one REPEATABLE READ snapshot, so appends running
     * meanwhile neither disturb nor enter the check.
     */
    public static AuditReport verify(DataSource dataSource, ContentVerifierProvider checkpointKey) throws SQLException {
        Objects.requireNonNull(dataSource, "dataSource");
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                return verify(connection, checkpointKey);
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        }
    }

    /**
     * Verifies on the caller's connection. For a consistent result while others append, the caller
     * runs this inside one REPEATABLE READ transaction.
     *
     * @param checkpointKey verifiers for the audit checkpoint public key
     */
    public static AuditReport verify(Connection connection, ContentVerifierProvider checkpointKey) throws SQLException {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(checkpointKey, "checkpointKey");

        // Pass 1: checkpoint signatures. Only valid ones are used to judge the chain.
        TreeMap<Long, List<byte[]>> sealed = new TreeMap<>();
        AuditFinding signatureProblem = null;
        int checkpointsChecked = 0;
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT id, seq, head_hash, signed_at, signature_algorithm, signature"
                        + " FROM audit_checkpoint ORDER BY seq, id",
                ResultSet.TYPE_FORWARD_ONLY,
                ResultSet.CONCUR_READ_ONLY)) {
            select.setFetchSize(FETCH_SIZE);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    long id = rs.getLong(1);
                    long seq = rs.getLong(2);
                    byte[] headHash = rs.getBytes(3);
                    Instant signedAt = DatabaseTime.fromColumn(rs.getObject(4, LocalDateTime.class));
                    byte[] algorithmDer = rs.getBytes(5);
                    byte[] signature = rs.getBytes(6);
                    checkpointsChecked++;
                    if (signatureVerifies(checkpointKey, seq, headHash, signedAt, algorithmDer, signature)) {
                        sealed.computeIfAbsent(seq, s -> new ArrayList<>()).add(headHash);
                    } else if (signatureProblem == null) {
                        signatureProblem = new AuditFinding(
                                Problem.CHECKPOINT_SIGNATURE_INVALID,
                                seq,
                                seq,
                                "checkpoint " + id + " at seq " + seq + ": signature does not verify");
                    }
                }
            }
        }

        // Pass 2: walk the chain.
        Walk walk = new Walk(sealed);
        walk.checkSealsAt(0, AuditChainHash.genesis());
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT seq, event_time, actor, action, target, result, source_addr, dest_addr,"
                        + " error_code, details, prev_hash, hash FROM audit_event ORDER BY seq",
                ResultSet.TYPE_FORWARD_ONLY,
                ResultSet.CONCUR_READ_ONLY)) {
            select.setFetchSize(FETCH_SIZE);
            try (ResultSet rs = select.executeQuery()) {
                while (walk.problem == null && rs.next()) {
                    walk.row(rs);
                }
            }
        }

        // Pass 3: what lies beyond the last row.
        if (walk.problem == null) {
            Map.Entry<Long, List<byte[]>> beyond = sealed.higherEntry(walk.lastSeq);
            if (beyond != null) {
                walk.problem = new AuditFinding(
                        Problem.CHECKPOINT_BEYOND_END,
                        walk.lastSeq + 1,
                        walk.lastSealedSeq + 1,
                        "a checkpoint seals seq " + beyond.getKey() + " but the ledger ends at " + walk.lastSeq);
            }
        }
        if (walk.problem == null) {
            walk.problem = checkHead(connection, walk.lastSeq, walk.prevHash);
        }

        AuditFinding first = walk.problem;
        if (signatureProblem != null && (first == null || signatureProblem.seq() < first.seq())) {
            first = signatureProblem;
        }
        return new AuditReport(walk.eventsChecked, walk.lastSeq, checkpointsChecked, walk.lastSealedSeq, first);
    }

    private static boolean signatureVerifies(
            ContentVerifierProvider key,
            long seq,
            byte[] headHash,
            Instant signedAt,
            byte[] algorithmDer,
            byte[] signature) {
        if (headHash == null
                || headHash.length != AuditChainHash.HASH_LENGTH
                || signedAt == null
                || algorithmDer == null
                || signature == null) {
            return false;
        }
        try {
            ContentVerifier verifier = key.get(AlgorithmIdentifier.getInstance(algorithmDer));
            try (OutputStream out = verifier.getOutputStream()) {
                out.write(AuditChainHash.checkpointPayload(seq, headHash, signedAt, algorithmDer));
            }
            return verifier.verify(signature);
        } catch (OperatorCreationException | IOException | RuntimeException e) {
            // A garbled algorithm identifier or an algorithm the key does not do is as bad as a wrong
            // signature: the checkpoint proves nothing.
            return false;
        }
    }

    private static AuditFinding checkHead(Connection connection, long lastSeq, byte[] lastHash) throws SQLException {
        try (PreparedStatement select =
                        connection.prepareStatement("SELECT last_seq, last_hash FROM audit_head WHERE id = 1");
                ResultSet head = select.executeQuery()) {
            if (!head.next()) {
                return new AuditFinding(Problem.HEAD_MISMATCH, lastSeq + 1, lastSeq + 1, "audit_head has no row");
            }
            long headSeq = head.getLong(1);
            byte[] headHash = head.getBytes(2);
            if (headSeq != lastSeq) {
                long at = Math.min(headSeq, lastSeq) + 1;
                return new AuditFinding(
                        Problem.HEAD_MISMATCH,
                        at,
                        at,
                        "audit_head names seq " + headSeq + " but the ledger ends at " + lastSeq);
            }
            if (!Arrays.equals(headHash, lastHash)) {
                return new AuditFinding(
                        Problem.HEAD_MISMATCH,
                        lastSeq,
                        lastSeq,
                        "audit_head hash differs from the hash of the last row " + lastSeq);
            }
            return null;
        }
    }

    /** The state of the walk along the chain. */
    private static final class Walk {
        final TreeMap<Long, List<byte[]>> sealed;
        long expectedSeq = 1;
        long lastSeq = 0;
        byte[] prevHash = AuditChainHash.genesis();
        long lastSealedSeq = 0;
        long eventsChecked = 0;
        AuditFinding problem;

        Walk(TreeMap<Long, List<byte[]>> sealed) {
            this.sealed = sealed;
        }

        void row(ResultSet rs) throws SQLException {
            long seq = rs.getLong(1);
            if (seq != expectedSeq) {
                problem = new AuditFinding(
                        Problem.ROW_MISSING,
                        expectedSeq,
                        expectedSeq,
                        seq > expectedSeq
                                ? "seq " + expectedSeq + (seq - 1 > expectedSeq ? ".." + (seq - 1) : "") + " missing"
                                : "seq " + seq + " out of order");
                return;
            }
            byte[] storedPrev = rs.getBytes(11);
            byte[] storedHash = rs.getBytes(12);
            if (!Arrays.equals(storedPrev, prevHash)) {
                problem = new AuditFinding(
                        Problem.CHAIN_BROKEN,
                        seq,
                        seq,
                        "prev_hash of seq " + seq + " is not the hash of seq " + (seq - 1));
                return;
            }
            byte[] computed = AuditChainHash.eventHash(
                    prevHash,
                    seq,
                    DatabaseTime.fromColumn(rs.getObject(2, LocalDateTime.class)),
                    rs.getString(3),
                    rs.getString(4),
                    rs.getString(5),
                    rs.getString(6),
                    rs.getString(7),
                    rs.getString(8),
                    rs.getString(9),
                    rs.getString(10));
            if (!Arrays.equals(computed, storedHash)) {
                problem = new AuditFinding(
                        Problem.ROW_ALTERED, seq, seq, "seq " + seq + ": stored hash does not match the row");
                return;
            }
            eventsChecked++;
            lastSeq = seq;
            expectedSeq = seq + 1;
            prevHash = computed;
            checkSealsAt(seq, computed);
        }

        void checkSealsAt(long seq, byte[] hash) {
            List<byte[]> heads = sealed.get(seq);
            if (heads == null) {
                return;
            }
            for (byte[] head : heads) {
                if (!Arrays.equals(head, hash)) {
                    problem = new AuditFinding(
                            Problem.CHECKPOINT_MISMATCH,
                            seq,
                            Math.min(lastSealedSeq + 1, seq),
                            "signed checkpoint at seq " + seq + " sealed head "
                                    + HexFormat.of().formatHex(head, 0, 8) + "..., the chain now hashes to "
                                    + HexFormat.of().formatHex(hash, 0, 8) + "...: rows " + (lastSealedSeq + 1)
                                    + ".." + seq + " were rewritten");
                    return;
                }
            }
            lastSealedSeq = seq;
        }
    }
}
