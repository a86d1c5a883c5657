package tw.eid.pki.ra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jmrtd.lds.SODFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tw.eid.pki.ca.document.SodChecks;
import tw.eid.pki.ca.profile.OperatorRole;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.ra.RaFixture.Reply;

/**
 * {@code POST /cards/{cardNumber}/sod} over real mutual TLS, on a real token and store: the answer
 * is judged by JMRTD, openssl and Java PKIX; bad input is a 4xx problem with its own code and
 * stores nothing; a second SOD needs an officer's re-open; the rate limit answers 429.
 */
class SodApiTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    static RaFixture ra;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        // 5 a second, burst 10: low enough to reach in a test, high enough for the tests here.
        ra = new RaFixture(db, dir, 5);
    }

    @AfterAll
    static void stop() throws Exception {
        ra.close();
    }

    private static Reply sod(String card, String json) throws Exception {
        Thread.sleep(250); // stay under this fixture's 5 a second
        return ra.json(ra.role(OperatorRole.PERSONALIZATION), "POST", "/cards/" + card + "/sod", json);
    }

    private long stored() {
        return ra.count("SELECT COUNT(*) FROM card_sod") * 1_000_000
                + ra.count("SELECT SUM(documents_signed) FROM document_signer");
    }

    @Test
    void theSodIsReadByJmrtdAndVerifiedByOpensslAndPkix() throws Exception {
        for (String algorithm : List.of("SHA-256", "SHA-384", "SHA-512")) {
            String card = ra.registeredCard();
            Reply r = sod(card, RaFixture.sodJson(algorithm));
            assertThat(r.status()).as(r.text()).isEqualTo(201);
            JsonNode body = JSON.readTree(r.body());
            byte[] efSod = Base64.getDecoder().decode(body.get("sod").asText());
            SODFile parsed = SodChecks.jmrtdMatches(efSod, RaFixture.dataGroups(), algorithm);
            assertThat(parsed.getDocSigningCertificate().getSerialNumber().toString(16))
                    .isEqualTo(body.get("documentSignerSerial").asText());
            assertThat(SodChecks.opensslVerify(efSod, ra.documents.cscaPem, dir))
                    .startsWith("0 ");
            SodChecks.pkixValidates(parsed.getDocSigningCertificate(), ra.documents.csca, Instant.now());
            // Stored, byte for byte, against the card, and audited.
            assertThat(ra.count("SELECT COUNT(*) FROM card_sod WHERE card_number = '" + card + "' AND sod_der = X'"
                            + java.util.HexFormat.of().formatHex(efSod) + "'"))
                    .isEqualTo(1);
            assertThat(ra.count("SELECT COUNT(*) FROM audit_event WHERE action = 'card.sod' AND target = '" + card
                            + "' AND actor = 'personalization-1'"))
                    .isEqualTo(1);
        }
        // LDS v1 and the bare EF.SOD by Accept.
        String card = ra.registeredCard();
        String json = RaFixture.sodJson("SHA-256")
                .replace("}]}", "}],\"ldsVersion\":\"0108\",\"unicodeVersion\":\"040000\"}");
        Thread.sleep(250);
        Reply raw = ra.call(
                ra.role(OperatorRole.PERSONALIZATION),
                "POST",
                "/cards/" + card + "/sod",
                "application/json",
                json.getBytes(StandardCharsets.UTF_8),
                Map.of("Accept", "application/octet-stream"));
        assertThat(raw.status()).as(raw.text()).isEqualTo(201);
        assertThat(raw.contentType()).startsWith("application/octet-stream");
        assertThat(raw.body()[0]).isEqualTo((byte) 0x77);
        SODFile v1 = SodChecks.jmrtdMatches(raw.body(), RaFixture.dataGroups(), "SHA-256");
        assertThat(v1.getLDSVersion()).isEqualTo("0108");
        assertThat(v1.getUnicodeVersion()).isEqualTo("040000");
    }

    @Test
    void badInputIsA4xxProblemWithItsOwnCodeAndStoresNothing() throws Exception {
        String card = ra.registeredCard();
        String h32 = Base64.getEncoder().encodeToString(new byte[32]);
        String h48 = Base64.getEncoder().encodeToString(new byte[48]);
        record Case(String name, String card, String json, int status, String code) {}
        String personalized = ra.personalizedCard();
        List<Case> cases = List.of(
                new Case(
                        "unknown data group",
                        card,
                        "{\"dataGroups\":[{\"number\":17,\"hash\":\"" + h32 + "\"}]}",
                        400,
                        "sod.unknown-data-group"),
                new Case(
                        "data group 0",
                        card,
                        "{\"dataGroups\":[{\"number\":0,\"hash\":\"" + h32 + "\"}]}",
                        400,
                        "sod.unknown-data-group"),
                new Case(
                        "duplicate data group",
                        card,
                        "{\"dataGroups\":[{\"number\":1,\"hash\":\"" + h32 + "\"},{\"number\":1,\"hash\":\"" + h32
                                + "\"}]}",
                        400,
                        "sod.duplicate-data-group"),
                new Case(
                        "wrong hash length",
                        card,
                        "{\"dataGroups\":[{\"number\":1,\"hash\":\"" + h48 + "\"}]}",
                        400,
                        "sod.bad-hash-length"),
                new Case(
                        "SHA-384 with a 32-byte hash",
                        card,
                        "{\"hashAlgorithm\":\"SHA-384\",\"dataGroups\":[{\"number\":1," + "\"hash\":\"" + h32 + "\"}]}",
                        400,
                        "sod.bad-hash-length"),
                new Case(
                        "unknown algorithm",
                        card,
                        "{\"hashAlgorithm\":\"SHA-1\",\"dataGroups\":[{\"number\":1,\"hash\":\""
                                + Base64.getEncoder().encodeToString(new byte[20]) + "\"}]}",
                        400,
                        "sod.unknown-hash-algorithm"),
                new Case("empty list", card, "{\"dataGroups\":[]}", 400, "sod.no-data-groups"),
                new Case(
                        "one data group",
                        card,
                        "{\"dataGroups\":[{\"number\":1,\"hash\":\"" + h32 + "\"}]}",
                        400,
                        "sod.too-few-data-groups"),
                new Case("no list", card, "{}", 400, "sod.no-data-groups"),
                new Case(
                        "hash not base64",
                        card,
                        "{\"dataGroups\":[{\"number\":1,\"hash\":\"not base64!\"}]}",
                        400,
                        "request.bad-base64"),
                new Case(
                        "half an LDS version",
                        card,
                        "{\"dataGroups\":[{\"number\":1,\"hash\":\"" + h32 + "\"}],\"ldsVersion\":\"0108\"}",
                        400,
                        "sod.bad-lds-version"),
                new Case(
                        "unknown field",
                        card,
                        "{\"dataGroups\":[{\"number\":1,\"hash\":\"" + h32 + "\"}],\"x\":1}",
                        400,
                        "request.malformed-json"),
                new Case("card not registered", "TWR9999999", RaFixture.sodJson("SHA-256"), 404, "card.not-found"),
                new Case("malformed card number", "tw-1", RaFixture.sodJson("SHA-256"), 400, "card.invalid-number"),
                new Case(
                        "already personalized",
                        personalized,
                        RaFixture.sodJson("SHA-256"),
                        409,
                        "sod.already-personalized"));
        for (Case c : cases) {
            long before = stored();
            Reply r = sod(c.card(), c.json());
            assertThat(r.status()).as(c.name() + ": " + r.text()).isEqualTo(c.status());
            assertThat(r.contentType()).as(c.name()).startsWith("application/problem+json");
            assertThat(JSON.readTree(r.body()).get("code").asText())
                    .as(c.name())
                    .isEqualTo(c.code());
            assertThat(stored())
                    .as(c.name() + ": nothing stored, no DS count spent")
                    .isEqualTo(before);
        }
        assertThat(ra.count("SELECT COUNT(*) FROM card WHERE card_number = '" + card + "' AND status = 'REGISTERED'"))
                .isEqualTo(1);
    }

    @Test
    void healthShowsTheDocumentSignerPool() throws Exception {
        Reply r = ra.call(ra.role(OperatorRole.AUDITOR), "GET", "/health");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode ds = JSON.readTree(r.body()).get("documentSigners");
        DocumentSignerPoolView expected = DocumentSignerPoolView.of(ra.documents.pool.status());
        assertThat(ds.get("usableSpares").asInt()).isEqualTo(expected.spares());
        assertThat(ds.get("low").asBoolean()).isEqualTo(expected.low());
        assertThat(ds.get("spareDocuments").asLong()).isEqualTo(expected.spareDocuments());
        // The fixture certified two DS keys and nothing here retires one: active + spares = 2, and
        // with one spare or none the pool reports itself low.
        assertThat(ds.get("usableSpares").asInt() + (ds.hasNonNull("active") ? 1 : 0))
                .isEqualTo(2);
        assertThat(ds.get("low").asBoolean()).isEqualTo(ds.get("usableSpares").asInt() < 2);
    }

    record DocumentSignerPoolView(int spares, boolean low, long spareDocuments) {
        static DocumentSignerPoolView of(tw.eid.pki.ca.document.DocumentSignerPool.Status s) {
            return new DocumentSignerPoolView(s.usableSpares(), s.low(), s.spareDocuments());
        }
    }

    @Test
    void aSecondSodNeedsAnOfficersReopen() throws Exception {
        String card = ra.registeredCard();
        assertThat(sod(card, RaFixture.sodJson("SHA-256")).status()).isEqualTo(201);
        assertThat(sod(card, RaFixture.sodJson("SHA-256")).status()).isEqualTo(409);
        Reply reopen = ra.call(ra.role(OperatorRole.OFFICER), "POST", "/cards/" + card + "/personalization/reopen");
        assertThat(reopen.status()).as(reopen.text()).isEqualTo(204);
        Reply again = ra.call(ra.role(OperatorRole.OFFICER), "POST", "/cards/" + card + "/personalization/reopen");
        assertThat(again.status()).isEqualTo(409);
        assertThat(JSON.readTree(again.body()).get("code").asText()).isEqualTo("sod.not-personalized");
        Reply second = sod(card, RaFixture.sodJson("SHA-256"));
        assertThat(second.status()).as(second.text()).isEqualTo(201);
        assertThat(JSON.readTree(second.body()).get("personalization").asInt()).isEqualTo(2);
        assertThat(ra.count("SELECT COUNT(*) FROM card_sod WHERE card_number = '" + card + "'"))
                .isEqualTo(2);
    }

    @Test
    void concurrentRequestsForOneCardGetOneSodAndTheOthers409() throws Exception {
        // Its own line certificate: its own rate bucket (burst 10), untouched by the other tests.
        RaFixture.Client line = ra.operatorClient(
                "perso-concurrent",
                OperatorRole.PERSONALIZATION,
                ra.authClock.instant().minus(java.time.Duration.ofDays(1)),
                ra.operatorsCaCa,
                "ra-operators-ca-key",
                true);
        String card = ra.registeredCard();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<Reply>> replies = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            replies.add(pool.submit(() -> {
                start.await();
                return ra.json(line, "POST", "/cards/" + card + "/sod", RaFixture.sodJson("SHA-256"));
            }));
        }
        start.countDown();
        String returned = null;
        int conflicts = 0;
        for (var f : replies) {
            Reply r = f.get();
            if (r.status() == 201) {
                assertThat(returned).as("a second SOD was returned").isNull();
                returned = JSON.readTree(r.body()).get("sod").asText();
            } else {
                assertThat(r.status()).as(r.text()).isEqualTo(409);
                assertThat(JSON.readTree(r.body()).get("code").asText()).isEqualTo("sod.already-personalized");
                conflicts++;
            }
        }
        pool.shutdown();
        assertThat(conflicts).isEqualTo(5);
        // The one returned is the one stored.
        assertThat(ra.count("SELECT COUNT(*) FROM card_sod WHERE card_number = '" + card + "'"))
                .isEqualTo(1);
        assertThat(ra.count("SELECT COUNT(*) FROM card_sod WHERE card_number = '" + card
                        + "' AND sod_der = FROM_BASE64('" + returned + "')"))
                .isEqualTo(1);
    }

    @Test
    void aClientOverItsRateGets429() throws Exception {
        Thread.sleep(2_100); // a full bucket: burst 10
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        long started = System.nanoTime();
        List<java.util.concurrent.Future<Reply>> replies = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            replies.add(pool.submit(
                    () -> ra.json(ra.role(OperatorRole.PERSONALIZATION), "POST", "/cards/TWR8888888/sod", "{}")));
        }
        int tooMany = 0;
        int passed = 0;
        for (var f : replies) {
            Reply r = f.get();
            if (r.status() == 429) {
                tooMany++;
                assertThat(JSON.readTree(r.body()).get("code").asText()).isEqualTo("sod.rate-limited");
                assertThat(r.header("Retry-After")).isEqualTo("1");
            } else {
                // Past the limiter, an empty body is refused by its own rule.
                assertThat(r.status()).as(r.text()).isEqualTo(400);
                passed++;
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        pool.shutdown();
        // The burst of 10, plus what 5 a second refilled while the requests ran; the rest refused.
        assertThat(passed).isGreaterThanOrEqualTo(10).isLessThanOrEqualTo(10 + (int) Math.ceil(5 * seconds) + 1);
        assertThat(tooMany).isEqualTo(40 - passed).isPositive();
        Thread.sleep(2_100);
    }
}
