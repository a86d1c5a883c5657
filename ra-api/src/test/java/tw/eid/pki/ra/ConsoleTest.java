package tw.eid.pki.ra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import tw.eid.pki.ca.card.CardRegistration;
import tw.eid.pki.ca.card.NationalId;
import tw.eid.pki.ca.issuance.IssuedCertificate;
import tw.eid.pki.ca.profile.HolderName;
import tw.eid.pki.ca.profile.OperatorRole;
import tw.eid.pki.ca.store.CertificateStatus;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.ra.store.CertificateRecords;

/**
 * The RA officer console (issue 19) over real mTLS with Java's HttpClient: the security properties
 * of docs/console.md, each against a real RA (RaFixture: SoftHSM2, MariaDB, Jetty on port 0).
 */
class ConsoleTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    static RaFixture ra;
    static CertificateRecords records;
    static RaFixture.Client officer2;

    static final String XSS_NAME = "<script>alert(\"x\")</script>'\"&𠀀";

    @BeforeAll
    static void start() throws Exception {
        ra = new RaFixture(db, dir);
        records = new CertificateRecords(db.database());
        officer2 = ra.operatorClient(
                "officer-2",
                OperatorRole.OFFICER,
                Instant.now().minus(Duration.ofDays(1)),
                ra.operatorsCaCa,
                "ra-operators-ca-key",
                true);
    }

    @AfterAll
    static void stop() throws Exception {
        ra.close();
    }

    // ------------------------------------------------------------------ HTTP with a cookie jar of one

    record Page(int status, Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of()).stream()
                    .findFirst()
                    .orElse(null);
        }

        /** The session cookie's value, from Set-Cookie. */
        String cookie() {
            String c = header("set-cookie");
            return c == null ? null : c.substring(c.indexOf('=') + 1, c.indexOf(';'));
        }

        String csrf() {
            Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(body);
            assertThat(m.find()).as("a CSRF field in %s", body).isTrue();
            return m.group(1);
        }
    }

    static Page send(
            RaFixture.Client client,
            String method,
            String path,
            String cookie,
            Map<String, String> form,
            Map<String, String> headers)
            throws Exception {
        HttpClient http = HttpClient.newBuilder()
                .sslContext(client.ssl())
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + ra.port + path))
                .timeout(Duration.ofSeconds(60));
        if (form == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            StringBuilder body = new StringBuilder();
            form.forEach((k, v) -> body.append(body.length() == 0 ? "" : "&")
                    .append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                    .append('=')
                    .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
            b.method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
            b.header("Content-Type", "application/x-www-form-urlencoded");
        }
        if (cookie != null) {
            b.header("Cookie", "__Host-eidpki-console=" + cookie);
        }
        headers.forEach(b::header);
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Page(r.statusCode(), r.headers().map(), r.body());
    }

    static Page get(RaFixture.Client client, String path) throws Exception {
        return send(client, "GET", path, null, null, Map.of());
    }

    static Page get(RaFixture.Client client, String path, String cookie) throws Exception {
        return send(client, "GET", path, cookie, null, Map.of());
    }

    static Page post(RaFixture.Client client, String path, String cookie, Map<String, String> form) throws Exception {
        return send(client, "POST", path, cookie, form, Map.of());
    }

    static RaFixture.Client officer() {
        return ra.role(OperatorRole.OFFICER);
    }

    long audits(String action, String errorCode) {
        return ra.count("SELECT COUNT(*) FROM audit_event WHERE action = '" + action + "'"
                + (errorCode == null ? "" : " AND error_code = '" + errorCode + "'"));
    }

    long allAudits() {
        return ra.count("SELECT COUNT(*) FROM audit_event");
    }

    CertificateStatus status(String serial) {
        return records.find(RaFixture.CITIZEN_CA, serial).orElseThrow().status();
    }

    /** A good certificate on a new card; its serial. */
    String goodCertificate() throws Exception {
        return ra.issuedCertificate().serialHex();
    }

    // ------------------------------------------------------------------ tests

    @Test
    void everyPageCarriesTheSecurityHeadersAndASecureSessionCookie() throws Exception {
        Page home = get(officer(), "/console/");
        assertThat(home.status()).isEqualTo(200);
        String csp = home.header("content-security-policy");
        assertThat(csp)
                .contains("default-src 'none'", "frame-ancestors 'none'", "form-action 'self'", "style-src 'self'")
                .doesNotContain("unsafe-inline", "unsafe-eval", "script-src");
        assertThat(home.header("x-frame-options")).isEqualTo("DENY");
        assertThat(home.header("x-content-type-options")).isEqualTo("nosniff");
        assertThat(home.header("referrer-policy")).isEqualTo("same-origin");
        assertThat(home.header("cache-control")).isEqualTo("no-store");
        assertThat(home.header("set-cookie"))
                .startsWith("__Host-eidpki-console=")
                .contains("; Path=/", "; Secure", "; HttpOnly", "; SameSite=Strict")
                .doesNotContain("Domain=", "Max-Age", "Expires");
        assertThat(home.body()).doesNotContain("<script", "style=");
        // Refusals carry them too.
        Page refused = get(ra.role(OperatorRole.PERSONALIZATION), "/console/");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.header("content-security-policy")).isEqualTo(csp);
        assertThat(refused.header("x-frame-options")).isEqualTo("DENY");
    }

    @Test
    void whoAmIInTraditionalChineseByDefaultAndInEnglishOnRequest() throws Exception {
        Page zh = get(officer(), "/console/");
        assertThat(zh.body()).contains("lang=\"zh-TW\"", "承辦人員", "officer-1", RaFixture.OFFICE, "民國");
        Page en = send(officer(), "GET", "/console/", null, null, Map.of("Accept-Language", "en-GB,en;q=0.8"));
        assertThat(en.body()).contains("lang=\"en\"", "Officer", "officer-1", RaFixture.OFFICE, "(Taipei)");
        // The switch sets the session's language and goes back only to an allow-listed page.
        Page sw = get(officer(), "/console/language?to=en&back=%2Fconsole%2Fsearch", zh.cookie());
        assertThat(sw.status()).isEqualTo(303);
        assertThat(sw.header("location")).isEqualTo("/console/search");
        assertThat(get(officer(), "/console/", zh.cookie()).body()).contains("lang=\"en\"");
    }

    @Test
    void redirectsGoOnlyToTheAllowList() throws Exception {
        for (String back : List.of(
                "https://evil.example/",
                "//evil.example/console/",
                "/\\evil.example",
                "/console/../api/v1/health",
                "/console/cards/TWR0000001%0d%0aSet-Cookie:x=y",
                "javascript:alert(1)")) {
            Page p = get(officer(), "/console/language?to=en&back=" + URLEncoder.encode(back, StandardCharsets.UTF_8));
            assertThat(p.status()).as(back).isEqualTo(303);
            assertThat(p.header("location")).as(back).isEqualTo("/console/");
        }
        Page ok = get(officer(), "/console/language?to=en&back=%2Fconsole%2Fcards%2FTWR0000001");
        assertThat(ok.header("location")).isEqualTo("/console/cards/TWR0000001");
    }

    @Test
    void authorizationIsCentralAndEveryRefusalIsAudited() throws Exception {
        String card = ra.registeredCard();
        String serial = ra.issuedFor(card).serialHex();
        List<String> pages = List.of(
                "/console/",
                "/console/static/console.css",
                "/console/search",
                "/console/search/national-id?nationalId=" + RaFixture.NATIONAL_ID,
                "/console/cards/" + card,
                "/console/certificates/" + serial + ".pem",
                "/console/certificates/" + serial + "/suspend",
                "/console/approvals",
                "/console/language?to=en");
        long before = audits("console.authorize", "auth.role-not-allowed");
        for (String page : pages) {
            assertThat(get(ra.role(OperatorRole.PERSONALIZATION), page).status())
                    .as(page)
                    .isEqualTo(403);
        }
        assertThat(audits("console.authorize", "auth.role-not-allowed")).isEqualTo(before + pages.size());
        // An auditor reads, acts on nothing, and searches no national ID; an admin sees no card.
        assertThat(get(ra.role(OperatorRole.AUDITOR), "/console/cards/" + card).status())
                .isEqualTo(200);
        assertThat(get(ra.role(OperatorRole.AUDITOR), "/console/certificates/" + serial + "/suspend")
                        .status())
                .isEqualTo(403);
        assertThat(get(ra.role(OperatorRole.AUDITOR), "/console/search/national-id?nationalId=A123456789")
                        .status())
                .isEqualTo(403);
        assertThat(get(ra.role(OperatorRole.ADMIN), "/console/cards/" + card).status())
                .isEqualTo(403);
        assertThat(get(officer(), "/console/approvals").status()).isEqualTo(403);
        assertThat(get(ra.role(OperatorRole.SUPERVISOR), "/console/approvals").status())
                .isEqualTo(200);
        // An unknown path is 404 to anyone; no page without a valid certificate (401, audited).
        assertThat(get(officer(), "/console/nothing-here").status()).isEqualTo(404);
        long unauthenticated = audits("console.authenticate", null);
        assertThat(get(ra.unknown, "/console/").status()).isEqualTo(401);
        assertThat(audits("console.authenticate", null)).isEqualTo(unauthenticated + 1);
        assertThat(status(serial)).isEqualTo(CertificateStatus.GOOD);
    }

    @Test
    void aPostWithoutTheSessionsCsrfTokenChangesNothingAndIsAudited() throws Exception {
        String serial = goodCertificate();
        String path = "/console/certificates/" + serial + "/suspend";
        Page confirm = get(officer(), path);
        assertThat(confirm.status()).isEqualTo(200);
        String cookie = confirm.cookie();
        String token = confirm.csrf();

        long refusals = audits("console.csrf", null);
        long suspends = audits("certificate.suspend", null);
        assertThat(post(officer(), path, cookie, Map.of()).status()).isEqualTo(403);
        assertThat(post(officer(), path, cookie, Map.of("csrf", token + "x")).status())
                .isEqualTo(403);
        assertThat(post(officer(), path, null, Map.of("csrf", token)).status()).isEqualTo(403);
        // A cross-site form: the browser sends the other site's Origin (and, SameSite=Strict, no cookie).
        Page crossSite =
                send(officer(), "POST", path, cookie, Map.of("csrf", token), Map.of("Origin", "https://evil.example"));
        assertThat(crossSite.status()).isEqualTo(403);
        assertThat(audits("console.csrf", "console.bad-csrf-token")).isGreaterThanOrEqualTo(2);
        assertThat(audits("console.csrf", null)).isEqualTo(refusals + 4);
        assertThat(audits("certificate.suspend", null)).isEqualTo(suspends);
        assertThat(status(serial)).isEqualTo(CertificateStatus.GOOD);

        // The same form with the session's token is carried out: 303 to the card's page.
        Page done = send(
                officer(),
                "POST",
                path,
                cookie,
                Map.of("csrf", token),
                Map.of("Origin", "https://127.0.0.1:" + ra.port));
        assertThat(done.status()).isEqualTo(303);
        assertThat(done.header("location")).matches("/console/cards/TWR[0-9]{7}\\?done=suspend");
        assertThat(status(serial)).isEqualTo(CertificateStatus.HOLD);
        assertThat(audits("certificate.suspend", null)).isEqualTo(suspends + 1);
        assertThat(get(officer(), done.header("location"), cookie).body()).contains("憑證已暫禁", "暫禁（certificateHold）");
    }

    @Test
    void aSessionIsBoundToTheCertificateThatOpenedIt() throws Exception {
        String serial = goodCertificate();
        String path = "/console/certificates/" + serial + "/suspend";
        Page confirm = get(officer(), path);
        long refusals = audits("console.session", "console.session-other-certificate");
        Page stolen = post(officer2, path, confirm.cookie(), Map.of("csrf", confirm.csrf()));
        assertThat(stolen.status()).isEqualTo(403);
        assertThat(audits("console.session", "console.session-other-certificate"))
                .isEqualTo(refusals + 1);
        assertThat(status(serial)).isEqualTo(CertificateStatus.GOOD);
        // A GET with it gets a new session of its own, not the stolen one.
        Page fresh = get(officer2, "/console/", confirm.cookie());
        assertThat(fresh.status()).isEqualTo(200);
        assertThat(fresh.cookie()).isNotNull().isNotEqualTo(confirm.cookie());
        // The owner's session still works.
        assertThat(post(officer(), path, confirm.cookie(), Map.of("csrf", confirm.csrf()))
                        .status())
                .isEqualTo(303);
        assertThat(status(serial)).isEqualTo(CertificateStatus.HOLD);
    }

    @Test
    void anIdleSessionTimesOutAfterFifteenMinutes() throws Exception {
        String serial = goodCertificate();
        String path = "/console/certificates/" + serial + "/suspend";
        Page confirm = get(officer(), path);
        ra.authClock.advance(Duration.ofMinutes(14));
        assertThat(get(officer(), "/console/", confirm.cookie()).header("set-cookie"))
                .as("still the same session after 14 minutes")
                .isNull();
        ra.authClock.advance(Duration.ofMinutes(15).plusSeconds(1));
        long refusals = audits("console.csrf", "console.session-expired");
        Page late = post(officer(), path, confirm.cookie(), Map.of("csrf", confirm.csrf()));
        assertThat(late.status()).isEqualTo(403);
        assertThat(late.body()).contains("15");
        assertThat(audits("console.csrf", "console.session-expired")).isEqualTo(refusals + 1);
        assertThat(status(serial)).isEqualTo(CertificateStatus.GOOD);
    }

    @Test
    void aStoredScriptIsShownAsTextAndAReflectedOneToo() throws Exception {
        String card = ra.newCardNumber();
        ra.cards.register(
                RaFixture.SETUP,
                new CardRegistration(
                        card, RaFixture.CHIP_UID, NationalId.of("B223456782"), HolderName.of(XSS_NAME, Set.of())));
        Page page = get(officer(), "/console/cards/" + card);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body())
                .contains("<dd id=\"holder\">&lt;script&gt;alert(\"x\")&lt;/script&gt;'\"&amp;𠀀</dd>")
                .doesNotContain("<script");
        // An auditor sees no name at all.
        assertThat(get(ra.role(OperatorRole.AUDITOR), "/console/cards/" + card).body())
                .doesNotContain("alert", "𠀀");
        // Reflected: a bad card number is echoed into the form, escaped for the attribute.
        Page reflected = get(
                officer(),
                "/console/search?card=" + URLEncoder.encode("\"><script>alert(1)</script>", StandardCharsets.UTF_8));
        assertThat(reflected.status()).isEqualTo(400);
        assertThat(reflected.body())
                .doesNotContain("<script")
                .contains("value=\"&#34;>&lt;script>alert(1)&lt;/script>\"");
    }

    @Test
    void searchByCardNumberOrWholeNationalIdAndBadInputChangesNothing() throws Exception {
        String card = ra.newCardNumber();
        ra.cards.register(
                RaFixture.SETUP,
                new CardRegistration(
                        card, RaFixture.CHIP_UID, NationalId.of("C134567893"), HolderName.of("林小華", Set.of())));
        Page byNumber = get(officer(), "/console/search?card=" + card);
        assertThat(byNumber.status()).isEqualTo(303);
        assertThat(byNumber.header("location")).isEqualTo("/console/cards/" + card);
        Page byId = get(officer(), "/console/search/national-id?nationalId=C134567893");
        assertThat(byId.status()).isEqualTo(303);
        assertThat(byId.header("location")).isEqualTo("/console/cards/" + card);
        assertThat(get(officer(), byId.header("location")).body()).contains("林小華");

        long audits = allAudits();
        for (String bad : List.of(
                "/console/search/national-id?nationalId=C13456",
                "/console/search/national-id?nationalId=C134567890",
                "/console/search/national-id?nationalId=" + "C".repeat(5000),
                "/console/search?card=twr1",
                "/console/cards/twr0000001",
                "/console/certificates/0012/suspend",
                "/console/certificates/zz.pem")) {
            Page p = get(officer(), bad);
            assertThat(p.status()).as(bad).isIn(400, 404);
            assertThat(p.body()).as(bad).contains("class=\"notice");
        }
        Page en = send(officer(), "GET", "/console/search?card=twr1", null, null, Map.of("Accept-Language", "en"));
        assertThat(en.body()).contains("A card number is 8 to 16 capital letters and digits.");
        assertThat(allAudits()).isEqualTo(audits);
    }

    @Test
    void revokeNeedsAReasonAndTheCardNumberTypedAgain() throws Exception {
        String card = ra.registeredCard();
        IssuedCertificate issued = ra.issuedFor(card);
        String serial = issued.serialHex();
        String path = "/console/certificates/" + serial + "/revoke";
        Page confirm = get(officer(), path);
        assertThat(confirm.body()).contains(card, serial, "已廢止", "name=\"reason\"", "name=\"typedCardNumber\"");
        long audits = allAudits();
        Map<String, String> noReason = new LinkedHashMap<>(Map.of("csrf", confirm.csrf(), "typedCardNumber", card));
        assertThat(post(officer(), path, confirm.cookie(), noReason).status()).isEqualTo(400);
        Map<String, String> wrongCard = new LinkedHashMap<>(
                Map.of("csrf", confirm.csrf(), "reason", "keyCompromise", "typedCardNumber", "TWR9999999"));
        Page mismatch = post(officer(), path, confirm.cookie(), wrongCard);
        assertThat(mismatch.status()).isEqualTo(400);
        assertThat(mismatch.body()).contains("您輸入的卡號不是此憑證的卡號");
        Map<String, String> hold = new LinkedHashMap<>(
                Map.of("csrf", confirm.csrf(), "reason", "certificateHold", "typedCardNumber", card));
        assertThat(post(officer(), path, confirm.cookie(), hold).status()).isEqualTo(400);
        assertThat(allAudits()).isEqualTo(audits);
        assertThat(status(serial)).isEqualTo(CertificateStatus.GOOD);

        Map<String, String> good =
                new LinkedHashMap<>(Map.of("csrf", confirm.csrf(), "reason", "keyCompromise", "typedCardNumber", card));
        assertThat(post(officer(), path, confirm.cookie(), good).status()).isEqualTo(303);
        assertThat(status(serial)).isEqualTo(CertificateStatus.REVOKED);
        assertThat(records.find(RaFixture.CITIZEN_CA, serial).orElseThrow().revocationReason())
                .isEqualTo(1);
        // A second revocation is refused by the domain, in the page's language, and changes nothing.
        Page again = post(officer(), path, confirm.cookie(), good);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body()).contains("此憑證已廢止");
    }

    @Test
    void reportLostSuspendsEveryGoodCertificateOfTheCardAfterTheCardNumberIsTyped() throws Exception {
        String card = ra.registeredCard();
        ra.issuedFor(card);
        String first = ra.issuedFor(card).serialHex();
        List<String> good = records.ofCard(card).stream()
                .filter(r -> r.status() == CertificateStatus.GOOD)
                .map(r -> r.serialHex())
                .toList();
        assertThat(good).contains(first);
        String path = "/console/cards/" + card + "/report-lost";
        Page confirm = get(officer(), path);
        assertThat(confirm.status()).isEqualTo(200);
        assertThat(confirm.body()).contains("掛失並暫禁這些憑證");
        assertThat(Pattern.compile("<li><code>([0-9a-f]+)</code>")
                        .matcher(confirm.body())
                        .results()
                        .map(m -> m.group(1)))
                .containsExactlyInAnyOrderElementsOf(good);
        long audits = allAudits();
        Page mismatch = post(officer(), path, confirm.cookie(), Map.of("csrf", confirm.csrf(), "typedCardNumber", "x"));
        assertThat(mismatch.status()).isEqualTo(400);
        assertThat(allAudits()).isEqualTo(audits);
        assertThat(status(first)).isEqualTo(CertificateStatus.GOOD);
        assertThat(get(ra.role(OperatorRole.AUDITOR), path).status()).isEqualTo(403);

        Page done = post(officer(), path, confirm.cookie(), Map.of("csrf", confirm.csrf(), "typedCardNumber", card));
        assertThat(done.status()).isEqualTo(303);
        assertThat(done.header("location")).isEqualTo("/console/cards/" + card + "?done=report-lost");
        for (String serial : good) {
            assertThat(status(serial)).isEqualTo(CertificateStatus.HOLD);
        }
        assertThat(audits("card.report-lost", null)).isGreaterThanOrEqualTo(1);
        // The same loss report as the API's (CardLossReports): the card is LOST, the report recorded,
        // and a second report is refused in the page's language, changing nothing.
        assertThat(ra.count("SELECT COUNT(*) FROM card WHERE validity = 'LOST' AND card_number = '" + card + "'"))
                .isEqualTo(1);
        assertThat(ra.count("SELECT COUNT(*) FROM card_loss_report WHERE card_number = '" + card + "'"))
                .isEqualTo(1);
        long before = allAudits();
        Page again = get(officer(), path);
        Page refused = post(officer(), path, again.cookie(), Map.of("csrf", again.csrf(), "typedCardNumber", card));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body()).contains("此證卡已掛失");
        assertThat(ra.count("SELECT COUNT(*) FROM card_loss_report WHERE card_number = '" + card + "'"))
                .isEqualTo(1);
        assertThat(allAudits() - before)
                .as("audit events of a refused second report")
                .isLessThanOrEqualTo(1);
    }

    @Test
    void thePemDownloadIsTheStoredCertificateAsOpensslReadsIt() throws Exception {
        String card = ra.registeredCard();
        String serial = ra.issuedFor(card).serialHex();
        Page view = get(ra.role(OperatorRole.AUDITOR), "/console/cards/" + card);
        assertThat(view.body()).contains(serial, "/console/certificates/" + serial + ".pem");
        Page pem = get(ra.role(OperatorRole.AUDITOR), "/console/certificates/" + serial + ".pem");
        assertThat(pem.status()).isEqualTo(200);
        assertThat(pem.header("content-type")).startsWith("application/x-pem-file");
        assertThat(pem.header("content-disposition")).isEqualTo("attachment; filename=\"" + serial + ".pem\"");
        Path file = dir.resolve(serial + ".pem");
        Files.writeString(file, pem.body());
        assertThat(RaFixture.run(List.of("openssl", "x509", "-in", file.toString(), "-noout", "-serial")))
                .isEqualToIgnoringCase("0 serial=" + (serial.length() % 2 == 1 ? "0" + serial : serial));
        assertThat(ra.opensslVerify(file)).startsWith("0 ");
    }

    @Test
    void bothLanguagesHaveEveryText() throws Exception {
        Properties zh = new Properties();
        Properties en = new Properties();
        try (var z = ConsoleTest.class.getResourceAsStream("/tw/eid/pki/ra/console/messages_zh_TW.properties");
                var e = ConsoleTest.class.getResourceAsStream("/tw/eid/pki/ra/console/messages_en.properties")) {
            zh.load(new InputStreamReader(z, StandardCharsets.UTF_8));
            en.load(new InputStreamReader(e, StandardCharsets.UTF_8));
        }
        assertThat(zh.stringPropertyNames()).isEqualTo(en.stringPropertyNames()).hasSizeGreaterThan(100);
        assertThat(zh.getProperty("status.hold")).isEqualTo("暫禁（certificateHold）");
    }

    // ------------------------------------------------------------------ a real browser

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path POLICY = Path.of("/etc/chromium/policies/managed/eidpki-console.json");

    /**
     * One officer's journey in headless Chromium (Debian's, driven by its chromedriver): search the
     * card by number, view it, suspend a certificate through the confirmation page. The officer's
     * key and certificate are in the NSS database of a HOME of the test's own ({@code pk12util}),
     * the Citizen Root trusted there ({@code certutil}), and the certificate is picked without a
     * prompt by the AutoSelectCertificateForUrls policy that bin/install-deps writes. Skipped, with
     * this message, only when Chromium or chromedriver is not installed.
     */
    @Test
    void anOfficerSuspendsACertificateInARealBrowser() throws Exception {
        Assumptions.assumeTrue(
                Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "SKIPPED: Debian's chromium and chromium-driver are not installed (bin/install-deps installs"
                        + " them); the console's browser journey did not run");
        assertThat(POLICY)
                .as("the AutoSelectCertificateForUrls policy; bin/install-deps (as root) writes it")
                .exists();
        String card = ra.newCardNumber();
        ra.cards.register(
                RaFixture.SETUP,
                new CardRegistration(
                        card,
                        RaFixture.CHIP_UID,
                        NationalId.of(RaFixture.NATIONAL_ID),
                        HolderName.of("陳大文", Set.of())));
        String serial = ra.issuedFor(card).serialHex();

        Path home = Files.createDirectories(dir.resolve("browser-home"));
        Path nss = Files.createDirectories(home.resolve(".pki/nssdb"));
        RaFixture.Client officer = officer();
        Path p12 = dir.resolve("officer-browser.p12");
        assertThat(RaFixture.run(List.of(
                        "openssl",
                        "pkcs12",
                        "-export",
                        "-in",
                        officer.certPem().toString(),
                        "-inkey",
                        officer.keyPem().toString(),
                        "-out",
                        p12.toString(),
                        "-passout",
                        "pass:browser")))
                .startsWith("0");
        String db = "sql:" + nss;
        assertThat(RaFixture.run(List.of("certutil", "-N", "-d", db, "--empty-password")))
                .startsWith("0");
        assertThat(RaFixture.run(List.of(
                        "certutil",
                        "-A",
                        "-d",
                        db,
                        "-n",
                        "eidpki-citizen-root",
                        "-t",
                        "C,,",
                        "-i",
                        ra.rootPem.toString())))
                .startsWith("0");
        assertThat(RaFixture.run(List.of("pk12util", "-i", p12.toString(), "-d", db, "-W", "browser")))
                .startsWith("0");

        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withEnvironment(Map.of("HOME", home.toString()))
                .build();
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments(
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--window-size=1280,900",
                        "--lang=zh-TW",
                        "--user-data-dir=" + home.resolve("profile"));
        options.setExperimentalOption("prefs", Map.of("intl.accept_languages", "zh-TW,zh"));
        Path shots = Files.createDirectories(Path.of("target", "console-screenshots"));
        ChromeDriver browser = new ChromeDriver(service, options);
        try {
            browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
            String base = "https://127.0.0.1:" + ra.port + "/console";
            browser.get(base + "/search");
            shot(browser, shots.resolve("search-zh-TW.png"));
            browser.findElement(By.id("card")).sendKeys(card);
            browser.findElement(By.id("search-card")).click();
            assertThat(browser.getCurrentUrl()).isEqualTo(base + "/cards/" + card);
            assertThat(browser.findElement(By.id("holder")).getText()).isEqualTo("陳大文");
            shot(browser, shots.resolve("card-zh-TW.png"));
            browser.findElement(By.id("suspend-" + serial)).click();
            assertThat(browser.findElement(By.id("from")).getText()).isEqualTo("有效");
            assertThat(browser.findElement(By.id("to")).getText()).isEqualTo("暫禁（certificateHold）");
            assertThat(status(serial))
                    .as("nothing changes before the confirmation")
                    .isEqualTo(CertificateStatus.GOOD);
            shot(browser, shots.resolve("confirm-suspend-zh-TW.png"));
            browser.findElement(By.id("confirm")).click();
            assertThat(browser.findElement(By.id("message")).getText()).isEqualTo("憑證已暫禁。");
            assertThat(browser.findElement(By.cssSelector("#cert-" + serial + " .status"))
                            .getText())
                    .isEqualTo("暫禁（certificateHold）");
            shot(browser, shots.resolve("card-suspended-zh-TW.png"));
            assertThat(status(serial)).isEqualTo(CertificateStatus.HOLD);
        } finally {
            browser.quit();
        }
    }

    private static void shot(ChromeDriver browser, Path file) throws Exception {
        Files.write(file, browser.getScreenshotAs(OutputType.BYTES));
    }
}
