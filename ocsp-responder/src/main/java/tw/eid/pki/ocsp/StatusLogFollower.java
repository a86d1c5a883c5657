package tw.eid.pki.ocsp;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.SqlCertificateStore;
import tw.eid.pki.ca.store.StatusChangeLog;

/**
 * Follows the store's status change log and drops the cached responses of every certificate it
 * names, without restart or reload: a change the RA committed is answered correctly by this
 * responder within one {@link OcspConfig#followInterval} plus a look-up.
 *
 * <p>It follows the log's {@code commit_seq}, not its ids: ids are allocated at insert, not at
 * commit (and Galera allocates them in steps of the cluster size), so a change could commit
 * behind hundreds of later ids and be passed. {@code commit_seq} values become visible in their
 * order (V12, docs/cluster.md#the-status-change-log), so reading past the highest seen misses
 * nothing.
 */
public final class StatusLogFollower implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StatusLogFollower.class);

    private final StatusChangeLog statusLog;
    private final OcspResponder responder;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private volatile long highest;
    private volatile Instant lastRead;

    private StatusLogFollower(Database database, OcspResponder responder, Clock clock) {
        this.statusLog = SqlCertificateStore.over(database);
        this.responder = responder;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ocsp-status-follower");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts following from the log's current end (the cache is empty at start). */
    public static StatusLogFollower start(Database database, OcspResponder responder, Clock clock) {
        StatusLogFollower f = new StatusLogFollower(
                Objects.requireNonNull(database), Objects.requireNonNull(responder), Objects.requireNonNull(clock));
        f.highest = f.statusLog.lastId();
        f.lastRead = clock.instant();
        long interval = responder.config().followInterval().toMillis();
        f.timer.scheduleWithFixedDelay(f::readOnce, interval, interval, TimeUnit.MILLISECONDS);
        return f;
    }

    /** One read of the log; public for tests that drive it by hand. */
    public synchronized void readOnce() {
        try {
            Instant started = clock.instant();
            long from = highest;
            List<StatusChangeLog.Entry> changes = statusLog.since(from);
            long max = highest;
            for (StatusChangeLog.Entry change : changes) {
                long id = change.id();
                if (id > max) {
                    max = id;
                }
                responder.invalidate(change.caName(), change.serialHex());
            }
            highest = max;
            responder.statusLogRead(started);
            lastRead = clock.instant();
        } catch (RuntimeException e) {
            log.warn("cannot read the status change log: {}", e.toString());
        }
    }

    /** When the log was last read successfully: /health turns red when this falls behind. */
    public Instant lastRead() {
        return lastRead;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
