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
    static final int WARMUP = Integer.getInteger("bench.jit.warmup", 40);
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
    long mysqldPid = -1;

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
        mysqldPid = ProcessHandle.current()
                .descendants()
                .filter(p -> p.info()
                        .command()
                        .map(c -> c.endsWith("mysqld") || c.endsWith("mariadbd"))
                        .orElse(false))
                .mapToLong(ProcessHandle::pid)
                .findFirst()
                .orElse(-1);
        token = SoftHsmTestTokens.create("ocsp-bench").open(clock);
        setUpCas();
        insertCertificates();
        line(String.format(
                Locale.ROOT,
                "# OCSP benchmark %s; %,d certificates in the store; set-up %.1f s",
                Instant.now(),
                CERTS,
                (System.nanoTime() - t0) / 1e9));

        OcspResponder r1 = responder(OcspConfig.defaults());
        OcspResponder r2 = responder(OcspConfig.defaults());
        // The live-signing row measures the signing path itself, so its limit is out of the way.
        OcspResponder r3 = responder(OcspConfig.defaults().withLiveSignaturesPerSecond(1_000_000));
        OcspUpdater updater = new OcspUpdater(database, r1, "bench-updater", clock);
        long cpu = OS.getProcessCpuTime();
        long db = mysqldCpuNanos();
        long start = System.nanoTime();
        int signed = 0;
        int n;
        while ((n = updater.runOnce()) > 0) {
            signed += n;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        line("");
        line(
                "## pre-signing: OcspUpdater, one thread, P-256 delegated signer in SoftHSM2, one row upsert per response");
        line(String.format(
                Locale.ROOT,
                "%,d responses in %.1f s: %,.0f responses/s; CPU-ms per response %.3f (JVM), %.3f (JVM + mysqld)",
                signed,
                seconds,
                signed / seconds,
                (OS.getProcessCpuTime() - cpu) / 1e6 / Math.max(1, signed),
                (OS.getProcessCpuTime() - cpu + mysqldCpuNanos() - db) / 1e6 / Math.max(1, signed)));

        StatusLogFollower f1 = StatusLogFollower.start(database, r1, clock);
        StatusLogFollower f2 = StatusLogFollower.start(database, r2, clock);
        StatusLogFollower f3 = StatusLogFollower.start(database, r3, clock);
        Server s1 = OcspServer.newServer(r1, f1, database, token, "127.0.0.1", 0, clock);
        Server s2 = OcspServer.newServer(r2, f2, database, token, "127.0.0.1", 0, clock);
        Server s3 = OcspServer.newServer(r3, f3, database, token, "127.0.0.1", 0, clock);
        s1.start();
        s2.start();
        s3.start();
        int p1 = OcspServer.port(s1);
        int p2 = OcspServer.port(s2);
        int p3 = OcspServer.port(s3);

        List<BigInteger> serials = pathSerials();
        List<byte[]> requests = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (BigInteger serial : serials) {
            byte[] der = request(serial, null);
            requests.add(der);
            paths.add(path(der));
        }
        Path get = work.resolve("get.lua");
        Path post = work.resolve("post.lua");
        Path postRoot = work.resolve("post-root.lua");
        Path nonces = work.resolve("nonces.lua");
        writeGetScript(get, paths);
        writePostScript(post, "/ocsp", requests);
        writePostScript(postRoot, "/", requests);
        List<byte[]> withNonce = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            byte[] nonce = new byte[32];
            RANDOM.nextBytes(nonce);
            withNonce.add(request(serials.get(i % serials.size()), nonce));
        }
        writePostScript(nonces, "/ocsp", withNonce);
        byte[] one = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p1 + paths.get(0)))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray())
                .body();

        // The JIT: C2 compiles for tens of seconds after start (seen taking a sixth of the CPU in a
        // 15 s pass); a long-running responder has long finished, so that is not measured.
        wrk(get, p1, WARMUP);
        wrk(post, p1, 10);
        wrk(nonces, p3, 10);

        line("");
        line("## wrk -t2 -c16 -d" + DURATION + "s --latency; " + String.format(Locale.ROOT, "%,d", paths.size())
                + " distinct requests (80% good, 10% revoked, 5% on hold, 5% never issued), RFC 5019 GET or POST;"
                + " after " + WARMUP + " s of unreported JIT warm-up");
        line(
                "Server CPU is that of every process serving: for this responder the JVM and mysqld; nginx's master and"
                        + " workers; the openssl and cfssl processes. wrk shares the 2 cores, so CPU per response is the fairer figure.");
        line("");
        line(
                "| server | method | requests/s | p50 ms | p99 ms | non-2xx | server CPU-s per 10,000 responses | cache hit rate |");
        line("|---|---|---:|---:|---:|---:|---:|---:|");

        Measured oursGet = measureOurs("this responder (Jetty 12, memory cache over the store)", "GET", get, p1, r1);
        Measured ceiling;
        try (Peer nginx = Nginx.start(work, one)) {
            wrk(get, nginx.port, 5);
            ceiling = measure(
                    "nginx, one of our responses from a file (the ceiling)", "GET", get, nginx.port, nginx::cpuNanos);
            if (ceiling.wrk.non2xx() > 0) {
                throw new IllegalStateException("nginx answered " + ceiling.wrk.non2xx() + " non-2xx");
            }
        }
        Measured openssl;
        try (Peer o = OpensslResponder.start(work, ca, good, revoked, hold)) {
            // No warm-up and no address probe for it (see OpensslResponder).
            Path rootGet = work.resolve("get-root.lua"); // openssl takes the base64 right after the first '/'
            writeGetScript(
                    rootGet,
                    paths.stream().map(p -> p.substring("/ocsp".length())).toList());
            openssl = measure(
                    "`openssl ocsp -index` (" + opensslVersion() + ")",
                    "GET",
                    withoutProbe(rootGet),
                    o.port,
                    o::cpuNanos);
        }
        Measured oursPost = measureOurs("this responder", "POST", post, p1, r1);
        Measured cfssl;
        try (Peer c = Cfssl.start(work, database, serials)) {
            wrk(postRoot, c.port, 5);
            cfssl = measure(
                    "`cfssl ocspserve` (" + cfsslVersion() + "), our pre-signed responses from a file",
                    "POST",
                    postRoot,
                    c.port,
                    c::cpuNanos);
        }
        line("");
        line(String.format(
                Locale.ROOT,
                "GET: %.2fx nginx's requests/s, %.2fx nginx's CPU per response; %.1fx openssl's requests/s,"
                        + " %.2fx openssl's CPU per response",
                oursGet.wrk.rate() / ceiling.wrk.rate(),
                oursGet.cpuPerResponse() / ceiling.cpuPerResponse(),
                oursGet.wrk.rate() / openssl.wrk.rate(),
                oursGet.cpuPerResponse() / openssl.cpuPerResponse()));
        line(String.format(
                Locale.ROOT,
                "POST: %.1fx cfssl's requests/s, %.2fx cfssl's CPU per response",
                oursPost.wrk.rate() / cfssl.wrk.rate(),
                oursPost.cpuPerResponse() / cfssl.cpuPerResponse()));
        line(String.format(
                Locale.ROOT,
                "this responder's CPU split (GET): JVM %.2f + mysqld %.2f CPU-s per 10,000 responses",
                oursGet.jvmCpu / oursGet.wrk.requests() * 10_000,
                (oursGet.cpu - oursGet.jvmCpu) / oursGet.wrk.requests() * 10_000));

        liveSigning(nonces, p3, r3);

        latency(p1, p2);

        s1.stop();
        s2.stop();
        s3.stop();
        f1.close();
        f2.close();
        f3.close();
        updater.close();
        String out = System.getProperty("bench.out");
        if (out != null) {
            Files.writeString(Path.of(out), report.toString());
        }
    }

    record Measured(Wrk wrk, double cpu, double jvmCpu) {
        double cpuPerResponse() {
            return cpu / wrk.requests();
        }
    }

    Measured measureOurs(String name, String method, Path script, int port, OcspResponder r) throws Exception {
        var before = r.cacheStatistics();
        long jvm = OS.getProcessCpuTime();
        long db = mysqldCpuNanos();
        Wrk w = wrk(script, port, DURATION);
        double jvmCpu = (OS.getProcessCpuTime() - jvm) / 1e9;
        double cpu = jvmCpu + (mysqldCpuNanos() - db) / 1e9;
        var after = r.cacheStatistics();
        long hits = after.get("hits") - before.get("hits");
        long misses = after.get("misses") - before.get("misses");
        line(String.format(
                Locale.ROOT,
                "| %s | %s | %,.0f | %.2f | %.2f | %d | %.2f | %.1f%% |",
                name,
                method,
                w.rate,
                w.p50,
                w.p99,
                w.non2xx,
                cpu / w.requests * 10_000,
                100.0 * hits / Math.max(1, hits + misses)));
        return new Measured(w, cpu, jvmCpu);
    }

    Measured measure(String name, String method, Path script, int port, java.util.function.LongSupplier cpuNanos)
            throws Exception {
        long c0 = cpuNanos.getAsLong();
        Wrk w = wrk(script, port, DURATION);
        double cpu = (cpuNanos.getAsLong() - c0) / 1e9;
        line(String.format(
                Locale.ROOT,
                "| %s | %s | %,.0f | %.2f | %.2f | %d | %.2f | - |",
                name,
                method,
                w.rate,
                w.p50,
                w.p99,
                w.non2xx,
                cpu / w.requests * 10_000));
        return new Measured(w, cpu, cpu);
    }

    /**
     * Requests with a nonce are never answered from memory: each is a store read and a signature in
     * the token. Beside it, in the same run, raw signatures of the same P-256 key through the same
     * token layer (2 threads): the issue's goal is a live-signed response's CPU at most 1.25x one
     * raw signature's.
     */
    void liveSigning(Path nonces, int port, OcspResponder r) throws Exception {
        long jvm = OS.getProcessCpuTime();
        long db = mysqldCpuNanos();
        Wrk w = wrk(nonces, port, DURATION);
        double cpu = (OS.getProcessCpuTime() - jvm + mysqldCpuNanos() - db) / 1e9;
        double perResponse = cpu / w.requests * 1e3;

        String label = r.authorities().all().get(0).signerKeyLabel();
        byte[] tbs = new byte[300];
        RANDOM.nextBytes(tbs);
        java.util.concurrent.atomic.AtomicLong count = new java.util.concurrent.atomic.AtomicLong();
        long until = System.nanoTime() + DURATION * 1_000_000_000L;
        long c0 = OS.getProcessCpuTime();
        long t0 = System.nanoTime();
        Thread[] threads = new Thread[2];
        for (int i = 0; i < threads.length; i++) {
            threads[i] = new Thread(() -> {
                try {
                    while (System.nanoTime() < until) {
                        tw.eid.pki.hsm.TestSignatures.sign(token.signer(label), tbs);
                        count.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            threads[i].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        double rawSeconds = (System.nanoTime() - t0) / 1e9;
        double rawCpu = (OS.getProcessCpuTime() - c0) / 1e6 / count.get();
        line("");
        line(
                "## live-signed responses (POST with a 32-octet nonce: each parsed, signed in SoftHSM2 with P-256 and encoded;"
                        + " the status from memory while the status change log is followed)"
                        + " beside raw signatures of the same key in the same run");
        line("| what | per second | p50 ms | p99 ms | CPU-ms each |");
        line("|---|---:|---:|---:|---:|");
        line(String.format(
                Locale.ROOT,
                "| live-signed responses, wrk -t2 -c16 (JVM + mysqld CPU) | %,.0f | %.2f | %.2f | %.3f |",
                w.rate,
                w.p50,
                w.p99,
                perResponse));
        line(String.format(
                Locale.ROOT,
                "| raw signatures through the token layer, 2 threads (JVM CPU) | %,.0f | - | - | %.3f |",
                count.get() / rawSeconds,
                rawCpu));
        line(String.format(
                Locale.ROOT,
                "ratio: a live-signed response costs %.2fx the CPU of one raw signature",
                perResponse / rawCpu));
    }

    OcspResponder responder(OcspConfig config) {
        return new OcspResponder(database, token, OcspAuthorities.load(database, clock.instant()), config, clock);
    }

    /** utime + stime of the embedded mysqld from /proc, in nanoseconds (0 if it was not found). */
    long mysqldCpuNanos() {
        return mysqldPid < 0 ? 0 : procCpuNanos(mysqldPid);
    }

    static long procCpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L; // USER_HZ 100
        } catch (IOException | RuntimeException e) {
            return 0; // gone
        }
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
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO certificate (ca_name, serial_hex, profile, status,"
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

    byte[] request(BigInteger serial, byte[] nonce) throws Exception {
        DigestCalculator sha1 = new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1);
        OCSPReqBuilder b = new OCSPReqBuilder().addRequest(new CertificateID(sha1, ca, serial));
        if (nonce != null) {
            b.setRequestExtensions(new org.bouncycastle.asn1.x509.Extensions(new org.bouncycastle.asn1.x509.Extension(
                    org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers.id_pkix_ocsp_nonce,
                    false,
                    new org.bouncycastle.asn1.DEROctetString(nonce).getEncoded())));
        }
        return b.build().getEncoded();
    }

    static String path(byte[] der) {
        return "/ocsp/"
                + Base64.getEncoder()
                        .encodeToString(der)
                        .replace("/", "%2F")
                        .replace("+", "%2B")
                        .replace("=", "%3D");
    }

    String path(BigInteger serial) throws Exception {
        return path(request(serial, null));
    }

    List<BigInteger> pathSerials() {
        List<BigInteger> out = new ArrayList<>();
        for (int i = 0; i < PATHS; i++) {
            int k = i % 20;
            out.add(
                    k < 16
                            ? good.get(RANDOM.nextInt(good.size()))
                            : k < 18
                                    ? revoked.get(RANDOM.nextInt(revoked.size()))
                                    : k < 19
                                            ? hold.get(RANDOM.nextInt(hold.size()))
                                            : new BigInteger(128, RANDOM).setBit(127));
        }
        return out;
    }

    static void writeGetScript(Path script, List<String> paths) throws IOException {
        StringBuilder lua = new StringBuilder("local paths = {\n");
        for (String p : paths) {
            lua.append("  \"").append(p).append("\",\n");
        }
        lua.append("}\nlocal i = math.random(#paths)\n"
                + "request = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n");
        Files.writeString(script, lua.toString());
    }

    /** POSTs of the DER requests (Lua strings with decimal escapes), each request built once. */
    static void writePostScript(Path script, String path, List<byte[]> bodies) throws IOException {
        StringBuilder lua = new StringBuilder("local bodies = {\n");
        for (byte[] der : bodies) {
            lua.append("  \"");
            for (byte b : der) {
                lua.append('\\').append(b & 0xff);
            }
            lua.append("\",\n");
        }
        // Formatted on the first request(), when wrk knows the Host header (not yet when the script loads).
        lua.append("}\nlocal requests = nil\nlocal i = math.random(#bodies)\n"
                + "request = function()\n"
                + "  if not requests then\n    requests = {}\n    for k, body in ipairs(bodies) do\n"
                + "      requests[k] = wrk.format(\"POST\", \"" + path
                + "\", {[\"Content-Type\"] = \"application/ocsp-request\"}, body)\n"
                + "    end\n  end\n"
                + "  i = i % #requests + 1\n  return requests[i]\nend\n");
        Files.writeString(script, lua.toString());
    }

    /**
     * The same script without wrk's address probe: wrk connects once and closes without a request
     * to test the address, and the openssl 3.0 responder then spins and stops answering. wrk.lua's
     * resolve() is replaced by one that only looks the address up.
     */
    Path withoutProbe(Path script) throws IOException {
        Path out = script.resolveSibling("noprobe-" + script.getFileName());
        Files.writeString(
                out,
                "function wrk.resolve(host, service)\n  wrk.addrs = wrk.lookup(host, service)\nend\n"
                        + Files.readString(script));
        return out;
    }

    record Wrk(double rate, double p50, double p99, long requests, long non2xx) {}

    static Wrk wrk(Path script, int port, int seconds) throws Exception {
        Process p = new ProcessBuilder(
                        "wrk",
                        "-t2",
                        "-c16",
                        "-d" + seconds + "s",
                        "--latency",
                        "-s",
                        script.toString(),
                        "http://127.0.0.1:" + port)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("wrk failed: " + out);
        }
        return new Wrk(
                number(out, "Requests/sec:\\s+([\\d.]+)"),
                millis(out, "50%\\s+([\\d.]+)(us|ms|s)"),
                millis(out, "99%\\s+([\\d.]+)(us|ms|s)"),
                (long) number(out, "(\\d+) requests in"),
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

    /** A peer server in its own process tree, stopped on close; its CPU read from /proc. */
    static class Peer implements AutoCloseable {
        final Process process;
        final int port;

        Peer(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        long cpuNanos() {
            long total = procCpuNanos(process.pid());
            for (ProcessHandle h : process.toHandle().descendants().toList()) {
                total += procCpuNanos(h.pid());
            }
            return total;
        }

        @Override
        public void close() throws Exception {
            process.toHandle().descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }

        static int freePort() throws IOException {
            try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                return s.getLocalPort();
            }
        }

        /** Waits for a listener on the port without connecting to it (see withoutProbe). */
        static void awaitListening(Process p, int port, Path log) throws Exception {
            String hex = String.format(":%04X ", port);
            for (int i = 0; i < 600; i++) {
                for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                    for (String line : Files.readAllLines(Path.of(table))) {
                        String[] f = line.trim().split("\\s+");
                        if (f.length > 3 && (f[1] + " ").endsWith(hex) && "0A".equals(f[3])) { // 0A: LISTEN
                            return;
                        }
                    }
                }
                if (!p.isAlive()) {
                    break;
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException("peer did not listen on " + port + ": " + Files.readString(log));
        }
    }

    /** nginx serving one response of ours for every /ocsp/ path (the ceiling). */
    static final class Nginx {
        static Peer start(Path work, byte[] response) throws Exception {
            Path dir = Files.createDirectories(work.resolve("nginx"));
            Files.createDirectories(dir.resolve("logs"));
            Files.write(dir.resolve("response.der"), response);
            int port = Peer.freePort();
            // As root, nginx's workers would run as nobody, who cannot read this private temporary directory.
            String user = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
            Files.writeString(
                    dir.resolve("nginx.conf"),
                    user + "worker_processes auto;\ndaemon off;\npid " + dir + "/nginx.pid;\n"
                            + "error_log " + dir + "/logs/error.log;\nevents { worker_connections 1024; }\n"
                            + "http {\n  access_log off;\n  client_body_temp_path " + dir + "/tmp;\n  proxy_temp_path "
                            + dir + "/tmp;\n"
                            + "  fastcgi_temp_path " + dir + "/tmp;\n  uwsgi_temp_path " + dir
                            + "/tmp;\n  scgi_temp_path " + dir + "/tmp;\n"
                            + "  server {\n    listen 127.0.0.1:" + port + ";\n"
                            + "    root " + dir + ";\n"
                            + "    location /ocsp/ { default_type application/ocsp-response; rewrite ^ /response.der break; }\n  }\n}\n");
            Path log = dir.resolve("logs/stdout");
            Process p = new ProcessBuilder(
                            "nginx",
                            "-p",
                            dir.toString(),
                            "-c",
                            dir.resolve("nginx.conf").toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            Peer.awaitListening(p, port, log);
            return new Peer(p, port);
        }
    }

    /**
     * The openssl 3.0 responder over an index of every certificate in the store (V, or R with
     * keyCompromise, or R with certificateHold), signing each answer with a software P-256 key.
     * Its quirks: it serves one connection at a time over HTTP/1.0, binds every address, and spins
     * without answering once a client connects and closes without a request (so no probe, no warm-up).
     */
    static final class OpensslResponder {
        static Peer start(
                Path work,
                X509CertificateHolder ca,
                List<BigInteger> good,
                List<BigInteger> revoked,
                List<BigInteger> hold)
                throws Exception {
            Path dir = Files.createDirectories(work.resolve("openssl"));
            Files.writeString(
                    dir.resolve("ca.pem"),
                    "-----BEGIN CERTIFICATE-----\n"
                            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                                    .encodeToString(ca.getEncoded())
                            + "\n-----END CERTIFICATE-----\n");
            Process key = new ProcessBuilder(
                            "openssl",
                            "req",
                            "-x509",
                            "-newkey",
                            "ec",
                            "-pkeyopt",
                            "ec_paramgen_curve:P-256",
                            "-nodes",
                            "-keyout",
                            dir.resolve("signer.key").toString(),
                            "-out",
                            dir.resolve("signer.pem").toString(),
                            "-subj",
                            "/CN=openssl peer responder",
                            "-days",
                            "2")
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("req.log").toFile())
                    .start();
            if (key.waitFor() != 0) {
                throw new IllegalStateException("openssl req: " + Files.readString(dir.resolve("req.log")));
            }
            String expiry = "351231000000Z";
            String revokedAt = "250101000000Z";
            try (var out = Files.newBufferedWriter(dir.resolve("index.txt"))) {
                for (BigInteger s : good) {
                    out.write("V\t" + expiry + "\t\t" + s.toString(16).toUpperCase(Locale.ROOT) + "\tunknown\t/CN=" + s
                            + "\n");
                }
                for (BigInteger s : revoked) {
                    out.write("R\t" + expiry + "\t" + revokedAt + ",keyCompromise\t"
                            + s.toString(16).toUpperCase(Locale.ROOT) + "\tunknown\t/CN=" + s + "\n");
                }
                for (BigInteger s : hold) {
                    out.write("R\t" + expiry + "\t" + revokedAt + ",certificateHold,holdInstructionReject\t"
                            + s.toString(16).toUpperCase(Locale.ROOT) + "\tunknown\t/CN=" + s + "\n");
                }
            }
            int port = Peer.freePort();
            Path log = dir.resolve("ocsp.log");
            Process p = new ProcessBuilder(
                            "openssl",
                            "ocsp",
                            "-index",
                            dir.resolve("index.txt").toString(),
                            "-port",
                            Integer.toString(port),
                            "-CA",
                            dir.resolve("ca.pem").toString(),
                            "-rsigner",
                            dir.resolve("signer.pem").toString(),
                            "-rkey",
                            dir.resolve("signer.key").toString(),
                            "-nmin",
                            "1440",
                            "-ignore_err")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            Peer.awaitListening(p, port, log);
            return new Peer(p, port);
        }
    }

    /**
     * cfssl ocspserve over a file of our own pre-signed responses, one for each issued serial the
     * requests name (it keeps every response in memory, keyed by serial; one for each of a million
     * certificates would be a file of a gigabyte). It answers a serial it has no response for with
     * unauthorized.
     */
    static final class Cfssl {
        static Peer start(Path work, Database database, List<BigInteger> serials) throws Exception {
            Path dir = Files.createDirectories(work.resolve("cfssl"));
            java.util.Set<String> wanted = new java.util.HashSet<>();
            for (BigInteger s : serials) {
                wanted.add(s.toString(16));
            }
            Path file = dir.resolve("responses.txt");
            int[] written = {0};
            try (var out = Files.newBufferedWriter(file)) {
                database.inTransaction(c -> {
                    try (PreparedStatement ps = c.prepareStatement(
                            "SELECT serial_hex, response_der FROM ocsp_response" + " WHERE ca_name = 'citizen-ca'",
                            java.sql.ResultSet.TYPE_FORWARD_ONLY,
                            java.sql.ResultSet.CONCUR_READ_ONLY)) {
                        ps.setFetchSize(1_000);
                        try (java.sql.ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                if (wanted.contains(rs.getString(1))) {
                                    out.write(Base64.getEncoder().encodeToString(rs.getBytes(2)));
                                    out.write('\n');
                                    written[0]++;
                                }
                            }
                        }
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    return null;
                });
            }
            if (written[0] == 0) {
                throw new IllegalStateException("no pre-signed responses for cfssl");
            }
            int port = Peer.freePort();
            Path log = dir.resolve("cfssl.log");
            Process p = new ProcessBuilder(
                            "cfssl",
                            "ocspserve",
                            "-address",
                            "127.0.0.1",
                            "-port",
                            Integer.toString(port),
                            "-responses",
                            file.toString(),
                            "-loglevel",
                            "4")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            Peer.awaitListening(p, port, log);
            return new Peer(p, port);
        }
    }

    static String opensslVersion() {
        return command("openssl", "version").replaceAll(" \\(Library.*", "").trim();
    }

    static String cfsslVersion() {
        String v = command("cfssl", "version");
        Matcher m = Pattern.compile("Version: (\\S+)").matcher(v);
        return m.find() ? m.group(1) : v.trim();
    }

    static String command(String... args) {
        try {
            Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out;
        } catch (IOException | InterruptedException e) {
            return "unknown";
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
        line(String.format(
                Locale.ROOT,
                "%d trials: p50 %d ms, p99 %d ms, max %d ms (follower interval %d ms)",
                TRIALS,
                ms[TRIALS / 2],
                ms[Math.max(0, (int) Math.ceil(TRIALS * 0.99) - 1)],
                ms[TRIALS - 1],
                OcspConfig.defaults().followInterval().toMillis()));
    }

    static byte[] get(HttpClient http, int port, String path) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray())
                .body();
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
