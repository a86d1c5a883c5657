package tw.eid.pki.ca.document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.jmrtd.lds.SODFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditVerifier;
import tw.eid.pki.ca.card.CardException;
import tw.eid.pki.ca.card.CardRegistration;
import tw.eid.pki.ca.card.CardRegistry;
import tw.eid.pki.ca.card.NationalId;
import tw.eid.pki.ca.card.PersonalDataKeys;
import tw.eid.pki.ca.profile.CaCertificate;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.profile.HolderName;
import tw.eid.pki.ca.profile.ProfileLint;
import tw.eid.pki.ca.profile.RevocationReason;
import tw.eid.pki.ca.revocation.RevocationService;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.MutableClock;
import tw.eid.pki.hsm.SecretKeyType;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/**
 * SODs from a DS pool on real SoftHSM2 tokens (an offline token with the CSCA, the online token with
 * the DS keys) and a real MariaDB, judged by JMRTD, openssl and Java PKIX; the pool on an injected
 * clock and small document counts.
 */
class SodIssuerTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Actor LINE = new Actor("perso-line-1", "127.0.0.1", "127.0.0.1:8443");
    private static final Path DIR = TestDatabase.workDirectory().resolve("sod-" + System.nanoTime());
    private static Token offline;
    private static Token online;
    private static MutableClock clock;
    private static DocumentSignerFixture fixture;
    private static CardRegistry cards;
    private static final AtomicInteger CARD = new AtomicInteger();

    @BeforeAll
    static void setUp() throws Exception {
        Files.createDirectories(DIR);
        // Both tokens exist before either opens: SoftHSM2 reads its slot list once.
        SoftHsmTestTokens.TestToken off = SoftHsmTestTokens.create("csca");
        SoftHsmTestTokens.TestToken on = SoftHsmTestTokens.create("online");
        offline = off.open(Clock.systemUTC());
        online = on.open(Clock.systemUTC());
        online.generateSecretKey("pii-hmac-1", SecretKeyType.HMAC_SHA256);
        online.generateSecretKey("pii-aes-1", SecretKeyType.AES_256);
        online.generateKeyPair("audit-key", KeyAlgorithm.EC_P256);
        clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        fixture = new DocumentSignerFixture(
                db.database(), offline, online, clock, clock.instant().minus(Duration.ofDays(30)), DIR);
        cards = new CardRegistry(
                db.database(),
                new PersonalDataKeys(online, "pii-hmac-1", "pii-aes-1"),
                AuditLedger.hashChained(clock),
                clock);
    }

    @AfterAll
    static void tearDown() {
        online.close();
        offline.close();
    }

    @BeforeEach
    void emptyPool() {
        // Each test builds the pool it needs: retire whatever an earlier test left.
        db.database().inTransaction(c -> {
            try (var st = c.createStatement()) {
                st.executeUpdate("UPDATE document_signer SET state = 'RETIRED', retire_reason = 'test'"
                        + " WHERE state <> 'RETIRED' AND state <> 'GENERATED'");
                st.executeUpdate("DELETE FROM document_signer WHERE state = 'GENERATED'");
            }
            return null;
        });
        // ... and let the pool see it: past its re-check interval it drops a block of a retired signer.
        fixture.passRecheck();
    }

    private static String card() {
        String n = String.format("TWD%07d", CARD.incrementAndGet());
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
        dgs.put(14, new byte[] {0x6e, 0x02, 9, 9});
        dgs.put(15, new byte[] {0x6f, 0x01, 7});
        return dgs;
    }

    private static SodRequest request(
            String card, HashAlgorithm algorithm, Map<Integer, byte[]> dgs, SodRequest.LdsVersion version)
            throws Exception {
        MessageDigest md = MessageDigest.getInstance(algorithm.jcaName());
        List<SodRequest.DataGroupHash> hashes = new ArrayList<>();
        dgs.forEach((n, content) -> hashes.add(new SodRequest.DataGroupHash(n, md.digest(content))));
        return new SodRequest(card, algorithm, hashes, version);
    }

    private static long count(String sql) {
        return db.database().inTransaction(c -> {
            try (var st = c.createStatement();
                    var rs = st.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Test
    void sodIsReadByJmrtdAndVerifiedByOpensslAndPkix() throws Exception {
        List<DocumentSignerCeremony.Certified> batch = fixture.certifiedBatch(2, 1000, null);
        for (HashAlgorithm algorithm : HashAlgorithm.values()) {
            for (SodRequest.LdsVersion version :
                    new SodRequest.LdsVersion[] {null, new SodRequest.LdsVersion("0108", "040000")}) {
                String card = card();
                IssuedSod sod = fixture.sodIssuer().issue(LINE, request(card, algorithm, dataGroups(), version));
                assertThat(sod.efSod()[0]).isEqualTo((byte) 0x77);

                SODFile parsed = SodChecks.jmrtdMatches(sod.efSod(), dataGroups(), algorithm.jcaName());
                assertThat(parsed.getLDSVersion()).isEqualTo(version == null ? null : "0108");
                assertThat(parsed.getUnicodeVersion()).isEqualTo(version == null ? null : "040000");
                X509Certificate ds = parsed.getDocSigningCertificate();
                assertThat(ds.getEncoded()).isEqualTo(batch.get(0).certificate().getEncoded());
                assertThat(parsed.getSerialNumber()).isEqualTo(ds.getSerialNumber());

                assertThat(SodChecks.opensslVerify(sod.efSod(), fixture.cscaPem, DIR))
                        .startsWith("0 ")
                        .contains("Verification successful");
                SodChecks.pkixValidates(ds, fixture.csca, clock.instant());

                // Stored against the card, which is now personalized.
                assertThat(count("SELECT COUNT(*) FROM card_sod WHERE card_number = '" + card
                                + "' AND personalization = 1"))
                        .isEqualTo(1);
                assertThat(count("SELECT COUNT(*) FROM card WHERE card_number = '" + card
                                + "' AND status = 'PERSONALIZED'"))
                        .isEqualTo(1);
            }
        }
        // The DS certificate passes its profile's lint and chains to the CSCA.
        assertThat(new ProfileLint(fixture.settings)
                        .check(
                                CertificateProfile.DOCUMENT_SIGNER,
                                batch.get(0).certificate(),
                                new CaCertificate(CertificateProfile.CSCA, fixture.csca)))
                .isEmpty();
        // Signed attributes: exactly contentType, messageDigest, signingTime (openssl prints them).
        String card = card();
        IssuedSod sod = fixture.sodIssuer().issue(LINE, request(card, HashAlgorithm.SHA_256, dataGroups(), null));
        Path cms = Files.write(DIR.resolve("attrs.cms"), SecurityObjects.unwrapSod(sod.efSod()));
        Process p = new ProcessBuilder("openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", cms.toString())
                .redirectErrorStream(true)
                .start();
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        assertThat(printed)
                .contains("contentType", "messageDigest", "signingTime", "2.23.136.1.1.1")
                .doesNotContain("Algorithm Protection", "1.2.840.113549.1.9.52");
        assertThat(count("SELECT COUNT(*) FROM audit_event WHERE action = 'card.sod' AND target = '" + card + "'"))
                .isEqualTo(1);
        assertThat(AuditVerifier.verify(
                                db.dataSource(),
                                new org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder()
                                        .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                                        .build(online.publicKey("audit-key")))
                        .ok())
                .isTrue();
    }

    @Test
    void aSignerPastItsDocumentCountIsNeverUsedAndTheNextTakesOver() throws Exception {
        List<DocumentSignerCeremony.Certified> batch = fixture.certifiedBatch(2, 2, null);
        List<String> used = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            used.add(fixture.sodIssuer()
                    .issue(LINE, request(card(), HashAlgorithm.SHA_256, dataGroups(), null))
                    .dsKeyLabel());
        }
        // Ordered by usage end, then number: both end together, so the lower number first.
        assertThat(used)
                .containsExactly(
                        batch.get(0).keyLabel(),
                        batch.get(0).keyLabel(),
                        batch.get(1).keyLabel(),
                        batch.get(1).keyLabel());
        assertThat(count("SELECT MAX(documents_signed) FROM document_signer WHERE key_label IN ('"
                        + batch.get(0).keyLabel() + "','" + batch.get(1).keyLabel() + "')"))
                .isEqualTo(2);
        // Both exhausted: an empty pool refuses, and nothing is stored.
        String card = card();
        long sods = count("SELECT COUNT(*) FROM card_sod");
        assertThatThrownBy(
                        () -> fixture.sodIssuer().issue(LINE, request(card, HashAlgorithm.SHA_256, dataGroups(), null)))
                .isInstanceOfSatisfying(
                        SodException.class, e -> assertThat(e.code()).isEqualTo(SodException.Code.POOL_EMPTY));
        assertThat(count("SELECT COUNT(*) FROM card_sod")).isEqualTo(sods);
        assertThat(count("SELECT COUNT(*) FROM card WHERE card_number = '" + card + "' AND status = 'REGISTERED'"))
                .isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM document_signer WHERE retire_reason = 'document-count-reached'"))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void aSignerPastItsUsagePeriodIsNeverUsed() throws Exception {
        Instant start = clock.instant();
        List<DocumentSignerCeremony.Certified> now = fixture.certifiedBatch(1, 1000, null);
        // A second batch prepared ahead: its usage period starts in 80 days.
        List<DocumentSignerCeremony.Certified> later = fixture.certifiedBatch(1, 1000, start.plus(Duration.ofDays(80)));
        assertThat(fixture.sodIssuer()
                        .issue(LINE, request(card(), HashAlgorithm.SHA_256, dataGroups(), null))
                        .dsKeyLabel())
                .isEqualTo(now.get(0).keyLabel());
        // Counted by time alone (no water mark): covered until the later batch's end, well over 30 days.
        DocumentSignerPool byTime = new DocumentSignerPool(db.database(), AuditLedger.hashChained(clock), clock, 0);
        assertThat(byTime.status().coveredUntil())
                .isEqualTo(DocumentSignerCeremony.usagePeriod(later.get(0).certificate())[1]);
        assertThat(byTime.status().low()).isFalse();
        // Day 85: both in their periods; the active one still signs.
        clock.set(start.plus(Duration.ofDays(85)));
        assertThat(fixture.sodIssuer()
                        .issue(LINE, request(card(), HashAlgorithm.SHA_256, dataGroups(), null))
                        .dsKeyLabel())
                .isEqualTo(now.get(0).keyLabel());
        // Day 90, one second past the first one's usage period: the second takes over.
        clock.set(DocumentSignerCeremony.usagePeriod(now.get(0).certificate())[1].plusSeconds(1));
        IssuedSod sod = fixture.sodIssuer().issue(LINE, request(card(), HashAlgorithm.SHA_256, dataGroups(), null));
        assertThat(sod.dsKeyLabel()).isEqualTo(later.get(0).keyLabel());
        SodChecks.pkixValidates(
                SodChecks.jmrtdMatches(sod.efSod(), dataGroups(), "SHA-256").getDocSigningCertificate(),
                fixture.csca,
                clock.instant());
        // 29 days before the last cover ends: the pool warns.
        clock.set(DocumentSignerCeremony.usagePeriod(later.get(0).certificate())[1].minus(Duration.ofDays(29)));
        assertThat(byTime.status().low()).isTrue();
        // Past the second one's period too: refused, never an expired DS.
        clock.set(DocumentSignerCeremony.usagePeriod(later.get(0).certificate())[1].plusSeconds(1));
        String card = card();
        assertThatThrownBy(
                        () -> fixture.sodIssuer().issue(LINE, request(card, HashAlgorithm.SHA_256, dataGroups(), null)))
                .isInstanceOfSatisfying(
                        SodException.class, e -> assertThat(e.code()).isEqualTo(SodException.Code.POOL_EMPTY))
                .hasMessageContaining("usage period");
        clock.set(start);
    }

    @Test
    void rotateSwitchesAtOnceAndARevokedSignerIsNeverUsed() throws Exception {
        List<DocumentSignerCeremony.Certified> batch = fixture.certifiedBatch(3, 1000, null);
        assertThat(fixture.sodIssuer()
                        .issue(LINE, request(card(), HashAlgorithm.SHA_256, dataGroups(), null))
                        .dsKeyLabel())
                .isEqualTo(batch.get(0).keyLabel());
        assertThat(fixture.pool.rotate(Actor.local("cli:ds-rotate")))
                .contains(batch.get(0).keyLabel());
        assertThat(fixture.sodIssuer()
                        .issue(LINE, request(card(), HashAlgorithm.SHA_256, dataGroups(), null))
                        .dsKeyLabel())
                .isEqualTo(batch.get(1).keyLabel());
        // The active DS's certificate is revoked (recorded on the certificate row, for the CSCA CRL).
        revokeDs(batch.get(1));
        // The pool reads its signer's row again once its re-check interval has passed (1 s by default).
        fixture.passRecheck();
        assertThat(fixture.sodIssuer()
                        .issue(LINE, request(card(), HashAlgorithm.SHA_256, dataGroups(), null))
                        .dsKeyLabel())
                .isEqualTo(batch.get(2).keyLabel());
        assertThat(count("SELECT COUNT(*) FROM document_signer WHERE retire_reason = 'certificate-revoked'"))
                .isEqualTo(1);
        DocumentSignerPool.Status status = fixture.pool.status();
        assertThat(status.active().keyLabel()).isEqualTo(batch.get(2).keyLabel());
        assertThat(status.usableSpares()).isZero();
        assertThat(status.low()).isTrue();
    }

    @Test
    void concurrentReservationsNeverPassACountAndUseEverySignerExactly() throws Exception {
        List<DocumentSignerCeremony.Certified> batch = fixture.certifiedBatch(4, 5, null);
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(8);
        AtomicInteger reserved = new AtomicInteger();
        AtomicInteger empty = new AtomicInteger();
        List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            fs.add(threads.submit(() -> {
                try {
                    fixture.pool.reserve(LINE);
                    reserved.incrementAndGet();
                } catch (SodException e) {
                    assertThat(e.code()).isEqualTo(SodException.Code.POOL_EMPTY);
                    empty.incrementAndGet();
                }
            }));
        }
        for (var f : fs) {
            f.get(); // any other failure fails the test
        }
        threads.shutdown();
        assertThat(reserved.get()).isEqualTo(20);
        assertThat(empty.get()).isEqualTo(20);
        for (DocumentSignerCeremony.Certified ds : batch) {
            assertThat(count("SELECT documents_signed FROM document_signer WHERE key_label = '" + ds.keyLabel() + "'"))
                    .as(ds.keyLabel())
                    .isEqualTo(5);
        }
        assertThat(count("SELECT COUNT(*) FROM audit_event WHERE action = 'ds.activate' AND target IN ('"
                        + String.join(
                                "','",
                                batch.stream()
                                        .map(DocumentSignerCeremony.Certified::keyLabel)
                                        .toList()) + "')"))
                .as("each DS activated once")
                .isEqualTo(4);
    }

    @Test
    void oneSodPerPersonalizationUntilAnOfficerReopensTheCard() throws Exception {
        fixture.certifiedBatch(1, 1000, null);
        String card = card();
        assertThat(fixture.sodIssuer()
                        .issue(LINE, request(card, HashAlgorithm.SHA_256, dataGroups(), null))
                        .personalization())
                .isEqualTo(1);
        long signed = count("SELECT SUM(documents_signed) FROM document_signer");
        assertThatThrownBy(
                        () -> fixture.sodIssuer().issue(LINE, request(card, HashAlgorithm.SHA_256, dataGroups(), null)))
                .isInstanceOfSatisfying(
                        SodException.class,
                        e -> assertThat(e.code()).isEqualTo(SodException.Code.ALREADY_PERSONALIZED));
        // Refused before a DS count is spent.
        assertThat(count("SELECT SUM(documents_signed) FROM document_signer")).isEqualTo(signed);
        Actor officer = Actor.local("officer-1");
        fixture.sodIssuer().reopen(officer, card);
        assertThatThrownBy(() -> fixture.sodIssuer().reopen(officer, card))
                .isInstanceOfSatisfying(
                        SodException.class, e -> assertThat(e.code()).isEqualTo(SodException.Code.NOT_PERSONALIZED));
        assertThat(fixture.sodIssuer()
                        .issue(LINE, request(card, HashAlgorithm.SHA_256, dataGroups(), null))
                        .personalization())
                .isEqualTo(2);
        assertThat(count("SELECT COUNT(*) FROM card_sod WHERE card_number = '" + card + "'"))
                .isEqualTo(2);
        assertThatThrownBy(() -> fixture.sodIssuer()
                        .issue(LINE, request("TWD9999999", HashAlgorithm.SHA_256, dataGroups(), null)))
                .isInstanceOfSatisfying(
                        CardException.class, e -> assertThat(e.code()).isEqualTo(CardException.Code.CARD_NOT_FOUND));
    }

    @Test
    void aSignerRotatedOrRevokedElsewhereStopsBeingUsedWithinTheRecheckInterval() throws Exception {
        List<DocumentSignerCeremony.Certified> batch = fixture.certifiedBatch(3, 1000, null);
        assertThat(fixture.sodIssuer()
                        .issue(LINE, request(card(), HashAlgorithm.SHA_256, dataGroups(), null))
                        .dsKeyLabel())
                .isEqualTo(batch.get(0).keyLabel());
        // `ds rotate` in another process: another pool object on the same store.
        DocumentSignerPool elsewhere = new DocumentSignerPool(db.database(), AuditLedger.hashChained(clock), clock);
        assertThat(elsewhere.rotate(Actor.local("cli:ds-rotate")))
                .contains(batch.get(0).keyLabel());
        // Within the interval the running pool still signs from its block (the documented bound) ...
        assertThat(fixture.sodIssuer()
                        .issue(LINE, request(card(), HashAlgorithm.SHA_256, dataGroups(), null))
                        .dsKeyLabel())
                .isEqualTo(batch.get(0).keyLabel());
        fixture.ticker.addAndGet(DocumentSignerPool.DEFAULT_RECHECK.toNanos() - 1);
        assertThat(fixture.sodIssuer()
                        .issue(LINE, request(card(), HashAlgorithm.SHA_256, dataGroups(), null))
                        .dsKeyLabel())
                .isEqualTo(batch.get(0).keyLabel());
        // ... and once it has passed, never again.
        fixture.ticker.addAndGet(1);
        assertThat(fixture.sodIssuer()
                        .issue(LINE, request(card(), HashAlgorithm.SHA_256, dataGroups(), null))
                        .dsKeyLabel())
                .isEqualTo(batch.get(1).keyLabel());
        // `ds revoke` of the new one (a CSCA act recorded on its certificate row), same bound.
        revokeDs(batch.get(1));
        fixture.passRecheck();
        for (int i = 0; i < 3; i++) {
            assertThat(fixture.sodIssuer()
                            .issue(LINE, request(card(), HashAlgorithm.SHA_256, dataGroups(), null))
                            .dsKeyLabel())
                    .isEqualTo(batch.get(2).keyLabel());
        }
        assertThat(count("SELECT COUNT(*) FROM document_signer WHERE key_label = '"
                        + batch.get(1).keyLabel()
                        + "' AND state = 'RETIRED' AND retire_reason = 'certificate-revoked'"))
                .isEqualTo(1);
        // No SOD names the revoked DS after the interval: the rotated one has 3, the revoked one 1.
        assertThat(count("SELECT COUNT(*) FROM card_sod WHERE ds_key_label = '"
                        + batch.get(0).keyLabel() + "'"))
                .isEqualTo(3);
        assertThat(count("SELECT COUNT(*) FROM card_sod WHERE ds_key_label = '"
                        + batch.get(1).keyLabel() + "'"))
                .isEqualTo(1);
    }

    @Test
    void blocksOfCountsNeverPassASignersCountAndUnusedCountsAreBurned() throws Exception {
        List<DocumentSignerCeremony.Certified> batch = fixture.certifiedBatch(2, 10, null);
        java.util.concurrent.atomic.AtomicLong ticks = new java.util.concurrent.atomic.AtomicLong();
        DocumentSignerPool blocksOfFour = new DocumentSignerPool(
                db.database(),
                AuditLedger.hashChained(clock),
                clock,
                0,
                new DocumentSignerPool.Settings(4, Duration.ofSeconds(1)),
                ticks::get);
        List<String> labels = new ArrayList<>();
        List<Long> numbers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            DocumentSignerPool.Reserved r = blocksOfFour.reserve(LINE);
            labels.add(r.keyLabel());
            numbers.add(r.documentNumber());
            assertThat(r.at()).isEqualTo(clock.instant());
            // Blocks of 4, 4, then the 2 left: the count in the store is always the end of the block.
            assertThat(count("SELECT documents_signed FROM document_signer WHERE key_label = '"
                            + batch.get(0).keyLabel() + "'"))
                    .isEqualTo(Math.min(10, (i / 4 + 1) * 4L));
        }
        assertThat(labels).containsOnly(batch.get(0).keyLabel());
        assertThat(numbers).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        DocumentSignerPool.Reserved next = blocksOfFour.reserve(LINE);
        assertThat(next.keyLabel()).isEqualTo(batch.get(1).keyLabel());
        assertThat(count("SELECT COUNT(*) FROM document_signer WHERE key_label = '"
                        + batch.get(0).keyLabel() + "' AND retire_reason = 'document-count-reached'"))
                .isEqualTo(1);
        // Rotated with 3 of its block of 4 unused: those are burned, the next block starts after them.
        assertThat(blocksOfFour.rotate(Actor.local("cli:ds-rotate")))
                .contains(batch.get(1).keyLabel());
        assertThat(count("SELECT documents_signed FROM document_signer WHERE key_label = '"
                        + batch.get(1).keyLabel() + "'"))
                .isEqualTo(4);
        assertThatThrownBy(() -> blocksOfFour.reserve(LINE))
                .isInstanceOfSatisfying(
                        SodException.class, e -> assertThat(e.code()).isEqualTo(SodException.Code.POOL_EMPTY));
        assertThatThrownBy(() -> new DocumentSignerPool.Settings(0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DocumentSignerPool.Settings(1, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aGroupCommitRefusesACardThatIsNoLongerRegisteredAndCommitsTheRest() throws Exception {
        fixture.certifiedBatch(1, 1000, null);
        String a = card();
        String b = card();
        String c = card();
        SodCommitter committer = new SodCommitter(db.database(), AuditLedger.hashChained(clock), 64);
        long events = count("SELECT COUNT(*) FROM audit_event WHERE action = 'card.sod'");
        // Two requests for card a in one batch (both passed the pre-check), between b and c.
        List<SodCommitter.Pending> batch = List.of(signed(b), signed(a), signed(a), signed(c));
        committer.write(batch);
        assertThat(batch.get(0).done().get().cardNumber()).isEqualTo(b);
        assertThat(batch.get(1).done().get().personalization()).isEqualTo(1);
        assertThat(batch.get(3).done().get().cardNumber()).isEqualTo(c);
        assertThatThrownBy(() -> batch.get(2).done().get())
                .hasCauseInstanceOf(SodException.class)
                .cause()
                .satisfies(
                        e -> assertThat(((SodException) e).code()).isEqualTo(SodException.Code.ALREADY_PERSONALIZED));
        // The refused one stored nothing: one SOD for a, the one returned.
        assertThat(count("SELECT COUNT(*) FROM card_sod WHERE card_number = '" + a + "'"))
                .isEqualTo(1);
        byte[] stored = db.database().inTransaction(conn -> {
            try (var ps = conn.prepareStatement("SELECT sod_der FROM card_sod WHERE card_number = ?")) {
                ps.setString(1, a);
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getBytes(1);
                }
            }
        });
        assertThat(stored)
                .isEqualTo(batch.get(1).done().get().efSod())
                .isNotEqualTo(batch.get(2).efSod());
        assertThat(count("SELECT COUNT(*) FROM card WHERE card_number IN ('" + a + "','" + b + "','" + c
                        + "') AND status = 'PERSONALIZED' AND personalizations = 1"))
                .isEqualTo(3);
        // One audit event per stored SOD, in the batch's order, and the chain still verifies.
        assertThat(count("SELECT COUNT(*) FROM audit_event WHERE action = 'card.sod'"))
                .isEqualTo(events + 3);
        List<String> targets = db.database().inTransaction(conn -> {
            List<String> t = new ArrayList<>();
            try (var st = conn.createStatement();
                    var rs = st.executeQuery(
                            "SELECT target FROM audit_event WHERE action = 'card.sod' ORDER BY seq DESC LIMIT 3")) {
                while (rs.next()) {
                    t.add(0, rs.getString(1));
                }
            }
            return t;
        });
        assertThat(targets).containsExactly(b, a, c);
        assertAuditChainVerifies();
        // A later batch for a card personalized meanwhile: refused alone, nothing written.
        SodCommitter.Pending late = signed(b);
        committer.write(List.of(late));
        assertThatThrownBy(() -> late.done().get()).hasCauseInstanceOf(SodException.class);
        assertThat(count("SELECT COUNT(*) FROM card_sod WHERE card_number = '" + b + "'"))
                .isEqualTo(1);
    }

    @Test
    void aFailingBatchAcknowledgesNothingAndStoresNothing() throws Exception {
        fixture.certifiedBatch(1, 1000, null);
        String a = card();
        String b = card();
        SodCommitter committer = new SodCommitter(db.database(), AuditLedger.hashChained(clock), 64);
        SodCommitter.Pending good = signed(a);
        SodCommitter.Pending p = signed(b);
        long events = count("SELECT COUNT(*) FROM audit_event");
        // A DS that is not in the store: the card_sod foreign key fails the whole transaction.
        DocumentSignerPool.Reserved s = p.signer();
        SodCommitter.Pending broken = new SodCommitter.Pending(
                LINE,
                p.request(),
                new DocumentSignerPool.Reserved(
                        "ds-not-in-the-store", s.serialHex(), s.certificate(), s.publicKey(), 1, s.at()),
                p.efSod());
        committer.write(List.of(good, broken));
        assertThat(good.done()).isCompletedExceptionally();
        assertThat(broken.done()).isCompletedExceptionally();
        assertThat(count("SELECT COUNT(*) FROM card_sod WHERE card_number IN ('" + a + "','" + b + "')"))
                .isZero();
        assertThat(count("SELECT COUNT(*) FROM card WHERE card_number IN ('" + a + "','" + b
                        + "') AND status = 'REGISTERED'"))
                .isEqualTo(2);
        assertThat(count("SELECT COUNT(*) FROM audit_event")).isEqualTo(events);
        // Through the issuer the same card then gets its SOD normally.
        assertThat(fixture.sodIssuer()
                        .issue(LINE, request(a, HashAlgorithm.SHA_256, dataGroups(), null))
                        .personalization())
                .isEqualTo(1);
    }

    @Test
    void concurrentRequestsForOneCardGetOneSodAndTheOthers409() throws Exception {
        fixture.certifiedBatch(1, 1000, null);
        String shared = card();
        List<String> own = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            own.add(card());
        }
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(16);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<IssuedSod>> forShared = new ArrayList<>();
        List<java.util.concurrent.Future<IssuedSod>> forOwn = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String mine = own.get(i);
            forShared.add(threads.submit(() -> {
                start.await();
                return fixture.sodIssuer().issue(LINE, request(shared, HashAlgorithm.SHA_256, dataGroups(), null));
            }));
            forOwn.add(threads.submit(() -> {
                start.await();
                return fixture.sodIssuer().issue(LINE, request(mine, HashAlgorithm.SHA_256, dataGroups(), null));
            }));
        }
        start.countDown();
        int ok = 0;
        for (var f : forShared) {
            try {
                assertThat(f.get().personalization()).isEqualTo(1);
                ok++;
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause())
                        .isInstanceOfSatisfying(
                                SodException.class,
                                x -> assertThat(x.code()).isEqualTo(SodException.Code.ALREADY_PERSONALIZED));
            }
        }
        for (var f : forOwn) {
            assertThat(f.get().personalization()).isEqualTo(1);
        }
        threads.shutdown();
        assertThat(ok).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM card_sod WHERE card_number = '" + shared + "'"))
                .isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM audit_event WHERE action = 'card.sod' AND target = '" + shared + "'"))
                .isEqualTo(1);
        assertAuditChainVerifies();
    }

    /** A signed SOD for {@code card} from the fixture's pool, not yet stored. */
    private static SodCommitter.Pending signed(String card) throws Exception {
        SodRequest r = request(card, HashAlgorithm.SHA_256, dataGroups(), null);
        DocumentSignerPool.Reserved s = fixture.pool.reserve(LINE);
        return new SodCommitter.Pending(
                LINE,
                r,
                s,
                SecurityObjects.signSod(r, online.signer(s.keyLabel()), s.certificate(), s.publicKey(), s.at()));
    }

    private static void assertAuditChainVerifies() throws Exception {
        assertThat(AuditVerifier.verify(
                                db.dataSource(),
                                new org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder()
                                        .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                                        .build(online.publicKey("audit-key")))
                        .ok())
                .isTrue();
    }

    @Test
    void badRequestsAreRefusedWithTheirOwnCodes() {
        byte[] h32 = new byte[32];
        assertCode(
                () -> new SodRequest("TWD0000001", HashAlgorithm.SHA_256, List.of(), null),
                SodException.Code.NO_DATA_GROUPS);
        assertCode(
                () -> new SodRequest("TWD0000001", HashAlgorithm.SHA_256, null, null),
                SodException.Code.NO_DATA_GROUPS);
        assertCode(
                () -> new SodRequest(
                        "TWD0000001", HashAlgorithm.SHA_256, List.of(new SodRequest.DataGroupHash(17, h32)), null),
                SodException.Code.UNKNOWN_DATA_GROUP);
        assertCode(
                () -> new SodRequest(
                        "TWD0000001", HashAlgorithm.SHA_256, List.of(new SodRequest.DataGroupHash(0, h32)), null),
                SodException.Code.UNKNOWN_DATA_GROUP);
        assertCode(
                () -> new SodRequest(
                        "TWD0000001",
                        HashAlgorithm.SHA_256,
                        List.of(new SodRequest.DataGroupHash(1, h32), new SodRequest.DataGroupHash(1, h32)),
                        null),
                SodException.Code.DUPLICATE_DATA_GROUP);
        assertCode(
                () -> new SodRequest(
                        "TWD0000001", HashAlgorithm.SHA_384, List.of(new SodRequest.DataGroupHash(1, h32)), null),
                SodException.Code.BAD_HASH_LENGTH);
        assertCode(
                () -> new SodRequest(
                        "TWD0000001",
                        HashAlgorithm.SHA_256,
                        List.of(new SodRequest.DataGroupHash(1, new byte[31])),
                        null),
                SodException.Code.BAD_HASH_LENGTH);
        assertCode(
                () -> new SodRequest(
                        "TWD0000001", HashAlgorithm.SHA_256, List.of(new SodRequest.DataGroupHash(1, h32)), null),
                SodException.Code.TOO_FEW_DATA_GROUPS);
        assertCode(() -> HashAlgorithm.of("SHA-1"), SodException.Code.UNKNOWN_HASH_ALGORITHM);
        assertCode(() -> HashAlgorithm.of("MD5"), SodException.Code.UNKNOWN_HASH_ALGORITHM);
        assertCode(() -> new SodRequest.LdsVersion("1.8", "040000"), SodException.Code.BAD_LDS_VERSION);
        assertCode(() -> new SodRequest.LdsVersion("0108", null), SodException.Code.BAD_LDS_VERSION);
        assertThat(HashAlgorithm.of(null)).isEqualTo(HashAlgorithm.SHA_256);
    }

    private static void assertCode(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, SodException.Code code) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        SodException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    /** `ds revoke` of {@code ds}: a CSCA act recorded on its certificate row (for the CSCA CRL). */
    private static void revokeDs(DocumentSignerCeremony.Certified ds) {
        new RevocationService(db.database(), AuditLedger.hashChained(clock), clock)
                .revoke(
                        Actor.local("test"),
                        DocumentSignerFixture.CSCA,
                        ds.certificate().getSerialNumber().toString(16),
                        RevocationReason.KEY_COMPROMISE);
    }
}
