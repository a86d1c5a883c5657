package tw.eid.pki.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.card.CardRegistration;
import tw.eid.pki.ca.card.CardRegistry;
import tw.eid.pki.ca.card.NationalId;
import tw.eid.pki.ca.card.PersonalDataKeys;
import tw.eid.pki.ca.csr.ChipCsrChecks;
import tw.eid.pki.ca.issuance.CitizenIssuer;
import tw.eid.pki.ca.issuance.IssueRequest;
import tw.eid.pki.ca.issuance.IssuingCa;
import tw.eid.pki.ca.issuance.OperatorCertificates;
import tw.eid.pki.ca.profile.CaCertificate;
import tw.eid.pki.ca.profile.CertificateIssuance;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.profile.CertificateRequest;
import tw.eid.pki.ca.profile.HolderName;
import tw.eid.pki.ca.profile.OperatorRole;
import tw.eid.pki.ca.profile.PkiNames;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.revocation.RevocationService;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.ca.store.EmbeddedMariaDb;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.SecretKeyType;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;
import tw.eid.pki.ra.RaConfig;
import tw.eid.pki.ra.RaServer;
import tw.eid.pki.ra.RaServices;

/**
 * End-to-end issuance through the RA API beside the raw signing rate of the same CA key and the
 * commit rate of the same MariaDB, all in one run. A main, not a test: run by
 * {@code conformance-tests/bench/issuance.sh}.
 *
 * <p>One JVM holds the RA (Jetty with mTLS, Jersey, ca-core's CitizenIssuer, the SoftHSM2 token,
 * the HikariCP pool) <em>and</em> the load generator (one Java HttpClient per client thread,
 * HTTP/1.1 keep-alive, the personalization operator's client certificate). MariaDB is the
 * embedded server of ca-core's TestDatabase: a separate mysqld process, child of this JVM, with
 * {@code innodb_flush_log_at_trx_commit=1}; its CPU time is read from /proc and reported beside
 * the JVM's.
 *
 * <p>Phases: set-up (tokens, CA certificates, operator certificate, the RA on a free port, cards
 * registered and chip CSRs made in software: none of it timed); raw signing with the Citizen CA
 * key (P-384, {@code Token.signer}) with 1 and 2 threads; single-row INSERT+COMMIT with 1 and 16
 * threads; issuance with 2, 4, 8, 16 clients; the same issuance called in-process
 * ({@code CitizenIssuer.issue}, 2 and 8 threads: the cost of HTTPS, Jersey and the RA's
 * authentication is the difference); raw signing again (drift check). Each measured phase
 * has a warm-up, then a fixed window; only operations that complete inside the window count.
 *
 * <p>System properties: {@code bench.warmup} (s, default 5), {@code bench.window} (s, 20),
 * {@code bench.raw.window} (s, 10), {@code bench.commit.window} (s, 10), {@code bench.clients}
 * (default "2,4,8,16"), {@code bench.jit.warmup} (s of unreported 8-client issuance before the first
 * measured phase, default 40: the JIT is still compiling Jetty, Jersey and Bouncy Castle for
 * about half a minute, which a 5 s warm-up left inside the first windows), {@code bench.direct.threads} (default "2,8"), {@code bench.cards} (cards registered; each gets a citizen-signature and a
 * citizen-encryption certificate, so 2x as many issuances are possible), {@code bench.out}
 * (results file).
 */
public final class IssuanceBenchmark {
    static final SecureRandom RANDOM = new SecureRandom();
    static final Actor SETUP = Actor.local("bench-setup");
    static final String CITIZEN_CA = "citizen-ca";
    static final String OPERATORS_CA = "ra-operators-ca";
    static final String CHIP_UID_HEX = "04a1b2c3d4e5f6a7";
    static final byte[] CHIP_UID = HexFormat.of().parseHex(CHIP_UID_HEX);
    static final String OFFICE = "Benchmark Card Personalization Centre";
    static final byte[] MESSAGE = TokenSigningBenchmark.MESSAGE;

    static final int WARMUP = Integer.getInteger("bench.warmup", 5);
    static final int WINDOW = Integer.getInteger("bench.window", 20);
    static final int RAW_WINDOW = Integer.getInteger("bench.raw.window", 10);
    static final int COMMIT_WINDOW = Integer.getInteger("bench.commit.window", 10);
    static final int CARDS = Integer.getInteger("bench.cards", 24_000);
    static final int JIT_WARMUP = Integer.getInteger("bench.jit.warmup", 40);
    static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    static final int[] CLIENTS = Arrays.stream(
                    System.getProperty("bench.clients", "2,4,8,16").split(","))
            .mapToInt(s -> Integer.parseInt(s.trim()))
            .toArray();

    static final int[] DIRECT_THREADS = Arrays.stream(
                    System.getProperty("bench.direct.threads", "2,8").split(","))
            .mapToInt(s -> Integer.parseInt(s.trim()))
            .toArray();
    static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    static final long CLOCK_TICKS = clockTicks();

    final ProfileSettings settings = ProfileSettings.defaults();
    final Clock clock = Clock.systemUTC();
    final AuditLedger audit = AuditLedger.hashChained(clock);
    Database database;
    String databaseName;
    Token caToken;
    X509CertificateHolder root;
    X509CertificateHolder citizenCa;
    X509CertificateHolder operatorsCa;
    CardRegistry cards;
    CitizenIssuer issuer;
    Server server;
    int port;
    SSLContext personalization;
    final List<String> cardNumbers = new ArrayList<>();
    /** DER CSRs, one per possible issuance: [2*i] for card i's signature key, [2*i+1] for its encryption key. */
    byte[][] csrs;

    final AtomicInteger nextIssuance = new AtomicInteger();
    long mysqldPid = -1;
    final StringBuilder report = new StringBuilder();
    /** MariaDB deadlock errors the JDBC driver logged (each one a transaction that Database.inTransaction retried). */
    static final AtomicLong DEADLOCKS = new AtomicLong();

    /** Counts the driver's "Deadlock found" warnings (logback stays configured by the script's file). */
    static void countDeadlocks() {
        if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext ctx) {
            ch.qos.logback.core.AppenderBase<ch.qos.logback.classic.spi.ILoggingEvent> counter =
                    new ch.qos.logback.core.AppenderBase<>() {
                        @Override
                        protected void append(ch.qos.logback.classic.spi.ILoggingEvent e) {
                            if (String.valueOf(e.getFormattedMessage()).contains("Deadlock found")) {
                                DEADLOCKS.incrementAndGet();
                            }
                        }
                    };
            counter.setContext(ctx);
            counter.start();
            ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(counter);
        }
    }

    public static void main(String[] args) throws Exception {
        IssuanceBenchmark b = new IssuanceBenchmark();
        try {
            b.run();
        } finally {
            b.close();
        }
        System.exit(0);
    }

    void run() throws Exception {
        countDeadlocks();
        long t0 = System.nanoTime();
        line("# issuance benchmark " + Instant.now() + "; nproc "
                + Runtime.getRuntime().availableProcessors() + "; warm-up " + WARMUP + " s, window " + WINDOW
                + " s (raw " + RAW_WINDOW + " s, commit " + COMMIT_WINDOW + " s)");
        setUp();
        line(String.format(
                Locale.ROOT,
                "# set-up %.1f s (RA on port %d, %d cards, %d CSRs, mysqld pid %d)",
                (System.nanoTime() - t0) / 1e9,
                port,
                cardNumbers.size(),
                csrs.length,
                mysqldPid));

        line("");
        line("## raw signing: Token.signer(\"citizen-ca-key\"), EC P-384, SHA-384, 100-byte message");
        line("| threads | sig/s | CPU-ms/sig (JVM) |");
        line("|---:|---:|---:|");
        rawSigning(1);
        Result raw2 = rawSigning(2);
        raw2Rate = raw2.rate();
        raw2CpuMs = raw2.jvmCpuMsPerOp();

        line("");
        line("## disk commit rate: single-row INSERT + COMMIT, own JDBC connection per thread, same MariaDB");
        line("| threads | commits/s | p50 ms | p99 ms | CPU-ms/commit (JVM+mysqld) |");
        line("|---:|---:|---:|---:|---:|");
        commits(1);
        commits(16);

        line("");
        line(
                "## issuance: POST /api/v1/cards/{n}/certificates (application/pkcs10, DER), HTTPS mTLS, HTTP/1.1 keep-alive");
        if (JIT_WARMUP > 0) {
            // Not reported: compiles the HTTP path before anything is measured.
            issuance(8, new Window(JIT_WARMUP, 1), false);
        }
        line("CPU columns: the whole JVM (RA server and load generator), the load generator alone (its client threads"
                + " and the HttpClient threads, by ThreadMXBean), the server = JVM - load generator + mysqld, and that"
                + " server figure against the CPU of one raw 2-thread signature measured above.");
        line("");
        line(
                "| clients | issuances | issuances/s | / raw 2-thread rate | p50 ms | p99 ms | max ms | errors | deadlock retries"
                        + " | CPU-ms/issuance JVM | of which load generator | server + mysqld | server+mysqld / raw signature |");
        line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int c : CLIENTS) {
            issuance(c, new Window(WARMUP, WINDOW), true);
        }

        line("");
        line(
                "## peer without HTTP: CitizenIssuer.issue called in-process (same issuer, cards, CSRs; no TLS, Jersey, RA authentication)");
        line(
                "| threads | issuances | issuances/s | p50 ms | p99 ms | max ms | errors | deadlock retries | CPU-ms/issuance (JVM) | CPU-ms/issuance (JVM+mysqld) |");
        line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int t : DIRECT_THREADS) {
            directIssuance(t);
        }

        printLatestDeadlock();

        line("");
        line("## raw signing again (drift check, after the issuance runs)");
        line("| threads | sig/s | CPU-ms/sig (JVM) |");
        line("|---:|---:|---:|");
        rawSigning(1);
        rawSigning(2);

        line("");
        line(String.format(
                Locale.ROOT,
                "# issuances used %d of %d prepared; whole run %.1f s",
                nextIssuance.get(),
                csrs.length,
                (System.nanoTime() - t0) / 1e9));
        String out = System.getProperty("bench.out");
        if (out != null) {
            Files.writeString(Path.of(out), report.toString());
        }
    }

    /** InnoDB's description of the latest deadlock, on stderr: what the "deadlock retries" were. */
    void printLatestDeadlock() {
        try (Connection c = database.dataSource().getConnection();
                Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SHOW ENGINE INNODB STATUS")) {
            if (rs.next()) {
                String status = rs.getString(3);
                int from = status.indexOf("LATEST DETECTED DEADLOCK");
                int to = status.indexOf("TRANSACTIONS\n", from + 1);
                if (from >= 0) {
                    System.err.println(status.substring(from, to > from ? to : status.length()));
                }
            }
        } catch (java.sql.SQLException e) {
            System.err.println("cannot read InnoDB status: " + e.getMessage());
        }
    }

    void line(String s) {
        System.out.println(s);
        System.out.flush();
        report.append(s).append('\n');
    }

    // ------------------------------------------------------------------ measured phases

    /** Raw signatures with the Citizen CA key through the token layer, {@code threads} threads. */
    Result rawSigning(int threads) throws Exception {
        Window w = new Window(WARMUP, RAW_WINDOW);
        Result r = runThreads(threads, w, i -> {
            ContentSigner signer = caToken.signer("citizen-ca-key");
            try (OutputStream o = signer.getOutputStream()) {
                o.write(MESSAGE);
            }
            if (signer.getSignature().length < 64) {
                throw new IllegalStateException("short signature");
            }
        });
        line(String.format(Locale.ROOT, "| %d | %,.0f | %.3f |", threads, r.rate(), r.jvmCpuMsPerOp()));
        return r;
    }

    /** The first 2-thread raw signing figures: what the issuance rows are compared with. */
    double raw2Rate = Double.NaN;

    double raw2CpuMs = Double.NaN;

    void commits(int threads) throws Exception {
        EmbeddedMariaDb server = TestDatabase.server();
        String url = server.jdbcUrl(databaseName);
        try (Connection c = DriverManager.getConnection(url, EmbeddedMariaDb.USER, "");
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS bench_commit (id BIGINT AUTO_INCREMENT PRIMARY KEY,"
                    + " thread_no INT NOT NULL, payload VARBINARY(200) NOT NULL) ENGINE=InnoDB");
        }
        List<Connection> connections = new ArrayList<>();
        List<PreparedStatement> statements = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Connection c = DriverManager.getConnection(url, EmbeddedMariaDb.USER, "");
            c.setAutoCommit(false);
            connections.add(c);
            statements.add(c.prepareStatement("INSERT INTO bench_commit (thread_no, payload) VALUES (?, ?)"));
        }
        byte[] payload = new byte[200];
        RANDOM.nextBytes(payload);
        try {
            Window w = new Window(WARMUP, COMMIT_WINDOW);
            Result r = runThreads(threads, w, i -> {
                PreparedStatement ps = statements.get(i);
                ps.setInt(1, i);
                ps.setBytes(2, payload);
                ps.executeUpdate();
                ps.getConnection().commit();
            });
            line(String.format(
                    Locale.ROOT,
                    "| %d | %,.0f | %.2f | %.2f | %.3f |",
                    threads,
                    r.rate(),
                    r.percentileMs(50),
                    r.percentileMs(99),
                    r.allCpuMsPerOp()));
        } finally {
            for (Connection c : connections) {
                c.close();
            }
        }
    }

    void issuance(int clients, Window w, boolean report) throws Exception {
        List<HttpClient> https = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            https.add(HttpClient.newBuilder()
                    .sslContext(personalization)
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build());
        }
        AtomicLong errors = new AtomicLong();
        AtomicLong exhausted = new AtomicLong();
        int before = nextIssuance.get();
        long deadlocks = DEADLOCKS.get();
        Result r = runThreads(clients, w, i -> {
            int n = nextIssuance.getAndIncrement();
            if (n >= csrs.length) {
                exhausted.incrementAndGet();
                throw new IllegalStateException("out of prepared cards/CSRs: raise bench.cards");
            }
            String card = cardNumbers.get(n / 2);
            String profile = n % 2 == 0 ? "citizen-signature" : "citizen-encryption";
            HttpRequest req = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/api/v1/cards/" + card
                            + "/certificates?profile=" + profile + "&chipUid=" + CHIP_UID_HEX))
                    .timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/pkcs10")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(csrs[n]))
                    .build();
            HttpResponse<byte[]> resp = https.get(i).send(req, HttpResponse.BodyHandlers.ofByteArray());
            if (resp.statusCode() != 201) {
                if (errors.incrementAndGet() <= 5) {
                    System.err.println(
                            "HTTP " + resp.statusCode() + ": " + new String(resp.body(), StandardCharsets.UTF_8));
                }
                throw new IllegalStateException("HTTP " + resp.statusCode());
            }
        });
        https.clear(); // Java 17's HttpClient has no close(); its idle connections time out
        if (!report) {
            System.err.printf(
                    Locale.ROOT,
                    "JIT warm-up: %d issuances in %d s%n",
                    nextIssuance.get() - before,
                    w.warmupSeconds() + w.windowSeconds());
            return;
        }
        double server = r.allCpuMsPerOp() - r.loadCpuMsPerOp();
        line(String.format(
                Locale.ROOT,
                "| %d | %,d | %,.1f | %.2f | %.1f | %.1f | %.1f | %d | %d | %.2f | %.2f | %.2f | %.1fx |",
                clients,
                r.ops(),
                r.rate(),
                r.rate() / raw2Rate,
                r.percentileMs(50),
                r.percentileMs(99),
                r.percentileMs(100),
                r.failures(),
                DEADLOCKS.get() - deadlocks,
                r.jvmCpuMsPerOp(),
                r.loadCpuMsPerOp(),
                server,
                server / raw2CpuMs));
        if (exhausted.get() > 0) {
            line("(!) " + clients + " clients ran out of prepared cards/CSRs after " + (nextIssuance.get() - before)
                    + " issuances: the figure is void");
        }
    }

    /** The same issuance without the HTTP layer: CitizenIssuer.issue on {@code threads} threads (window bench.raw.window). */
    void directIssuance(int threads) throws Exception {
        AtomicLong exhausted = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long deadlocks = DEADLOCKS.get();
        Window w = new Window(WARMUP, RAW_WINDOW);
        Result r = runThreads(threads, w, i -> {
            int n = nextIssuance.getAndIncrement();
            if (n >= csrs.length) {
                exhausted.incrementAndGet();
                throw new IllegalStateException("out of prepared cards/CSRs: raise bench.cards");
            }
            try {
                issuer.issue(
                        SETUP,
                        new IssueRequest(
                                cardNumbers.get(n / 2),
                                CHIP_UID,
                                n % 2 == 0
                                        ? CertificateProfile.CITIZEN_SIGNATURE
                                        : CertificateProfile.CITIZEN_ENCRYPTION,
                                csrs[n],
                                null));
            } catch (RuntimeException e) {
                if (errors.incrementAndGet() <= 5) {
                    e.printStackTrace();
                }
                throw e;
            }
        });
        line(String.format(
                Locale.ROOT,
                "| %d | %,d | %,.1f | %.1f | %.1f | %.1f | %d | %d | %.2f | %.2f |",
                threads,
                r.ops(),
                r.rate(),
                r.percentileMs(50),
                r.percentileMs(99),
                r.percentileMs(100),
                r.failures(),
                DEADLOCKS.get() - deadlocks,
                r.jvmCpuMsPerOp(),
                r.allCpuMsPerOp()));
        if (exhausted.get() > 0) {
            line("(!) the in-process peer with " + threads
                    + " threads ran out of prepared cards/CSRs: the figure is void");
        }
    }

    // ------------------------------------------------------------------ the load loop

    interface Op {
        void run(int thread) throws Exception;
    }

    /** Warm-up, then the measurement window; times relative to the start. */
    record Window(int warmupSeconds, int windowSeconds) {}

    record Result(
            long ops,
            long failures,
            double seconds,
            long jvmCpuNanos,
            long allCpuNanos,
            long loadCpuNanos,
            long[] latencies) {
        double loadCpuMsPerOp() {
            return ops == 0 ? Double.NaN : loadCpuNanos / 1e6 / ops;
        }

        double rate() {
            return ops / seconds;
        }

        double jvmCpuMsPerOp() {
            return ops == 0 ? Double.NaN : jvmCpuNanos / 1e6 / ops;
        }

        double allCpuMsPerOp() {
            return ops == 0 ? Double.NaN : allCpuNanos / 1e6 / ops;
        }

        double percentileMs(double p) {
            if (latencies.length == 0) {
                return Double.NaN;
            }
            int idx = (int) Math.ceil(p / 100.0 * latencies.length) - 1;
            return latencies[Math.max(0, Math.min(latencies.length - 1, idx))] / 1e6;
        }
    }

    /**
     * Runs {@code op} in a loop on {@code threads} threads for warm-up + window. Operations that
     * start and end inside the window count; CPU time is read at the window's edges (the JVM's
     * from the OperatingSystemMXBean, mysqld's from /proc).
     */
    Result runThreads(int threads, Window w, Op op) throws Exception {
        long start = System.nanoTime();
        long windowStart = start + w.warmupSeconds() * 1_000_000_000L;
        long windowEnd = windowStart + w.windowSeconds() * 1_000_000_000L;
        long[][] lat = new long[threads][];
        int[] counts = new int[threads];
        AtomicLong failures = new AtomicLong();
        long[] cpuAtStart = new long[2];
        long[] cpuAtEnd = new long[2];
        java.util.Map<Long, Long> loadAtStart = new java.util.HashMap<>();
        java.util.Map<Long, Long> loadAtEnd = new java.util.HashMap<>();
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1, task -> {
            Thread t = new Thread(task, "load-" + threadNumber.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                lat[t] = new long[1 << 14];
                fs.add(pool.submit(() -> {
                    while (true) {
                        long s = System.nanoTime();
                        if (s >= windowEnd) {
                            return null;
                        }
                        boolean ok = true;
                        try {
                            op.run(thread);
                        } catch (Exception e) {
                            ok = false;
                            if (e instanceof IllegalStateException
                                    && String.valueOf(e.getMessage()).startsWith("out of")) {
                                return null;
                            }
                        }
                        long e = System.nanoTime();
                        if (s >= windowStart && e <= windowEnd) {
                            if (!ok) {
                                failures.incrementAndGet();
                                continue;
                            }
                            if (counts[thread] == lat[thread].length) {
                                lat[thread] = Arrays.copyOf(lat[thread], lat[thread].length * 2);
                            }
                            lat[thread][counts[thread]++] = e - s;
                        }
                    }
                }));
            }
            // The CPU clock reader.
            fs.add(pool.submit(() -> {
                sleepUntil(windowStart);
                cpuAtStart[0] = OS.getProcessCpuTime();
                cpuAtStart[1] = mysqldCpuNanos();
                loadAtStart.putAll(loadGeneratorCpuNanos());
                sleepUntil(windowEnd);
                cpuAtEnd[0] = OS.getProcessCpuTime();
                cpuAtEnd[1] = mysqldCpuNanos();
                loadAtEnd.putAll(loadGeneratorCpuNanos());
                return null;
            }));
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int k = 0;
        for (int t = 0; t < threads; t++) {
            System.arraycopy(lat[t], 0, all, k, counts[t]);
            k += counts[t];
        }
        Arrays.sort(all);
        long jvm = cpuAtEnd[0] - cpuAtStart[0];
        long mysqld = cpuAtEnd[1] - cpuAtStart[1];
        return new Result(
                total,
                failures.get(),
                w.windowSeconds(),
                jvm,
                jvm + mysqld,
                loadAtEnd.entrySet().stream()
                        .mapToLong(e -> e.getValue() - loadAtStart.getOrDefault(e.getKey(), 0L))
                        .sum(),
                all);
    }

    /**
     * CPU time of the load generator's threads: the "load-" threads of {@link #runThreads} (in the
     * HTTP phases they only build requests and wait) and the JDK HttpClient's selector and worker
     * threads ("HttpClient-"), which do the client's TLS and HTTP work. Meaningful for the HTTP
     * phases only: in the other phases the load threads do the measured work themselves.
     */
    static java.util.Map<Long, Long> loadGeneratorCpuNanos() {
        // Per thread id, so a thread that ends inside the window (an earlier phase's idle HttpClient)
        // is not subtracted; a thread that starts inside it counts from zero.
        java.util.Map<Long, Long> cpu = new java.util.HashMap<>();
        for (java.lang.management.ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null
                    && (info.getThreadName().startsWith("load-")
                            || info.getThreadName().startsWith("HttpClient-"))) {
                long t = THREADS.getThreadCpuTime(info.getThreadId());
                if (t >= 0) {
                    cpu.put(info.getThreadId(), t);
                }
            }
        }
        return cpu;
    }

    static void sleepUntil(long nanoTime) throws InterruptedException {
        long d;
        while ((d = nanoTime - System.nanoTime()) > 0) {
            Thread.sleep(Math.min(d / 1_000_000 + 1, 200));
        }
    }

    /** utime + stime of the mysqld process from /proc/pid/stat, in nanoseconds (0 if unknown). */
    long mysqldCpuNanos() {
        if (mysqldPid < 0) {
            return 0;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + mysqldPid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // After the ")": state is field 3, utime field 14, stime field 15 (1-based in proc(5)).
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * 1_000_000_000L / CLOCK_TICKS;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor();
            return Long.parseLong(s);
        } catch (Exception e) {
            return 100;
        }
    }

    // ------------------------------------------------------------------ set-up (after RaFixture)

    void setUp() throws Exception {
        databaseName = TestDatabase.createDatabaseName();
        database = Database.open(TestDatabase.server().settings(databaseName));
        mysqldPid = ProcessHandle.current()
                .descendants()
                .filter(p -> p.info()
                        .command()
                        .map(c -> c.endsWith("mysqld") || c.endsWith("mariadbd"))
                        .orElse(false))
                .mapToLong(ProcessHandle::pid)
                .findFirst()
                .orElse(-1);

        Path dir = Files.createTempDirectory("eidpki-issuance-bench");
        SoftHsmTestTokens.TestToken online = SoftHsmTestTokens.create("online");
        caToken = online.open(Clock.systemUTC());
        for (String k : List.of("root-key", "citizen-ca-key", "ra-operators-ca-key")) {
            caToken.generateKeyPair(k, KeyAlgorithm.EC_P384);
        }
        caToken.generateKeyPair("audit-key", KeyAlgorithm.EC_P256);
        caToken.generateSecretKey("pii-hmac-1", SecretKeyType.HMAC_SHA256);
        caToken.generateSecretKey("pii-aes-1", SecretKeyType.AES_256);

        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant t0 = now.minus(Duration.ofDays(4 * 365));
        CertificateIssuance atT0 = new CertificateIssuance(settings, Clock.fixed(t0, ZoneOffset.UTC), RANDOM);
        PkiNames names = settings.names();
        root = atT0.issue(
                atT0.prepareSelfSigned(new CertificateRequest(
                        CertificateProfile.CITIZEN_ROOT, names.citizenRoot(), caToken.publicKey("root-key"))),
                caToken.signer("root-key"));
        CaCertificate rootCa = new CaCertificate(CertificateProfile.CITIZEN_ROOT, root);
        citizenCa = atT0.issue(
                atT0.prepare(
                        new CertificateRequest(
                                CertificateProfile.CITIZEN_CA, names.citizenCa(), caToken.publicKey("citizen-ca-key")),
                        rootCa),
                caToken.signer("root-key"));
        operatorsCa = atT0.issue(
                atT0.prepare(
                        new CertificateRequest(
                                CertificateProfile.RA_OPERATORS_CA,
                                names.raOperatorsCa(),
                                caToken.publicKey("ra-operators-ca-key")),
                        rootCa),
                caToken.signer("root-key"));
        database.inTransaction(c -> {
            insertCa(c, "citizen-root", root, "root-key");
            insertCa(c, CITIZEN_CA, citizenCa, "citizen-ca-key");
            insertCa(c, OPERATORS_CA, operatorsCa, "ra-operators-ca-key");
            return null;
        });

        cards = new CardRegistry(database, new PersonalDataKeys(caToken, "pii-hmac-1", "pii-aes-1"), audit, clock);
        issuer = new CitizenIssuer(
                database,
                caToken,
                IssuingCa.load(database, CITIZEN_CA),
                settings,
                new ChipCsrChecks(),
                cards,
                audit,
                clock,
                RANDOM,
                CitizenIssuer.DEFAULT_PARTITION_CAPACITY);
        RevocationService revocations = new RevocationService(database, audit, clock);

        OperatorCertificates operators = new OperatorCertificates(
                database,
                caToken,
                IssuingCa.load(database, OPERATORS_CA),
                settings,
                audit,
                Clock.fixed(now.minus(Duration.ofHours(1)), ZoneOffset.UTC),
                RANDOM);
        KeyPair tlsKey = p256();
        X509CertificateHolder tlsCert =
                operators.issueTlsServer(SETUP, List.of("localhost", "127.0.0.1"), spki(tlsKey));
        Path p12 = dir.resolve("ra-tls.p12");
        Path password = dir.resolve("ra-tls.password");
        char[] pw = HexFormat.of().formatHex(RANDOM.generateSeed(16)).toCharArray();
        Files.writeString(password, new String(pw) + "\n");
        ownerOnly(password);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(
                "ra-tls", tlsKey.getPrivate(), pw, new java.security.cert.Certificate[] {jdk(tlsCert), jdk(operatorsCa)
                });
        try (var out = Files.newOutputStream(p12)) {
            ks.store(out, pw);
        }
        ownerOnly(p12);

        KeyPair clientKey = p256();
        X509CertificateHolder clientCert = operators.issueOperator(
                SETUP, "personalization-bench", OFFICE, OperatorRole.PERSONALIZATION, spki(clientKey));
        personalization = clientContext(clientKey, clientCert);

        RaServices services =
                new RaServices(database, cards, issuer, revocations, settings, audit, List.of(caToken), clock);
        server = RaServer.newServer(RaConfig.builder(services, p12, password)
                .host("127.0.0.1")
                .port(0)
                .build());
        server.start();
        port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();

        registerCards();
        makeCsrs();
        checkOneIssuance();
    }

    /** CARDS cards, registered through the domain from 4 threads (not timed). */
    void registerCards() throws Exception {
        long t = System.nanoTime();
        for (int i = 0; i < CARDS; i++) {
            cardNumbers.add(String.format("TWB%07d", i + 1));
        }
        NationalId id = NationalId.of("A123456789");
        HolderName name = HolderName.of("王小明", Set.of());
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> fs = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            fs.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < CARDS) {
                    cards.register(SETUP, new CardRegistration(cardNumbers.get(i), CHIP_UID, id, name));
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        System.err.printf(Locale.ROOT, "registered %d cards in %.1f s%n", CARDS, (System.nanoTime() - t) / 1e9);
    }

    /** One P-256 key and CSR per possible issuance, in software (Bouncy Castle builder, SunEC keys), not timed. */
    void makeCsrs() throws Exception {
        long t = System.nanoTime();
        csrs = new byte[CARDS * 2][];
        AtomicInteger next = new AtomicInteger();
        int threads = Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> fs = new ArrayList<>();
        for (int k = 0; k < threads; k++) {
            fs.add(pool.submit(() -> {
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
                JcaContentSignerBuilder sb = new JcaContentSignerBuilder("SHA256withECDSA");
                int i;
                while ((i = next.getAndIncrement()) < csrs.length) {
                    KeyPair kp = g.generateKeyPair();
                    csrs[i] = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=chip"), kp.getPublic())
                            .build(sb.build(kp.getPrivate()))
                            .getEncoded();
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        System.err.printf(Locale.ROOT, "made %d CSRs in %.1f s%n", csrs.length, (System.nanoTime() - t) / 1e9);
    }

    /** The last card's signature certificate, issued over HTTPS and verified with the Citizen CA key before anything is measured. */
    void checkOneIssuance() throws Exception {
        int n = csrs.length - 2;
        HttpClient http = HttpClient.newBuilder()
                .sslContext(personalization)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(
                                URI.create("https://127.0.0.1:" + port + "/api/v1/cards/" + cardNumbers.get(n / 2)
                                        + "/certificates?profile=citizen-signature&chipUid=" + CHIP_UID_HEX))
                        .header("Content-Type", "application/pkcs10")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(csrs[n]))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("issuance check: HTTP " + r.statusCode() + " " + r.body());
        }
        String body = r.body();
        int a = body.indexOf("-----BEGIN CERTIFICATE-----");
        int b = body.indexOf("-----END CERTIFICATE-----");
        String b64 =
                body.substring(a + 27, b).replace("\\n", "").replace("\\r", "").replaceAll("\\s", "");
        X509Certificate cert = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(
                        java.util.Base64.getDecoder().decode(b64)));
        cert.verify(jdk(citizenCa).getPublicKey());
        System.err.println("issuance check: " + cert.getSubjectX500Principal() + " verifies with the Citizen CA key");
        // Its CSR is used up; the last card's encryption CSR is left, so the pool shrinks by 2 to stay simple.
        csrs = Arrays.copyOf(csrs, csrs.length - 2);
    }

    void close() {
        try {
            if (server != null) {
                server.stop();
            }
        } catch (Exception e) {
            e.printStackTrace();
        }
        if (database != null) {
            database.close();
        }
        if (caToken != null) {
            caToken.close();
        }
    }

    SSLContext clientContext(KeyPair key, X509CertificateHolder cert) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] pw = "client".toCharArray();
        ks.setKeyEntry("client", key.getPrivate(), pw, new java.security.cert.Certificate[] {jdk(cert)});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("citizen-root", jdk(root));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), tmf.getTrustManagers(), RANDOM);
        return ssl;
    }

    void insertCa(Connection c, String name, X509CertificateHolder cert, String key) throws java.sql.SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO ca (name, kind, subject_der, certificate_der, key_label,"
                        + " token_label, status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'ACTIVE', ?)")) {
            ps.setString(1, name);
            ps.setString(2, name);
            ps.setBytes(3, cert.getSubject().getEncoded("DER"));
            ps.setBytes(4, cert.getEncoded());
            ps.setString(5, key);
            ps.setString(6, caToken.label());
            ps.setObject(7, DatabaseTime.toColumn(Instant.now()));
            ps.executeUpdate();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static X509Certificate jdk(X509CertificateHolder h) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(h);
    }

    static KeyPair p256() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    static SubjectPublicKeyInfo spki(KeyPair k) {
        return SubjectPublicKeyInfo.getInstance(k.getPublic().getEncoded());
    }

    static void ownerOnly(Path p) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    }
}
