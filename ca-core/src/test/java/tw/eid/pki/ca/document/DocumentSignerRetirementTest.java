package tw.eid.pki.ca.document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditVerifier;
import tw.eid.pki.ca.card.CardRegistration;
import tw.eid.pki.ca.card.CardRegistry;
import tw.eid.pki.ca.card.NationalId;
import tw.eid.pki.ca.card.PersonalDataKeys;
import tw.eid.pki.ca.profile.HolderName;
import tw.eid.pki.ca.profile.RevocationReason;
import tw.eid.pki.ca.revocation.RevocationService;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.MutableClock;
import tw.eid.pki.hsm.Pkcs11ToolObjects;
import tw.eid.pki.hsm.SecretKeyType;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;
import tw.eid.pki.hsm.TokenException;

/**
 * {@code ds retire} on real SoftHSM2 tokens and a real MariaDB, on an injected clock: the keys of
 * DSs that have ended (count, period, revocation, rotation) are destroyed an hour after their
 * retirement and not before, the SODs they signed still verify, a DS within its period and count
 * is never touched, and a run interrupted after the destruction is finished by the next. Each test
 * has its own store and tokens.
 */
class DocumentSignerRetirementTest {
    private static final Actor LINE = new Actor("perso-line-1", "127.0.0.1", "127.0.0.1:8443");
    private static final Actor CUSTODIANS = Actor.local("custodians:alice+bob");
    /** Two tokens per test, all created before the library is loaded (SoftHSM2 does not see tokens made later). */
    private static final Deque<SoftHsmTestTokens.TestToken> TOKENS = new ArrayDeque<>();

    private Database database;
    private Token offline;
    private SoftHsmTestTokens.TestToken onlineToken;
    private Token online;
    private MutableClock clock;
    private DocumentSignerFixture fixture;
    private CardRegistry cards;
    private DocumentSignerRetirement retirement;
    private Path dir;
    private int card;

    @BeforeAll
    static void createTokens() {
        for (int i = 0; i < 6; i++) {
            TOKENS.add(SoftHsmTestTokens.create(i % 2 == 0 ? "csca" : "online"));
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        database = TestDatabase.createDatabase();
        dir = Files.createDirectories(TestDatabase.workDirectory().resolve("ds-retire-" + System.nanoTime()));
        offline = TOKENS.remove().open(Clock.systemUTC());
        onlineToken = TOKENS.remove();
        online = onlineToken.open(Clock.systemUTC());
        online.generateSecretKey("pii-hmac-1", SecretKeyType.HMAC_SHA256);
        online.generateSecretKey("pii-aes-1", SecretKeyType.AES_256);
        clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        fixture = new DocumentSignerFixture(
                database, offline, online, clock, clock.instant().minus(Duration.ofDays(30)), dir);
        cards = new CardRegistry(
                database,
                new PersonalDataKeys(online, "pii-hmac-1", "pii-aes-1"),
                AuditLedger.hashChained(clock),
                clock);
        retirement = new DocumentSignerRetirement(fixture.pool, database, AuditLedger.hashChained(clock), clock);
    }

    @AfterEach
    void tearDown() {
        online.close();
        offline.close();
        database.close();
    }

    @Test
    void keysOfEndedSignersAreDestroyedAnHourAfterTheirRetirementAndTheirSodsStillVerify() throws Exception {
        String counted = fixture.certifiedBatch(1, 2, null).get(0).keyLabel(); // two documents only
        String rotated = fixture.certifiedBatch(1, 1000, null).get(0).keyLabel();
        String current = fixture.certifiedBatch(1, 1000, null).get(0).keyLabel();
        DocumentSignerCeremony.Certified revoked =
                fixture.certifiedBatch(1, 1000, null).get(0); // revoked as a spare
        String nextQuarter = fixture.certifiedBatch(1, 1000, clock.instant().plus(Duration.ofDays(80)))
                .get(0)
                .keyLabel();
        List<IssuedSod> sods = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sods.add(fixture.sodIssuer().issue(LINE, request(card())));
        }
        assertThat(sods).extracting(IssuedSod::dsKeyLabel).containsExactly(counted, counted, rotated);
        assertThat(fixture.pool.rotate(Actor.local("cli:officer-7"))).contains(rotated);
        sods.add(fixture.sodIssuer().issue(LINE, request(card())));
        assertThat(sods.get(3).dsKeyLabel()).isEqualTo(current);
        new RevocationService(database, AuditLedger.hashChained(clock), clock)
                .revoke(
                        Actor.local("test"),
                        DocumentSignerFixture.CSCA,
                        revoked.certificate().getSerialNumber().toString(16),
                        RevocationReason.KEY_COMPROMISE);
        Instant retiredAt = clock.instant();

        // The run retires the revoked spare; nothing has been retired an hour yet.
        DocumentSignerRetirement.Result first = retirement.run(CUSTODIANS, online);
        assertThat(first.retired()).containsExactly(revoked.keyLabel());
        assertThat(first.destroyed()).isEmpty();
        assertThat(first.waiting())
                .extracting(DocumentSignerRetirement.Waiting::keyLabel)
                .containsExactlyInAnyOrder(counted, rotated, revoked.keyLabel());
        assertThat(first.waiting())
                .extracting(DocumentSignerRetirement.Waiting::from)
                .containsOnly(retiredAt.plus(DocumentSignerRetirement.DESTROY_AFTER));
        clock.set(retiredAt.plus(DocumentSignerRetirement.DESTROY_AFTER).minusSeconds(1));
        assertThat(retirement.run(CUSTODIANS, online).destroyed()).isEmpty();
        assertThat(List.of(counted, rotated, revoked.keyLabel())).allMatch(online::exists);

        clock.set(retiredAt.plus(DocumentSignerRetirement.DESTROY_AFTER));
        DocumentSignerRetirement.Result due = retirement.run(CUSTODIANS, online);
        assertThat(due.destroyed()).containsExactlyInAnyOrder(counted, rotated, revoked.keyLabel());
        assertThat(due.retired()).isEmpty();
        assertThat(due.waiting()).isEmpty();
        // Gone for the token and for pkcs11-tool; the active DS and next quarter's spare are whole and sign.
        for (String gone : due.destroyed()) {
            assertThat(online.exists(gone)).as(gone).isFalse();
        }
        List<String> privateKeys = Pkcs11ToolObjects.labels(onlineToken, "Private Key");
        assertThat(privateKeys).doesNotContainAnyElementsOf(due.destroyed()).contains(current, nextQuarter);
        assertThat(fixture.sodIssuer().issue(LINE, request(card())).dsKeyLabel())
                .isEqualTo(current);
        // Rows and certificates stay, marked; the SODs signed before still verify up to the CSCA.
        for (DocumentSignerPool.Signer s : fixture.pool.signers()) {
            assertThat(s.keyDestroyedAt() != null)
                    .as(s.keyLabel())
                    .isEqualTo(due.destroyed().contains(s.keyLabel()));
        }
        for (IssuedSod sod : sods) {
            assertThat(SodChecks.opensslVerify(sod.efSod(), fixture.cscaPem, dir))
                    .startsWith("0 ")
                    .contains("Verification successful");
            SodChecks.pkixValidates(
                    SodChecks.jmrtdMatches(sod.efSod(), dataGroups(), "SHA-256").getDocSigningCertificate(),
                    fixture.csca,
                    clock.instant());
        }
        assertThat(count("SELECT COUNT(*) FROM document_signer WHERE certificate_der IS NOT NULL"))
                .isEqualTo(5);
        // Audited in the hash chain, one destruction each; a later run has nothing to do.
        assertThat(count("SELECT COUNT(*) FROM audit_event WHERE action = 'ds.key-destroy'"
                        + " AND details LIKE '%\"objectsDestroyed\":2,\"alreadyAbsent\":false%'"))
                .isEqualTo(3);
        assertThat(retirement.run(CUSTODIANS, online))
                .isEqualTo(new DocumentSignerRetirement.Result(List.of(), List.of(), List.of()));
        assertThat(AuditVerifier.verify(
                                database.dataSource(),
                                new JcaContentVerifierProviderBuilder()
                                        .setProvider(new BouncyCastleProvider())
                                        .build(fixture.csca))
                        .ok())
                .isTrue();
        // The schema refuses a destruction mark on a DS that is not retired.
        assertThatThrownBy(() -> database.inTransaction(c -> c.createStatement()
                        .executeUpdate("UPDATE document_signer SET key_destroyed_at = generated_at WHERE key_label = '"
                                + nextQuarter + "'")))
                .hasRootCauseInstanceOf(SQLException.class);
    }

    @Test
    void aProcessStillHoldingABlockOfADestroyedSignerIsRefusedAndSignsNothing() throws Exception {
        String first = fixture.certifiedBatch(1, 1000, null).get(0).keyLabel();
        // Another RA process: its own pool object, whose ticker this test holds still (it never re-reads its DS).
        AtomicLong frozen = new AtomicLong();
        DocumentSignerPool elsewhere = new DocumentSignerPool(
                database,
                AuditLedger.hashChained(clock),
                clock,
                DocumentSignerPool.DEFAULT_LOW_WATER_MARK,
                DocumentSignerPool.Settings.defaults(),
                frozen::get);
        SodIssuer otherRa = new SodIssuer(database, online, elsewhere, AuditLedger.hashChained(clock), 1);
        assertThat(otherRa.issue(LINE, request(card())).dsKeyLabel()).isEqualTo(first);
        assertThat(fixture.pool.rotate(Actor.local("cli:officer-7"))).contains(first);
        clock.advance(DocumentSignerRetirement.DESTROY_AFTER);
        assertThat(retirement.run(CUSTODIANS, online).destroyed()).containsExactly(first);

        // Far past the re-check bound the rule relies on: the token refuses, no SOD is signed or stored.
        String refused = card();
        long stored = count("SELECT COUNT(*) FROM card_sod");
        assertThatThrownBy(() -> otherRa.issue(LINE, request(refused)))
                .isInstanceOfSatisfying(
                        TokenException.class, e -> assertThat(e.code()).isEqualTo(TokenException.Code.KEY_NOT_FOUND))
                .hasMessageContaining("no private key labelled '" + first + "'");
        assertThat(count("SELECT COUNT(*) FROM card_sod")).isEqualTo(stored);
        // Once it re-reads its DS, it drops the block: no certified DS is left, so the pool is empty.
        frozen.addAndGet(DocumentSignerPool.DEFAULT_RECHECK.toNanos());
        assertThatThrownBy(() -> otherRa.issue(LINE, request(refused)))
                .isInstanceOfSatisfying(
                        SodException.class, e -> assertThat(e.code()).isEqualTo(SodException.Code.POOL_EMPTY));
    }

    @Test
    void aRunThatStoppedAfterTheDestructionIsFinishedByTheNext() {
        String ds = fixture.certifiedBatch(1, 1000, null).get(0).keyLabel();
        fixture.sodIssuer().issue(LINE, request(card()));
        fixture.pool.rotate(Actor.local("cli:officer-7"));
        clock.advance(DocumentSignerRetirement.DESTROY_AFTER);
        online.destroyKeyPair(ds); // the run that did this stopped before recording it
        assertThat(retirement.run(CUSTODIANS, online).destroyed()).containsExactly(ds);
        assertThat(count("SELECT COUNT(*) FROM document_signer WHERE key_label = '" + ds
                        + "' AND key_destroyed_at IS NOT NULL"))
                .isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM audit_event WHERE action = 'ds.key-destroy'"
                        + " AND details LIKE '%\"alreadyAbsent\":true%'"))
                .isEqualTo(1);
        assertThat(retirement.run(CUSTODIANS, online).destroyed()).isEmpty();
    }

    private String card() {
        String n = String.format("TWR%07d", ++card);
        cards.register(
                LINE,
                new CardRegistration(
                        n,
                        HexFormat.of().parseHex("04a1b2c3d4e5f6"),
                        NationalId.of("A123456789"),
                        HolderName.of("王小明", Set.of())));
        return n;
    }

    private static Map<Integer, byte[]> dataGroups() {
        Map<Integer, byte[]> dgs = new LinkedHashMap<>();
        dgs.put(1, "P<TWNWANG<<XIAOMING<<<<<<<<<<<<<<<<<<<<<<<<<".getBytes(StandardCharsets.US_ASCII));
        dgs.put(2, new byte[] {0x75, 0x03, 1, 2, 3});
        return dgs;
    }

    private static SodRequest request(String card) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            List<SodRequest.DataGroupHash> hashes = new ArrayList<>();
            dataGroups().forEach((n, content) -> hashes.add(new SodRequest.DataGroupHash(n, md.digest(content))));
            return new SodRequest(card, HashAlgorithm.SHA_256, hashes, null);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private long count(String sql) {
        return database.inTransaction(c -> {
            try (var st = c.createStatement();
                    var rs = st.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
