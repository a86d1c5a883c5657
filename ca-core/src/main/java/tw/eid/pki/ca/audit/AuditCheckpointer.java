package tw.eid.pki.ca.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.ContentSigner;
import tw.eid.pki.ca.store.DatabaseTime;

/**
 * Signs the ledger's head. In production the signer is the audit checkpoint key in the online
 * token (docs/architecture.md: data-protection keys); a checkpoint is what makes a consistently
 * rewritten chain detectable, since no one without that key can sign the rewritten head.
 */
public final class AuditCheckpointer {

    private static final Pattern KEY_LABEL = Pattern.compile("[\\x21-\\x7e]{1,128}");

    private final Clock clock;

    public AuditCheckpointer(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Signs the current head and stores the checkpoint, in the caller's transaction.
     *
     * @param signer a fresh signer for the checkpoint key (a ContentSigner signs once)
     * @param signerKeyLabel the key's label, recorded so the auditor knows which key to verify with
     * @throws IllegalStateException if the head does not match the ledger's last row: the chain is
     *     broken, and we will not seal a broken chain
     */
    public AuditCheckpoint checkpoint(Connection connection, ContentSigner signer, String signerKeyLabel)
            throws SQLException {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(signer, "signer");
        Objects.requireNonNull(signerKeyLabel, "signerKeyLabel");
        if (!KEY_LABEL.matcher(signerKeyLabel).matches()) {
            throw new IllegalArgumentException("signerKeyLabel must be 1..128 printable ASCII characters");
        }
        long seq;
        byte[] headHash;
        try (Statement statement = connection.createStatement();
                ResultSet head = statement.executeQuery("SELECT last_seq, last_hash FROM audit_head WHERE id = 1")) {
            if (!head.next()) {
                throw new SQLException("audit_head has no row; is the schema migrated?");
            }
            seq = head.getLong(1);
            headHash = head.getBytes(2);
        }
        checkHeadMatchesLedger(connection, seq, headHash);

        Instant signedAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
        AlgorithmIdentifier algorithm = signer.getAlgorithmIdentifier();
        byte[] algorithmDer;
        try {
            algorithmDer = algorithm.getEncoded("DER");
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the signature algorithm", e);
        }
        byte[] payload = AuditChainHash.checkpointPayload(seq, headHash, signedAt, algorithmDer);
        try (OutputStream out = signer.getOutputStream()) {
            out.write(payload);
        } catch (IOException e) {
            throw new IllegalStateException("checkpoint signer failed", e);
        }
        byte[] signature = signer.getSignature();

        long id;
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO audit_checkpoint (seq, head_hash, signed_at, signature_algorithm, signature,"
                        + " signer_key_label) VALUES (?, ?, ?, ?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            insert.setLong(1, seq);
            insert.setBytes(2, headHash);
            insert.setObject(3, DatabaseTime.toColumn(signedAt));
            insert.setBytes(4, algorithmDer);
            insert.setBytes(5, signature);
            insert.setString(6, signerKeyLabel);
            insert.executeUpdate();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                if (!keys.next()) {
                    throw new SQLException("no id for the new audit checkpoint");
                }
                id = keys.getLong(1);
            }
        }
        return new AuditCheckpoint(id, seq, headHash, signedAt, algorithm, signature, signerKeyLabel);
    }

    /** The checkpoint with the highest seq (latest signed among equals), if any. */
    public Optional<AuditCheckpoint> latest(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rs =
                        statement.executeQuery("SELECT id, seq, head_hash, signed_at, signature_algorithm, signature,"
                                + " signer_key_label FROM audit_checkpoint ORDER BY seq DESC, id DESC LIMIT 1")) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new AuditCheckpoint(
                    rs.getLong(1),
                    rs.getLong(2),
                    rs.getBytes(3),
                    DatabaseTime.fromColumn(rs.getObject(4, LocalDateTime.class)),
                    AlgorithmIdentifier.getInstance(rs.getBytes(5)),
                    rs.getBytes(6),
                    rs.getString(7)));
        }
    }

    private static void checkHeadMatchesLedger(Connection connection, long seq, byte[] headHash) throws SQLException {
        if (seq == 0) {
            if (!Arrays.equals(headHash, AuditChainHash.genesis())) {
                throw new IllegalStateException("audit head at seq 0 is not the genesis hash");
            }
            return;
        }
        try (PreparedStatement select = connection.prepareStatement("SELECT hash FROM audit_event WHERE seq = ?")) {
            select.setLong(1, seq);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next() || !Arrays.equals(row.getBytes(1), headHash)) {
                    throw new IllegalStateException(
                            "audit head does not match ledger row " + seq + "; refusing to sign");
                }
            }
        }
    }
}
