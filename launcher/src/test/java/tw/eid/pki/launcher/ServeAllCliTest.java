package tw.eid.pki.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code eidpki serve all} end to end through processes: after the demo ceremony and an officer's
 * certificate, one process with one activation of the online token serves the RA API (its
 * /health, to the officer's client certificate), OCSP on {@code /ocsp} and the CRLs on
 * {@code /crl/} of one plain HTTP port, and stops on SIGTERM. Its admin port (issue 20,
 * docs/metrics.md) answers live and ready, serves every documented metric and nothing on the public
 * port; a real Prometheus scraping it counts exactly the OCSP requests sent and evaluates every
 * expression of the Grafana dashboard. It logs with {@code --log-format json}: every log line parses
 * as a JSON object, and a request's {@code X-Request-Id} names its access line.
 */
class ServeAllCliTest {
    private static final Pattern RA_LISTENING = Pattern.compile("RA API: https://127\\.0\\.0\\.1:(\\d+)/api/v1");
    private static final Pattern CRL_LISTENING = Pattern.compile("CRL publisher: http://127\\.0\\.0\\.1:(\\d+)/crl/");
    private static final Pattern ADMIN_LISTENING = Pattern.compile("Admin: http://127\\.0\\.0\\.1:(\\d+) ");
    /** A documented metric: a row of docs/metrics.md's table whose first cell is a metric name. */
    private static final Pattern DOCUMENTED = Pattern.compile("(?m)^\\| `((?:eidpki|hikaricp|jetty|jvm)_[a-z_]+)` \\|");

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Path data;
    private static Path output;
    private static Process server;
    private static Path serverLog;
    private static String base;
    private static String admin;

    @BeforeAll
    static void ceremonyOfficerAndServe() throws Exception {
        data = CliProcesses.freshDirectory("serve-all");
        String onlineLabel = CliProcesses.demoCeremony(data, "all");
        output = data.resolve("ceremony/initial");
        CliProcesses.Result officer = CliProcesses.eidpki(
                data,
                "operator",
                "issue",
                "--id",
                "officer-1",
                "--office",
                "Daan Office",
                "--role",
                "officer",
                "--out",
                data.resolve("operators").toString(),
                "--data-dir",
                data.toString(),
                "--token-label",
                onlineLabel,
                "--custodian",
                custodian("alice"),
                "--custodian",
                custodian("bob"));
        assertThat(officer.exitCode()).as(officer.stdout() + officer.stderr()).isZero();

        serverLog = data.resolve("serve-all.log");
        // JSON log lines, with the access lines (INFO) that carry each request's id.
        server = CliProcesses.start(
                Map.of("EIDPKI_LOG_LEVEL", "info"),
                serverLog,
                "serve",
                "all",
                "--log-format",
                "json",
                "--data-dir",
                data.toString(),
                "--ra-port",
                "0",
                "--ocsp-port",
                "0",
                "--admin-port",
                "0",
                "--token-label",
                onlineLabel,
                "--custodian",
                custodian("alice"),
                "--custodian",
                custodian("carol"));
        // The CRL line is printed last, once all three listen.
        base = CliProcesses.awaitListening(server, serverLog, CRL_LISTENING, "serve all");
        admin = CliProcesses.awaitListening(server, serverLog, ADMIN_LISTENING, "serve all's admin port");
    }

    @AfterAll
    static void stopAndCleanUp() throws Exception {
        if (server != null) {
            server.destroy();
            assertThat(server.waitFor(30, TimeUnit.SECONDS))
                    .as("serve all stops on SIGTERM")
                    .isTrue();
        }
        CliProcesses.deleteTree(data);
    }

    @Test
    void theRaApiAnswersHealthOnItsOwnPort() throws Exception {
        Matcher m = RA_LISTENING.matcher(Files.readString(serverLog));
        assertThat(m.find()).as(Files.readString(serverLog)).isTrue();
        assertThat(m.group(1))
                .isNotEqualTo("0")
                .isNotEqualTo(String.valueOf(URI.create(base).getPort()));
        Path trust = data.resolve("trust.pem");
        Files.writeString(
                trust,
                Files.readString(output.resolve("ra-operators-ca.pem"))
                        + Files.readString(output.resolve("citizen-root.pem")));
        Path operators = data.resolve("operators");
        Process curl = new ProcessBuilder(
                        "curl",
                        "-sS",
                        "-w",
                        "\\n%{http_code}",
                        "--cacert",
                        trust.toString(),
                        "--cert",
                        operators.resolve("officer-1.pem").toString(),
                        "--key",
                        operators.resolve("officer-1.key.pem").toString(),
                        "https://127.0.0.1:" + m.group(1) + "/api/v1/health")
                .redirectErrorStream(true)
                .start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(curl.exitValue()).as(out).isZero();
        assertThat(out).contains("\"up\"").endsWith("200");
    }

    @Test
    void ocspAnswersOnTheSharedPort() throws Exception {
        X509CertificateHolder ca = certificate("citizen-ca");
        X509CertificateHolder signer = certificate("citizen-ca-ocsp");
        CertificateID id = new CertificateID(
                new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                ca,
                signer.getSerialNumber());
        HttpResponse<byte[]> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/ocsp"))
                        .header("Content-Type", "application/ocsp-request")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(
                                new OCSPReqBuilder().addRequest(id).build().getEncoded()))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/ocsp-response");
        OCSPResp resp = new OCSPResp(r.body());
        assertThat(resp.getStatus()).as("OCSPResponseStatus").isEqualTo(OCSPResp.SUCCESSFUL);
        BasicOCSPResp basic = (BasicOCSPResp) resp.getResponseObject();
        assertThat(basic.getResponses()[0].getCertID()).isEqualTo(id);
        assertThat(basic.getResponses()[0].getCertStatus()).isEqualTo(CertificateStatus.GOOD);
        assertThat(basic.getCerts()).containsExactly(signer);
        assertThat(Files.readString(serverLog))
                .contains("OCSP for citizen-ca signed by citizen-ca-ocsp", "OCSP responder: " + base + "/ocsp");
    }

    @Test
    void theCrlsAreServedOnTheSharedPort() throws Exception {
        for (String ca : List.of("citizen-root", "csca")) {
            HttpResponse<byte[]> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create(base + "/crl/" + ca + ".crl"))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).as(ca).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).as(ca).hasValue("application/pkix-crl");
            // The ceremony's CRL, byte for byte.
            assertThat(r.body()).as(ca).isEqualTo(Files.readAllBytes(output.resolve(ca + ".crl")));
            X509CRL crl =
                    (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(r.body()));
            assertThat(crl.getThisUpdate()).as(ca).isNotNull();
        }
        assertThat(Files.readString(serverLog)).contains("CRL files: " + data.resolve("published"));
    }

    @Test
    void logLinesAreJsonObjectsWithTheRequestIdOfEachRequest() throws Exception {
        HttpResponse<byte[]> ocsp = ocspRequest();
        String id = ocsp.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(id).matches("[0-9a-f]{16}");
        HttpResponse<String> crl = get(base + "/crl/citizen-root.crl");
        assertThat(crl.headers().firstValue("X-Request-Id"))
                .hasValueSatisfying(
                        other -> assertThat(other).matches("[0-9a-f]{16}").isNotEqualTo(id));

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(serverLog).contains(id)) {
            assertThat(System.nanoTime()).as("the access line of " + id).isLessThan(deadline);
            Thread.sleep(200);
        }
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(serverLog)) {
            // stdout's announcements ("RA API: ...", "Ready: ...") are plain; every log event is JSON.
            assertThat(line).as("no text-format log line").doesNotContainPattern("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ");
            if (line.startsWith("{")) {
                JsonNode node = json.readTree(line);
                assertThat(node.isObject()).as(line).isTrue();
                assertThat(node.path("level").asText()).as(line).isNotEmpty();
                assertThat(node.path("loggerName").asText()).as(line).isNotEmpty();
                assertThat(node.has("formattedMessage")).as(line).isTrue();
                lines.add(node);
            }
        }
        assertThat(lines).hasSizeGreaterThan(1);
        List<JsonNode> access = lines.stream()
                .filter(n -> id.equals(n.path("mdc").path("requestId").asText()))
                .toList();
        assertThat(access).as("one line for request " + id).hasSize(1);
        assertThat(access.get(0).path("loggerName").asText()).isEqualTo("tw.eid.pki.access");
        assertThat(access.get(0).path("formattedMessage").asText()).matches("ocsp-crl POST 200 \\d+ ms");
        // No personal data: no client certificate's names (the RA test sends the officer's).
        assertThat(Files.readString(serverLog)).doesNotContain("officer-1", "Daan Office");
    }

    @Test
    void theAdminPortAnswersLiveAndReadyOnceTheCrlsArePublished() throws Exception {
        assertThat(URI.create(admin).getPort())
                .isNotEqualTo(URI.create(base).getPort())
                .isNotZero();
        HttpResponse<String> live = get(admin + "/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).contains("\"live\"");
        HttpResponse<String> ready = awaitReady();
        assertThat(ready.body())
                .contains("\"token\":\"ok\"", "\"database\":\"ok\"", "\"ocsp-signer\":\"ok\"", "\"crls\":\"ok\"");
        // Announced only once ready, after every listening line.
        CliProcesses.awaitListening(
                server,
                serverLog,
                Pattern.compile("Ready: RA API, OCSP and CRLs \\(http://127\\.0\\.0\\.1:(\\d+)/health/ready\\)"),
                "the readiness line");
        String log = Files.readString(serverLog);
        assertThat(log.indexOf("Ready: ")).isGreaterThan(log.indexOf("CRL publisher: "));
        // Every CRL the CA certificates name is there now.
        for (String crl : List.of("citizen-root", "ra-operators-ca")) {
            assertThat(HTTP.send(
                                    HttpRequest.newBuilder(URI.create(base + "/crl/" + crl + ".crl"))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode())
                    .as(crl)
                    .isEqualTo(200);
        }
    }

    @Test
    void metricsAreOnlyOnTheAdminPort() throws Exception {
        assertThat(get(base + "/metrics").statusCode()).isEqualTo(404);
        assertThat(get(base + "/health/ready").statusCode()).isEqualTo(404);
        assertThat(get(admin + "/ocsp").statusCode()).isEqualTo(404);
        assertThat(get(admin + "/").statusCode()).isEqualTo(404);
        HttpResponse<String> metrics = get(admin + "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("content-type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    }

    @Test
    void everyDocumentedMetricIsServedWithItsKnownLabelsFromTheStart() throws Exception {
        awaitReady();
        ocspRequest(); // so that the per-request timers of Jetty have a series
        String metrics = get(admin + "/metrics").body();
        List<String> documented = documentedMetrics();
        assertThat(documented).hasSizeGreaterThan(35);
        for (String name : documented) {
            assertThat(metrics)
                    .as("documented in docs/metrics.md, served on /metrics: " + name)
                    .containsPattern("(?m)^" + name + "[{ _]");
        }
        // Every method x status x source of the OCSP counter, every status change kind, every token error
        // code of the session and device failures, every RA route with each status class.
        assertThat(series(metrics, "eidpki_ocsp_responses_total")).hasSize(2 * 4 * 4);
        assertThat(series(metrics, "eidpki_ra_status_changes_total"))
                .hasSize(4)
                .allSatisfy(l -> assertThat(l).endsWith(" 0.0"));
        assertThat(series(metrics, "eidpki_token_errors_total")).hasSizeGreaterThanOrEqualTo(10);
        assertThat(series(metrics, "eidpki_ra_requests_total"))
                .anySatisfy(l -> assertThat(l)
                        .contains("route=\"/cards/{cardNumber}/certificates\"", "status=\"5xx\"")
                        .endsWith(" 0.0"));
        assertThat(series(metrics, "eidpki_crl_until_next_update_seconds"))
                .anySatisfy(l -> assertThat(l).contains("path=\"/crl/citizen-root.crl\""));
        // Both leases held by this process: the updater's 10 s lease may lapse for a moment on a loaded
        // machine (the series is then absent, as documented), so wait for a reading with both.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (series(metrics, "eidpki_lease_holder").size() != 2 && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            metrics = get(admin + "/metrics").body();
        }
        assertThat(series(metrics, "eidpki_lease_holder")).hasSize(2);
    }

    @Test
    void aRealPrometheusCountsExactlyTheOcspRequestsSentAndEvaluatesTheDashboard() throws Exception {
        awaitReady();
        String counter = "sum(eidpki_ocsp_responses_total)";
        String scraped = "max(timestamp(eidpki_ocsp_responses_total))";
        // The shipped alert rules with every for: cut to 5 s (a test copy; the real ones stay long).
        String rules = Files.readString(RepositoryRoot.find().resolve("ops/prometheus/alerts.yml"));
        String shortened = rules.replaceAll("(?m)^(\\s+for: )\\d+[smh]$", "$15s");
        assertThat(shortened).isNotEqualTo(rules).doesNotContainPattern("(?m)^\\s+for: (?!5s$)");
        Path ruleFile = Files.writeString(data.resolve("alerts-test-copy.yml"), shortened);
        try (PrometheusProcess prometheus =
                PrometheusProcess.start(data, List.of(URI.create(admin).getAuthority()), ruleFile)) {
            double before = awaitScrapeAfter(prometheus, scraped, System.currentTimeMillis() / 1000.0 + 0.5);
            double first = prometheus.value(counter);
            int sent = 37;
            for (int i = 0; i < sent; i++) {
                ocspRequest();
            }
            awaitScrapeAfter(prometheus, scraped, System.currentTimeMillis() / 1000.0 + 0.5);
            double second = prometheus.value(counter);
            assertThat(second - first)
                    .as("two raw instant readings of the counter, scraped at %s and later", before)
                    .isEqualTo(sent);

            // Every expression of the Grafana dashboard evaluates and returns series.
            JsonNode dashboard = new ObjectMapper()
                    .readTree(RepositoryRoot.find()
                            .resolve("ops/grafana/eidpki.json")
                            .toFile());
            Thread.sleep(3000); // a few samples for rate() over the substituted intervals
            int checked = 0;
            for (JsonNode panel : dashboard.path("panels")) {
                for (JsonNode target : panel.path("targets")) {
                    String expr = target.path("expr")
                            .asText()
                            .replace("$__rate_interval", "1m")
                            .replace("$__interval", "15s")
                            .replace("$__range", "5m")
                            .replace("$instance", ".*");
                    JsonNode answer = prometheus.query(expr);
                    assertThat(answer.path("status").asText())
                            .as(panel.path("title").asText() + ": " + expr + " -> " + answer)
                            .isEqualTo("success");
                    assertThat(answer.path("data").path("result"))
                            .as(panel.path("title").asText() + ": " + expr + " returns series")
                            .isNotEmpty();
                    checked++;
                }
            }
            assertThat(checked).isGreaterThanOrEqualTo(30);

            // The alert rules evaluate against the live metrics: every rule healthy; in this demo set-up
            // (one Document Signer, so fewer than 2 certified spares) DocumentSignerSparesLow fires, and
            // nothing that means a fault of a healthy serve all does: the token is up, both leases are
            // held, the CRLs and OCSP answers are fresh, the audit checkpoint is recent.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            List<String> firing = firing(prometheus);
            while (!firing.contains("DocumentSignerSparesLow")) {
                assertThat(System.nanoTime())
                        .as("DocumentSignerSparesLow fires within 60 s; firing: " + firing + "; " + prometheus.alerts())
                        .isLessThan(deadline);
                Thread.sleep(1000);
                firing = firing(prometheus);
            }
            JsonNode groups = prometheus.rules().path("data").path("groups");
            int ruleCount = 0;
            for (JsonNode group : groups) {
                for (JsonNode rule : group.path("rules")) {
                    assertThat(rule.path("health").asText())
                            .as(rule.path("name").asText() + ": " + rule.path("lastError"))
                            .isEqualTo("ok");
                    ruleCount++;
                }
            }
            assertThat(ruleCount).isEqualTo(9);
            assertThat(firing)
                    .as("firing in a healthy serve all")
                    .doesNotContain(
                            "TokenDown",
                            "LeaseWithoutHolder",
                            "AuditCheckpointStale",
                            "CrlNearNextUpdate",
                            "CrlPublicationFailing",
                            "OcspStaleResponsesServed");
        }
    }

    /** The names of the alerts Prometheus has firing now (not pending). */
    private static List<String> firing(PrometheusProcess prometheus) throws Exception {
        JsonNode answer = prometheus.alerts();
        assertThat(answer.path("status").asText()).as(answer.toString()).isEqualTo("success");
        List<String> names = new ArrayList<>();
        for (JsonNode alert : answer.path("data").path("alerts")) {
            if (alert.path("state").asText().equals("firing")) {
                names.add(alert.path("labels").path("alertname").asText());
            }
        }
        return names;
    }

    /** Waits until Prometheus holds a sample of {@code scraped} taken after {@code after} (epoch seconds). */
    private static double awaitScrapeAfter(PrometheusProcess prometheus, String scraped, double after)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            double t = prometheus.value(scraped);
            if (!Double.isNaN(t) && t > after) {
                return t;
            }
            assertThat(System.nanoTime())
                    .as("Prometheus scraped the admin port within 60 s: " + prometheus.log())
                    .isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    private static HttpResponse<String> awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            HttpResponse<String> r = get(admin + "/health/ready");
            if (r.statusCode() == 200) {
                return r;
            }
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(System.nanoTime())
                    .as("ready within 2 minutes: " + r.body())
                    .isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    static List<String> documentedMetrics() throws IOException {
        String doc = Files.readString(RepositoryRoot.find().resolve("docs/metrics.md"));
        Matcher m = DOCUMENTED.matcher(doc);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static List<String> series(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name + "{")).toList();
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<byte[]> ocspRequest() throws Exception {
        CertificateID id = new CertificateID(
                new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                certificate("citizen-ca"),
                certificate("citizen-ca-ocsp").getSerialNumber());
        HttpResponse<byte[]> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/ocsp"))
                        .header("Content-Type", "application/ocsp-request")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(
                                new OCSPReqBuilder().addRequest(id).build().getEncoded()))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        return r;
    }

    private static X509CertificateHolder certificate(String name) throws IOException {
        try (PEMParser p = new PEMParser(Files.newBufferedReader(output.resolve(name + ".pem")))) {
            return (X509CertificateHolder) p.readObject();
        }
    }

    private static String custodian(String name) {
        return CliProcesses.custodian(data, name);
    }
}
