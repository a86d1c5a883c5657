package tw.eid.pki.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.Test;

/**
 * The OCSP GET rate of {@code serve all} with metrics on against metrics off
 * ({@code -Deidpki.metrics=off}), interleaved A/B/A/B on one store (BENCHMARKS.md). Not part of
 * bin/test (surefire runs only *Test classes): run it with
 * {@code ./mvnw -B -o -pl launcher -am verify -Dtest=OcspMetricsBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 * It reads the real time (elapsed, System.nanoTime) to pace and count; it asserts only that
 * every answer was HTTP 200. Results: launcher/target/bench/ocsp-metrics.md.
 */
class OcspMetricsBenchmark {
    private static final Pattern READY =
            Pattern.compile("Ready: RA API, OCSP and CRLs \\(http://127\\.0\\.0\\.1:(\\d+)/");
    private static final Pattern LISTENING = Pattern.compile("OCSP responder: http://127\\.0\\.0\\.1:(\\d+)/ocsp");
    static final int THREADS = Integer.getInteger("bench.threads", 4);
    static final int WARMUP_SECONDS = Integer.getInteger("bench.warmup", 8);
    static final int SECONDS = Integer.getInteger("bench.seconds", 15);
    static final int PASSES = Integer.getInteger("bench.passes", 4);

    @Test
    void metricsOnAgainstOff() throws Exception {
        Path data = CliProcesses.freshDirectory("bench-metrics");
        String online = CliProcesses.demoCeremony(data, "bench");
        Path out = data.resolve("ceremony/initial");
        CertificateID id = new CertificateID(
                new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                read(out.resolve("citizen-ca.pem")),
                read(out.resolve("citizen-ca-ocsp.pem")).getSerialNumber());
        String path = URLEncoder.encode(
                Base64.getEncoder()
                        .encodeToString(
                                new OCSPReqBuilder().addRequest(id).build().getEncoded()),
                StandardCharsets.UTF_8);
        List<String> rows = new ArrayList<>();
        double[] sums = new double[2];
        for (int pass = 0; pass < PASSES; pass++) {
            boolean on = pass % 2 == 0;
            Path log = data.resolve("serve-" + pass + ".log");
            List<String> command = new ArrayList<>(CliProcesses.command(
                    "serve",
                    "all",
                    "--data-dir",
                    data.toString(),
                    "--ra-port",
                    "0",
                    "--ocsp-port",
                    "0",
                    "--admin-port",
                    "0",
                    "--token-label",
                    online,
                    "--custodian",
                    CliProcesses.custodian(data, "alice"),
                    "--custodian",
                    CliProcesses.custodian(data, "carol")));
            command.remove("-XX:TieredStopAtLevel=1"); // the full JIT, as bin/eidpki runs
            if (!on) {
                command.add(1, "-Deidpki.metrics=off");
            }
            ProcessBuilder pb =
                    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(CliProcesses.environment());
            Process server = pb.start();
            try {
                String base = CliProcesses.awaitListening(server, log, LISTENING, "serve all");
                CliProcesses.awaitListening(server, log, READY, "serve all ready");
                String url = base + "/ocsp/" + path;
                load(url, WARMUP_SECONDS);
                double rate = load(url, SECONDS);
                sums[on ? 0 : 1] += rate;
                rows.add("| " + (pass + 1) + " | " + (on ? "on" : "off") + " | " + Math.round(rate) + " |");
            } finally {
                server.destroy();
                assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
        }
        double ratio = sums[0] / sums[1];
        String report = "| pass | metrics | OCSP GETs/s |\n|---:|---|---:|\n" + String.join("\n", rows)
                + "\n\non/off (sum of the passes): " + String.format("%.3f", ratio) + "x\n";
        Path bench = Files.createDirectories(Path.of("target/bench"));
        Files.writeString(bench.resolve("ocsp-metrics.md"), report);
        System.out.println(report);
        CliProcesses.deleteTree(data);
    }

    /** GETs of {@code url} from {@link #THREADS} threads for {@code seconds}: answers per second. */
    private static double load(String url, int seconds) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).GET().build();
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder done = new LongAdder();
        LongAdder failed = new LongAdder();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        (r.statusCode() == 200 ? done : failed).increment();
                    } catch (IOException | InterruptedException e) {
                        failed.increment();
                    }
                }
            });
            threads.add(t);
        }
        long started = System.nanoTime();
        threads.forEach(Thread::start);
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        assertThat(failed.sum()).isZero();
        return done.sum() / elapsed;
    }

    private static X509CertificateHolder read(Path pem) throws IOException {
        try (PEMParser p = new PEMParser(Files.newBufferedReader(pem))) {
            return (X509CertificateHolder) p.readObject();
        }
    }
}
