package tw.eid.pki.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Prometheus (Debian's {@code prometheus}) for a test: a free port on 127.0.0.1, its own
 * temporary storage directory, scraping {@code targets} every second. Queries go through its HTTP
 * API.
 */
final class PrometheusProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final Path dir;
    private final String base;

    private PrometheusProcess(Process process, Path dir, String base) {
        this.process = process;
        this.dir = dir;
        this.base = base;
    }

    /** Starts Prometheus scraping {@code targets} (host:port of admin ports) and waits until it is ready. */
    static PrometheusProcess start(Path work, List<String> targets) throws Exception {
        return start(work, targets, null);
    }

    /**
     * Like {@link #start(Path, List)}, evaluating the alert rules of {@code rules} (null: none)
     * every second.
     */
    static PrometheusProcess start(Path work, List<String> targets, Path rules) throws Exception {
        Path dir = Files.createDirectories(work.resolve("prometheus"));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String config = "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                + "scrape_configs:\n  - job_name: eidpki\n    static_configs:\n      - targets: ["
                + targets.stream().map(t -> "'" + t + "'").collect(Collectors.joining(", ")) + "]\n"
                + (rules == null ? "" : "rule_files: ['" + rules.toAbsolutePath() + "']\n");
        Files.writeString(dir.resolve("prometheus.yml"), config);
        Process p = new ProcessBuilder(
                        "prometheus",
                        "--config.file=" + dir.resolve("prometheus.yml"),
                        "--storage.tsdb.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        PrometheusProcess prometheus = new PrometheusProcess(p, dir, "http://127.0.0.1:" + port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            assertThat(p.isAlive())
                    .as(Files.readString(dir.resolve("prometheus.log")))
                    .isTrue();
            try {
                if (HTTP.send(
                                        HttpRequest.newBuilder(URI.create(prometheus.base + "/-/ready"))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    return prometheus;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            assertThat(System.nanoTime()).as("Prometheus ready within 60 s").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /** {@code /api/v1/query}: the whole answer; the caller checks its status. */
    JsonNode query(String promql) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(
                                base + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    /** The single value of an instant query that returns one series, or NaN when it returns none. */
    double value(String promql) throws Exception {
        JsonNode answer = query(promql);
        assertThat(answer.path("status").asText()).as(promql + ": " + answer).isEqualTo("success");
        JsonNode result = answer.path("data").path("result");
        if (result.isEmpty()) {
            return Double.NaN;
        }
        assertThat(result).as(promql).hasSize(1);
        return Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    /** {@code /api/v1/alerts}: the whole answer. */
    JsonNode alerts() throws Exception {
        return get("/api/v1/alerts");
    }

    /** {@code /api/v1/rules}: the whole answer. */
    JsonNode rules() throws Exception {
        return get("/api/v1/rules");
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    String log() throws IOException {
        return Files.readString(dir.resolve("prometheus.log"));
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
