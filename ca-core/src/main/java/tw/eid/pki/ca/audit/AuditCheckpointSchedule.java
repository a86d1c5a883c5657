package tw.eid.pki.ca.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.bouncycastle.operator.ContentSigner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.ca.store.Database;

/**
 * Signs a checkpoint whenever the last one is older than the interval and the ledger has grown
 * since. Whether one is due is decided by the injected clock, so tests call {@link
 * #checkpointIfDue()} with a pinned clock; {@link #start} only polls it.
 *
 * <p>Several service processes may each run one: a duplicate checkpoint is harmless.
 */
public final class AuditCheckpointSchedule implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AuditCheckpointSchedule.class);

    private final Database database;
    private final AuditCheckpointer checkpointer;
    private final Supplier<ContentSigner> signers;
    private final String signerKeyLabel;
    private final Duration interval;
    private final Clock clock;
    private ScheduledFuture<?> polling;

    /**
     * @param signers gives a fresh signer for the checkpoint key each time (e.g. from hsm-config)
     * @param interval the longest time events stay unsealed; at least one second
     */
    public AuditCheckpointSchedule(
            Database database,
            AuditCheckpointer checkpointer,
            Supplier<ContentSigner> signers,
            String signerKeyLabel,
            Duration interval,
            Clock clock) {
        this.database = Objects.requireNonNull(database, "database");
        this.checkpointer = Objects.requireNonNull(checkpointer, "checkpointer");
        this.signers = Objects.requireNonNull(signers, "signers");
        this.signerKeyLabel = Objects.requireNonNull(signerKeyLabel, "signerKeyLabel");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("checkpoint interval must be at least one second");
        }
    }

    /** Signs a checkpoint now if one is due; returns it, or empty if none was due. */
    public Optional<AuditCheckpoint> checkpointIfDue() {
        return database.inTransaction(connection -> {
            Optional<AuditCheckpoint> last = checkpointer.latest(connection);
            long headSeq;
            try (var statement = connection.createStatement();
                    var head = statement.executeQuery("SELECT last_seq FROM audit_head WHERE id = 1")) {
                headSeq = head.next() ? head.getLong(1) : 0;
            }
            long sealedSeq = last.map(AuditCheckpoint::seq).orElse(0L);
            if (headSeq <= sealedSeq) {
                return Optional.empty();
            }
            Instant now = clock.instant();
            if (last.isPresent() && now.isBefore(last.get().signedAt().plus(interval))) {
                return Optional.empty();
            }
            return Optional.of(checkpointer.checkpoint(connection, signers.get(), signerKeyLabel));
        });
    }

    /**
     * Polls {@link #checkpointIfDue()} on the executor, a tenth of the interval apart (between one
     * second and one minute). A failed attempt is logged and tried again at the next poll.
     */
    public synchronized void start(ScheduledExecutorService executor) {
        if (polling != null) {
            throw new IllegalStateException("already started");
        }
        long pollMillis = Math.max(1_000, Math.min(60_000, interval.toMillis() / 10));
        polling = executor.scheduleWithFixedDelay(
                () -> {
                    try {
                        checkpointIfDue()
                                .ifPresent(c -> log.info(
                                        "audit checkpoint {} sealed the ledger up to seq {}", c.id(), c.seq()));
                    } catch (RuntimeException e) {
                        log.error("audit checkpoint failed; will retry", e);
                    }
                },
                pollMillis,
                pollMillis,
                TimeUnit.MILLISECONDS);
    }

    /** Stops polling; does not shut the executor down (the caller owns it). */
    @Override
    public synchronized void close() {
        if (polling != null) {
            polling.cancel(false);
            polling = null;
        }
    }
}
