package tw.eid.pki.ca.document.seal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.card.CardException;
import tw.eid.pki.ca.card.CardRegistration;
import tw.eid.pki.ca.card.CardRegistry;
import tw.eid.pki.ca.card.CardReissues;
import tw.eid.pki.ca.card.NationalId;
import tw.eid.pki.ca.card.PersonalDataKeys;
import tw.eid.pki.ca.document.DocumentSignerFixture;
import tw.eid.pki.ca.document.DocumentSignerPool;
import tw.eid.pki.ca.document.SignerPurpose;
import tw.eid.pki.ca.profile.HolderName;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.MutableClock;
import tw.eid.pki.hsm.SecretKeyType;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/**
 * Card re-issue and temporary ID certificates (issue 24) on a real SoftHSM2 token and MariaDB: the
 * holder's name, national ID and birth date come from the card's sealed record into the seal; the
 * validity rules; refusals that store nothing (no row, no audit event); revocation by an officer and
 * by the end of the re-issue (successor registered, or cancelled). The clock is pinned (29 February
 * 2028, 09:30 in Taiwan).
 */
class TemporaryCertificatesTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Instant NOW = Instant.parse("2028-02-29T01:30:00Z");
    private static final LocalDate TODAY = LocalDate.of(2028, 2, 29);
    private static final LocalDate BIRTH = LocalDate.of(1957, 3, 25);
    private static final Actor OFFICER = Actor.local("officer-1");
    private static final Path DIR = TestDatabase.workDirectory().resolve("temp-cert-" + System.nanoTime());
    private static final AtomicInteger CARD = new AtomicInteger();
    private static Token offline;
    private static Token online;
    private static DocumentSignerFixture fixture;
    private static CardRegistry cards;
    private static CardReissues reissues;
    private static TemporaryCertificates temporary;
    private static SealVerifier verifier;

    @BeforeAll
    static void setUp() throws Exception {
        Files.createDirectories(DIR);
        SoftHsmTestTokens.TestToken off = SoftHsmTestTokens.create("tc-csca");
        SoftHsmTestTokens.TestToken on = SoftHsmTestTokens.create("tc-online");
        offline = off.open(Clock.systemUTC());
        online = on.open(Clock.systemUTC());
        online.generateSecretKey("pii-hmac-1", SecretKeyType.HMAC_SHA256);
        online.generateSecretKey("pii-aes-1", SecretKeyType.AES_256);
        MutableClock clock = new MutableClock(NOW);
        fixture = new DocumentSignerFixture(db.database(), offline, online, clock, NOW.minus(Duration.ofDays(30)), DIR);
        AuditLedger audit = AuditLedger.hashChained(clock);
        DocumentSignerPool seals = new DocumentSignerPool(
                db.database(),
                audit,
                clock,
                0,
                DocumentSignerPool.Settings.defaults(),
                System::nanoTime,
                SignerPurpose.SEAL);
        seals.generate(DocumentSignerFixture.CUSTODIANS, online, 1, KeyAlgorithm.EC_P256, 1000);
        List<X509Certificate> signers = fixture
                .ceremony()
                .certify(
                        DocumentSignerFixture.CUSTODIANS,
                        offline,
                        DocumentSignerFixture.CSCA,
                        1,
                        null,
                        SignerPurpose.SEAL)
                .stream()
                .map(d -> {
                    try {
                        return SealSignerTest.x509(d.certificate());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })
                .toList();
        cards = new CardRegistry(db.database(), new PersonalDataKeys(online, "pii-hmac-1", "pii-aes-1"), audit, clock);
        reissues = new CardReissues(db.database(), cards, audit, clock);
        temporary = new TemporaryCertificates(db.database(), cards, reissues, seals, online, audit, clock, "HR");
        verifier =
                new SealVerifier(List.of(SealSignerTest.x509(fixture.csca)), SealVerifier.SignerDirectory.of(signers));
    }

    @AfterAll
    static void tearDown() {
        online.close();
        offline.close();
    }

    private static String register(String nationalId, String name, LocalDate birth) {
        String number = String.format("TW%08d", CARD.incrementAndGet());
        cards.register(OFFICER, registration(number, nationalId, name, birth));
        return number;
    }

    private static CardRegistration registration(String number, String nationalId, String name, LocalDate birth) {
        return new CardRegistration(
                number, new byte[] {1, 2, 3, 4}, NationalId.of(nationalId), HolderName.of(name, Set.of()), birth);
    }

    private static long count(String sql) {
        return db.database().inTransaction(c -> {
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** The call is refused with {@code code} and changes no temporary certificate, re-issue or audit event. */
    private static void refusedStoringNothing(ThrowingCallable call, Object code) {
        long certs = count("SELECT COUNT(*) FROM temporary_certificate");
        long open = count("SELECT COUNT(*) FROM card_reissue WHERE ended_at IS NULL");
        long audit = count("SELECT COUNT(*) FROM audit_event");
        long cardRows = count("SELECT COUNT(*) FROM card");
        assertThatThrownBy(call).satisfies(e -> assertThat(code(e)).isEqualTo(code));
        assertThat(count("SELECT COUNT(*) FROM temporary_certificate")).isEqualTo(certs);
        assertThat(count("SELECT COUNT(*) FROM card_reissue WHERE ended_at IS NULL"))
                .isEqualTo(open);
        assertThat(count("SELECT COUNT(*) FROM audit_event")).isEqualTo(audit);
        assertThat(count("SELECT COUNT(*) FROM card")).isEqualTo(cardRows);
    }

    private static Object code(Throwable e) {
        if (e instanceof CardException c) {
            return c.code();
        }
        if (e instanceof TemporaryCertificateException t) {
            return t.code();
        }
        if (e instanceof SealException s) {
            return s.code();
        }
        return e;
    }

    @Test
    void aCardInReissueGetsASealedCertificateFromItsEncryptedRecord() {
        String card = register("A123456789", "陳大文", BIRTH);
        reissues.start(OFFICER, card, TODAY.plusDays(7));
        TemporaryCertificates.Issued issued = temporary.issue(OFFICER, card, "TPE01", null, null);

        // by default valid from today until the new card's delivery (7 days < 30)
        assertThat(issued.content())
                .isEqualTo(new TemporaryCertificateContent(
                        issued.number(), TODAY, TODAY.plusDays(7), "A123456789", "陳大文", BIRTH, "TPE01"));
        SealVerifier.Verification v = verifier.verify(issued.seal(), TODAY);
        assertThat(v.valid()).isTrue();
        assertThat(v.content()).isEqualTo(issued.content());
        assertThat(v.seal().header().issueDate()).isEqualTo(TODAY);

        TemporaryCertificates.Record stored = temporary.find(issued.number()).orElseThrow();
        assertThat(stored.status()).isEqualTo("GOOD");
        assertThat(stored.sealSha256()).isEqualTo(TemporaryCertificates.sha256(issued.seal()));
        assertThat(count("SELECT COUNT(*) FROM audit_event WHERE action = 'temporary-certificate.issue' AND target = '"
                        + issued.number() + "'"))
                .isEqualTo(1);

        temporary.revoke(OFFICER, issued.number(), "lost");
        assertThat(temporary.find(issued.number()).orElseThrow().revoked()).isTrue();
        refusedStoringNothing(
                () -> temporary.revoke(OFFICER, issued.number(), "lost"),
                TemporaryCertificateException.Code.ALREADY_REVOKED);
    }

    @Test
    void theDefaultValidityIs30DaysWithTheFirstWhenTheCardComesLater() {
        String card = register("B223456782", "林小美", LocalDate.of(2000, 2, 29));
        reissues.start(OFFICER, card, TODAY.plusDays(60));
        TemporaryCertificates.Issued issued = temporary.issue(OFFICER, card, "KHH02", null, null);
        assertThat(issued.content().validUntil()).isEqualTo(TODAY.plusDays(29));
        assertThat(issued.content().birthDate()).isEqualTo(LocalDate.of(2000, 2, 29));
    }

    @Test
    void refusalsStoreNothing() {
        String notInReissue = register("F135792464", "王一", BIRTH);
        refusedStoringNothing(
                () -> temporary.issue(OFFICER, notInReissue, "TPE01", null, null), CardException.Code.NOT_IN_REISSUE);

        String card = register("A123456789", "王二", BIRTH);
        reissues.start(OFFICER, card, TODAY.plusDays(40));
        refusedStoringNothing(
                () -> temporary.issue(OFFICER, card, "TPE01", TODAY, TODAY.plusDays(30)),
                TemporaryCertificateException.Code.VALIDITY_TOO_LONG);
        refusedStoringNothing(
                () -> temporary.issue(OFFICER, card, "TPE01", TODAY.plusDays(20), TODAY.plusDays(41)),
                TemporaryCertificateException.Code.PAST_DELIVERY);
        refusedStoringNothing(
                () -> temporary.issue(OFFICER, card, "TPE01", TODAY.minusDays(1), null),
                TemporaryCertificateException.Code.INVALID_VALIDITY);
        refusedStoringNothing(
                () -> temporary.issue(OFFICER, card, "tpe-01", null, null), SealException.Code.UNENCODABLE);
        refusedStoringNothing(() -> reissues.start(OFFICER, card, TODAY.plusDays(9)), CardException.Code.REISSUE_OPEN);

        // 31 CJK characters: 93 UTF-8 bytes, more than the seal's 90
        String longName = register("B223456782", "陳".repeat(31), BIRTH);
        reissues.start(OFFICER, longName, TODAY.plusDays(7));
        refusedStoringNothing(
                () -> temporary.issue(OFFICER, longName, "TPE01", null, null), SealException.Code.NAME_TOO_LONG);

        String noBirth = register("F135792464", "王三", null);
        reissues.start(OFFICER, noBirth, TODAY.plusDays(7));
        refusedStoringNothing(
                () -> temporary.issue(OFFICER, noBirth, "TPE01", null, null),
                TemporaryCertificateException.Code.NO_BIRTH_DATE);

        refusedStoringNothing(
                () -> reissues.start(OFFICER, notInReissue, TODAY.minusDays(1)),
                CardException.Code.INVALID_DELIVERY_DATE);
    }

    @Test
    void registeringTheSuccessorEndsTheReissueAndRevokesItsCertificates() {
        String old = register("A123456789", "張三", BIRTH);
        reissues.start(OFFICER, old, TODAY.plusDays(5));
        TemporaryCertificates.Issued a = temporary.issue(OFFICER, old, "TPE01", null, null);
        TemporaryCertificates.Issued b = temporary.issue(OFFICER, old, "TPE01", TODAY.plusDays(1), null);

        // a successor of another national ID is refused, and not even registered
        String stranger = String.format("TW%08d", CARD.incrementAndGet());
        refusedStoringNothing(
                () -> reissues.registerSuccessor(OFFICER, registration(stranger, "B223456782", "張三", BIRTH), old),
                CardException.Code.INVALID_SUCCESSOR);
        assertThat(cards.find(stranger, false)).isEmpty();

        String successor = String.format("TW%08d", CARD.incrementAndGet());
        reissues.registerSuccessor(OFFICER, registration(successor, "A123456789", "張三", BIRTH), old);
        assertThat(temporary.find(a.number()).orElseThrow().revocationReason()).isEqualTo("card-delivered");
        assertThat(temporary.find(b.number()).orElseThrow().revoked()).isTrue();
        CardReissues.Reissue ended = reissues.of(old).get(0);
        assertThat(ended.endReason()).isEqualTo("SUCCESSOR");
        assertThat(ended.successorCard()).isEqualTo(successor);
        refusedStoringNothing(
                () -> temporary.issue(OFFICER, old, "TPE01", null, null), CardException.Code.NOT_IN_REISSUE);
    }

    @Test
    void cancellingTheReissueRevokesItsCertificates() {
        String card = register("F135792464", "李四", BIRTH);
        reissues.start(OFFICER, card, TODAY.plusDays(8));
        TemporaryCertificates.Issued issued = temporary.issue(OFFICER, card, "TPE01", null, null);
        reissues.cancel(OFFICER, card);
        assertThat(temporary.find(issued.number()).orElseThrow().revocationReason())
                .isEqualTo("reissue-cancelled");
        refusedStoringNothing(() -> reissues.cancel(OFFICER, card), CardException.Code.NOT_IN_REISSUE);
        // a new re-issue may start once the old one ended
        reissues.start(OFFICER, card, TODAY.plusDays(8));
    }
}
