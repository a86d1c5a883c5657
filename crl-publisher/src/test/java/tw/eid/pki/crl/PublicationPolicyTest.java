package tw.eid.pki.crl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tw.eid.pki.crl.PublicationPolicy.Plan;
import tw.eid.pki.crl.PublicationPolicy.Reason;
import tw.eid.pki.crl.PublicationPolicy.State;
import tw.eid.pki.crl.PublicationPolicy.Step;

/**
 * What is due, from a state and a fixed instant alone (no database, no token, no clock). With the
 * defaults: full CRLs for 7 days (due after 3.5), deltas for 1 day (due after 12 h), a change waits
 * at most 12 h for a full CRL, rounds of 10 s and a change margin of 5 minutes (a trigger window of
 * 5 min 30 s).
 */
class PublicationPolicyTest {
    static final CrlConfig CONFIG = CrlConfig.defaults();
    static final PublicationPolicy POLICY = new PublicationPolicy(CONFIG);
    static final Instant T0 = Instant.parse("2028-02-20T08:00:00Z");
    static final Duration HALF_FULL = Duration.ofHours(84);
    static final Duration HALF_DELTA = Duration.ofHours(12);

    static CrlStore.Stored full(long number, Instant thisUpdate) {
        return new CrlStore.Stored(number, number, null, thisUpdate, thisUpdate.plus(CONFIG.fullLifetime()));
    }

    static CrlStore.Stored delta(long number, long base, Instant thisUpdate) {
        return new CrlStore.Stored(100 + number, number, base, thisUpdate, thisUpdate.plus(CONFIG.deltaLifetime()));
    }

    static CrlStore.Change change(long id, int partition, Instant at) {
        return new CrlStore.Change(id, partition, at);
    }

    /** A partitioned CA whose partition 1 has a full CRL at {@code full} and a delta at {@code delta}. */
    static State partition1(
            Instant full, Instant delta, boolean caughtUp, Set<Long> covered, CrlStore.Change... changes) {
        Map<Integer, CrlStore.Stored> fulls = new HashMap<>();
        Map<Integer, CrlStore.Stored> deltas = new HashMap<>();
        if (full != null) {
            fulls.put(1, full(1, full));
        }
        if (delta != null) {
            deltas.put(1, delta(2, 1, delta));
        }
        return new State(true, List.of(1), fulls, deltas, List.of(changes), covered, caughtUp);
    }

    static State partition1(Instant full, Instant delta, CrlStore.Change... changes) {
        return partition1(full, delta, true, Set.of(), changes);
    }

    static State single(Instant full, boolean caughtUp, Set<Long> covered, CrlStore.Change... changes) {
        Map<Integer, CrlStore.Stored> fulls = full == null ? Map.of() : Map.of(0, full(1, full));
        return new State(false, List.of(0), fulls, Map.of(), List.of(changes), covered, caughtUp);
    }

    static Step only(Plan plan) {
        assertThat(plan.steps()).hasSize(1);
        return plan.steps().get(0);
    }

    @Test
    void nothingIsDueForFreshCrlsWithoutChanges() {
        Instant now = T0.plus(Duration.ofHours(2));
        assertThat(POLICY.plan(partition1(T0, T0.plus(Duration.ofHours(1))), now)
                        .isEmpty())
                .isTrue();
        assertThat(POLICY.plan(single(T0, true, Set.of()), now)).isEqualTo(Plan.NOTHING);
    }

    @Test
    void aFullCrlIsDueOnceHalfItsLifetimeHasPassedToTheInstant() {
        Instant due = T0.plus(HALF_FULL);
        State state = partition1(T0, due.minus(Duration.ofHours(1)));
        assertThat(POLICY.plan(state, due.minusNanos(1)).isEmpty()).isTrue();
        Step step = only(POLICY.plan(state, due));
        assertThat(step).isEqualTo(new Step(1, false, Reason.FULL_AGE, List.of()));
        assertThat(only(POLICY.plan(single(T0, true, Set.of()), due)).reason()).isEqualTo(Reason.FULL_AGE);
        assertThat(POLICY.plan(single(T0, true, Set.of()), due.minusSeconds(1)).isEmpty())
                .isTrue();
    }

    @Test
    void aFullCrlIsDueWhenItsNextUpdateIsHalfItsLifetimeAway() {
        // The published CRL's nextUpdate is thisUpdate + fullLifetime: the age rule re-issues it
        // with half its lifetime still to run, never later.
        CrlStore.Stored f = full(1, T0);
        Instant due = f.nextUpdate().minus(HALF_FULL);
        State state = partition1(T0, T0.plus(Duration.ofHours(80)));
        assertThat(POLICY.plan(state, due.minusSeconds(1)).isEmpty()).isTrue();
        assertThat(only(POLICY.plan(state, due)).reason()).isEqualTo(Reason.FULL_AGE);
    }

    @Test
    void theStoredNextUpdateIsNotConsultedOnlyTheConfiguredLifetime() {
        // Pins the current rule: a CRL stored with a shorter nextUpdate (an earlier, shorter
        // configured lifetime) is re-issued by the configured half lifetime, not by its nextUpdate.
        CrlStore.Stored shortLived = new CrlStore.Stored(1, 1, null, T0, T0.plus(Duration.ofHours(1)));
        State state = new State(false, List.of(0), Map.of(0, shortLived), Map.of(), List.of(), Set.of(), true);
        assertThat(POLICY.plan(state, T0.plus(Duration.ofHours(2))).isEmpty()).isTrue();
    }

    @Test
    void aFullCrlIsDueWhenAChangeHasWaitedFullAfterChange() {
        Instant changed = T0.plus(Duration.ofHours(1));
        Instant due = changed.plus(CONFIG.fullAfterChange());
        // The change is covered by a delta already: only the wait for a full CRL is left.
        State state = partition1(T0, due.minus(Duration.ofHours(1)), true, Set.of(7L), change(7, 1, changed));
        assertThat(POLICY.plan(state, due.minusSeconds(1)).isEmpty()).isTrue();
        assertThat(only(POLICY.plan(state, due))).isEqualTo(new Step(1, false, Reason.CHANGE_WAITED, List.of()));
        // A change before the full CRL's thisUpdate is listed by it: it does not wait.
        State listed = partition1(T0, due.minus(Duration.ofHours(1)), true, Set.of(7L), change(7, 1, T0.minusNanos(1)));
        assertThat(POLICY.plan(listed, due).isEmpty()).isTrue();
    }

    @Test
    void aDeltaIsDueForAChangeAndCoversIt() {
        Instant now = T0.plus(Duration.ofHours(2));
        State state = partition1(
                T0,
                T0.plus(Duration.ofHours(1)),
                change(5, 1, now.minusSeconds(20)),
                change(6, 2, now.minusSeconds(10)));
        assertThat(only(POLICY.plan(state, now))).isEqualTo(new Step(1, true, Reason.CHANGES, List.of(5L)));
    }

    @Test
    void aDeltaIsNotDueWithoutAPendingChange() {
        Instant now = T0.plus(Duration.ofHours(2));
        Instant deltaAt = T0.plus(Duration.ofHours(1));
        // Covered already; older than the trigger window; too new to be listed this second.
        State state = partition1(
                T0,
                deltaAt,
                true,
                Set.of(5L),
                change(5, 1, now.minusSeconds(20)),
                change(6, 1, now.minus(POLICY.triggerWindow()).minusNanos(1)),
                change(8, 1, PublicationPolicy.listableBefore(now)));
        assertThat(POLICY.plan(state, now).isEmpty()).isTrue();
    }

    @Test
    void theTriggerWindowAndTheListableSecondAreBoundariesToTheInstant() {
        Instant now = Instant.parse("2028-02-22T10:00:00.250Z");
        assertThat(POLICY.triggerWindow()).isEqualTo(Duration.ofMinutes(5).plusSeconds(30));
        assertThat(PublicationPolicy.listableBefore(now)).isEqualTo(Instant.parse("2028-02-22T10:00:01Z"));
        State state = partition1(
                T0,
                T0.plus(Duration.ofHours(1)),
                change(1, 1, now.minus(POLICY.triggerWindow())),
                change(2, 1, Instant.parse("2028-02-22T10:00:00.999999999Z")),
                change(3, 1, Instant.parse("2028-02-22T10:00:01Z")));
        assertThat(only(POLICY.plan(state, now)).covers()).containsExactly(1L, 2L);
        assertThat(POLICY.changesFrom(state, now)).isEqualTo(T0); // the full CRLs' changes are read too
    }

    @Test
    void aDeltaIsDueOnceHalfItsLifetimeHasPassedToTheInstant() {
        Instant deltaAt = T0.plus(Duration.ofHours(1));
        State state = partition1(T0, deltaAt);
        assertThat(POLICY.plan(state, deltaAt.plus(HALF_DELTA).minusNanos(1)).isEmpty())
                .isTrue();
        assertThat(only(POLICY.plan(state, deltaAt.plus(HALF_DELTA))))
                .isEqualTo(new Step(1, true, Reason.DELTA_AGE, List.of()));
    }

    @Test
    void aPartitionWithoutCrlsGetsAFullOneAndWithoutADeltaADelta() {
        Instant now = T0.plus(Duration.ofMinutes(1));
        assertThat(only(POLICY.plan(partition1(null, null), now)).reason()).isEqualTo(Reason.NO_FULL);
        assertThat(only(POLICY.plan(partition1(T0, null), now)))
                .isEqualTo(new Step(1, true, Reason.NO_DELTA, List.of()));
        assertThat(only(POLICY.plan(single(null, true, Set.of()), now)).reason())
                .isEqualTo(Reason.NO_FULL);
    }

    @Test
    void aFullCrlDueTakesThePartitionsPendingChangesAlong() {
        Instant now = T0.plus(HALF_FULL);
        State state = partition1(T0, now.minus(Duration.ofHours(1)), change(9, 1, now.minusSeconds(5)));
        assertThat(only(POLICY.plan(state, now))).isEqualTo(new Step(1, false, Reason.FULL_AGE, List.of(9L)));
    }

    @Test
    void partitionsArePlannedInTheirOrderEachOnItsOwn() {
        Instant now = T0.plus(Duration.ofHours(2));
        Map<Integer, CrlStore.Stored> fulls = Map.of(1, full(1, T0), 2, full(3, T0), 3, full(5, now.minus(HALF_FULL)));
        Map<Integer, CrlStore.Stored> deltas = Map.of(1, delta(2, 1, T0), 3, delta(6, 5, now.minusSeconds(30)));
        State state = new State(
                true, List.of(1, 2, 3, 4), fulls, deltas, List.of(change(1, 1, now.minusSeconds(3))), Set.of(), true);
        assertThat(POLICY.plan(state, now).steps())
                .containsExactly(
                        new Step(1, true, Reason.CHANGES, List.of(1L)),
                        new Step(2, true, Reason.NO_DELTA, List.of()),
                        new Step(3, false, Reason.FULL_AGE, List.of()),
                        new Step(4, false, Reason.NO_FULL, List.of()));
    }

    @Test
    void atTheFirstRoundAsLeaderEveryChangeSinceThePartitionsLatestCrlIsPending() {
        Instant deltaAt = T0.plus(Duration.ofHours(1));
        Instant now = T0.plus(Duration.ofHours(3));
        State state = partition1(
                T0,
                deltaAt,
                false,
                Set.of(),
                change(1, 1, deltaAt.minusSeconds(1)),
                change(2, 1, deltaAt),
                change(3, 1, deltaAt.plus(Duration.ofMinutes(30))));
        assertThat(POLICY.changesFrom(state, now)).isEqualTo(T0);
        assertThat(only(POLICY.plan(state, now))).isEqualTo(new Step(1, true, Reason.CHANGES, List.of(2L, 3L)));
        // Caught up, only the trigger window counts: an hour-old change is no longer pending.
        State caughtUp = partition1(T0, deltaAt, true, Set.of(), change(3, 1, now.minus(Duration.ofHours(1))));
        assertThat(POLICY.plan(caughtUp, now).isEmpty()).isTrue();
    }

    @Test
    void aSingleCrlIsReissuedForAChange() {
        Instant now = T0.plus(Duration.ofHours(2));
        assertThat(only(POLICY.plan(single(T0, true, Set.of(), change(4, 0, now.minusSeconds(1))), now)))
                .isEqualTo(new Step(0, false, Reason.CHANGES, List.of(4L)));
        assertThat(POLICY.plan(single(T0, true, Set.of(4L), change(4, 0, now.minusSeconds(1))), now)
                        .isEmpty())
                .isTrue();
        // At the first round as leader, every change since the CRL's thisUpdate.
        State first = single(T0, false, Set.of(), change(3, 0, T0.minusNanos(1)), change(4, 0, T0));
        assertThat(POLICY.changesFrom(first, now)).isEqualTo(T0);
        assertThat(only(POLICY.plan(first, now)).covers()).containsExactly(4L);
        assertThat(POLICY.changesFrom(single(T0, true, Set.of()), now)).isEqualTo(now.minus(POLICY.triggerWindow()));
    }

    @Test
    void leapDayMonthEndAndYearEndInstantsAreDueToTheSecond() {
        Instant leap = Instant.parse("2028-02-29T23:59:59Z");
        Instant fullAt = leap.minus(HALF_FULL);
        assertThat(fullAt).isEqualTo(Instant.parse("2028-02-26T11:59:59Z"));
        State state = partition1(fullAt, leap.minus(Duration.ofHours(1)));
        assertThat(POLICY.plan(state, leap.minusSeconds(1)).isEmpty()).isTrue();
        assertThat(only(POLICY.plan(state, leap)).reason()).isEqualTo(Reason.FULL_AGE);
        assertThat(PublicationPolicy.listableBefore(leap.plusMillis(500)))
                .isEqualTo(Instant.parse("2028-03-01T00:00:00Z"));

        Instant monthEnd = Instant.parse("2028-01-31T23:59:59Z");
        State deltaState = partition1(monthEnd.minus(Duration.ofDays(1)), monthEnd.minus(HALF_DELTA));
        assertThat(only(POLICY.plan(deltaState, monthEnd)).reason()).isEqualTo(Reason.DELTA_AGE);
        assertThat(POLICY.plan(deltaState, monthEnd.minusSeconds(1)).isEmpty()).isTrue();

        Instant yearEnd = Instant.parse("2028-12-31T23:59:59Z");
        Instant changed = yearEnd.minus(CONFIG.fullAfterChange());
        State waited = partition1(
                changed.minus(Duration.ofHours(1)), yearEnd.minusSeconds(60), true, Set.of(1L), change(1, 1, changed));
        assertThat(only(POLICY.plan(waited, yearEnd)).reason()).isEqualTo(Reason.CHANGE_WAITED);
        assertThat(POLICY.plan(waited, yearEnd.minusSeconds(1)).isEmpty()).isTrue();
        // A change in the last second of the leap day is listable at once, one in the next is not.
        State leapChanges = partition1(
                fullAt,
                leap.minus(Duration.ofHours(1)),
                change(2, 1, leap.plusMillis(900)),
                change(3, 1, Instant.parse("2028-03-01T00:00:00Z")));
        assertThat(only(POLICY.plan(leapChanges, leap.plusMillis(950))).covers())
                .containsExactly(2L);
    }

    @Test
    void stateAndPlanAreImmutableCopies() {
        List<CrlStore.Change> changes = new ArrayList<>(List.of(change(1, 1, T0)));
        State state = new State(true, List.of(1), Map.of(1, full(1, T0)), Map.of(), changes, Set.of(), true);
        changes.clear();
        assertThat(state.changes()).hasSize(1);
        assertThatThrownBy(() -> state.changes().clear()).isInstanceOf(UnsupportedOperationException.class);
        Plan plan = POLICY.plan(partition1(null, null), T0);
        assertThatThrownBy(() -> plan.steps().clear()).isInstanceOf(UnsupportedOperationException.class);
    }
}
