package tw.eid.pki.ocsp;

import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.CertID;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;

/**
 * Signs responses into the store ahead of need (issue 4, "pre-signed at national scale"): one
 * updater at a time, chosen by a lease row in the database ({@code ocsp_updater_lease}; any
 * number of responder processes may run one, the lease holder works). Each round it
 *
 * <ol>
 *   <li>signs every certificate whose stored response is missing or no longer matches its status
 *       (issuance's final write and every status change move {@code updated_at}; the round reads a
 *       window of {@link #CHANGE_WINDOW} behind now, so a transaction that commits late is still
 *       seen; the first round after taking the lease reads from a window behind where the
 *       previous holder had caught up, kept in the lease row, so a takeover does not scan every
 *       certificate; a round the token cut short is not counted as caught up);</li>
 *   <li>re-signs stored responses that reach a quarter of their validity, so that none is ever
 *       served past half of it, for certificates not yet expired.</li>
 * </ol>
 *
 * <p>Correctness does not depend on this class: a responder serves a stored response only when
 * it matches the certificate's current status ({@link PresignedResponses}). The updater only makes
 * the common answer cheap.
 */
public final class OcspUpdater implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OcspUpdater.class);
    static final Duration LEASE = Duration.ofSeconds(10);
    static final Duration CHANGE_WINDOW = Duration.ofSeconds(60);
    static final int BATCH = 1000;

    private final Database database;
    private final OcspResponder responder;
    private final String owner;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final OcspSignerRenewal renewal;
    private final OcspSignerRetirement retirement;
    /** Every process reloads its authorities this often (a signer renewed elsewhere). */
    static final Duration RELOAD = Duration.ofSeconds(60);

    private Instant reloaded = Instant.MIN;
    private Instant lastRetirement = Instant.MIN;
    private boolean caughtUp;
    private volatile long signed;

    public OcspUpdater(Database database, OcspResponder responder, String owner, Clock clock) {
        this(database, responder, owner, clock, null, null);
    }

    /**
     * With {@code renewal} and {@code retirement}, the lease holder also renews each CA's
     * delegated signer when it has less than a third of its lifetime left ({@link
     * OcspSignerRenewal}), and once every {@link #RELOAD} retires the signers that no process can
     * still be using and destroys their keys ({@link OcspSignerRetirement}).
     */
    public OcspUpdater(
            Database database,
            OcspResponder responder,
            String owner,
            Clock clock,
            OcspSignerRenewal renewal,
            OcspSignerRetirement retirement) {
        if ((renewal == null) != (retirement == null)) {
            throw new IllegalArgumentException(
                    "renewal and retirement go together: a renewed signer's old key must go");
        }
        this.renewal = renewal;
        this.retirement = retirement;
        this.database = Objects.requireNonNull(database, "database");
        this.responder = Objects.requireNonNull(responder, "responder");
        this.owner = Objects.requireNonNull(owner, "owner");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ocsp-updater");
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs a round every {@code interval} from now on. */
    public OcspUpdater start(Duration interval) {
        timer.scheduleWithFixedDelay(
                () -> {
                    try {
                        runOnce();
                    } catch (RuntimeException e) {
                        log.warn("OCSP updater round failed: {}", e.toString());
                    }
                },
                0,
                interval.toMillis(),
                TimeUnit.MILLISECONDS);
        return this;
    }

    /** Responses signed into the store by this updater so far. */
    public long signed() {
        return signed;
    }

    /** One round; returns the responses signed, or -1 when another updater holds the lease. */
    public synchronized int runOnce() {
        Instant now = clock.instant();
        if (reloaded.plus(RELOAD).isBefore(now)) {
            reload(now);
        }
        if (!holdLease(now)) {
            caughtUp = false;
            return -1;
        }
        if (renewal != null) {
            boolean renewed = false;
            for (OcspAuthority authority : responder.authorities().all()) {
                try {
                    renewed |= renewal.renewIfDue(authority).isPresent();
                } catch (RuntimeException e) {
                    log.error(
                            "cannot renew the OCSP signer of '{}' (valid until {}): {}",
                            authority.caName(),
                            authority.signerNotAfter(),
                            e.toString());
                }
            }
            if (renewed) {
                reload(now);
            }
            if (lastRetirement.plus(RELOAD).isBefore(now)) {
                retireSuperseded();
                lastRetirement = now;
            }
        }
        int n = 0;
        boolean complete = true;
        // Caught up: a window behind now. Just took the lease: a window behind where the last
        // holder got to (kept in the lease row), or from the beginning if no holder ever got there.
        Instant from = (caughtUp ? now : caughtUpTo()).minus(CHANGE_WINDOW);
        for (OcspAuthority authority : responder.authorities().all()) {
            List<Object[]> batch;
            int done;
            // Keyset pagination over (updated_at, serial): each batch goes on after the last row of
            // the one before, so a round reads each changed row once (re-reading from `from` made a
            // catch-up over N rows cost N^2/BATCH row reads: a million rows took more than half an hour).
            LocalDateTime afterTime = DatabaseTime.toColumn(from);
            String afterSerial = "";
            do { // until a batch is short, or the token fails part-way (then the next round goes on from the same
                // place)
                batch = changed(authority.caName(), afterTime, afterSerial);
                done = sign(authority, batch, now);
                n += done;
                if (!batch.isEmpty()) {
                    Object[] last = batch.get(batch.size() - 1);
                    afterTime = (LocalDateTime) last[4];
                    afterSerial = (String) last[0];
                }
            } while (batch.size() == BATCH && done == BATCH);
            complete &= done == batch.size();
            Instant refreshBefore = now.minus(responder.config().validity().dividedBy(4));
            do {
                batch = stale(authority.caName(), refreshBefore, now);
                done = sign(authority, batch, now);
                n += done;
            } while (batch.size() == BATCH && done == BATCH);
        }
        if (complete) {
            caughtUp = true;
            recordCaughtUp(now);
        }
        signed += n;
        return n;
    }

    /** Where the lease holders got to: every change before it is signed (EPOCH + window if none). */
    private Instant caughtUpTo() {
        Instant at = database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT caught_up_to FROM ocsp_updater_lease WHERE id = 1");
                    ResultSet rs = ps.executeQuery()) {
                LocalDateTime t = rs.next() ? rs.getObject(1, LocalDateTime.class) : null;
                return t == null ? null : DatabaseTime.fromColumn(t);
            }
        });
        return at == null ? Instant.EPOCH.plus(CHANGE_WINDOW) : at;
    }

    private void recordCaughtUp(Instant roundStart) {
        database.inTransaction(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE ocsp_updater_lease SET caught_up_to = ? WHERE id = 1 AND owner = ?")) {
                ps.setObject(1, DatabaseTime.toColumn(roundStart));
                ps.setString(2, owner);
                return ps.executeUpdate();
            }
        });
    }

    private void retireSuperseded() {
        try {
            retirement.run();
        } catch (RuntimeException e) {
            log.error(
                    "cannot retire superseded OCSP signers (the next run finishes what this one began): {}",
                    e.toString());
        }
    }

    private void reload(Instant now) {
        try {
            OcspAuthorities loaded = OcspAuthorities.load(database, now);
            if (!loaded.all().isEmpty()) {
                responder.reload(loaded);
            }
            reloaded = now;
        } catch (RuntimeException e) {
            log.warn("cannot reload the OCSP authorities: {}", e.toString());
        }
    }

    private boolean holdLease(Instant now) {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE ocsp_updater_lease SET owner = ?, lease_until = ?"
                    + " WHERE id = 1 AND (owner IS NULL OR owner = ? OR lease_until < ?)")) {
                ps.setString(1, owner);
                ps.setObject(2, DatabaseTime.toColumn(now.plus(LEASE)));
                ps.setString(3, owner);
                ps.setObject(4, DatabaseTime.toColumn(now));
                return ps.executeUpdate() == 1;
            }
        });
    }

    /**
     * Certificates changed at or after {@code afterTime} (after {@code afterSerial} at that very
     * time) whose stored response is missing or differs, in (updated_at, serial) order. The index
     * on updated_at holds the primary key too, so the range starts right after the last row read.
     */
    private List<Object[]> changed(String caName, LocalDateTime afterTime, String afterSerial) {
        return database.inTransaction(c -> {
            List<Object[]> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT c.serial_hex, c.status, c.revocation_reason,"
                    + " c.revocation_time, c.updated_at FROM certificate c LEFT JOIN ocsp_response r"
                    + " ON r.ca_name = c.ca_name AND r.serial_hex = c.serial_hex"
                    + " WHERE c.ca_name = ? AND ((c.updated_at = ? AND c.serial_hex > ?) OR c.updated_at > ?)"
                    + " AND c.der IS NOT NULL AND (r.serial_hex IS NULL"
                    + " OR r.status <> c.status OR NOT (r.revocation_reason <=> c.revocation_reason)"
                    + " OR NOT (r.revocation_time <=> c.revocation_time)) ORDER BY c.updated_at, c.serial_hex LIMIT "
                    + BATCH)) {
                ps.setString(1, caName);
                ps.setObject(2, afterTime);
                ps.setString(3, afterSerial);
                ps.setObject(4, afterTime);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Object[] {
                            rs.getString(1),
                            rs.getString(2),
                            rs.getObject(3),
                            rs.getObject(4, LocalDateTime.class),
                            rs.getObject(5, LocalDateTime.class)
                        });
                    }
                }
            }
            return out;
        });
    }

    /** Stored responses signed before {@code before}, of certificates not yet expired. */
    private List<Object[]> stale(String caName, Instant before, Instant now) {
        return database.inTransaction(c -> {
            List<Object[]> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT c.serial_hex, c.status, c.revocation_reason,"
                    + " c.revocation_time FROM ocsp_response r JOIN certificate c"
                    + " ON c.ca_name = r.ca_name AND c.serial_hex = r.serial_hex"
                    + " WHERE r.ca_name = ? AND r.this_update < ? AND c.not_after > ? ORDER BY r.this_update LIMIT "
                    + BATCH)) {
                ps.setString(1, caName);
                ps.setObject(2, DatabaseTime.toColumn(before));
                ps.setObject(3, DatabaseTime.toColumn(now));
                read(ps, out);
            }
            return out;
        });
    }

    private static void read(PreparedStatement ps, List<Object[]> out) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Object[] {
                    rs.getString(1), rs.getString(2), rs.getObject(3), rs.getObject(4, LocalDateTime.class)
                });
            }
        }
    }

    /** Signs {@code rows} and stores the responses in one transaction per batch (one commit, not one per response). */
    private int sign(OcspAuthority authority, List<Object[]> rows, Instant now) {
        List<Object[]> signedRows = new ArrayList<>();
        for (Object[] row : rows) {
            String serial = (String) row[0];
            CertificateStatus status = OcspResponder.status((String) row[1], row[2], (LocalDateTime) row[3]);
            CertificateID id = new CertificateID(new CertID(
                    CertificateID.HASH_SHA1,
                    new DEROctetString(authority.sha1NameHash()),
                    new DEROctetString(authority.sha1KeyHash()),
                    new ASN1Integer(new BigInteger(serial, 16))));
            // GOOD is null in Bouncy Castle: a singleton list, not List.of.
            OcspAnswer answer =
                    responder.sign(authority, List.of(id), Collections.singletonList(status), null, false, now);
            if (answer == null) {
                break; // the token failed; what was signed is stored, the next round tries the rest
            }
            signedRows.add(new Object[] {row, answer});
        }
        if (signedRows.isEmpty()) {
            return 0;
        }
        database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO ocsp_response (ca_name, serial_hex, status,"
                    + " revocation_reason, revocation_time, this_update, next_update, response_der)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE status = VALUES(status),"
                    + " revocation_reason = VALUES(revocation_reason), revocation_time = VALUES(revocation_time),"
                    + " this_update = VALUES(this_update), next_update = VALUES(next_update),"
                    + " response_der = VALUES(response_der)")) {
                for (Object[] pair : signedRows) {
                    Object[] row = (Object[]) pair[0];
                    OcspAnswer answer = (OcspAnswer) pair[1];
                    ps.setString(1, authority.caName());
                    ps.setString(2, (String) row[0]);
                    ps.setString(3, (String) row[1]);
                    ps.setObject(4, row[2]);
                    ps.setObject(5, row[3]);
                    ps.setObject(6, DatabaseTime.toColumn(answer.thisUpdate()));
                    ps.setObject(7, DatabaseTime.toColumn(answer.nextUpdate()));
                    ps.setBytes(8, answer.der());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
        return signedRows.size();
    }

    /**
     * Stops the rounds. The lease is not released here: on SIGTERM the store may already be going
     * away, and waiting for a connection would hold up the shutdown; the lease simply lapses after
     * {@link #LEASE} and another process takes over.
     */
    @Override
    public void close() {
        timer.shutdownNow();
    }
}
