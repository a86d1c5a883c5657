package tw.eid.pki.crl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.operator.ContentSigner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditDetails;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditResult;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.profile.SignatureAlgorithms;
import tw.eid.pki.ca.store.CertificateStatus;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.hsm.Token;

/**
 * Publishes the online CAs' CRLs (issue 5; docs/profiles.md, "CRLs"):
 *
 * <ul>
 *   <li>the Citizen CA: per partition a full CRL with a critical issuingDistributionPoint equal to
 *       the partition's URL (the CRL DP of its certificates) and a freshestCRL pointing at its delta
 *       CRL; deltas (critical deltaCRLIndicator = the base's number, the same IDP) cumulative since
 *       their base, RFC 5280 §5.2.4: new holds and revocations with their current reason (a hold
 *       later revoked shows the new reason) and removeFromCRL for resumed certificates;</li>
 *   <li>the RA Operators CA: one CRL, no IDP, no delta.</li>
 * </ul>
 *
 * <p>Numbers: full and delta CRLs of a partition share one sequence kept in the store
 * ({@link CrlStore#allocateNumber}); a delta issued together with its full CRL carries the same
 * number (§5.2.3) and has the previous full CRL as its base, so that base + that delta says what
 * the new full CRL says.
 *
 * <p>When: a round every {@link CrlConfig#round} on the lease holder ({@code crl_publisher_lease};
 * any number of publishers may run, one works). A status change not yet covered gets a delta for
 * its partition in the next round (the single CRL of the RA Operators CA is re-issued instead); a
 * full CRL is re-issued when half its lifetime has passed, or when a change has waited {@link
 * CrlConfig#fullAfterChange}; a delta when half its lifetime has passed. {@link PublicationPolicy}
 * decides what is due from the state a round gathers; the round carries out its plan.
 *
 * <p>Each CRL streams from a database cursor into DER ({@link CrlBuilder}), is signed in the
 * token, read back and checked ({@link CrlFacts}, {@link CrlChecks}), stored (the store refuses a
 * number that does not exceed the stored one), then written atomically into the directory if
 * one is configured. A crash anywhere before the store's commit leaves the previous CRL served.
 */
public final class CrlPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CrlPublisher.class);
    static final Duration LEASE = Duration.ofSeconds(30);

    private final Database database;
    private final CrlStore store;
    private final Token token;
    private final ProfileSettings settings;
    private final CrlConfig config;
    private final PublicationPolicy policy;
    private final String owner;
    private final Clock clock;
    private final CrlDirectory directory;
    private final AuditLedger audit;
    /** Who the audit trail names for online publications: the publisher and its owner id. */
    private final Actor actor;

    private final ScheduledExecutorService timer;
    /** Runs the second cursor of a partition's full CRL. */
    private final ExecutorService cursors;
    /** Status change ids already covered by a CRL this publisher issued (within the trigger window). */
    private final Map<Long, Instant> covered = new HashMap<>();

    private boolean caughtUp;
    private volatile List<OfflineCrlStatus> offline = List.of();
    private volatile Instant lastRound;
    /** Until when this publisher holds the lease by its last renewal (null: it does not). */
    private volatile Instant heldUntil;
    /** When each offline CA's CRL was last warned about (a warning an hour, not one a round). */
    private final Map<String, Instant> warned = new ConcurrentHashMap<>();

    /** docs/metrics.md: a round's publications (a full CRL of a partition counts once, with its delta). */
    private static final Counter PUBLISHED_FULL = published("full");

    private static final Counter PUBLISHED_DELTA = published("delta");
    private static final Counter FAILURES = Counter.builder("eidpki.crl.publication.failures")
            .description("CRL publications (or whole rounds) of the lease holder that failed")
            .register(Metrics.globalRegistry);

    private static Counter published(String kind) {
        return Counter.builder("eidpki.crl.publications")
                .description("CRLs the lease holder's rounds published, by kind")
                .tag("kind", kind)
                .register(Metrics.globalRegistry);
    }

    static final Duration WARN_EVERY = Duration.ofHours(1);
    /** How long the last build took (cursor, DER, signature), for the publication's log line. */
    private long lastBuildNanos;
    /** Of which the signature (the hash of the TBSCertList and the token's signature). */
    private long lastSignNanos;
    /** Test hook: runs after a CRL is signed and checked, before it is stored (a crash there). */
    volatile Runnable afterSigning = () -> {};

    /** One CRL published by a round. */
    public record Published(
            String caName,
            int partition,
            boolean delta,
            BigInteger number,
            Long baseNumber,
            URI url,
            long entries,
            long bytes) {}

    /** An offline CA's CRL as the store has it, and whether its next ceremony is due. */
    public record OfflineCrlStatus(
            String caName, BigInteger number, Instant nextUpdate, boolean due, boolean expired) {}

    public CrlPublisher(
            Database database, Token token, ProfileSettings settings, CrlConfig config, String owner, Clock clock) {
        this.database = Objects.requireNonNull(database, "database");
        this.store = new CrlStore(database);
        this.token = Objects.requireNonNull(token, "token");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.config = Objects.requireNonNull(config, "config");
        this.policy = new PublicationPolicy(config);
        this.owner = Objects.requireNonNull(owner, "owner");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.directory = config.directory() == null ? null : new CrlDirectory(config.directory());
        this.audit = AuditLedger.hashChained(clock);
        this.actor = Actor.local("crl-publisher:" + owner);
        this.cursors = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "crl-cursor");
            t.setDaemon(true);
            return t;
        });
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "crl-publisher");
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs a round every {@link CrlConfig#round} from now on. */
    public CrlPublisher start() {
        timer.scheduleWithFixedDelay(
                () -> {
                    try {
                        runOnce();
                    } catch (RuntimeException e) {
                        FAILURES.increment();
                        log.warn("CRL publisher round failed: {}", e.toString());
                    }
                },
                0,
                config.round().toMillis(),
                TimeUnit.MILLISECONDS);
        return this;
    }

    public CrlConfig config() {
        return config;
    }

    /** The offline CRLs as of the last round (for /health). */
    public List<OfflineCrlStatus> offlineCrls() {
        return offline;
    }

    /** When the last round ended (null before the first). */
    public Instant lastRound() {
        return lastRound;
    }

    /**
     * Whether this publisher holds the lease now: its last round took or renewed it and the lease
     * has not run out since (by the injected clock). The audit checkpoint schedule of the serving
     * process signs only while this holds, so that one process signs on a cluster.
     */
    public boolean leading() {
        Instant until = heldUntil;
        return until != null && clock.instant().isBefore(until);
    }

    /** One round: the CRLs it published, or null when another publisher holds the lease. */
    public synchronized List<Published> runOnce() {
        Instant now = clock.instant();
        if (!store.holdLease(owner, now, now.plus(LEASE))) {
            heldUntil = null;
            caughtUp = false;
            covered.clear();
            return null;
        }
        heldUntil = now.plus(LEASE);
        List<CrlAuthority> authorities = CrlAuthority.load(database);
        offline = checkOffline(authorities, now);
        List<Published> out = new ArrayList<>();
        for (CrlAuthority a : authorities) {
            if (!a.online() || !a.tokenLabel().equals(token.label())) {
                continue;
            }
            out.addAll(round(a, now));
        }
        caughtUp = true;
        Instant forget = now.minus(policy.triggerWindow()).minus(policy.triggerWindow());
        covered.values().removeIf(t -> t.isBefore(forget));
        lastRound = clock.instant();
        return out;
    }

    /**
     * Publishes every online CA's CRLs now, due or not (full CRLs, and with them the deltas):
     * {@code bin/eidpki crl publish}. Ignores the lease; the numbers stay safe (the store).
     */
    public synchronized List<Published> publishAll() {
        Instant now = clock.instant();
        List<CrlAuthority> authorities = CrlAuthority.load(database);
        offline = checkOffline(authorities, now);
        List<Published> out = new ArrayList<>();
        for (CrlAuthority a : authorities) {
            if (!a.online() || !a.tokenLabel().equals(token.label())) {
                continue;
            }
            if (a.partitioned()) {
                for (int p : store.partitions(a.name())) {
                    out.addAll(publishFull(a, p, now));
                }
            } else {
                out.addAll(publishFull(a, 0, now));
            }
        }
        return out;
    }

    /** Publishes the full CRL (and its delta) of one partition of the Citizen CA now. */
    public synchronized List<Published> publishPartition(int partition) {
        CrlAuthority a = CrlAuthority.load(database).stream()
                .filter(CrlAuthority::partitioned)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no Citizen CA in the store"));
        return publishFull(a, partition, clock.instant());
    }

    /**
     * One CA's round: gathers its state, asks the {@link PublicationPolicy} what is due, and
     * publishes that, marking the changes each CRL lists as covered.
     */
    private List<Published> round(CrlAuthority a, Instant now) {
        PublicationPolicy.State state = state(a, now);
        List<Published> out = new ArrayList<>();
        for (PublicationPolicy.Step step : policy.plan(state, now).steps()) {
            int p = step.partition();
            try {
                if (step.delta()) {
                    out.add(publishDelta(a, p, state.fulls().get(p), now));
                } else {
                    out.addAll(publishFull(a, p, now));
                }
                step.covers().forEach(id -> covered.put(id, now));
                (step.delta() ? PUBLISHED_DELTA : PUBLISHED_FULL).increment();
                if (a.partitioned()) {
                    store.holdLease(owner, clock.instant(), clock.instant().plus(LEASE));
                }
            } catch (RuntimeException e) {
                FAILURES.increment();
                if (a.partitioned()) {
                    log.error("cannot publish the CRL of {} partition {}: {}", a.name(), p, e.toString());
                } else {
                    log.error("cannot publish the CRL of {}: {}", a.name(), e.toString());
                }
            }
        }
        return out;
    }

    /** What the policy needs of {@code a}: its latest CRLs, the changes since, what this publisher covered. */
    private PublicationPolicy.State state(CrlAuthority a, Instant now) {
        List<Integer> partitions = a.partitioned() ? store.partitions(a.name()) : List.of(0);
        Map<Integer, CrlStore.Stored> fulls = new HashMap<>();
        Map<Integer, CrlStore.Stored> deltas = new HashMap<>();
        for (int p : partitions) {
            store.latest(a.name(), p, false).ifPresent(s -> fulls.put(p, s));
            if (a.partitioned()) {
                store.latest(a.name(), p, true).ifPresent(s -> deltas.put(p, s));
            }
        }
        PublicationPolicy.State state = new PublicationPolicy.State(
                a.partitioned(), partitions, fulls, deltas, List.of(), covered.keySet(), caughtUp);
        return state.withChanges(store.changesSince(a.name(), policy.changesFrom(state, now)));
    }

    /**
     * A full CRL of {@code partition} (0: the CA's single CRL); for a partition also the delta with
     * the same number, based on the previous full CRL (or, for a partition's first full CRL, an
     * empty delta based on it, so that its freshestCRL URL answers at once).
     */
    List<Published> publishFull(CrlAuthority a, int partition, Instant now) {
        Optional<CrlStore.Stored> previous = store.latest(a.name(), partition, false);
        BigInteger number = store.allocateNumber(a.name(), partition);
        List<Published> out = new ArrayList<>();
        out.add(publish(a, partition, build(a, partition, number, null, null, now), null));
        if (a.partitioned()) {
            if (previous.isPresent()) {
                CrlStore.Stored base = previous.get();
                out.add(publish(
                        a,
                        partition,
                        build(a, partition, number, base.number(), base.thisUpdate(), now),
                        base.number()));
            } else {
                BigInteger next = store.allocateNumber(a.name(), partition);
                out.add(publish(
                        a,
                        partition,
                        build(a, partition, next, number.longValueExact(), now, now),
                        number.longValueExact()));
            }
        }
        return out;
    }

    /** A delta of {@code partition} on its latest full CRL {@code base}, cumulative since it. */
    Published publishDelta(CrlAuthority a, int partition, CrlStore.Stored base, Instant now) {
        BigInteger number = store.allocateNumber(a.name(), partition);
        return publish(a, partition, build(a, partition, number, base.number(), base.thisUpdate(), now), base.number());
    }

    /**
     * Streams and signs one CRL. A full CRL when {@code baseNumber} is null; else a delta listing
     * the certificates whose status changed since {@code baseThisUpdate} (less the margin).
     */
    private EncodedCrl build(
            CrlAuthority a, int partition, BigInteger number, Long baseNumber, Instant baseThisUpdate, Instant now) {
        boolean delta = baseNumber != null;
        long started = System.nanoTime();
        Instant thisUpdate = now.truncatedTo(ChronoUnit.SECONDS);
        Instant nextUpdate = thisUpdate.plus(delta ? config.deltaLifetime() : config.fullLifetime());
        AlgorithmIdentifier algorithm = SignatureAlgorithms.forIssuer(a.publicKey());
        CrlBuilder builder = new CrlBuilder(a.subject(), algorithm, thisUpdate, nextUpdate);
        // RFC 5280 §3.3: an entry stays until it has appeared on a CRL issued after the certificate
        // expired; full CRLs come at least every half lifetime, so one lifetime past notAfter suffices.
        Instant expiredBefore = config.keepExpired() ? null : thisUpdate.minus(config.fullLifetime());
        // What changed after thisUpdate (in its second: the dates are listed in whole seconds) waits
        // for the next delta: no CRL lists a revocationDate after its own thisUpdate.
        Instant before = PublicationPolicy.listableBefore(now);
        if (delta) {
            store.changedEntries(
                    a.name(), partition, baseThisUpdate.minus(config.changeMargin()), before, expiredBefore, row -> {
                        if (row.status() == CertificateStatus.GOOD) {
                            // Resumed (or held and resumed since the base): removeFromCRL, §5.3.1.
                            builder.add(row.serialHex(), row.lastChange(), CrlBuilder.REMOVE_FROM_CRL);
                        } else {
                            builder.add(row.serialHex(), row.revocationTime(), reason(row));
                        }
                    });
        } else {
            fullEntries(a, partition, before, expiredBefore, builder);
        }
        ContentSigner signer = token.signer(a.keyLabel());
        long signing = System.nanoTime();
        EncodedCrl crl = builder.sign(CrlExtensions.of(a, settings, partition, number, baseNumber), number, signer);
        lastBuildNanos = System.nanoTime() - started;
        lastSignNanos = System.nanoTime() - signing;
        return crl;
    }

    /**
     * A full CRL's entries. A partition's list is read as two serial ranges at once, on two
     * connections, each into its own segment of the CRL (the database's index scan is most of a
     * large partition's time, and one cursor keeps one server thread busy); the split is at the
     * middle of the revoked serials' range, and the two ranges are complementary, so every entry is
     * read exactly once whatever the split.
     */
    private void fullEntries(CrlAuthority a, int partition, Instant before, Instant expiredBefore, CrlBuilder builder) {
        String middle = partition == 0 ? null : split(store.revokedSerialBounds(a.name(), partition));
        if (middle == null) {
            store.fullEntries(a.name(), partition, before, expiredBefore, null, null, sink(builder.segment()));
            return;
        }
        CrlBuilder.Segment low = builder.segment();
        CrlBuilder.Segment high = builder.segment();
        Future<?> lower = cursors.submit(
                () -> store.fullEntries(a.name(), partition, before, expiredBefore, null, middle, sink(low)));
        try {
            store.fullEntries(a.name(), partition, before, expiredBefore, middle, null, sink(high));
        } finally {
            try {
                lower.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading the CRL's entries", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        }
    }

    private static CrlStore.EntrySink sink(CrlBuilder.Segment segment) {
        return (serial, hold, reason, revokedAt) ->
                segment.add(serial, revokedAt, hold ? CRLReason.certificateHold : listed(reason));
    }

    /**
     * A serial (store form) between {@code bounds[0]} and {@code bounds[1]}, about halfway by their
     * digits up to 8 past their common prefix (random serials differ at once; serials issued in
     * sequence share a prefix); null when there is nothing to split. Only balance depends on it.
     */
    static String split(String[] bounds) {
        if (bounds == null) {
            return null;
        }
        int common = 0;
        while (common < bounds[0].length()
                && common < bounds[1].length()
                && bounds[0].charAt(common) == bounds[1].charAt(common)) {
            common++;
        }
        int digits = Math.min(40, common + 8);
        BigInteger lo = new BigInteger(prefix(bounds[0], digits), 16);
        BigInteger hi = new BigInteger(prefix(bounds[1], digits), 16);
        String middle = lo.add(hi).shiftRight(1).toString(16);
        middle = "0".repeat(Math.max(0, digits - middle.length())) + middle;
        return middle.compareTo(bounds[0]) > 0 && middle.compareTo(bounds[1]) <= 0 ? middle : null;
    }

    private static String prefix(String serial, int digits) {
        return serial.length() >= digits ? serial.substring(0, digits) : serial + "0".repeat(digits - serial.length());
    }

    /** certificateHold for a held certificate; a revoked one's reason, none for unspecified (never 0 on the CRL). */
    private static int reason(CrlStore.Row row) {
        if (row.status() == CertificateStatus.HOLD) {
            return CRLReason.certificateHold;
        }
        return listed(row.reason());
    }

    /** A revoked certificate's stored reason as listed: none for unspecified or a code a revoked entry cannot carry. */
    private static int listed(int r) {
        return r == 0 || r == CrlBuilder.REMOVE_FROM_CRL || r == 7 || r > 10 ? 0 : r;
    }

    private Published publish(CrlAuthority a, int partition, EncodedCrl crl, Long baseNumber) {
        boolean delta = baseNumber != null;
        URI url = a.url(settings, partition, delta);
        long built = lastBuildNanos;
        long signed = lastSignNanos;
        long t0 = System.nanoTime();
        CrlFacts facts;
        try {
            facts = CrlFacts.read(crl.inputStream(), a.publicKey());
        } catch (IOException e) {
            throw new CrlRefusedException(url + ": the signed CRL does not parse: " + e.getMessage(), e);
        }
        CrlChecks.replaces(facts, null, a, url.toString());
        if (!facts.number().equals(crl.number())
                || !Objects.equals(facts.baseNumber(), baseNumber == null ? null : BigInteger.valueOf(baseNumber))) {
            throw new CrlRefusedException(url + ": the signed CRL's number or base differs from what was built");
        }
        afterSigning.run();
        long t1 = System.nanoTime();
        byte[] idp = facts.issuingDistributionPoint();
        CrlStore.Outcome outcome = store.store(
                a.name(),
                partition,
                crl,
                baseNumber,
                idp,
                clock.instant(),
                previousIdp -> {
                    // Offline CRLs stored by a ceremony have no IDP, and neither does a single CRL: empty = none.
                    byte[] before = previousIdp.length == 0 ? null : previousIdp;
                    if (!Arrays.equals(before, idp)) {
                        throw new CrlRefusedException(
                                url + ": the issuingDistributionPoint differs from the published CRL's");
                    }
                },
                c -> audit.append(
                        c,
                        actor.event(delta ? "crl.publish-delta" : "crl.publish", url.toString(), AuditResult.SUCCESS)
                                .withDetails(auditDetails(crl, baseNumber))));
        if (outcome == CrlStore.Outcome.SUPERSEDED) {
            log.info("{} number {} superseded by a newer stored CRL: dropped", url, crl.number());
            return new Published(a.name(), partition, delta, crl.number(), baseNumber, url, -1, -1);
        }
        long t2 = System.nanoTime();
        if (directory != null && !directory.publish(url, crl, facts, a)) {
            log.info("{} number {}: the directory already holds a newer CRL (another publisher's)", url, crl.number());
        }
        long t3 = System.nanoTime();
        log.info(
                "published {} number {}{} ({} entries, {} bytes; ms: cursor+DER {}, signature {}, read-back check {},"
                        + " store {}, file {})",
                url,
                crl.number(),
                delta ? " base " + baseNumber : "",
                crl.entries(),
                crl.length(),
                (built - signed) / 1_000_000,
                signed / 1_000_000,
                (t1 - t0) / 1_000_000,
                (t2 - t1) / 1_000_000,
                (t3 - t2) / 1_000_000);
        return new Published(a.name(), partition, delta, crl.number(), baseNumber, url, crl.entries(), crl.length());
    }

    /**
     * What the audit trail says of a publication: number, base, thisUpdate, nextUpdate, entries,
     * length and the SHA-256 of the CRL's signatureAlgorithm and signature (the last bytes of the
     * DER; the signature binds the whole TBSCertList, so this names the CRL without hashing
     * megabytes again).
     */
    private static AuditDetails auditDetails(EncodedCrl crl, Long baseNumber) {
        try {
            String signature = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(crl.tail()));
            AuditDetails d = AuditDetails.of().put("number", crl.number());
            if (baseNumber != null) {
                d.put("base", baseNumber);
            }
            return d.put("thisUpdate", crl.thisUpdate().toString())
                    .put("nextUpdate", crl.nextUpdate().toString())
                    .put("entries", crl.entries())
                    .put("bytes", crl.length())
                    .put("signatureSha256", signature);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<OfflineCrlStatus> checkOffline(List<CrlAuthority> authorities, Instant now) {
        List<OfflineCrlStatus> out = new ArrayList<>();
        for (CrlAuthority a : authorities) {
            if (a.online()) {
                continue;
            }
            Optional<CrlStore.Stored> s = store.latest(a.name(), 0, false);
            if (s.isEmpty()) {
                log.warn("no CRL of offline CA '{}' in the store: sign one at a ceremony", a.name());
                out.add(new OfflineCrlStatus(a.name(), null, null, true, true));
                continue;
            }
            Instant next = s.get().nextUpdate();
            boolean expired = !now.isBefore(next);
            boolean due = !now.isBefore(next.minus(config.offlineWarning()));
            Instant last = warned.get(a.name());
            boolean warn = (expired || due) && (last == null || !now.isBefore(last.plus(WARN_EVERY)));
            if (warn) {
                warned.put(a.name(), now);
            }
            if (expired && warn) {
                log.error(
                        "the CRL of offline CA '{}' (number {}) passed its nextUpdate {}: relying parties will refuse"
                                + " its certificates; sign a new one at a ceremony",
                        a.name(),
                        s.get().number(),
                        next);
            } else if (due && warn) {
                log.warn(
                        "the CRL of offline CA '{}' (number {}) expires at {}: a ceremony to sign the next one is due",
                        a.name(),
                        s.get().number(),
                        next);
            }
            out.add(new OfflineCrlStatus(a.name(), BigInteger.valueOf(s.get().number()), next, due, expired));
        }
        return out;
    }

    /** Stops the rounds (the lease lapses by itself, like the OCSP updater's). */
    @Override
    public void close() {
        timer.shutdownNow();
        cursors.shutdownNow();
    }
}
