package tw.eid.pki.crl;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a round of {@link CrlPublisher} publishes for one CA, decided from a snapshot of the CA's
 * state and the round's instant alone: no store, no token, no clock. The publisher gathers the
 * state ({@link State}), asks {@link #plan}, and carries out the {@link Plan}.
 *
 * <p>The rules (docs/profiles.md, "CRLs"; {@link CrlConfig}): a full CRL is due when there is none,
 * when half its lifetime has passed since its thisUpdate, or when a change it does not list has
 * waited {@link CrlConfig#fullAfterChange}; otherwise a partition's delta is due when there is
 * none, when a change is pending, or when half the delta's lifetime has passed. A CA with a single
 * CRL (no partitions, no deltas) re-issues it when it is due or a change is pending.
 *
 * <p>Pending changes: those not yet covered by a CRL this publisher issued, listable now (see
 * {@link #listableBefore}) and recent (stamped within {@link #triggerWindow} of now); at the
 * first round as leader ({@code caughtUp} false) every change since the CAs' latest CRLs instead,
 * and of a partition only those not older than its latest CRL.
 */
final class PublicationPolicy {
    /** Why a CRL is due. */
    enum Reason {
        /** The partition (or the CA) has no full CRL yet. */
        NO_FULL,
        /** Half the full CRL's lifetime has passed since its thisUpdate. */
        FULL_AGE,
        /** A change the latest full CRL does not list has waited {@link CrlConfig#fullAfterChange}. */
        CHANGE_WAITED,
        /** Changes are pending: a partition's delta, or a CA's single CRL. */
        CHANGES,
        /** The partition has a full CRL but no delta yet. */
        NO_DELTA,
        /** Half the delta's lifetime has passed since its thisUpdate. */
        DELTA_AGE
    }

    /**
     * One publication: a full CRL of {@code partition} (0: the CA's single CRL; for a partition
     * with its delta of the same number), or when {@code delta} a delta alone on the partition's
     * latest full CRL. {@code covers}: the pending change ids it lists, covered once it is published.
     */
    record Step(int partition, boolean delta, Reason reason, List<Long> covers) {
        Step {
            Objects.requireNonNull(reason, "reason");
            covers = List.copyOf(covers);
        }
    }

    /** What a round publishes for one CA, in partition order; empty when nothing is due. */
    record Plan(List<Step> steps) {
        static final Plan NOTHING = new Plan(List.of());

        Plan {
            steps = List.copyOf(steps);
        }

        boolean isEmpty() {
            return steps.isEmpty();
        }
    }

    /**
     * One CA as a round sees it.
     *
     * @param partitioned whether the CA's CRLs are partitioned (full CRLs and deltas) or single
     * @param partitions the CA's partitions in order ({@code [0]} for a single CRL)
     * @param fulls the latest full CRL per partition (absent: none yet)
     * @param deltas the latest delta CRL per partition (absent: none yet)
     * @param changes the CA's status changes stamped at or after {@link #changesFrom} (a wider
     *     list decides the same)
     * @param covered the change ids already covered by a CRL this publisher issued
     * @param caughtUp whether this publisher has completed a round as leader since it last was not
     */
    record State(
            boolean partitioned,
            List<Integer> partitions,
            Map<Integer, CrlStore.Stored> fulls,
            Map<Integer, CrlStore.Stored> deltas,
            List<CrlStore.Change> changes,
            Set<Long> covered,
            boolean caughtUp) {
        State {
            partitions = List.copyOf(partitions);
            fulls = Map.copyOf(fulls);
            deltas = Map.copyOf(deltas);
            changes = List.copyOf(changes);
            covered = Set.copyOf(covered);
        }

        /** This state with {@code list} as its changes. */
        State withChanges(List<CrlStore.Change> list) {
            return new State(partitioned, partitions, fulls, deltas, list, covered, caughtUp);
        }
    }

    private final CrlConfig config;

    PublicationPolicy(CrlConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * How far back changes may be pending when this publisher is caught up: the change margin
     * (a change is stamped before its transaction commits) and three rounds.
     */
    Duration triggerWindow() {
        return config.changeMargin().plus(config.round().multipliedBy(3));
    }

    /**
     * The changes a CRL made at {@code now} can list: those before its thisUpdate's next whole
     * second (the dates are listed in whole seconds). A later one is not marked covered, so the
     * next round lists it.
     */
    static Instant listableBefore(Instant now) {
        return now.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    }

    /** The earliest change {@link #plan} looks at for {@code state} (whose changes it ignores). */
    Instant changesFrom(State state, Instant now) {
        Instant pending = pendingFrom(state, now);
        if (!state.partitioned()) {
            return pending;
        }
        Instant fullOldest = state.fulls().values().stream()
                .map(CrlStore.Stored::thisUpdate)
                .min(Instant::compareTo)
                .orElse(now);
        return fullOldest.isBefore(pending) ? fullOldest : pending;
    }

    /** What is due at {@code now} for the CA of {@code state}. */
    Plan plan(State state, Instant now) {
        return state.partitioned() ? planPartitioned(state, now) : planSingle(state, now);
    }

    /** Changes from here on may be pending (the recent ones; at the first round, those since the latest CRLs). */
    private Instant pendingFrom(State state, Instant now) {
        if (state.caughtUp()) {
            return now.minus(triggerWindow());
        }
        if (!state.partitioned()) {
            CrlStore.Stored f = state.fulls().get(0);
            return f == null ? now.minus(triggerWindow()) : f.thisUpdate();
        }
        Instant oldest = now;
        for (int p : state.partitions()) {
            CrlStore.Stored d = state.deltas().get(p);
            CrlStore.Stored f = state.fulls().get(p);
            Instant since = d != null ? d.thisUpdate() : f != null ? f.thisUpdate() : Instant.EPOCH;
            if (since.isBefore(oldest)) {
                oldest = since;
            }
        }
        return oldest;
    }

    /** Whether a change is pending in general: recent enough, not covered, listable now. */
    private boolean pending(State state, CrlStore.Change ch, Instant from, Instant listable) {
        return !ch.changedAt().isBefore(from)
                && !state.covered().contains(ch.id())
                && ch.changedAt().isBefore(listable);
    }

    private Plan planSingle(State state, Instant now) {
        CrlStore.Stored f = state.fulls().get(0);
        Instant from = pendingFrom(state, now);
        Instant listable = listableBefore(now);
        List<Long> pending = new ArrayList<>();
        for (CrlStore.Change ch : state.changes()) {
            if (pending(state, ch, from, listable)) {
                pending.add(ch.id());
            }
        }
        Reason reason = f == null
                ? Reason.NO_FULL
                : halfPassed(f, config.fullLifetime(), now)
                        ? Reason.FULL_AGE
                        : !pending.isEmpty() ? Reason.CHANGES : null;
        return reason == null ? Plan.NOTHING : new Plan(List.of(new Step(0, false, reason, pending)));
    }

    private Plan planPartitioned(State state, Instant now) {
        Instant from = pendingFrom(state, now);
        Instant listable = listableBefore(now);
        Map<Integer, List<Long>> pending = new HashMap<>();
        // A change waits at most fullAfterChange for a full CRL that lists it.
        Map<Integer, Instant> firstUnlisted = new HashMap<>();
        for (CrlStore.Change ch : state.changes()) {
            CrlStore.Stored f = state.fulls().get(ch.partition());
            if (f != null && !ch.changedAt().isBefore(f.thisUpdate())) {
                firstUnlisted.merge(ch.partition(), ch.changedAt(), (x, y) -> x.isBefore(y) ? x : y);
            }
            if (!pending(state, ch, from, listable)) {
                continue; // old, covered already, or too new for this round's CRLs: the next round's
            }
            CrlStore.Stored latest = latestOf(f, state.deltas().get(ch.partition()));
            if (state.caughtUp() || latest == null || !ch.changedAt().isBefore(latest.thisUpdate())) {
                pending.computeIfAbsent(ch.partition(), k -> new ArrayList<>()).add(ch.id());
            }
        }
        List<Step> steps = new ArrayList<>();
        for (int p : state.partitions()) {
            CrlStore.Stored f = state.fulls().get(p);
            CrlStore.Stored d = state.deltas().get(p);
            Instant waiting = firstUnlisted.get(p);
            List<Long> covers = pending.getOrDefault(p, List.of());
            Reason full = f == null
                    ? Reason.NO_FULL
                    : halfPassed(f, config.fullLifetime(), now)
                            ? Reason.FULL_AGE
                            : waiting != null && !now.isBefore(waiting.plus(config.fullAfterChange()))
                                    ? Reason.CHANGE_WAITED
                                    : null;
            if (full != null) {
                steps.add(new Step(p, false, full, covers));
                continue;
            }
            Reason delta = d == null
                    ? Reason.NO_DELTA
                    : !covers.isEmpty()
                            ? Reason.CHANGES
                            : halfPassed(d, config.deltaLifetime(), now) ? Reason.DELTA_AGE : null;
            if (delta != null) {
                steps.add(new Step(p, true, delta, covers));
            }
        }
        return steps.isEmpty() ? Plan.NOTHING : new Plan(steps);
    }

    private static boolean halfPassed(CrlStore.Stored crl, Duration lifetime, Instant now) {
        return !now.isBefore(crl.thisUpdate().plus(lifetime.dividedBy(2)));
    }

    private static CrlStore.Stored latestOf(CrlStore.Stored f, CrlStore.Stored d) {
        if (f == null) {
            return d;
        }
        if (d == null) {
            return f;
        }
        return f.thisUpdate().isAfter(d.thisUpdate()) ? f : d;
    }
}
