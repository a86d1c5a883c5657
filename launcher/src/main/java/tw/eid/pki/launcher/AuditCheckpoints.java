package tw.eid.pki.launcher;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.ca.audit.AuditCheckpoint;
import tw.eid.pki.ca.audit.AuditCheckpointSchedule;
import tw.eid.pki.ca.audit.AuditCheckpointer;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.hsm.Token;

/**
 * The audit checkpoints a serving process signs on a schedule (docs/operations.md, "Audit
 * checkpoints"): the process that publishes CRLs signs one every {@link #INTERVAL} while the ledger
 * has grown, with the audit checkpoint key of the online token (the key the ceremony's first
 * checkpoint names), and only while its CRL publisher holds the publisher lease, so that on a
 * cluster one process signs. Without a checkpoint in the store, or without that key in this token,
 * nothing is scheduled (logged once).
 */
final class AuditCheckpoints implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AuditCheckpoints.class);

    /** The longest time audit events stay unsealed; well inside AuditCheckpointStale's 25 hours. */
    static final Duration INTERVAL = Duration.ofHours(1);

    private final AuditCheckpointSchedule schedule;
    private final ScheduledExecutorService executor;

    private AuditCheckpoints(AuditCheckpointSchedule schedule, ScheduledExecutorService executor) {
        this.schedule = schedule;
        this.executor = executor;
    }

    /**
     * The schedule for this process, not yet polling; null (and a warning) when the store names no
     * checkpoint key or this token does not hold it.
     */
    static AuditCheckpoints create(
            Database database, Token token, BooleanSupplier leader, Duration interval, Clock clock) {
        Optional<String> label = AuditCheckpointSchedule.lastSignerKeyLabel(database);
        if (label.isEmpty()) {
            log.warn("no audit checkpoint in the store yet, so none is signed on a schedule (run a ceremony)");
            return null;
        }
        String key = label.get();
        if (token.keyInfo(key).isEmpty()) {
            log.warn(
                    "the audit checkpoint key '{}' is not in token '{}', so no checkpoint is signed on a schedule",
                    key,
                    token.label());
            return null;
        }
        AuditCheckpointSchedule schedule = new AuditCheckpointSchedule(
                database, new AuditCheckpointer(clock), () -> token.signer(key), key, interval, clock, leader);
        return new AuditCheckpoints(schedule, null);
    }

    /** Like {@link #create}, polling on a thread of its own from now on (null when nothing is scheduled). */
    static AuditCheckpoints start(Database database, Token token, BooleanSupplier leader, Clock clock) {
        AuditCheckpoints created = create(database, token, leader, INTERVAL, clock);
        if (created == null) {
            return null;
        }
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "audit-checkpoints");
            t.setDaemon(true);
            return t;
        });
        created.schedule.start(executor);
        return new AuditCheckpoints(created.schedule, executor);
    }

    /** One poll: signs if due and leading (what the polling thread runs; tests call it with a pinned clock). */
    Optional<AuditCheckpoint> checkpointIfDue() {
        return schedule.checkpointIfDue();
    }

    @Override
    public void close() {
        schedule.close();
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
