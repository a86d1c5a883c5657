package tw.eid.pki.ca.document;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditDetails;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.store.CertificateStatus;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.ca.store.StoreException;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.KeyInfo;
import tw.eid.pki.hsm.Token;

/**
 * The pool of Document Signer keys (docs/profiles.md, "Document Signer"; ICAO 9303-12 §5). Keys are
 * generated ahead of need in the online token ({@link #generate}), certified by the CSCA at a
 * ceremony ({@link DocumentSignerCeremony}), and used one at a time:
 *
 * <ul>
 *   <li><b>Blocks of counts.</b> {@link #reserve} hands out one document at a time from a block of
 *       document counts that this pool object reserved in one transaction: the transaction locks
 *       the ACTIVE signer's row, checks that it is within its private key usage period at the
 *       injected clock's instant, under its document count and that its certificate is good, and
 *       adds {@code min(blockSize, max_documents - documents_signed)} to its count (otherwise it
 *       RETIRES the signer in the same transaction and the CERTIFIED signer whose usage period ends
 *       first takes over, so the line never waits for a person). The counts of a block are then
 *       handed out from memory without touching the store (issue 6 benchmark: one pool
 *       transaction per {@code blockSize} SODs instead of one per SOD). No usable signer:
 *       {@link SodException.Code#POOL_EMPTY}, never an expired one.</li>
 *   <li><b>Count.</b> {@code documents_signed} is taken before the token signs and a block never
 *       goes past {@code max_documents}, so a DS never signs more than its count. Counts of a block
 *       that are not used (the block is dropped at a rotation, a revocation, the end of the usage
 *       period, a restart) are <i>burned</i>: {@code documents_signed} is an upper bound of the
 *       documents a DS really signed (the exact number is the card_sod rows naming it).</li>
 *   <li><b>Usage period.</b> Every {@link #reserve} checks the clock's instant against the block's
 *       signer's private key usage period (and its certificate's notAfter), and the caller signs
 *       with that same instant as signingTime ({@link Reserved#at}); a block whose period has ended
 *       is dropped at once.</li>
 *   <li><b>Rotation and revocation reach a running pool within {@link Settings#recheck}</b> (1 s by
 *       default): at most that long after the block's signer row was last read (by the monotonic
 *       {@code ticker}, not the wall clock), the next {@link #reserve} reads it again (a plain
 *       read, no lock) and drops the block if the signer is no longer ACTIVE ({@code ds rotate} in
 *       another process, a retirement) or its certificate is no longer good ({@code ds revoke}). So
 *       a DS may sign for up to that long after it was rotated or revoked elsewhere, never after.
 *       {@link #rotate} on this pool object drops the block at once.</li>
 *   <li><b>Ended signers.</b> {@link #retireEnded} retires every signer that can never sign
 *       again (certificate revoked, count reached, usage period over) without waiting for
 *       a reservation to find it; {@link DocumentSignerRetirement} destroys the keys of RETIRED
 *       signers an hour later ({@code ds retire}).</li>
 *   <li>{@link #status} tells how much certified capacity is left (the RA's health check and
 *       {@code ds status} show it); each activation of a DS logs a warning when fewer than {@code
 *       lowWaterMark} certified spares remain after it, and an empty pool logs an error.</li>
 * </ul>
 *
 * <p>Several pool objects (RA processes) may share a store: each reserves its own blocks of the
 * same ACTIVE signer under the row lock, so together they never pass its count.
 */
public final class DocumentSignerPool {
    private static final Logger log = LoggerFactory.getLogger(DocumentSignerPool.class);

    /** Default document count per DS key (issue 6). */
    public static final long DEFAULT_MAX_DOCUMENTS = 100_000;
    /** Warn when fewer certified spares than this remain. */
    public static final int DEFAULT_LOW_WATER_MARK = 2;

    /**
     * A DS that may sign one more document now: {@code at} is the clock's instant checked against
     * its usage period, to be the SOD's signingTime; {@code documentNumber} counts this DS's documents.
     */
    public record Reserved(
            String keyLabel,
            String serialHex,
            X509CertificateHolder certificate,
            PublicKey publicKey,
            long documentNumber,
            Instant at) {}

    /** Default number of document counts reserved per pool transaction. */
    public static final int DEFAULT_BLOCK_SIZE = 256;
    /** Default bound on how long a running pool signs with a DS rotated or revoked elsewhere. */
    public static final Duration DEFAULT_RECHECK = Duration.ofSeconds(1);

    /**
     * How the pool hands out counts. {@code blockSize}: counts reserved per transaction (1 to
     * 100,000; 1 is the per-SOD reservation of old); {@code recheck}: how long the signer row read
     * with the block is trusted before it is read again (0 to 60 s; 0 re-reads it for every SOD).
     */
    public record Settings(int blockSize, Duration recheck) {
        public Settings {
            if (blockSize < 1 || blockSize > 100_000) {
                throw new IllegalArgumentException("blockSize must be 1..100000: " + blockSize);
            }
            Objects.requireNonNull(recheck, "recheck");
            if (recheck.isNegative() || recheck.compareTo(Duration.ofSeconds(60)) > 0) {
                throw new IllegalArgumentException("recheck must be 0..60 s: " + recheck);
            }
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_BLOCK_SIZE, DEFAULT_RECHECK);
        }
    }

    /** One row of the pool, for {@code ds status} and tests; {@code keyDestroyedAt} null while the token holds its key. */
    public record Signer(
            String keyLabel,
            String state,
            Integer number,
            String serialHex,
            Instant usageNotBefore,
            Instant usageNotAfter,
            long documentsSigned,
            long maxDocuments,
            CertificateStatus certificateStatus,
            String retireReason,
            Instant keyDestroyedAt) {}

    /**
     * The pool at a glance: the active signer, the certified spares still usable, and until when the
     * active signer and the spares can sign at all ({@code coveredUntil}, the latest end of their
     * usage periods; null when there is nothing). {@code low}: fewer spares than the water mark, or
     * the cover ends within {@link #WARN_BEFORE} — a CSCA ceremony is due.
     */
    public record Status(
            Signer active, int usableSpares, long spareDocuments, int generated, Instant coveredUntil, boolean low) {}

    /** Warn when the certified pool stops covering signing within this time (a ceremony takes planning). */
    public static final Duration WARN_BEFORE = Duration.ofDays(30);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database database;
    private final AuditLedger audit;
    private final Clock clock;
    private final int lowWaterMark;
    private final Settings settings;
    private final LongSupplier ticker;
    private final SignerPurpose purpose;
    private final ConcurrentHashMap<String, Reserved> certificates = new ConcurrentHashMap<>();
    /** Guards {@link #block}. */
    private final Object blockLock = new Object();
    /** The counts this pool object holds; null when it holds none. */
    private Block block;

    /**
     * @param ticker monotonic nanoseconds ({@code System::nanoTime} in a server; injected so that
     *               tests can step past {@link Settings#recheck} without waiting)
     */
    public DocumentSignerPool(
            Database database,
            AuditLedger audit,
            Clock clock,
            int lowWaterMark,
            Settings settings,
            LongSupplier ticker) {
        this(database, audit, clock, lowWaterMark, settings, ticker, SignerPurpose.SOD);
    }

    /** As above, the pool of the keys for {@code purpose} (Document Signers or seal signers). */
    public DocumentSignerPool(
            Database database,
            AuditLedger audit,
            Clock clock,
            int lowWaterMark,
            Settings settings,
            LongSupplier ticker,
            SignerPurpose purpose) {
        this.purpose = Objects.requireNonNull(purpose, "purpose");
        this.database = Objects.requireNonNull(database, "database");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (lowWaterMark < 0) {
            throw new IllegalArgumentException("lowWaterMark must be >= 0");
        }
        this.lowWaterMark = lowWaterMark;
        this.settings = Objects.requireNonNull(settings, "settings");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    public DocumentSignerPool(Database database, AuditLedger audit, Clock clock, int lowWaterMark) {
        this(database, audit, clock, lowWaterMark, Settings.defaults(), System::nanoTime);
    }

    public DocumentSignerPool(Database database, AuditLedger audit, Clock clock) {
        this(database, audit, clock, DEFAULT_LOW_WATER_MARK);
    }

    /** What this pool's keys sign. */
    public SignerPurpose purpose() {
        return purpose;
    }

    /**
     * Generates {@code count} DS keys in the online token (sensitive, non-extractable) and records
     * them GENERATED, each with {@code maxDocuments}; audited. Returns their labels.
     */
    public List<String> generate(Actor actor, Token onlineToken, int count, KeyAlgorithm algorithm, long maxDocuments) {
        if (count < 1 || count > 100) {
            throw new IllegalArgumentException("count must be 1..100");
        }
        if (purpose == SignerPurpose.SEAL && algorithm != KeyAlgorithm.EC_P256) {
            throw new IllegalArgumentException("a seal signer key is ECDSA P-256 (docs/profiles.md)");
        }
        if (algorithm != KeyAlgorithm.EC_P256 && algorithm != KeyAlgorithm.EC_P384) {
            throw new IllegalArgumentException("a Document Signer key is ECDSA P-256 or P-384 (docs/profiles.md)");
        }
        if (maxDocuments < 1) {
            throw new IllegalArgumentException("maxDocuments must be at least 1");
        }
        Instant now = clock.instant();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] suffix = new byte[6];
            RANDOM.nextBytes(suffix);
            String label = purpose.prefix() + "-"
                    + DateTimeFormatter.ofPattern("yyyyMMdd")
                            .withZone(ZoneOffset.UTC)
                            .format(now) + "-" + HexFormat.of().formatHex(suffix);
            KeyInfo info = onlineToken.generateKeyPair(label, algorithm);
            if (!info.sensitive() || info.extractable()) {
                throw new IllegalStateException(
                        "token generated '" + label + "' without CKA_SENSITIVE or with CKA_EXTRACTABLE");
            }
            record(actor, label, onlineToken.label(), info.publicKey(), maxDocuments, now);
            labels.add(label);
        }
        return labels;
    }

    private void record(
            Actor actor, String label, String tokenLabel, SubjectPublicKeyInfo key, long maxDocuments, Instant now) {
        database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO document_signer (key_label, token_label,"
                    + " public_key_der, public_key_sha256, state, max_documents, documents_signed, generated_at, purpose)"
                    + " VALUES (?, ?, ?, ?, 'GENERATED', ?, 0, ?, ?)")) {
                ps.setString(1, label);
                ps.setString(2, tokenLabel);
                ps.setBytes(3, key.getEncoded());
                ps.setBytes(4, sha256(key.getEncoded()));
                ps.setLong(5, maxDocuments);
                ps.setObject(6, DatabaseTime.toColumn(now));
                ps.setString(7, purpose.column());
                ps.executeUpdate();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            audit.append(c, actor.event(purpose.prefix() + ".generate", label, AuditResult.SUCCESS));
            return null;
        });
    }

    /**
     * One document from the signer that may sign now (see the class comment): from the block this
     * pool holds while it is usable, else from a new block reserved in one transaction.
     *
     * @throws SodException {@link SodException.Code#POOL_EMPTY} when no certified DS is usable
     */
    public Reserved reserve(Actor actor) {
        Objects.requireNonNull(actor, "actor");
        synchronized (blockLock) {
            Instant now = clock.instant();
            long tick = ticker.getAsLong();
            if (block != null) {
                String unusable = block.unusableReason(now);
                if (unusable == null
                        && tick - block.checkedAt >= settings.recheck().toNanos()) {
                    unusable = stillActive(block.signer.keyLabel());
                    block.checkedAt = tick;
                }
                if (unusable == null) {
                    return block.take(now);
                }
                log.info(
                        "Document Signer {}: dropping its block ({}; {} counts burned)",
                        block.signer.keyLabel(),
                        unusable,
                        block.end - block.next + 1);
                block = null;
            }
            Block fresh = reserveBlock(actor, now);
            fresh.checkedAt = tick;
            block = fresh;
            return fresh.take(now);
        }
    }

    /** The counts a pool object holds: documents {@code next..end} of one signer. */
    private static final class Block {
        final Reserved signer;
        final Instant notBefore;
        final Instant notAfter;
        final long end;
        long next;
        long checkedAt;

        Block(Reserved signer, Instant notBefore, Instant notAfter, long first, long end) {
            this.signer = signer;
            this.notBefore = notBefore;
            this.notAfter = notAfter;
            this.next = first;
            this.end = end;
        }

        String unusableReason(Instant now) {
            if (next > end) {
                return "block used up";
            }
            if (now.isAfter(notAfter)) {
                return "usage period ended";
            }
            if (now.isBefore(notBefore)) {
                return "usage period not started";
            }
            return null;
        }

        Reserved take(Instant now) {
            long n = next++;
            return new Reserved(
                    signer.keyLabel(), signer.serialHex(), signer.certificate(), signer.publicKey(), n, now);
        }
    }

    /** Null if the signer is still ACTIVE with a good certificate in the store (a plain read), else why not. */
    private String stillActive(String keyLabel) {
        try (Connection c = database.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT d.state, c.status FROM document_signer d"
                                + " JOIN certificate c ON c.ca_name = d.csca_name AND c.serial_hex = d.serial_hex WHERE d.key_label = ?")) {
            ps.setString(1, keyLabel);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return "signer row gone";
                }
                if (!"ACTIVE".equals(rs.getString(1))) {
                    return "no longer active (" + rs.getString(1).toLowerCase(Locale.ROOT) + ")";
                }
                if (status(rs.getString(2)) != CertificateStatus.GOOD) {
                    return "certificate " + rs.getString(2).toLowerCase(Locale.ROOT);
                }
                return null;
            }
        } catch (SQLException e) {
            throw new StoreException(StoreException.Code.SQL, "cannot read the Document Signer's state", e);
        }
    }

    private Block reserveBlock(Actor actor, Instant now) {
        for (int attempt = 1; ; attempt++) {
            try {
                return database.inTransaction(c -> reserve(c, actor, now));
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

    private Block reserve(Connection c, Actor actor, Instant now) throws SQLException {
        Row active = one(c, "d.state = 'ACTIVE'", null, true);
        if (active != null) {
            String unusable = active.unusableReason(now);
            if (unusable == null) {
                return take(c, active);
            }
            retire(c, actor, active, unusable, now);
        }
        retireUnusedExpired(c, actor, now);
        Row next = one(
                c,
                "d.state = 'CERTIFIED' AND d.usage_not_before <= ? AND d.usage_not_after >= ?" + " AND c.status = '"
                        + CertificateStatus.GOOD.name() + "' AND d.documents_signed < d.max_documents",
                now,
                true);
        if (next == null) {
            log.error(
                    "{} pool empty: none certified within its usage period and document count;"
                            + " certify a batch at a CSCA ceremony",
                    purpose.displayName());
            throw new SodException(
                    SodException.Code.POOL_EMPTY,
                    "no certified " + purpose.displayName() + " is within its usage period and document count");
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
        audit.append(
                c,
                actor.event(purpose.prefix() + ".activate", next.label, AuditResult.SUCCESS)
                        .withDetails(AuditDetails.of()
                                .put("serial", next.serial)
                                .put("previous", active == null ? null : active.label)));
        int spares = usableSpares(c, now);
        if (spares < lowWaterMark || next.usageNotAfter.isBefore(now.plus(WARN_BEFORE)) && spares == 0) {
            log.warn(
                    "Document Signer pool low: {} certified spare(s) left after activating {}; certify a batch soon",
                    spares,
                    next.label);
        } else {
            log.info("Document Signer {} active ({} certified spares left)", next.label, spares);
        }
        return take(c, next);
    }

    /** Takes a block of counts from {@code row}, locked by the caller's transaction. */
    private Block take(Connection c, Row row) throws SQLException {
        long count = Math.min(settings.blockSize(), row.max - row.signed);
        try (PreparedStatement ps =
                c.prepareStatement("UPDATE document_signer SET documents_signed = documents_signed + ?"
                        + " WHERE key_label = ? AND documents_signed + ? <= max_documents")) {
            ps.setLong(1, count);
            ps.setString(2, row.label);
            ps.setLong(3, count);
            if (count < 1 || ps.executeUpdate() != 1) {
                throw new IllegalStateException(
                        "Document Signer " + row.label + " reached its count under its own lock");
            }
        }
        Reserved cached = certificates.computeIfAbsent(row.label, l -> reserved(row));
        Instant notAfter = row.notAfter.isBefore(row.usageNotAfter) ? row.notAfter : row.usageNotAfter;
        return new Block(cached, row.usageNotBefore, notAfter, row.signed + 1, row.signed + count);
    }

    private static Reserved reserved(Row row) {
        try {
            X509CertificateHolder cert = new X509CertificateHolder(row.certificate);
            PublicKey key = SecurityObjects.publicKey(cert.getSubjectPublicKeyInfo());
            return new Reserved(row.label, row.serial, cert, key, 0, null);
        } catch (IOException e) {
            throw new IllegalStateException("Document Signer " + row.label + " has an unreadable certificate", e);
        }
    }

    /**
     * Retires the ACTIVE signer now; the next {@link #reserve} of this pool object activates the
     * next one (other pool objects within {@link Settings#recheck}). Empty if none was active.
     */
    public Optional<String> rotate(Actor actor) {
        // Under the block lock, so that no reservation of this pool object takes a new block of the
        // signer between dropping the block and retiring the signer.
        synchronized (blockLock) {
            block = null;
            return database.inTransaction(c -> {
                Row active = one(c, "d.state = 'ACTIVE'", null, true);
                if (active == null) {
                    return Optional.<String>empty();
                }
                retire(c, actor, active, "rotated", clock.instant());
                return Optional.of(active.label);
            });
        }
    }

    /**
     * Retires, at the clock's instant, every ACTIVE or CERTIFIED signer that can never sign again:
     * its certificate is revoked, its document count is reached, or its usage period has ended (a
     * period not yet begun, or a certificate on hold, is kept). One transaction; each audited {@code ds.retire}.
     * Pool objects holding a block of one stop within {@link Settings#recheck}. Returns their labels.
     */
    public List<String> retireEnded(Actor actor) {
        Instant now = clock.instant();
        return database.inTransaction(c -> {
            List<Row> ended = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(select("d.state IN ('ACTIVE', 'CERTIFIED')", true));
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Row r = row(rs);
                    if (r.endedReason(now) != null) {
                        ended.add(r);
                    }
                }
            }
            List<String> labels = new ArrayList<>();
            for (Row r : ended) {
                retire(c, actor, r, r.endedReason(now), now);
                labels.add(r.label());
            }
            return labels;
        });
    }

    /** The pool's rows, newest first, and its capacity at the clock's instant. */
    public Status status() {
        Instant now = clock.instant();
        return database.inTransaction(c -> {
            List<Signer> all = signers(c);
            Signer active = all.stream()
                    .filter(s -> s.state().equals("ACTIVE"))
                    .findFirst()
                    .orElse(null);
            int spares = 0;
            long docs = 0;
            int generated = 0;
            Instant covered = null;
            for (Signer s : all) {
                if (s.state().equals("GENERATED")) {
                    generated++;
                }
                boolean usable = s.certificateStatus() == CertificateStatus.GOOD
                        && s.usageNotAfter() != null
                        && !s.usageNotAfter().isBefore(now)
                        && s.documentsSigned() < s.maxDocuments();
                if (s.state().equals("CERTIFIED") && usable) {
                    spares++;
                    docs += s.maxDocuments() - s.documentsSigned();
                }
                if ((s.state().equals("CERTIFIED") || s.state().equals("ACTIVE"))
                        && usable
                        && (covered == null || s.usageNotAfter().isAfter(covered))) {
                    covered = s.usageNotAfter();
                }
            }
            boolean low = spares < lowWaterMark || covered == null || covered.isBefore(now.plus(WARN_BEFORE));
            return new Status(active, spares, docs, generated, covered, low);
        });
    }

    /** Whether serial {@code serialHex} of CSCA {@code cscaName} is a Document Signer's certificate. */
    public static boolean isDocumentSigner(Database database, String cscaName, String serialHex) {
        return database.inTransaction(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT COUNT(*) FROM document_signer WHERE csca_name = ? AND serial_hex = ?")) {
                ps.setString(1, cscaName);
                ps.setString(2, serialHex);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1) == 1;
                }
            }
        });
    }

    /** A certified signer's certificate and its status in the store, for verifiers (issue 24). */
    public record SignerCertificate(
            String keyLabel, String cscaName, String serialHex, byte[] certificateDer, CertificateStatus status) {
        @Override
        public byte[] certificateDer() {
            return certificateDer.clone();
        }
    }

    /** The certified signer of this pool whose certificate serial is {@code serialHex} (lower-case hex), if any. */
    public Optional<SignerCertificate> certificate(String serialHex) {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT d.key_label, d.csca_name, d.serial_hex,"
                    + " d.certificate_der, c.status FROM document_signer d JOIN certificate c"
                    + " ON c.ca_name = d.csca_name AND c.serial_hex = d.serial_hex"
                    + " WHERE d.purpose = '" + purpose.column() + "' AND d.serial_hex = ?")) {
                ps.setString(1, serialHex);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new SignerCertificate(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getBytes(4),
                            status(rs.getString(5))));
                }
            }
        });
    }

    /** Every signer of the pool. */
    public List<Signer> signers() {
        return database.inTransaction(this::signers);
    }

    private List<Signer> signers(Connection c) throws SQLException {
        List<Signer> all = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT d.key_label, d.state, d.ds_number, d.serial_hex,"
                        + " d.usage_not_before, d.usage_not_after, d.documents_signed, d.max_documents, c.status, d.retire_reason,"
                        + " d.key_destroyed_at FROM document_signer d LEFT JOIN certificate c ON c.ca_name = d.csca_name AND c.serial_hex = d.serial_hex"
                        + " WHERE d.purpose = '" + purpose.column() + "'"
                        + " ORDER BY d.generated_at DESC, d.key_label");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                all.add(new Signer(
                        rs.getString(1),
                        rs.getString(2),
                        (Integer) rs.getObject(3),
                        rs.getString(4),
                        time(rs, 5),
                        time(rs, 6),
                        rs.getLong(7),
                        rs.getLong(8),
                        status(rs.getString(9)),
                        rs.getString(10),
                        time(rs, 11)));
            }
        }
        return all;
    }

    private int usableSpares(Connection c, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM document_signer d JOIN certificate c"
                + " ON c.ca_name = d.csca_name AND c.serial_hex = d.serial_hex"
                + " WHERE d.purpose = '" + purpose.column() + "'"
                + " AND d.state = 'CERTIFIED' AND d.usage_not_after >= ? AND c.status = ?")) {
            ps.setObject(1, DatabaseTime.toColumn(now));
            ps.setString(2, CertificateStatus.GOOD.name());
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
        audit.append(
                c,
                actor.event(purpose.prefix() + ".retire", row.label, AuditResult.SUCCESS)
                        .withDetails(AuditDetails.of().put("reason", reason).put("documentsSigned", row.signed)));
    }

    /** Certified spares whose usage period ended before they were ever used are retired, not kept as capacity. */
    private void retireUnusedExpired(Connection c, Actor actor, Instant now) throws SQLException {
        List<Row> stale = new ArrayList<>();
        try (PreparedStatement ps =
                c.prepareStatement(select("d.state = 'CERTIFIED' AND d.usage_not_after < ?", true))) {
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

    // The purpose is an enum constant's column value, never input: safe in the SQL text.
    private String select(String where, boolean forUpdate) {
        return "SELECT d.key_label, d.serial_hex, d.certificate_der, d.usage_not_before, d.usage_not_after,"
                + " d.documents_signed, d.max_documents, c.status, c.not_after, d.state"
                + " FROM document_signer d JOIN certificate c ON c.ca_name = d.csca_name AND c.serial_hex = d.serial_hex"
                + " WHERE d.purpose = '" + purpose.column() + "' AND (" + where
                + ") ORDER BY d.usage_not_after, d.ds_number LIMIT 1000"
                + (forUpdate ? " FOR UPDATE" : "");
    }

    private Row one(Connection c, String where, Instant now, boolean forUpdate) throws SQLException {
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
        return new Row(
                rs.getString(1),
                rs.getString(2),
                rs.getBytes(3),
                time(rs, 4),
                time(rs, 5),
                rs.getLong(6),
                rs.getLong(7),
                status(rs.getString(8)),
                time(rs, 9),
                rs.getString(10));
    }

    private record Row(
            String label,
            String serial,
            byte[] certificate,
            Instant usageNotBefore,
            Instant usageNotAfter,
            long signed,
            long max,
            CertificateStatus certificateStatus,
            Instant notAfter,
            String state) {
        /** Why this signer may not sign at {@code now}, or null when it may. */
        String unusableReason(Instant now) {
            if (certificateStatus != CertificateStatus.GOOD) {
                return "certificate-" + certificateStatus.name().toLowerCase(Locale.ROOT);
            }
            String ended = endedReason(now);
            if (ended != null) {
                return ended;
            }
            if (now.isBefore(usageNotBefore)) {
                return "usage-period-not-started";
            }
            return null;
        }

        /**
         * Why this signer can never sign again from {@code now} on, or null while it may sign now or
         * later (a certificate on hold may be resumed: that is not an end).
         */
        String endedReason(Instant now) {
            if (certificateStatus == CertificateStatus.REVOKED) {
                return "certificate-revoked";
            }
            if (signed >= max) {
                return "document-count-reached";
            }
            if (now.isAfter(usageNotAfter) || now.isAfter(notAfter)) {
                return "CERTIFIED".equals(state) ? "usage-period-ended-unused" : "usage-period-ended";
            }
            return null;
        }
    }

    /** The stored status as the enum; null where a LEFT JOIN found no certificate. */
    private static CertificateStatus status(String stored) {
        return stored == null ? null : CertificateStatus.valueOf(stored);
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
