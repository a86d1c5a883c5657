package tw.eid.pki.ca.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditCheckpointer;
import tw.eid.pki.ca.audit.AuditFixture;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditReport;
import tw.eid.pki.ca.audit.AuditVerifier;
import tw.eid.pki.ca.profile.RevocationReason;
import tw.eid.pki.ca.revocation.RevocationService;
import tw.eid.pki.ca.revocation.StatusChangeRefusedException;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.ca.store.StoreException;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.MutableClock;

/** The two-person rule on a real MariaDB. */
class ApprovalServiceTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final String CA = "citizen-ca";
    /** Holds a twin of every certificate, same serial: a bulk act on CA must never touch it. */
    private static final String TWIN_CA = "twin-ca";

    private static final Actor REQUESTER = new Actor("supervisor-1", "10.1.2.3:50001", "10.0.0.1:8443");
    private static final Actor SECOND = Actor.local("supervisor-2");
    private static final Actor THIRD = Actor.local("supervisor-3");
    private static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-11-27T08:00:00Z"));
    private static final AtomicInteger SERIALS = new AtomicInteger(0x10000);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AuditFixture AUDIT_KEY = new AuditFixture();

    private static ApprovalService service;
    private static RevocationService revocations;

    @BeforeAll
    static void setUp() {
        AuditLedger ledger = AuditLedger.hashChained(CLOCK);
        service = new ApprovalService(db.database(), ledger, CLOCK);
        revocations = new RevocationService(db.database(), ledger, CLOCK);
        db.database().inTransaction(c -> {
            for (String ca : List.of(CA, TWIN_CA)) {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO ca (name, kind, subject_der, key_label,"
                                + " token_label, status, created_at) VALUES (?, 'ONLINE_CA', x'3000', 'k', 't', 'ACTIVE', ?)")) {
                    ps.setString(1, ca);
                    ps.setObject(2, DatabaseTime.toColumn(CLOCK.instant()));
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    // ---- fixtures ----

    /** {@code n} stored certificates of CA, each with a GOOD twin in TWIN_CA; inserted in one transaction. */
    private static List<String> certificates(int n, boolean issued, Duration life) {
        List<String> serials = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            serials.add(Integer.toHexString(SERIALS.incrementAndGet()));
        }
        db.database().inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO certificate (ca_name, serial_hex, profile,"
                    + " status, not_before, not_after, tbs_der, der, public_key_sha256, created_at, updated_at)"
                    + " VALUES (?, ?, 'citizen-signature/1', 'GOOD', ?, ?, x'30', ?, ?, ?, ?)")) {
                for (String serial : serials) {
                    for (String ca : List.of(CA, TWIN_CA)) {
                        ps.setString(1, ca);
                        ps.setString(2, serial);
                        ps.setObject(3, DatabaseTime.toColumn(CLOCK.instant().minusSeconds(60)));
                        ps.setObject(4, DatabaseTime.toColumn(CLOCK.instant().plus(life)));
                        ps.setBytes(5, issued || ca.equals(TWIN_CA) ? new byte[] {0x30} : null);
                        ps.setBytes(6, new byte[32]);
                        ps.setObject(7, DatabaseTime.toColumn(CLOCK.instant()));
                        ps.setObject(8, DatabaseTime.toColumn(CLOCK.instant()));
                        ps.addBatch();
                    }
                }
                ps.executeBatch();
            }
            return null;
        });
        return serials;
    }

    private static List<String> certificates(int n) {
        return certificates(n, true, Duration.ofDays(365 * 5));
    }

    /** status/reason of each serial of {@code ca}, e.g. "HOLD/6", "GOOD/null". */
    private static Map<String, String> states(String ca, List<String> serials) {
        return db.database().inTransaction(c -> {
            Map<String, String> states = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT status, revocation_reason FROM certificate WHERE ca_name = ? AND serial_hex = ?")) {
                for (String serial : serials) {
                    ps.setString(1, ca);
                    ps.setString(2, serial);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        states.put(serial, rs.getString(1) + "/" + rs.getObject(2));
                    }
                }
            }
            return states;
        });
    }

    /** How many status_change rows each serial of {@code ca} has. */
    private static Map<String, Integer> logCounts(String ca, List<String> serials) {
        return db.database().inTransaction(c -> {
            Map<String, Integer> counts = new HashMap<>();
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT COUNT(*) FROM status_change WHERE ca_name = ? AND serial_hex = ?")) {
                for (String serial : serials) {
                    ps.setString(1, ca);
                    ps.setString(2, serial);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        counts.put(serial, rs.getInt(1));
                    }
                }
            }
            return counts;
        });
    }

    private record Event(String actor, String action, String target, String result, String errorCode, String details) {}

    private static List<Event> events(String sqlCondition, Object... parameters) {
        return db.database().inTransaction(c -> {
            List<Event> events = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT actor, action, target, result, error_code, details"
                    + " FROM audit_event WHERE " + sqlCondition + " ORDER BY seq")) {
                for (int i = 0; i < parameters.length; i++) {
                    ps.setObject(i + 1, parameters[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        events.add(new Event(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getString(4),
                                rs.getString(5),
                                rs.getString(6)));
                    }
                }
            }
            return events;
        });
    }

    private static List<Event> approvalEvents(long id) {
        return events("target = ?", "approval/" + id);
    }

    private static ApprovalException refusal(Runnable act) {
        try {
            act.run();
        } catch (ApprovalException e) {
            return e;
        }
        throw new AssertionError("not refused");
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    // ---- the tests ----

    /**
     * Property: for random acts on random subsets (in random order) of a population, approval
     * changes exactly the named certificates, each once, and nothing else: not the rest of the
     * population, not the same serials in another CA. (Let's Encrypt's 2020 CAA bug was a loop
     * that checked one item N times; here every named serial is looked at by its own value.)
     */
    @Test
    void approvalCarriesOutExactlyTheNamedSerials() {
        Random random = new Random(20200229L);
        for (int run = 0; run < 8; run++) {
            List<String> population = certificates(40);
            List<String> named = new ArrayList<>(population);
            Collections.shuffle(named, random);
            named = new ArrayList<>(named.subList(0, 1 + random.nextInt(population.size())));
            List<String> unnamed = new ArrayList<>(population);
            unnamed.removeAll(named);
            boolean revoke = random.nextBoolean();
            RevocationReason reason = List.of(
                            RevocationReason.KEY_COMPROMISE,
                            RevocationReason.AFFILIATION_CHANGED,
                            RevocationReason.SUPERSEDED,
                            RevocationReason.CESSATION_OF_OPERATION)
                    .get(random.nextInt(4));
            // Some of the population already on hold: a revocation may take them, a suspension is refused.
            if (revoke && !unnamed.isEmpty()) {
                revocations.suspend(SECOND, CA, named.get(0));
            }
            BulkStatusChange act =
                    revoke ? BulkStatusChange.revoke(CA, reason, named) : BulkStatusChange.suspend(CA, named);
            Map<String, String> before = states(CA, population);

            Approval requested = service.request(REQUESTER, act);
            assertThat(requested.status()).isEqualTo(ApprovalStatus.PENDING);
            assertThat(service.pending()).extracting(Approval::id).contains(requested.id());
            assertThat(service.pending())
                    .filteredOn(a -> a.id() == requested.id())
                    .singleElement()
                    .isEqualTo(requested);
            assertThat(states(CA, population)).as("nothing changes on request").isEqualTo(before);

            CLOCK.advance(Duration.ofMinutes(3));
            Approval approved = service.approve(SECOND, requested.id());
            assertThat(approved.status()).isEqualTo(ApprovalStatus.APPROVED);
            assertThat(approved.decidedBy()).isEqualTo(SECOND.id());
            assertThat(approved.decidedAt()).isEqualTo(CLOCK.instant());
            assertThat(approved.outcome()).isEqualTo(ApprovalOutcome.carriedOut(named.size()));
            assertThat(service.get(requested.id())).isEqualTo(approved);
            assertThat(service.pending()).extracting(Approval::id).doesNotContain(requested.id());

            String expected = revoke ? "REVOKED/" + reason.code() : "HOLD/6";
            Map<String, String> after = states(CA, population);
            for (String s : named) {
                assertThat(after.get(s)).as("named %s, run %d", s, run).isEqualTo(expected);
            }
            for (String s : unnamed) {
                assertThat(after.get(s)).as("unnamed %s, run %d", s, run).isEqualTo(before.get(s));
            }
            assertThat(states(TWIN_CA, population).values())
                    .as("the twins in another CA")
                    .containsOnly("GOOD/null");
            assertThat(logCounts(TWIN_CA, population).values()).containsOnly(0);
            Map<String, Integer> log = logCounts(CA, population);
            for (String s : population) {
                int earlier = revoke && !unnamed.isEmpty() && s.equals(named.get(0)) ? 1 : 0;
                assertThat(log.get(s)).as("log of %s", s).isEqualTo(earlier + (named.contains(s) ? 1 : 0));
            }
            // One audit event per named certificate, by the approver, naming the approval.
            String action = revoke ? "certificate.revoke" : "certificate.suspend";
            List<Event> perCertificate =
                    events("action = ? AND details LIKE ?", action, "{\"approval\":" + requested.id() + ",%");
            assertThat(perCertificate)
                    .extracting(Event::target)
                    .containsExactlyInAnyOrderElementsOf(
                            named.stream().map(s -> CA + "/" + s).toList());
            assertThat(perCertificate).extracting(Event::actor).containsOnly(SECOND.id());
        }
    }

    /** Crosses the locking chunks: every serial is locked, checked and changed, none twice. */
    @Test
    void aLargeActCrossingLockChunksIsCarriedOutWhole() {
        List<String> population = certificates(ApprovalService.LOCK_CHUNK * 2 + 500);
        List<String> named = new ArrayList<>(population.subList(0, population.size() - 7));
        Collections.shuffle(named, new Random(7));
        Approval requested =
                service.request(REQUESTER, BulkStatusChange.revoke(CA, RevocationReason.SUPERSEDED, named));
        Approval approved = service.approve(THIRD, requested.id());
        assertThat(approved.outcome().changed()).isEqualTo(named.size());
        Map<String, String> after = states(CA, population);
        assertThat(named).allSatisfy(s -> assertThat(after.get(s)).isEqualTo("REVOKED/4"));
        assertThat(population.subList(population.size() - 7, population.size()))
                .allSatisfy(s -> assertThat(after.get(s)).isEqualTo("GOOD/null"));
        assertThat(logCounts(CA, named).values()).containsOnly(1);
    }

    @Test
    void theRequesterCannotDecideHisOwnRequest() {
        List<String> serials = certificates(3);
        Approval requested = service.request(REQUESTER, BulkStatusChange.suspend(CA, serials));
        // The same person from another address is the same person.
        Actor sameId = Actor.local(REQUESTER.id());
        ApprovalException approve = refusal(() -> service.approve(sameId, requested.id()));
        assertThat(approve.code()).isEqualTo(ApprovalException.Code.SELF_APPROVAL);
        assertThat(refusal(() -> service.reject(REQUESTER, requested.id())).code())
                .isEqualTo(ApprovalException.Code.SELF_APPROVAL);
        assertThat(service.get(requested.id())).isEqualTo(requested);
        assertThat(states(CA, serials).values()).containsOnly("GOOD/null");
        assertThat(logCounts(CA, serials).values()).containsOnly(0);
        assertThat(approvalEvents(requested.id()))
                .extracting(e -> e.action() + " " + e.result() + " " + e.errorCode())
                .containsExactly(
                        "approval.request SUCCESS null",
                        "approval.approve REFUSED approval.self-approval",
                        "approval.reject REFUSED approval.self-approval");
        // Still pending: a second person can approve it.
        assertThat(service.approve(SECOND, requested.id()).status()).isEqualTo(ApprovalStatus.APPROVED);
    }

    @Test
    void twoSupervisorsApprovingAtOnceCarryItOutOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 6; round++) {
                List<String> serials = certificates(25);
                Approval requested = service.request(REQUESTER, BulkStatusChange.suspend(CA, serials));
                boolean oneRejects = round % 3 == 2; // and some rounds race an approval against a rejection
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Approval>> futures = new ArrayList<>();
                for (Actor decider : List.of(SECOND, THIRD)) {
                    boolean reject = oneRejects && decider == THIRD;
                    Callable<Approval> decide = () -> {
                        start.await();
                        return reject
                                ? service.reject(decider, requested.id())
                                : service.approve(decider, requested.id());
                    };
                    futures.add(pool.submit(decide));
                }
                start.countDown();
                List<Approval> won = new ArrayList<>();
                List<ApprovalException.Code> lost = new ArrayList<>();
                for (Future<Approval> f : futures) {
                    try {
                        won.add(f.get());
                    } catch (java.util.concurrent.ExecutionException e) {
                        lost.add(((ApprovalException) e.getCause()).code());
                    }
                }
                assertThat(won).hasSize(1);
                assertThat(lost).containsExactly(ApprovalException.Code.ALREADY_DECIDED);
                Approval winner = won.get(0);
                assertThat(service.get(requested.id())).isEqualTo(winner);
                int changes = winner.status() == ApprovalStatus.APPROVED ? 1 : 0;
                assertThat(logCounts(CA, serials).values())
                        .as("round %d", round)
                        .containsOnly(changes);
                assertThat(states(CA, serials).values()).containsOnly(changes == 1 ? "HOLD/6" : "GOOD/null");
                assertThat(events(
                                "action = 'certificate.suspend' AND details LIKE ?",
                                "{\"approval\":" + requested.id() + ",%"))
                        .hasSize(changes * serials.size());
                assertThat(approvalEvents(requested.id()))
                        .extracting(Event::result)
                        .containsExactlyInAnyOrder("SUCCESS", "SUCCESS", "REFUSED");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void rejectionChangesNothingAndIsFinal() {
        List<String> serials = certificates(5);
        Approval requested =
                service.request(REQUESTER, BulkStatusChange.revoke(CA, RevocationReason.KEY_COMPROMISE, serials));
        Approval rejected = service.reject(SECOND, requested.id());
        assertThat(rejected.status()).isEqualTo(ApprovalStatus.REJECTED);
        assertThat(rejected.decidedBy()).isEqualTo(SECOND.id());
        assertThat(rejected.outcome()).isNull();
        assertThat(service.get(requested.id())).isEqualTo(rejected);
        ApprovalException again = refusal(() -> service.approve(THIRD, requested.id()));
        assertThat(again.code()).isEqualTo(ApprovalException.Code.ALREADY_DECIDED);
        assertThat(refusal(() -> service.reject(THIRD, requested.id())).code())
                .isEqualTo(ApprovalException.Code.ALREADY_DECIDED);
        assertThat(states(CA, serials).values()).containsOnly("GOOD/null");
        assertThat(logCounts(CA, serials).values()).containsOnly(0);
        assertThat(service.get(requested.id())).isEqualTo(rejected);
    }

    /** All or nothing: one certificate that cannot make the transition fails the whole act. */
    @Test
    void oneSerialThatCannotChangeFailsTheWholeActAndChangesNothing() {
        List<String> serials = certificates(6);
        Approval requested = service.request(REQUESTER, BulkStatusChange.suspend(CA, serials));
        // Between request and approval, two of them change one by one; the first in the
        // requester's order is named.
        revocations.revoke(SECOND, CA, serials.get(4), RevocationReason.KEY_COMPROMISE);
        revocations.suspend(SECOND, CA, serials.get(2));
        Map<String, String> before = states(CA, serials);
        Map<String, Integer> logBefore = logCounts(CA, serials);

        ApprovalException e = refusal(() -> service.approve(THIRD, requested.id()));
        assertThat(e.code()).isEqualTo(ApprovalException.Code.TRANSITION_REFUSED);
        assertThat(e.serial()).isEqualTo(serials.get(2));
        assertThat(e.certificateRefusal()).isEqualTo(StatusChangeRefusedException.Code.ALREADY_ON_HOLD);
        assertThat(e.getMessage()).contains(serials.get(2));

        assertThat(states(CA, serials)).isEqualTo(before);
        assertThat(logCounts(CA, serials)).isEqualTo(logBefore);
        Approval failed = service.get(requested.id());
        assertThat(failed.status()).isEqualTo(ApprovalStatus.FAILED);
        assertThat(failed.decidedBy()).isEqualTo(THIRD.id());
        assertThat(failed.outcome()).isEqualTo(ApprovalOutcome.failed("certificate.already-on-hold", serials.get(2)));
        assertThat(refusal(() -> service.approve(SECOND, requested.id())).code())
                .isEqualTo(ApprovalException.Code.ALREADY_DECIDED);
        assertThat(approvalEvents(requested.id()))
                .extracting(ev -> ev.action() + " " + ev.result() + " " + ev.errorCode())
                .containsExactly(
                        "approval.request SUCCESS null",
                        "approval.approve REFUSED approval.transition-refused",
                        "approval.approve REFUSED approval.already-decided");
        assertThat(events(
                        "action = 'certificate.suspend' AND details LIKE ?", "{\"approval\":" + requested.id() + ",%"))
                .isEmpty();
    }

    @Test
    void aRequestThatCouldNotBeCarriedOutNowIsRefusedAtOnce() {
        List<String> good = certificates(3);
        List<String> unissued = certificates(1, false, Duration.ofDays(10));
        List<String> expired = certificates(1, true, Duration.ofSeconds(-1));
        revocations.revoke(SECOND, CA, good.get(1), RevocationReason.SUPERSEDED);
        int pendingBefore = service.pending().size();

        record Case(List<String> serials, boolean revoke, String offending, StatusChangeRefusedException.Code code) {}
        List<Case> cases = List.of(
                new Case(
                        List.of(good.get(0), good.get(1), unissued.get(0)),
                        false,
                        good.get(1),
                        StatusChangeRefusedException.Code.ALREADY_REVOKED),
                new Case(
                        List.of(good.get(0), unissued.get(0)),
                        true,
                        unissued.get(0),
                        StatusChangeRefusedException.Code.NOT_ISSUED),
                new Case(
                        List.of(expired.get(0), good.get(2)),
                        true,
                        expired.get(0),
                        StatusChangeRefusedException.Code.EXPIRED),
                new Case(
                        List.of(good.get(2), "fffffffff1"),
                        true,
                        "fffffffff1",
                        StatusChangeRefusedException.Code.NOT_FOUND));
        for (Case c : cases) {
            BulkStatusChange act = c.revoke()
                    ? BulkStatusChange.revoke(CA, RevocationReason.CESSATION_OF_OPERATION, c.serials())
                    : BulkStatusChange.suspend(CA, c.serials());
            ApprovalException e = refusal(() -> service.request(REQUESTER, act));
            assertThat(e.code()).isEqualTo(ApprovalException.Code.TRANSITION_REFUSED);
            assertThat(e.serial()).isEqualTo(c.offending());
            assertThat(e.certificateRefusal()).isEqualTo(c.code());
        }
        // The same serials in a CA that does not have them.
        ApprovalException other =
                refusal(() -> service.request(REQUESTER, BulkStatusChange.suspend("no-such-ca", good)));
        assertThat(other.certificateRefusal()).isEqualTo(StatusChangeRefusedException.Code.NOT_FOUND);
        assertThat(other.serial()).isEqualTo(good.get(0));

        assertThat(service.pending()).hasSize(pendingBefore);
        assertThat(states(CA, List.of(good.get(0), good.get(2))).values()).containsOnly("GOOD/null");
        List<Event> refused = events(
                "action = 'approval.request' AND result = 'REFUSED' AND details LIKE ?", "%\"serial\":\"fffffffff1\"%");
        assertThat(refused).singleElement().satisfies(ev -> {
            assertThat(ev.errorCode()).isEqualTo("approval.transition-refused");
            assertThat(ev.actor()).isEqualTo(REQUESTER.id());
        });
    }

    @Test
    void anUnknownApprovalIsNotFound() {
        for (Runnable act : List.<Runnable>of(
                () -> service.approve(SECOND, 987_654_321L),
                () -> service.reject(SECOND, 987_654_321L),
                () -> service.get(987_654_321L))) {
            ApprovalException e = refusal(act);
            assertThat(e.code()).isEqualTo(ApprovalException.Code.NOT_FOUND);
        }
        assertThat(approvalEvents(987_654_321L))
                .extracting(e -> e.action() + " " + e.errorCode())
                .containsExactly("approval.approve approval.not-found", "approval.reject approval.not-found");
    }

    /**
     * Every step is in the ledger with its actor, action, target and the act's size, nothing
     * personal, and the ledger verifies with a signed checkpoint over it.
     */
    @Test
    void everyStepIsAuditedAndTheLedgerVerifies() throws Exception {
        List<String> serials = certificates(4);
        Approval approved =
                service.request(REQUESTER, BulkStatusChange.revoke(CA, RevocationReason.KEY_COMPROMISE, serials));
        service.approve(SECOND, approved.id());
        Approval rejected = service.request(REQUESTER, BulkStatusChange.suspend(CA, certificates(2)));
        service.reject(THIRD, rejected.id());

        List<Event> first = approvalEvents(approved.id());
        assertThat(first)
                .extracting(e -> e.actor() + " " + e.action() + " " + e.result())
                .containsExactly("supervisor-1 approval.request SUCCESS", "supervisor-2 approval.approve SUCCESS");
        for (Event e : first) {
            JsonNode details = json(e.details());
            assertThat(details.get("kind").asText()).isEqualTo("bulk-status-change");
            assertThat(details.get("size").asInt()).isEqualTo(4);
            assertThat(details.get("action").asText()).isEqualTo("REVOKE");
            assertThat(details.get("reason").asInt()).isEqualTo(1);
            // The serial list is in the approval row and the per-certificate events, not here.
            assertThat(e.details()).doesNotContain(serials.get(0));
            assertThat(details.fieldNames()).toIterable().containsOnly("kind", "size", "ca", "action", "reason");
        }
        assertThat(approvalEvents(rejected.id()))
                .extracting(e -> e.actor() + " " + e.action() + " "
                        + json(e.details()).get("size").asInt())
                .containsExactly("supervisor-1 approval.request 2", "supervisor-3 approval.reject 2");
        // The requester's addresses are recorded with the request.
        String addresses = db.database().inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT source_addr, dest_addr FROM audit_event WHERE target = ? AND action = 'approval.request'")) {
                ps.setString(1, "approval/" + approved.id());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getString(1) + " " + rs.getString(2);
                }
            }
        });
        assertThat(addresses).isEqualTo("10.1.2.3:50001 10.0.0.1:8443");

        db.database().inTransaction(c -> new AuditCheckpointer(CLOCK).checkpoint(c, AUDIT_KEY.signer(), "audit-key"));
        AuditReport report = AuditVerifier.verify(db.dataSource(), AUDIT_KEY.verifier());
        assertThat(report.firstProblem()).isNull();
        assertThat(report.lastSealedSeq()).isEqualTo(report.lastSeq());
        assertThat(report.eventsChecked()).isGreaterThanOrEqualTo(4 + 4);
    }

    @Test
    void theSchemaKeepsTheTwoPersonRuleToo() {
        Approval requested = service.request(REQUESTER, BulkStatusChange.suspend(CA, certificates(1)));
        assertThatThrownBy(() -> db.database().inTransaction(c -> {
                    try (PreparedStatement ps = c.prepareStatement(
                            "UPDATE approval SET status = 'APPROVED', decided_by = requested_by, decided_at = requested_at"
                                    + " WHERE id = ?")) {
                        ps.setLong(1, requested.id());
                        return ps.executeUpdate();
                    }
                }))
                .isInstanceOf(StoreException.class);
        assertThat(service.get(requested.id()).status()).isEqualTo(ApprovalStatus.PENDING);
    }
}
