package tw.eid.pki.ca.card;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.card.CardStatusQuery.Answer;
import tw.eid.pki.ca.card.CardStatusQuery.Request;
import tw.eid.pki.ca.profile.HolderName;
import tw.eid.pki.ca.revocation.RevocationService;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.MutableClock;
import tw.eid.pki.hsm.SecretKeyType;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/**
 * The card-status query (issue 25) on a real token (the look-up HMAC in SoftHSM2) and a real MariaDB,
 * with two query services over two connection pools standing for two RA processes, on one pinned
 * clock: 29 February 2028, 20:00 in Taipei.
 */
class CardStatusQueryTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Actor OFFICER = new Actor("officer-0042", "127.0.0.1", "127.0.0.1:8443");
    private static final Instant START = Instant.parse("2028-02-29T12:00:00Z");
    private static final LocalDate ISSUED = LocalDate.of(2028, 2, 1);
    private static final MutableClock CLOCK = new MutableClock(START);
    private static Token token;
    private static CardRegistry registry;
    private static CardLossReports lossReports;
    private static CardStatusQuery node1;
    private static CardStatusQuery node2;
    private static Database second;
    private static int cards;

    @BeforeAll
    static void open() {
        token = SoftHsmTestTokens.create("query").open(Clock.systemUTC());
        token.generateSecretKey("pii-hmac-1", SecretKeyType.HMAC_SHA256);
        token.generateSecretKey("pii-aes-1", SecretKeyType.AES_256);
        token.generateKeyPair("audit-key", KeyAlgorithm.EC_P256);
        PersonalDataKeys keys = new PersonalDataKeys(token, "pii-hmac-1", "pii-aes-1");
        AuditLedger audit = AuditLedger.hashChained(CLOCK);
        registry = new CardRegistry(db.database(), keys, audit, CLOCK);
        lossReports =
                new CardLossReports(db.database(), new RevocationService(db.database(), audit, CLOCK), audit, CLOCK);
        node1 = new CardStatusQuery(db.database(), keys, CLOCK);
        second = Database.open(TestDatabase.server().settings(db.name()));
        node2 = new CardStatusQuery(second, keys, CLOCK);
    }

    @AfterAll
    static void close() {
        second.close();
        token.close();
    }

    private static String register(String id, CardIssueData issue) {
        String number = String.format("TQ%08d", ++cards);
        registry.register(
                OFFICER,
                new CardRegistration(
                        number,
                        HexFormat.of().parseHex("04a1b2c3d4e5f6"),
                        NationalId.of(id),
                        HolderName.of("王小明", Set.of()),
                        null,
                        issue));
        return number;
    }

    private static Request request(String id, LocalDate date, String place, CardIssueType type) {
        return new Request(NationalId.of(id), date, place, type);
    }

    private static Request right(String id) {
        return request(id, ISSUED, "63000", CardIssueType.INITIAL);
    }

    @Test
    void aCurrentCardMatchesAndEveryKindOfNoIsTheSameAnswer() {
        CLOCK.set(START);
        String card = register("A123456789", new CardIssueData(ISSUED, "63000", CardIssueType.INITIAL, null));
        register("A123456789", null); // an older card without issue data does not disturb
        assertThat(node1.query(right("A123456789"))).isEqualTo(Answer.CURRENT);
        // Each wrong field on an ID of its own (so that no lock-out intervenes), and an unknown ID.
        for (String id : List.of("B120863158", "C100000003", "D100000004", "E100000005")) {
            register(id, new CardIssueData(ISSUED, "63000", CardIssueType.INITIAL, null));
        }
        assertThat(List.of(
                        node1.query(request("B120863158", ISSUED.minusDays(1), "63000", CardIssueType.INITIAL)),
                        node2.query(request("C100000003", ISSUED, "64000", CardIssueType.INITIAL)),
                        node1.query(request("D100000004", ISSUED, "63000", CardIssueType.RENEWAL)),
                        node2.query(right("F131104093"))))
                .containsOnly(Answer.NO_MATCH);
        // A lost card is "no", and current again once the report is withdrawn.
        lossReports.report(OFFICER, card, CardLossReports.Channel.OFFICER);
        assertThat(node2.query(right("A123456789"))).isEqualTo(Answer.NO_MATCH);
        lossReports.withdraw(OFFICER, card);
        assertThat(node1.query(right("A123456789"))).isEqualTo(Answer.CURRENT);
        // An expired card is "no": expiry before today in Taipei (20:00 on 29 February there).
        register("E100000005", new CardIssueData(ISSUED, "65000", CardIssueType.RENEWAL, LocalDate.of(2028, 2, 28)));
        register("E100000005", new CardIssueData(ISSUED, "66000", CardIssueType.RENEWAL, LocalDate.of(2028, 2, 29)));
        assertThat(node1.query(request("E100000005", ISSUED, "65000", CardIssueType.RENEWAL)))
                .isEqualTo(Answer.NO_MATCH);
        assertThat(node1.query(request("E100000005", ISSUED, "66000", CardIssueType.RENEWAL)))
                .isEqualTo(Answer.CURRENT);
    }

    @Test
    void theThirdWrongQueryLocksTheIdOnEveryNodeUntilMidnightInTaipei() {
        CLOCK.set(START);
        register("G225138273", new CardIssueData(ISSUED, "68000", CardIssueType.REISSUE, null));
        register("H100000008", new CardIssueData(ISSUED, "63000", CardIssueType.INITIAL, null));
        Request correct = request("G225138273", ISSUED, "68000", CardIssueType.REISSUE);
        assertThat(node1.query(request("G225138273", ISSUED, "63000", CardIssueType.REISSUE)))
                .isEqualTo(Answer.NO_MATCH);
        assertThat(node2.query(request("G225138273", ISSUED, "68000", CardIssueType.RENEWAL)))
                .isEqualTo(Answer.NO_MATCH);
        assertThat(node1.query(correct)).as("two wrong queries do not lock").isEqualTo(Answer.CURRENT);
        assertThat(node2.query(request("G225138273", ISSUED.plusDays(1), "68000", CardIssueType.REISSUE)))
                .isEqualTo(Answer.NO_MATCH);
        assertThat(node1.query(correct)).isEqualTo(Answer.LOCKED);
        assertThat(node2.query(correct)).isEqualTo(Answer.LOCKED);
        assertThat(node2.query(right("H100000008"))).as("another ID").isEqualTo(Answer.CURRENT);
        // 15:59:59.999 UTC is 23:59:59.999 in Taipei: still the same day.
        CLOCK.set(Instant.parse("2028-02-29T15:59:59.999Z"));
        assertThat(node1.query(correct)).isEqualTo(Answer.LOCKED);
        CLOCK.advance(Duration.ofMillis(1));
        assertThat(node2.query(correct)).as("00:00 on 1 March in Taipei").isEqualTo(Answer.CURRENT);
    }

    @Test
    void concurrentWrongQueriesOnTwoNodesCountEachOnce() throws Exception {
        CLOCK.set(START);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Answer>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                CardStatusQuery node = i % 2 == 0 ? node1 : node2;
                answers.add(pool.submit(() -> node.query(right("J100000009"))));
            }
            List<Answer> got = new ArrayList<>();
            for (Future<Answer> f : answers) {
                got.add(f.get());
            }
            assertThat(got).filteredOn(a -> a == Answer.NO_MATCH).hasSize(CardStatusQuery.WRONG_QUERIES_PER_DAY);
            assertThat(got).filteredOn(a -> a == Answer.LOCKED).hasSize(8 - CardStatusQuery.WRONG_QUERIES_PER_DAY);
        } finally {
            pool.shutdownNow();
        }
    }
}
