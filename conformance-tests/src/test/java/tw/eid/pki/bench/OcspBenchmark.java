package tw.eid.pki.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.operator.DigestCalculator;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.eclipse.jetty.server.Server;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.revocation.RevocationService;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;
import tw.eid.pki.ocsp.OcspAuthorities;
import tw.eid.pki.ocsp.OcspConfig;
import tw.eid.pki.ocsp.OcspFixture;
import tw.eid.pki.ocsp.OcspResponder;
import tw.eid.pki.ocsp.OcspServer;
import tw.eid.pki.ocsp.OcspUpdater;
import tw.eid.pki.ocsp.StatusLogFollower;

/**
 * OCSP responder benchmark (a main; `mvn test` does not run it; conformance-tests/bench/ocsp.sh):
 * N certificates in the store (85% good, 10% revoked, 5% on hold), pre-signed by the updater; two
 * responders on one database; wrk GETs (RFC 5019 paths mixing good / revoked / on hold / unknown)
 * against one responder, and against nginx serving one response of ours from a file (the
 * ceiling), in the same run; CPU-seconds per 10,000 responses for each; then the
 * revoke-to-served latency on both responders.
 *
 * <p>System properties: bench.certs (default 100,000), bench.paths (distinct request paths, 20,000),
 * bench.duration (s per wrk run, 15), bench.trials (latency trials, 100), bench.out.
 */
public final class OcspBenchmark {
    static final int CERTS = Integer.getInteger("bench.certs", 100_000);
    static final int PATHS = Integer.getInteger("bench.paths", 20_000);
    static final int DURATION = Integer.getInteger("bench.duration", 15);
    static final int TRIALS = Integer.getInteger("bench.trials", 100);
    static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    static final SecureRandom RANDOM = new SecureRandom();

    final Clock clock = Clock.systemUTC();
    final StringBuilder report = new StringBuilder();
    Database database;
    Token token;
    X509CertificateHolder ca;
    final List<BigInteger> good = new ArrayList<>();
    final List<BigInteger> revoked = new ArrayList<>();
    final List<BigInteger> hold = new ArrayList<>();
    Path work;

    public static void main(String[] args) throws Exception {
        OcspBenchmark b = new OcspBenchmark();
        try {
            b.run();
        } finally {
            if (b.token != null) {
                b.token.close();
            }
        }
        System.exit(0);
    }

    void line(String s) {
        System.out.println(s);
        report.append(s).append('\n');
    }

    void run() throws Exception {
        work = Files.createTempDirectory("eidpki-ocsp-bench");
        long t0 = System.nanoTime();
        database = Database.open(TestDatabase.server().settings(TestDatabase.createDatabaseName()));
        token = SoftHsmTestTokens.create("ocsp-bench").open(clock);
        setUpCas();
        insertCertificates();
        line(String.format(Locale.ROOT, "# OCSP benchmark %s; %,d certificates; set-up %.1f s", Instant.now(), CERTS,
                (System.nanoTime() - t0) / 1e9));

        OcspResponder r1 = responder();
        OcspResponder r2 = responder();
        OcspUpdater updater = new OcspUpdater(database, r1, "bench-updater", clock);
        long cpu = OS.getProcessCpuTime();
        long start = System.nanoTime();
        int signed = 0;
        int n;
        while ((n = updater.runOnce()) > 0) {
            signed += n;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        line("");
        line("## pre-signing: OcspUpdater, one thread, P-256 delegated signer in SoftHSM2, one row upsert per response");
        line(String.format(Locale.ROOT, "%,d responses in %.1f s: %,.0f responses/s, %.3f CPU-ms per response (JVM)", signed,
                seconds, signed / seconds, (OS.getProcessCpuTime() - cpu) / 1e6 / Math.max(1, signed)));

        StatusLogFollower f1 = StatusLogFollower.start(database, r1, clock);
        StatusLogFollower f2 = StatusLogFollower.start(database, r2, clock);
        Server s1 = OcspServer.newServer(r1, f1, database, token, "127.0.0.1", 0, clock);
        Server s2 = OcspServer.newServer(r2, f2, database, token, "127.0.0.1", 0, clock);
        s1.start();
        s2.start();
        int p1 = OcspServer.port(s1);
        int p2 = OcspServer.port(s2);

        List<String> paths = paths();
        Path script = work.resolve("paths.lua");
        writeScript(script, paths);
        byte[] one = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p1 + paths.get(0)))
                .build(), HttpResponse.BodyHandlers.ofByteArray()).body();

        line("");
        line("## wrk -t2 -c16 -d" + DURATION + "s --latency, GET " + String.format(Locale.ROOT, "%,d", paths.size())
                + " distinct RFC 5019 paths (80% good, 10% revoked, 5% on hold, 5% never issued)");
        line("| server | requests/s | p50 ms | p99 ms | non-2xx | server CPU-s per 10,000 responses | cache hit rate |");
        line("|---|---:|---:|---:|---:|---:|---:|");
        // First pass warms the JIT and the memory cache; the second is reported.
        wrk(script, p1, DURATION);
        var before = r1.cacheStatistics();
        long jvm = OS.getProcessCpuTime();
        Wrk ours = wrk(script, p1, DURATION);
        double jvmCpu = (OS.getProcessCpuTime() - jvm) / 1e9;
        var after = r1.cacheStatistics();
        long hits = after.get("hits") - before.get("hits");
        long misses = after.get("misses") - before.get("misses");
        line(String.format(Locale.ROOT, "| this responder (Jetty 12, memory cache over the store) | %,.0f | %.2f | %.2f | %d | %.2f | %.1f%% |",
                ours.rate, ours.p50, ours.p99, ours.non2xx, jvmCpu / ours.requests * 10_000, 100.0 * hits / Math.max(1, hits + misses)));

        Nginx nginx = Nginx.start(work, one);
        try {
            wrk(script, nginx.port, DURATION);
            long ng = nginx.cpuNanos();
            Wrk ceiling = wrk(script, nginx.port, DURATION);
            double ngCpu = (nginx.cpuNanos() - ng) / 1e9;
            if (ceiling.non2xx() > 0) {
                throw new IllegalStateException("nginx answered " + ceiling.non2xx() + " non-2xx: see " + nginx.dir + "/logs");
            }
            line(String.format(Locale.ROOT, "| nginx, one of our responses from a file (the ceiling) | %,.0f | %.2f | %.2f | %d | %.2f | - |",
                    ceiling.rate, ceiling.p50, ceiling.p99, ceiling.non2xx, ngCpu / ceiling.requests * 10_000));
            line(String.format(Locale.ROOT, "ratio: %.2fx nginx's requests/s; %.2fx nginx's CPU per response",
                    ours.rate / ceiling.rate, (jvmCpu / ours.requests) / (ngCpu / ceiling.requests)));
        } finally {
            nginx.close();
        }

        latency(p1, p2);

        s1.stop();
        s2.stop();
        f1.close();
        f2.close();
        updater.close();
        String out = System.getProperty("bench.out");
        if (out != null) {
            Files.writeString(Path.of(out), report.toString());
        }
    }

    OcspResponder responder() {
        return new OcspResponder(database, token, OcspAuthorities.load(database, clock.instant()), OcspConfig.defaults(), clock);
    }

    // ------------------------------------------------------------------ set-up

    void setUpCas() {
        // Root, Citizen CA and its delegated signer in the token, recorded as the ceremony records them.
        ca = new OcspFixture(database, token, clock).ca;
    }

    /** Certificate rows written directly (the responder reads only their status columns). */
    void insertCertificates() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        byte[] filler = new byte[32];
        for (int from = 0; from < CERTS; from += 5_000) {
            int to = Math.min(CERTS, from + 5_000);
            int base = from;
            database.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO certificate (ca_name, serial_hex, profile, status,"
                        + " revocation_reason, revocation_time, not_before, not_after, tbs_der, der, public_key_sha256,"
                        + " created_at, updated_at) VALUES ('citizen-ca', ?, 'citizen-signature/1', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    for (int i = base; i < to; i++) {
                        BigInteger serial = new BigInteger(128, RANDOM).setBit(127);
                        int k = i % 20;
                        String status = k < 17 ? "GOOD" : k < 19 ? "REVOKED" : "HOLD";
                        (k < 17 ? good : k < 19 ? revoked : hold).add(serial);
                        ps.setString(1, serial.toString(16));
                        ps.setString(2, status);
                        ps.setObject(3, "GOOD".equals(status) ? null : "HOLD".equals(status) ? 6 : 1);
                        ps.setObject(4, "GOOD".equals(status) ? null : DatabaseTime.toColumn(now.minusSeconds(3600)));
                        ps.setObject(5, DatabaseTime.toColumn(now.minus(1, ChronoUnit.DAYS)));
                        ps.setObject(6, DatabaseTime.toColumn(now.plus(365, ChronoUnit.DAYS)));
                        ps.setBytes(7, filler);
                        ps.setBytes(8, filler);
                        ps.setBytes(9, filler);
                        ps.setObject(10, DatabaseTime.toColumn(now));
                        ps.setObject(11, DatabaseTime.toColumn(now));
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                return null;
            });
        }
    }

    // ------------------------------------------------------------------ load

    String path(BigInteger serial) throws Exception {
        DigestCalculator sha1 = new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1);
        byte[] der = new OCSPReqBuilder().addRequest(new CertificateID(sha1, ca, serial)).build().getEncoded();
        return "/ocsp/" + Base64.getEncoder().encodeToString(der).replace("/", "%2F").replace("+", "%2B").replace("=", "%3D");
    }

    List<String> paths() throws Exception {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < PATHS; i++) {
            int k = i % 20;
            BigInteger serial = k < 16 ? good.get(RANDOM.nextInt(good.size()))
                    : k < 18 ? revoked.get(RANDOM.nextInt(revoked.size()))
                    : k < 19 ? hold.get(RANDOM.nextInt(hold.size()))
                    : new BigInteger(128, RANDOM).setBit(127);
            out.add(path(serial));
        }
        return out;
    }

    static void writeScript(Path script, List<String> paths) throws IOException {
        StringBuilder lua = new StringBuilder("local paths = {\n");
        for (String p : paths) {
            lua.append("  \"").append(p).append("\",\n");
        }
        lua.append("}\nlocal i = math.random(#paths)\n"
                + "request = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n");
        Files.writeString(script, lua.toString());
    }

    record Wrk(double rate, double p50, double p99, long requests, long non2xx) {}

    static Wrk wrk(Path script, int port, int seconds) throws Exception {
        Process p = new ProcessBuilder("wrk", "-t2", "-c16", "-d" + seconds + "s", "--latency", "-s", script.toString(),
                "http://127.0.0.1:" + port).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("wrk failed: " + out);
        }
        return new Wrk(number(out, "Requests/sec:\\s+([\\d.]+)"), millis(out, "50%\\s+([\\d.]+)(us|ms|s)"),
                millis(out, "99%\\s+([\\d.]+)(us|ms|s)"), (long) number(out, "(\\d+) requests in"),
                out.contains("Non-2xx") ? (long) number(out, "Non-2xx or 3xx responses: (\\d+)") : 0);
    }

    static double number(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no " + regex + " in wrk output: " + out);
        }
        return Double.parseDouble(m.group(1));
    }

    static double millis(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no " + regex + " in wrk output: " + out);
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v / 1000;
            case "s" -> v * 1000;
            default -> v;
        };
    }

    /** nginx serving one response of ours for every /ocsp/ path (the ceiling). */
    static final class Nginx implements AutoCloseable {
        final Process process;
        final int port;
        final Path dir;

        private Nginx(Process process, int port, Path dir) {
            this.process = process;
            this.port = port;
            this.dir = dir;
        }

        static Nginx start(Path work, byte[] response) throws Exception {
            Path dir = Files.createDirectories(work.resolve("nginx"));
            Files.createDirectories(dir.resolve("logs"));
            Files.write(dir.resolve("response.der"), response);
            int port;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                port = s.getLocalPort();
            }
            // As root, nginx's workers would run as nobody, who cannot read this private temporary directory.
            String user = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
            Files.writeString(dir.resolve("nginx.conf"), user + "worker_processes auto;\ndaemon off;\npid " + dir + "/nginx.pid;\n"
                    + "error_log " + dir + "/logs/error.log;\nevents { worker_connections 1024; }\n"
                    + "http {\n  access_log off;\n  client_body_temp_path " + dir + "/tmp;\n  proxy_temp_path " + dir + "/tmp;\n"
                    + "  fastcgi_temp_path " + dir + "/tmp;\n  uwsgi_temp_path " + dir + "/tmp;\n  scgi_temp_path " + dir + "/tmp;\n"
                    + "  server {\n    listen 127.0.0.1:" + port + ";\n"
                    + "    root " + dir + ";\n"
                    + "    location /ocsp/ { default_type application/ocsp-response; rewrite ^ /response.der break; }\n  }\n}\n");
            Process p = new ProcessBuilder("nginx", "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("logs/stdout").toFile()).start();
            for (int i = 0; i < 100; i++) {
                try (java.net.Socket ignored = new java.net.Socket("127.0.0.1", port)) {
                    return new Nginx(p, port, dir);
                } catch (IOException e) {
                    Thread.sleep(50);
                }
            }
            throw new IllegalStateException("nginx did not start: " + Files.readString(dir.resolve("logs/stdout")));
        }

        /** CPU of the master and its workers, from /proc. */
        long cpuNanos() {
            long ticks = 0;
            List<ProcessHandle> all = new ArrayList<>();
            all.add(process.toHandle());
            process.toHandle().descendants().forEach(all::add);
            for (ProcessHandle h : all) {
                try {
                    String stat = Files.readString(Path.of("/proc/" + h.pid() + "/stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                } catch (IOException | RuntimeException e) {
                    // gone
                }
            }
            return ticks * 10_000_000L; // USER_HZ 100
        }

        @Override
        public void close() {
            process.destroy();
        }
    }

    // ------------------------------------------------------------------ revoke-to-served

    void latency(int p1, int p2) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        RevocationService revocations = new RevocationService(database, AuditLedger.hashChained(clock), clock);
        long[] ms = new long[TRIALS];
        for (int t = 0; t < TRIALS; t++) {
            BigInteger serial = good.get(t * 7 % good.size());
            String path = path(serial);
            // Both responders have the good answer in memory before the change.
            for (int port : new int[] {p1, p2}) {
                for (int i = 0; i < 2; i++) {
                    get(http, port, path);
                }
            }
            revocations.suspend(Actor.local("bench"), "citizen-ca", serial.toString(16)); // committed on return
            long start = System.nanoTime();
            boolean seen1 = false;
            boolean seen2 = false;
            while (!(seen1 && seen2)) {
                seen1 = seen1 || onHold(get(http, p1, path));
                seen2 = seen2 || onHold(get(http, p2, path));
                if (System.nanoTime() - start > 30_000_000_000L) {
                    throw new IllegalStateException("no hold after 30 s");
                }
                if (!(seen1 && seen2)) {
                    Thread.sleep(10);
                }
            }
            ms[t] = (System.nanoTime() - start) / 1_000_000;
        }
        Arrays.sort(ms);
        line("");
        line("## revoke-to-served: suspend committed -> both responders answer certificateHold (polled every 10 ms)");
        line(String.format(Locale.ROOT, "%d trials: p50 %d ms, p99 %d ms, max %d ms (follower interval %d ms)", TRIALS,
                ms[TRIALS / 2], ms[Math.max(0, (int) Math.ceil(TRIALS * 0.99) - 1)], ms[TRIALS - 1],
                OcspConfig.defaults().followInterval().toMillis()));
    }

    static byte[] get(HttpClient http, int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body();
    }

    static boolean onHold(byte[] der) throws Exception {
        OCSPResp resp = new OCSPResp(der);
        if (resp.getStatus() != 0) {
            return false;
        }
        Object status = ((BasicOCSPResp) resp.getResponseObject()).getResponses()[0].getCertStatus();
        return status instanceof RevokedStatus r && r.hasRevocationReason() && r.getRevocationReason() == 6;
    }
}
