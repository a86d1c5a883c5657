package tw.eid.pki.ca.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.audit.AuditQuery.Criteria;
import tw.eid.pki.ca.audit.AuditQuery.Page;
import tw.eid.pki.ca.audit.AuditQuery.RecordedEvent;
import tw.eid.pki.ca.store.TestDatabase;

/** GET /audit's filters and paging, on a real MariaDB, checked against a filter in memory. */
class AuditQueryTest {

    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    /** One event per second from T0, exactly (a pinned clock advanced by hand). */
    private static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");

    private static final int EVENTS = 120;
    private static final String[] ACTORS = {"officer-1", "officer-2", "supervisor-1", "auditor:9"};
    private static final String[] ACTIONS = {"certificate.suspend", "certificate.revoke", "approval.request"};

    private static final List<RecordedEvent> ALL = new ArrayList<>();
    private static AuditQuery query;

    @BeforeAll
    static void fill() {
        SteppingClock clock = new SteppingClock(T0, Duration.ZERO);
        AuditLedger ledger = AuditLedger.hashChained(clock);
        for (int i = 0; i < EVENTS; i++) {
            int n = i;
            AuditEvent event = new AuditEvent(
                    ACTORS[n % ACTORS.length],
                    ACTIONS[(n / 2) % ACTIONS.length],
                    "citizen-ca/" + Integer.toHexString(0x100 + n),
                    n % 7 == 0 ? AuditResult.REFUSED : AuditResult.SUCCESS,
                    n % 2 == 0 ? "10.1.2." + n + ":4000" : null,
                    n % 2 == 0 ? "10.0.0.1:8443" : null,
                    n % 7 == 0 ? "certificate.already-revoked" : null,
                    n % 3 == 0 ? "{\"n\":" + n + "}" : null);
            AuditEntry entry = db.database().inTransaction(c -> ledger.append(c, event));
            ALL.add(new RecordedEvent(
                    entry.seq(),
                    entry.eventTime(),
                    event.actor(),
                    event.action(),
                    event.target(),
                    event.result(),
                    event.sourceAddress(),
                    event.destinationAddress(),
                    event.errorCode(),
                    event.details()));
            clock.advance(Duration.ofSeconds(1));
        }
        query = new AuditQuery(db.dataSource());
    }

    private static Instant at(int second) {
        return T0.plusSeconds(second);
    }

    /** Every page of {@code criteria}, following the cursor. */
    private static List<RecordedEvent> allPages(Criteria criteria) {
        List<RecordedEvent> found = new ArrayList<>();
        Criteria next = criteria;
        for (int pages = 0; pages <= EVENTS; pages++) {
            Page page = query.find(next);
            assertThat(page.events().size()).isLessThanOrEqualTo(criteria.limit());
            found.addAll(page.events());
            if (page.nextAfterSeq() == null) {
                return found;
            }
            assertThat(page.events()).hasSize(criteria.limit());
            assertThat(page.nextAfterSeq())
                    .isEqualTo(page.events().get(page.events().size() - 1).seq());
            next = next.after(page.nextAfterSeq());
        }
        throw new AssertionError("paging does not end");
    }

    private static List<RecordedEvent> expected(Predicate<RecordedEvent> filter) {
        return ALL.stream().filter(filter).toList();
    }

    @Test
    void everythingComesBackAsStoredInSeqOrder() {
        Page page = query.find(Criteria.first(AuditQuery.MAX_LIMIT));
        assertThat(page.events()).isEqualTo(ALL);
        assertThat(page.nextAfterSeq()).isNull();
        assertThat(page.events().get(3).details()).isEqualTo("{\"n\":3}");
        assertThat(page.events().get(0).errorCode()).isEqualTo("certificate.already-revoked");
        assertThat(page.events().get(0).sourceAddress()).isEqualTo("10.1.2.0:4000");
    }

    @Test
    void timeRangeIsFromInclusiveToExclusive() {
        assertThat(query.find(Criteria.first(1000).between(at(10), at(20))).events())
                .isEqualTo(expected(e -> !e.time().isBefore(at(10)) && e.time().isBefore(at(20))))
                .hasSize(10)
                .first()
                .extracting(RecordedEvent::time)
                .isEqualTo(at(10));
        assertThat(query.find(Criteria.first(1000).between(at(115), null)).events())
                .hasSize(5);
        assertThat(query.find(Criteria.first(1000).between(null, at(3))).events())
                .hasSize(3);
        // Between two microseconds: an event at the microsecond below is before "from".
        assertThat(query.find(Criteria.first(1000).between(at(10).plusNanos(1), at(12).plusNanos(1)))
                        .events())
                .extracting(RecordedEvent::time)
                .containsExactly(at(11), at(12));
        assertThat(query.find(Criteria.first(1000).between(at(500), at(600))).events())
                .isEmpty();
    }

    @Test
    void actorAndActionFilterExactly() {
        assertThat(allPages(Criteria.first(1000).byActor("officer-2")))
                .isEqualTo(expected(e -> e.actor().equals("officer-2")))
                .hasSize(EVENTS / 4);
        assertThat(allPages(Criteria.first(1000).withAction("certificate.revoke")))
                .isEqualTo(expected(e -> e.action().equals("certificate.revoke")))
                .hasSize(EVENTS / 3);
        assertThat(query.find(Criteria.first(1000).byActor("officer")).events()).isEmpty();
        assertThat(query.find(Criteria.first(1000).byActor("OFFICER-2")).events())
                .isEmpty();
    }

    @Test
    void pagingThroughEveryCombinationGivesEachMatchOnceInOrder() {
        for (int limit : new int[] {1, 3, 7, 40, 1000}) {
            for (String actor : new String[] {null, "officer-1", "auditor:9"}) {
                for (String action : new String[] {null, "approval.request"}) {
                    Criteria criteria = Criteria.first(limit)
                            .between(at(5), at(101))
                            .byActor(actor)
                            .withAction(action);
                    List<RecordedEvent> want = expected(e -> !e.time().isBefore(at(5))
                            && e.time().isBefore(at(101))
                            && (actor == null || e.actor().equals(actor))
                            && (action == null || e.action().equals(action)));
                    assertThat(allPages(criteria))
                            .as("limit %d actor %s action %s", limit, actor, action)
                            .isEqualTo(want);
                }
            }
        }
    }

    @Test
    void aPageThatEndsExactlyAtTheLastMatchSaysNoMore() {
        Page page = query.find(Criteria.first(EVENTS));
        assertThat(page.events()).hasSize(EVENTS);
        assertThat(page.nextAfterSeq()).isNull();
        Page short1 = query.find(Criteria.first(EVENTS - 1));
        assertThat(short1.nextAfterSeq()).isEqualTo(ALL.get(EVENTS - 2).seq());
        assertThat(query.find(Criteria.first(10).after(ALL.get(EVENTS - 1).seq()))
                        .events())
                .isEmpty();
    }

    @Test
    void criteriaOutOfRangeAreRefused() {
        for (Runnable bad : List.<Runnable>of(
                () -> Criteria.first(0),
                () -> Criteria.first(1001),
                () -> Criteria.first(10).after(-1),
                () -> Criteria.first(10).between(at(5), at(5)),
                () -> Criteria.first(10).between(at(6), at(5)),
                () -> Criteria.first(10).byActor(""),
                () -> Criteria.first(10).byActor("a b"),
                () -> Criteria.first(10).withAction("x".repeat(65)))) {
            assertThatThrownBy(bad::run)
                    .isInstanceOfSatisfying(
                            AuditQuery.InvalidCriteriaException.class,
                            e -> assertThat(e.code()).isEqualTo("audit.invalid-query"));
        }
    }
}
