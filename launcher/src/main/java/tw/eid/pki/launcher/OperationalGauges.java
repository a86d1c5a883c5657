package tw.eid.pki.launcher;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.ca.document.DocumentSignerPool;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.OperationalReadings;

/**
 * The metrics read from the store every {@link #EVERY} (docs/metrics.md): the leases, the audit
 * checkpoint's age, transaction retries by SQLSTATE, and, for the services that have them, the
 * OCSP pre-sign backlog, pending approvals and the DS pool. A reading that fails keeps the
 * previous values and is logged; ages are computed at scrape time from the instants read.
 */
final class OperationalGauges implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OperationalGauges.class);
    static final Duration EVERY = Duration.ofSeconds(5);
    /** How long each lease holds after a renewal (OcspUpdater.LEASE, CrlPublisher.LEASE). */
    private static final Map<String, Duration> LEASE_LENGTH =
            Map.of("ocsp_updater", Duration.ofSeconds(10), "crl_publisher", Duration.ofSeconds(30));
    /** The SQLSTATE/error pairs whose retry counters exist from the start: deadlock or certification conflict, lost node. */
    static final List<String> KNOWN_RETRY_STATES = List.of("40001/1213", "08S01", "08S01/1047");

    private final MeterRegistry registry = Metrics.globalRegistry;
    private final OperationalReadings readings;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final List<Runnable> reads = new ArrayList<>();
    private final Set<String> retryStates = ConcurrentHashMap.newKeySet();
    private final MultiGauge holders;
    private final Map<String, OperationalReadings.LeaseRow> leases = new ConcurrentHashMap<>();
    private volatile Instant checkpoint;

    OperationalGauges(Database database, Clock clock) {
        this.readings = new OperationalReadings(database);
        this.clock = clock;
        this.holders = MultiGauge.builder("eidpki.lease.holder")
                .description(
                        "1 for the process that holds each lease now (label holder); no series while none holds it")
                .register(registry);
        for (String lease : OperationalReadings.LEASES) {
            Gauge.builder("eidpki.lease.renewal.age", this, g -> g.renewalAge(lease))
                    .description("now - the lease's last renewal (NaN: never taken)")
                    .baseUnit("seconds")
                    .tag("lease", lease)
                    .strongReference(true)
                    .register(registry);
            Gauge.builder("eidpki.lease.held", this, g -> g.held(lease))
                    .description("1 while someone holds the lease (it was renewed and has not run out), else 0")
                    .tag("lease", lease)
                    .strongReference(true)
                    .register(registry);
        }
        Gauge.builder("eidpki.audit.checkpoint.age", this, g -> age(g.checkpoint))
                .description("now - signed_at of the latest signed audit checkpoint (NaN: none yet)")
                .baseUnit("seconds")
                .strongReference(true)
                .register(registry);
        KNOWN_RETRY_STATES.forEach(this::retryCounter);
        reads.add(this::readLeases);
        reads.add(() -> checkpoint = readings.lastAuditCheckpoint().orElse(null));
        reads.add(() -> Database.retriesBySqlState().keySet().forEach(this::retryCounter));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "metrics-readings");
            t.setDaemon(true);
            return t;
        });
    }

    /** Adds the OCSP pre-sign backlog of {@code caNames}. */
    OperationalGauges withPresignBacklog(Supplier<List<String>> caNames) {
        double[] backlog = {Double.NaN};
        Gauge.builder("eidpki.ocsp.presign.backlog", backlog, b -> b[0])
                .description("certificates whose pre-signed response is missing, outdated, or past half its validity")
                .strongReference(true)
                .register(registry);
        reads.add(() -> backlog[0] = readings.presignBacklog(caNames.get(), clock.instant()));
        return this;
    }

    /** Adds the pending approvals and the Document Signer pool of {@code pool}. */
    OperationalGauges withRa(DocumentSignerPool pool) {
        double[] values = {Double.NaN, Double.NaN, Double.NaN};
        Instant[] coveredUntil = {null};
        Gauge.builder("eidpki.ra.pending.approvals", values, v -> v[0])
                .description("bulk acts waiting for a second supervisor")
                .strongReference(true)
                .register(registry);
        Gauge.builder("eidpki.ds.certified.spares", values, v -> v[1])
                .description("certified Document Signers still usable, besides the active one")
                .strongReference(true)
                .register(registry);
        Gauge.builder("eidpki.ds.documents.left", values, v -> v[2])
                .description("SODs the active Document Signer may still sign (0: none active)")
                .strongReference(true)
                .register(registry);
        Gauge.builder("eidpki.ds.signing.left", coveredUntil, c -> c[0] == null ? 0 : -age(c[0]))
                .description("until the last usage period of the active and certified signers ends (0: none)")
                .baseUnit("seconds")
                .strongReference(true)
                .register(registry);
        reads.add(() -> values[0] = readings.pendingApprovals());
        reads.add(() -> {
            DocumentSignerPool.Status s = pool.status();
            values[1] = s.usableSpares();
            values[2] = s.active() == null
                    ? 0
                    : Math.max(0, s.active().maxDocuments() - s.active().documentsSigned());
            coveredUntil[0] = s.coveredUntil();
        });
        return this;
    }

    /** Reads once now, then every {@link #EVERY}. */
    OperationalGauges start() {
        readAll();
        timer.scheduleWithFixedDelay(this::readAll, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void readAll() {
        for (Runnable r : reads) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.warn("metrics: a store reading failed: {}", OneLine.of(e));
            }
        }
    }

    private void readLeases() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        Instant now = clock.instant();
        for (OperationalReadings.LeaseRow row : readings.leases()) {
            leases.put(row.lease(), row);
            if (row.owner() != null
                    && row.leaseUntil() != null
                    && row.leaseUntil().isAfter(now)) {
                rows.add(MultiGauge.Row.of(Tags.of("lease", row.lease(), "holder", row.owner()), 1));
            }
        }
        holders.register(rows, true);
    }

    private double renewalAge(String lease) {
        OperationalReadings.LeaseRow row = leases.get(lease);
        if (row == null || row.leaseUntil() == null) {
            return Double.NaN;
        }
        return age(row.leaseUntil().minus(LEASE_LENGTH.get(lease)));
    }

    private double held(String lease) {
        OperationalReadings.LeaseRow row = leases.get(lease);
        return row != null
                        && row.owner() != null
                        && row.leaseUntil() != null
                        && row.leaseUntil().isAfter(clock.instant())
                ? 1
                : 0;
    }

    private double age(Instant t) {
        return t == null ? Double.NaN : Duration.between(t, clock.instant()).toMillis() / 1000.0;
    }

    private void retryCounter(String state) {
        if (retryStates.add(state)) {
            // 'this' lives as long as the service (the counter holds its object weakly).
            FunctionCounter.builder(
                            "eidpki.store.transaction.retries",
                            this,
                            g -> Database.retriesBySqlState().getOrDefault(state, 0L))
                    .description("transactions run again, by SQLSTATE/error of the failure that made them retry")
                    .tag("sqlstate", state)
                    .register(registry);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
