package tw.eid.pki.ocsp;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
import tw.eid.pki.ca.store.CertificateReader;
import tw.eid.pki.ca.store.CertificateReader.Revocation;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseLease;
import tw.eid.pki.ca.store.Lease;
import tw.eid.pki.ca.store.SqlCertificateStore;

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
    private final CertificateReader certificates;
    private final Lease lease;
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
        this.certificates = SqlCertificateStore.over(database);
        this.lease = new DatabaseLease(database, Lease.Name.OCSP_UPDATER);
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
            List<Revocation> batch;
            int done;
            // Keyset pagination over (updated_at, serial): each batch goes on after the last row of
            // the one before, so a round reads each changed row once (re-reading from `from` made a
            // catch-up over N rows cost N^2/BATCH row reads: a million rows took more than half an hour).
            Instant afterTime = from;
            String afterSerial = "";
            do { // until a batch is short, or the token fails part-way (then the next round goes on from the same
                // place)
                List<CertificateReader.Changed> changed =
                        certificates.changedSincePresigned(authority.caName(), afterTime, afterSerial, BATCH);
                batch = changed.stream()
                        .map(CertificateReader.Changed::revocation)
                        .toList();
                done = sign(authority, batch, now);
                n += done;
                if (!changed.isEmpty()) {
                    CertificateReader.Changed last = changed.get(changed.size() - 1);
                    afterTime = last.updatedAt();
                    afterSerial = last.revocation().serialHex();
                }
            } while (batch.size() == BATCH && done == BATCH);
            complete &= done == batch.size();
            Instant refreshBefore = now.minus(responder.config().validity().dividedBy(4));
            do {
                batch = certificates.presignedBefore(authority.caName(), refreshBefore, now, BATCH);
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
        Instant at = PresignedResponses.caughtUpTo(database);
        return at == null ? Instant.EPOCH.plus(CHANGE_WINDOW) : at;
    }

    private void recordCaughtUp(Instant roundStart) {
        PresignedResponses.recordCaughtUp(database, owner, roundStart);
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
        return lease.hold(owner, now, now.plus(LEASE));
    }

    /** Signs {@code rows} and stores the responses in one transaction per batch (one commit, not one per response). */
    private int sign(OcspAuthority authority, List<Revocation> rows, Instant now) {
        List<PresignedResponses.Signed> signedRows = new ArrayList<>();
        for (Revocation row : rows) {
            String serial = row.serialHex();
            CertificateStatus status = OcspResponder.status(row);
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
            signedRows.add(new PresignedResponses.Signed(row, answer));
        }
        if (signedRows.isEmpty()) {
            return 0;
        }
        PresignedResponses.store(database, authority.caName(), signedRows);
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
