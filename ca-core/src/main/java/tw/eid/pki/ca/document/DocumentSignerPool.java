package tw.eid.pki.ca.document;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.KeyInfo;
import tw.eid.pki.hsm.Token;

/**
 * The pool of Document Signer keys (PROFILES.md, "Document Signer"; ICAO 9303-12 §5). Keys are
 * generated ahead of need in the online token ({@link #generate}), certified by the CSCA at a
 * ceremony ({@link DocumentSignerCeremony}), and used one at a time:
 *
 * <ul>
 *   <li>{@link #reserve} takes one document from the ACTIVE signer in a transaction that locks its
 *       row: the signer must be within its private key usage period at the injected clock's
 *       instant, under its document count, and its certificate good; otherwise it is RETIRED in
 *       the same transaction and the CERTIFIED signer whose usage period ends first takes over, so
 *       the line never waits for a person. No usable signer: {@link SodException.Code#POOL_EMPTY},
 *       never an expired one.</li>
 *   <li>The count is taken before the token signs, so a DS never signs more than its count
 *       (a signature whose SOD is then not stored still counts).</li>
 *   <li>{@link #rotate} retires the ACTIVE signer now ({@code bin/eidpki ds rotate}).</li>
 *   <li>{@link #status} tells how much certified capacity is left (the RA's health check and
 *       {@code ds status} show it); each activation of a DS logs a warning when fewer than {@code
 *       lowWaterMark} certified spares remain after it, and an empty pool logs an error.</li>
 * </ul>
 */
public final class DocumentSignerPool {
    private static final Logger log = LoggerFactory.getLogger(DocumentSignerPool.class);

    /** Default document count per DS key (issue 6). */
    public static final long DEFAULT_MAX_DOCUMENTS = 100_000;
    /** Warn when fewer certified spares than this remain. */
    public static final int DEFAULT_LOW_WATER_MARK = 2;

    /** A DS that may sign one more document now. */
    public record Reserved(String keyLabel, String serialHex, X509CertificateHolder certificate, PublicKey publicKey,
                           long documentNumber) {}

    /** One row of the pool, for {@code ds status} and tests. */
    public record Signer(String keyLabel, String state, Integer number, String serialHex, Instant usageNotBefore,
                         Instant usageNotAfter, long documentsSigned, long maxDocuments, String certificateStatus,
                         String retireReason) {}

    /**
     * The pool at a glance: the active signer, the certified spares still usable, and until when the
     * active signer and the spares can sign at all ({@code coveredUntil}, the latest end of their
     * usage periods; null when there is nothing). {@code low}: fewer spares than the water mark, or
     * the cover ends within {@link #WARN_BEFORE} — a CSCA ceremony is due.
     */
    public record Status(Signer active, int usableSpares, long spareDocuments, int generated, Instant coveredUntil,
                         boolean low) {}

    /** Warn when the certified pool stops covering signing within this time (a ceremony takes planning). */
    public static final java.time.Duration WARN_BEFORE = java.time.Duration.ofDays(30);

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private final Database database;
    private final AuditLedger audit;
    private final Clock clock;
    private final int lowWaterMark;
    private final ConcurrentHashMap<String, Reserved> certificates = new ConcurrentHashMap<>();

    public DocumentSignerPool(Database database, AuditLedger audit, Clock clock, int lowWaterMark) {
        this.database = Objects.requireNonNull(database, "database");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (lowWaterMark < 0) {
            throw new IllegalArgumentException("lowWaterMark must be >= 0");
        }
        this.lowWaterMark = lowWaterMark;
    }

    public DocumentSignerPool(Database database, AuditLedger audit, Clock clock) {
        this(database, audit, clock, DEFAULT_LOW_WATER_MARK);
    }

    /**
     * Generates {@code count} DS keys in the online token (sensitive, non-extractable) and records
     * them GENERATED, each with {@code maxDocuments}; audited. Returns their labels.
     */
    public List<String> generate(Actor actor, Token onlineToken, int count, KeyAlgorithm algorithm, long maxDocuments) {
        if (count < 1 || count > 100) {
            throw new IllegalArgumentException("count must be 1..100");
        }
        if (algorithm != KeyAlgorithm.EC_P256 && algorithm != KeyAlgorithm.EC_P384) {
            throw new IllegalArgumentException("a Document Signer key is ECDSA P-256 or P-384 (PROFILES.md)");
        }
        if (maxDocuments < 1) {
            throw new IllegalArgumentException("maxDocuments must be at least 1");
        }
        Instant now = clock.instant();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] suffix = new byte[6];
            RANDOM.nextBytes(suffix);
            String label = "ds-" + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd").withZone(java.time.ZoneOffset.UTC)
                    .format(now) + "-" + java.util.HexFormat.of().formatHex(suffix);
            KeyInfo info = onlineToken.generateKeyPair(label, algorithm);
            if (!info.sensitive() || info.extractable()) {
                throw new IllegalStateException("token generated '" + label + "' without CKA_SENSITIVE or with CKA_EXTRACTABLE");
            }
            record(actor, label, onlineToken.label(), info.publicKey(), maxDocuments, now);
            labels.add(label);
        }
        return labels;
    }

    private void record(Actor actor, String label, String tokenLabel, SubjectPublicKeyInfo key, long maxDocuments,
                        Instant now) {
        database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO document_signer (key_label, token_label,"
                    + " public_key_der, public_key_sha256, state, max_documents, documents_signed, generated_at)"
                    + " VALUES (?, ?, ?, ?, 'GENERATED', ?, 0, ?)")) {
                ps.setString(1, label);
                ps.setString(2, tokenLabel);
                ps.setBytes(3, key.getEncoded());
                ps.setBytes(4, sha256(key.getEncoded()));
                ps.setLong(5, maxDocuments);
                ps.setObject(6, DatabaseTime.toColumn(now));
                ps.executeUpdate();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            audit.append(c, actor.event("ds.generate", label, AuditResult.SUCCESS));
            return null;
        });
    }

    /** A check the caller runs first in the reservation's transaction (it throws to refuse). */
    @FunctionalInterface
    public interface Precondition {
        void check(Connection c) throws SQLException;
    }

    /** Takes one document from the signer that may sign now (see the class comment). */
    public Reserved reserve(Actor actor) {
        return reserve(actor, c -> { });
    }

    /**
     * As {@link #reserve(Actor)}, after {@code precondition} in the same transaction: a refusal by it
     * spends no document (one transaction instead of two per SOD).
     */
    public Reserved reserve(Actor actor, Precondition precondition) {
        for (int attempt = 1; ; attempt++) {
            try {
                return database.inTransaction(c -> {
                    precondition.check(c);
                    return reserve(c, actor, clock.instant());
                });
            } catch (LostActivationRace e) {
                if (attempt >= 10) {
                    throw new IllegalStateException("could not activate a Document Signer after 10 attempts", e);
                }
            }
        }
    }

    /** Another transaction activated a signer at the same time (unique ACTIVE marker); try again. */
    private static final class LostActivationRace extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LostActivationRace(SQLException cause) {
            super(cause);
        }
    }

    private Reserved reserve(Connection c, Actor actor, Instant now) throws SQLException {
        Row active = one(c, "d.state = 'ACTIVE'", null, true);
        if (active != null) {
            String unusable = active.unusableReason(now);
            if (unusable == null) {
                return take(c, active);
            }
            retire(c, actor, active, unusable, now);
        }
        retireUnusedExpired(c, actor, now);
        Row next = one(c, "d.state = 'CERTIFIED' AND d.usage_not_before <= ? AND d.usage_not_after >= ?"
                + " AND c.status = 'GOOD' AND d.documents_signed < d.max_documents", now, true);
        if (next == null) {
            log.error("Document Signer pool empty: no certified DS within its usage period and document count;"
                    + " certify a batch at a CSCA ceremony");
            throw new SodException(SodException.Code.POOL_EMPTY,
                    "no certified Document Signer is within its usage period and document count");
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE document_signer SET state = 'ACTIVE', activated_at = ?"
                + " WHERE key_label = ? AND state = 'CERTIFIED'")) {
            ps.setObject(1, DatabaseTime.toColumn(now));
            ps.setString(2, next.label);
            ps.executeUpdate();
        } catch (SQLException e) {
            if ("23000".equals(e.getSQLState())) {
                throw new LostActivationRace(e);
            }
            throw e;
        }
        audit.append(c, actor.event("ds.activate", next.label, AuditResult.SUCCESS)
                .withDetails("{\"serial\":\"" + next.serial + "\",\"previous\":"
                        + (active == null ? "null" : "\"" + active.label + "\"") + "}"));
        int spares = usableSpares(c, now);
        if (spares < lowWaterMark || next.usageNotAfter.isBefore(now.plus(WARN_BEFORE)) && spares == 0) {
            log.warn("Document Signer pool low: {} certified spare(s) left after activating {}; certify a batch soon",
                    spares, next.label);
        } else {
            log.info("Document Signer {} active ({} certified spares left)", next.label, spares);
        }
        return take(c, next);
    }

    private Reserved take(Connection c, Row row) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE document_signer SET documents_signed = documents_signed + 1"
                + " WHERE key_label = ? AND documents_signed < max_documents")) {
            ps.setString(1, row.label);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("Document Signer " + row.label + " reached its count under its own lock");
            }
        }
        Reserved cached = certificates.computeIfAbsent(row.label, l -> reserved(row));
        return new Reserved(cached.keyLabel(), cached.serialHex(), cached.certificate(), cached.publicKey(),
                row.signed + 1);
    }

    private static Reserved reserved(Row row) {
        try {
            X509CertificateHolder cert = new X509CertificateHolder(row.certificate);
            PublicKey key = SecurityObjects.publicKey(cert.getSubjectPublicKeyInfo());
            return new Reserved(row.label, row.serial, cert, key, 0);
        } catch (IOException e) {
            throw new IllegalStateException("Document Signer " + row.label + " has an unreadable certificate", e);
        }
    }

    /** Retires the ACTIVE signer now; the next {@link #reserve} activates the next one. Empty if none was active. */
    public java.util.Optional<String> rotate(Actor actor) {
        return database.inTransaction(c -> {
            Row active = one(c, "d.state = 'ACTIVE'", null, true);
            if (active == null) {
                return java.util.Optional.empty();
            }
            retire(c, actor, active, "rotated", clock.instant());
            return java.util.Optional.of(active.label);
        });
    }

    /** The pool's rows, newest first, and its capacity at the clock's instant. */
    public Status status() {
        Instant now = clock.instant();
        return database.inTransaction(c -> {
            List<Signer> all = signers(c);
            Signer active = all.stream().filter(s -> s.state().equals("ACTIVE")).findFirst().orElse(null);
            int spares = 0;
            long docs = 0;
            int generated = 0;
            Instant covered = null;
            for (Signer s : all) {
                if (s.state().equals("GENERATED")) {
                    generated++;
                }
                boolean usable = "GOOD".equals(s.certificateStatus()) && s.usageNotAfter() != null
                        && !s.usageNotAfter().isBefore(now) && s.documentsSigned() < s.maxDocuments();
                if (s.state().equals("CERTIFIED") && usable) {
                    spares++;
                    docs += s.maxDocuments() - s.documentsSigned();
                }
                if ((s.state().equals("CERTIFIED") || s.state().equals("ACTIVE")) && usable
                        && (covered == null || s.usageNotAfter().isAfter(covered))) {
                    covered = s.usageNotAfter();
                }
            }
            boolean low = spares < lowWaterMark || covered == null || covered.isBefore(now.plus(WARN_BEFORE));
            return new Status(active, spares, docs, generated, covered, low);
        });
    }

    /** Every signer of the pool. */
    public List<Signer> signers() {
        return database.inTransaction(DocumentSignerPool::signers);
    }

    private static List<Signer> signers(Connection c) throws SQLException {
        List<Signer> all = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT d.key_label, d.state, d.ds_number, d.serial_hex,"
                + " d.usage_not_before, d.usage_not_after, d.documents_signed, d.max_documents, c.status, d.retire_reason"
                + " FROM document_signer d LEFT JOIN certificate c ON c.ca_name = d.csca_name AND c.serial_hex = d.serial_hex"
                + " ORDER BY d.generated_at DESC, d.key_label");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                all.add(new Signer(rs.getString(1), rs.getString(2), (Integer) rs.getObject(3), rs.getString(4),
                        time(rs, 5), time(rs, 6), rs.getLong(7), rs.getLong(8), rs.getString(9), rs.getString(10)));
            }
        }
        return all;
    }

    private int usableSpares(Connection c, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM document_signer d JOIN certificate c"
                + " ON c.ca_name = d.csca_name AND c.serial_hex = d.serial_hex"
                + " WHERE d.state = 'CERTIFIED' AND d.usage_not_after >= ? AND c.status = 'GOOD'")) {
            ps.setObject(1, DatabaseTime.toColumn(now));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private void retire(Connection c, Actor actor, Row row, String reason, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE document_signer SET state = 'RETIRED', retired_at = ?,"
                + " retire_reason = ? WHERE key_label = ? AND state IN ('ACTIVE', 'CERTIFIED')")) {
            ps.setObject(1, DatabaseTime.toColumn(now));
            ps.setString(2, reason);
            ps.setString(3, row.label);
            ps.executeUpdate();
        }
        certificates.remove(row.label);
        audit.append(c, actor.event("ds.retire", row.label, AuditResult.SUCCESS)
                .withDetails("{\"reason\":\"" + reason + "\",\"documentsSigned\":" + row.signed + "}"));
    }

    /** Certified spares whose usage period ended before they were ever used are retired, not kept as capacity. */
    private void retireUnusedExpired(Connection c, Actor actor, Instant now) throws SQLException {
        List<Row> stale = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(select("d.state = 'CERTIFIED' AND d.usage_not_after < ?", true))) {
            ps.setObject(1, DatabaseTime.toColumn(now));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stale.add(row(rs));
                }
            }
        }
        for (Row r : stale) {
            retire(c, actor, r, "usage-period-ended-unused", now);
        }
    }

    private static String select(String where, boolean forUpdate) {
        return "SELECT d.key_label, d.serial_hex, d.certificate_der, d.usage_not_before, d.usage_not_after,"
                + " d.documents_signed, d.max_documents, c.status, c.not_after"
                + " FROM document_signer d JOIN certificate c ON c.ca_name = d.csca_name AND c.serial_hex = d.serial_hex"
                + " WHERE " + where + " ORDER BY d.usage_not_after, d.ds_number LIMIT 1000"
                + (forUpdate ? " FOR UPDATE" : "");
    }

    private static Row one(Connection c, String where, Instant now, boolean forUpdate) throws SQLException {
        String sql = select(where, forUpdate).replace("LIMIT 1000", "LIMIT 1");
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (now != null) {
                ps.setObject(1, DatabaseTime.toColumn(now));
                ps.setObject(2, DatabaseTime.toColumn(now));
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? row(rs) : null;
            }
        }
    }

    private static Row row(ResultSet rs) throws SQLException {
        return new Row(rs.getString(1), rs.getString(2), rs.getBytes(3), time(rs, 4), time(rs, 5), rs.getLong(6),
                rs.getLong(7), rs.getString(8), time(rs, 9));
    }

    private record Row(String label, String serial, byte[] certificate, Instant usageNotBefore, Instant usageNotAfter,
                       long signed, long max, String certificateStatus, Instant notAfter) {
        /** Why this signer may not sign at {@code now}, or null when it may. */
        String unusableReason(Instant now) {
            if (!"GOOD".equals(certificateStatus)) {
                return "certificate-" + certificateStatus.toLowerCase(java.util.Locale.ROOT);
            }
            if (signed >= max) {
                return "document-count-reached";
            }
            if (now.isAfter(usageNotAfter) || now.isAfter(notAfter)) {
                return "usage-period-ended";
            }
            if (now.isBefore(usageNotBefore)) {
                return "usage-period-not-started";
            }
            return null;
        }
    }

    private static Instant time(ResultSet rs, int column) throws SQLException {
        LocalDateTime t = rs.getObject(column, LocalDateTime.class);
        return t == null ? null : DatabaseTime.fromColumn(t);
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
