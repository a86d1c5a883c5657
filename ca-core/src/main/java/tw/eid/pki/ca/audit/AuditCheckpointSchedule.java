package tw.eid.pki.ca.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
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
 * <p>Several service processes may each run one: a duplicate checkpoint is harmless, but the
 * serving processes give it a {@code leader} (the CRL publisher's lease in the store), so that on a
 * cluster only the lease holder signs; the others' polls do nothing.
 */
public final class AuditCheckpointSchedule implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AuditCheckpointSchedule.class);

    private final Database database;
    private final AuditCheckpointer checkpointer;
    private final Supplier<ContentSigner> signers;
    private final String signerKeyLabel;
    private final Duration interval;
    private final Clock clock;
    private final BooleanSupplier leader;
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
        this(database, checkpointer, signers, signerKeyLabel, interval, clock, () -> true);
    }

    /**
     * @param leader whether this process is the one that signs now (asked at every poll, before the
     *     store is read): a lease held in the store, so that one process signs on a cluster
     */
    public AuditCheckpointSchedule(
            Database database,
            AuditCheckpointer checkpointer,
            Supplier<ContentSigner> signers,
            String signerKeyLabel,
            Duration interval,
            Clock clock,
            BooleanSupplier leader) {
        this.leader = Objects.requireNonNull(leader, "leader");
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

    /**
     * Signs a checkpoint now if one is due and this process is the leader; returns it, or empty if
     * none was due or another process leads.
     */
    public Optional<AuditCheckpoint> checkpointIfDue() {
        if (!leader.getAsBoolean()) {
            return Optional.empty();
        }
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
     * The key label of the latest checkpoint (the ceremony signs the first one with the audit
     * checkpoint key it created), so that a serving process signs with the same key; empty before
     * the first checkpoint.
     */
    public static Optional<String> lastSignerKeyLabel(Database database) {
        return database.inTransaction(connection ->
                new AuditCheckpointer(Clock.systemUTC()).latest(connection).map(AuditCheckpoint::signerKeyLabel));
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
