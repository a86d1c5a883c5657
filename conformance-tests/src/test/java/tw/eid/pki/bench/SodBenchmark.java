package tw.eid.pki.bench;

import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.operator.ContentSigner;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.card.CardRegistry;
import tw.eid.pki.ca.card.PersonalDataKeys;
import tw.eid.pki.ca.csr.ChipCsrChecks;
import tw.eid.pki.ca.document.DocumentSignerCeremony;
import tw.eid.pki.ca.document.DocumentSignerFixture;
import tw.eid.pki.ca.document.HashAlgorithm;
import tw.eid.pki.ca.document.SodIssuer;
import tw.eid.pki.ca.document.SodRequest;
import tw.eid.pki.ca.issuance.CitizenIssuer;
import tw.eid.pki.ca.issuance.IssuingCa;
import tw.eid.pki.ca.issuance.OperatorCertificates;
import tw.eid.pki.ca.profile.CaCertificate;
import tw.eid.pki.ca.profile.CertificateIssuance;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.profile.CertificateRequest;
import tw.eid.pki.ca.profile.OperatorRole;
import tw.eid.pki.ca.profile.PkiNames;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.revocation.RevocationService;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.SecretKeyType;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.ra.RaConfig;
import tw.eid.pki.ra.RaServer;
import tw.eid.pki.ra.RaServices;

/**
 * SODs end to end (issue 6 benchmark) beside raw signatures of the same DS key, in one run. A main,
 * not a test: {@code conformance-tests/bench/sod.sh}.
 *
 * <p>One JVM holds the RA (Jetty, mTLS, Jersey, SodIssuer, the SoftHSM2 token with the DS key,
 * HikariCP) and the load generator (one HttpClient per client, HTTP/1.1 keep-alive, a
 * personalization operator's certificate); MariaDB is ca-core's embedded mysqld, whose CPU is read
 * from /proc. The measurement loop, the CPU accounting (JVM, load-generator threads, mysqld) and
 * the commit-rate probe are IssuanceBenchmark's.
 *
 * <p>An SOD is: the RA's authentication (the operator certificate's status read from the store)
 * and role check, the JSON request (4 SHA-256 data-group hashes), a plain read of the card's state,
 * one document count from the DS pool's block in memory (a pool transaction per 256 SODs, a plain
 * read of the DS row at most every second), the DS key's ECDSA P-256 signature in the token over the
 * CMS signed attributes, a software verification of it, then the group committer's transaction
 * (cards locked, SODs stored, cards personalized, audit events appended to the hash chain) shared
 * with the concurrent requests' SODs, then the answer.
 *
 * <p>Floors, in the same run: the least any SOD path costs here (the signature with its
 * verification; the durable store alone at the committer's largest batch), with {@code openssl
 * speed ecdsap256} as the peer, and the bound on the ratio they give.
 *
 * <p>Properties: {@code bench.warmup} (s, 5), {@code bench.window} (s, 15), {@code bench.raw.window}
 * (s, 10), {@code bench.clients} ("2,8,16"), {@code bench.direct.threads} ("2,8"),
 * {@code bench.jit.warmup} (s, 20), {@code bench.cards} (cards inserted, 500,000), {@code bench.out}.
 */
public final class SodBenchmark {
    static final Actor SETUP = Actor.local("bench-setup");
    static final int WARMUP = Integer.getInteger("bench.warmup", 5);
    static final int WINDOW = Integer.getInteger("bench.window", 15);
    static final int RAW_WINDOW = Integer.getInteger("bench.raw.window", 10);
    static final int JIT_WARMUP = Integer.getInteger("bench.jit.warmup", 20);
    static final int CARDS = Integer.getInteger("bench.cards", 500_000);
    static final int[] CLIENTS = Arrays.stream(
                    System.getProperty("bench.clients", "2,8,16").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    static final int[] DIRECT = Arrays.stream(
                    System.getProperty("bench.direct.threads", "2,8").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();

    final IssuanceBenchmark h = new IssuanceBenchmark(); // the load loop, CPU accounting, client TLS context
    final Clock clock = Clock.systemUTC();
    final AuditLedger audit = AuditLedger.hashChained(clock);
    final ProfileSettings settings = ProfileSettings.defaults();
    final AtomicInteger nextCard = new AtomicInteger();
    SodIssuer sods;
    String dsLabel;
    Server server;
    int port;
    SSLContext personalization;
    String body;
    List<SodRequest.DataGroupHash> hashes;

    public static void main(String[] args) throws Exception {
        SodBenchmark b = new SodBenchmark();
        try {
            b.run();
        } finally {
            if (b.server != null) {
                b.server.stop();
            }
            if (b.h.caToken != null) {
                b.h.caToken.close();
            }
        }
        System.exit(0);
    }

    void run() throws Exception {
        IssuanceBenchmark.countDeadlocks();
        long t0 = System.nanoTime();
        h.line("# SOD benchmark " + Instant.now() + "; nproc "
                + Runtime.getRuntime().availableProcessors() + "; warm-up " + WARMUP + " s, window " + WINDOW
                + " s (raw " + RAW_WINDOW + " s)");
        setUp();
        h.line(String.format(
                Locale.ROOT,
                "# set-up %.1f s (RA on port %d, %d cards, mysqld pid %d)",
                (System.nanoTime() - t0) / 1e9,
                port,
                CARDS,
                h.mysqldPid));
        h.line("");
        h.line("## raw signing: Token.signer(DS key), EC P-256, SHA-256, 100-byte message");
        h.line("| threads | sig/s | CPU-ms/sig (JVM) |");
        h.line("|---:|---:|---:|");
        raw(1);
        IssuanceBenchmark.Result raw2 = raw(2);

        h.line("");
        h.line(
                "## SOD: POST /api/v1/cards/{n}/sod (JSON, 4 SHA-256 data-group hashes), HTTPS mTLS, HTTP/1.1 keep-alive");
        if (JIT_WARMUP > 0) {
            sodsOverHttps(8, new IssuanceBenchmark.Window(JIT_WARMUP, 1), null);
        }
        h.line(
                "| clients | SODs | SODs/s | / raw 2-thread rate | p50 ms | p99 ms | errors | deadlock retries | SODs per commit"
                        + " | CPU-ms/SOD JVM | of which load generator | server + mysqld | server+mysqld / raw signature |");
        h.line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int c : CLIENTS) {
            sodsOverHttps(c, new IssuanceBenchmark.Window(WARMUP, WINDOW), raw2);
        }

        h.line("");
        h.line("## peer without HTTP: SodIssuer.issue in-process (no TLS, Jersey, RA authentication)");
        h.line(
                "| threads | SODs | SODs/s | / raw 2-thread rate | p50 ms | p99 ms | errors | SODs per commit | CPU-ms/SOD (JVM)"
                        + " | CPU-ms/SOD (JVM+mysqld) | JVM+mysqld / raw signature |");
        h.line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int t : DIRECT) {
            direct(t, raw2);
        }
        h.line("");
        floors(raw2);
        h.line("");
        h.line("## raw signing again (drift check)");
        h.line("| threads | sig/s | CPU-ms/sig (JVM) |");
        h.line("|---:|---:|---:|");
        raw(1);
        raw(2);
        h.line("");
        h.line(String.format(
                Locale.ROOT,
                "# SODs used %d of %d cards; whole run %.1f s",
                nextCard.get(),
                CARDS,
                (System.nanoTime() - t0) / 1e9));
        String out = System.getProperty("bench.out");
        if (out != null) {
            Files.writeString(Path.of(out), h.report.toString());
        }
    }

    IssuanceBenchmark.Result raw(int threads) throws Exception {
        IssuanceBenchmark.Result r = h.runThreads(threads, new IssuanceBenchmark.Window(WARMUP, RAW_WINDOW), i -> {
            ContentSigner signer = h.caToken.signer(dsLabel);
            try (OutputStream o = signer.getOutputStream()) {
                o.write(IssuanceBenchmark.MESSAGE);
            }
            if (signer.getSignature().length < 64) {
                throw new IllegalStateException("short signature");
            }
        });
        h.line(String.format(Locale.ROOT, "| %d | %,.0f | %.3f |", threads, r.rate(), r.jvmCpuMsPerOp()));
        return r;
    }

    void sodsOverHttps(int clients, IssuanceBenchmark.Window w, IssuanceBenchmark.Result raw2) throws Exception {
        List<HttpClient> https = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            https.add(HttpClient.newBuilder()
                    .sslContext(personalization)
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build());
        }
        AtomicLong errors = new AtomicLong();
        long deadlocks = IssuanceBenchmark.DEADLOCKS.get();
        int before = nextCard.get();
        long commits = commits();
        IssuanceBenchmark.Result r = h.runThreads(clients, w, i -> {
            String card = card();
            HttpRequest req = HttpRequest.newBuilder(
                            URI.create("https://127.0.0.1:" + port + "/api/v1/cards/" + card + "/sod"))
                    .timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
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
        https.clear();
        if (raw2 == null) {
            System.err.printf(Locale.ROOT, "JIT warm-up: %d SODs%n", nextCard.get() - before);
            return;
        }
        double perCommit = (nextCard.get() - before) / (double) Math.max(1, commits() - commits);
        double server = r.allCpuMsPerOp() - r.loadCpuMsPerOp();
        h.line(String.format(
                Locale.ROOT,
                "| %d | %,d | %,.1f | %.3f | %.1f | %.1f | %d | %d | %.1f | %.2f | %.2f | %.2f | %.1fx |",
                clients,
                r.ops(),
                r.rate(),
                r.rate() / raw2.rate(),
                r.percentileMs(50),
                r.percentileMs(99),
                r.failures(),
                IssuanceBenchmark.DEADLOCKS.get() - deadlocks,
                perCommit,
                r.jvmCpuMsPerOp(),
                r.loadCpuMsPerOp(),
                server,
                server / raw2.jvmCpuMsPerOp()));
    }

    void direct(int threads, IssuanceBenchmark.Result raw2) throws Exception {
        AtomicLong errors = new AtomicLong();
        int before = nextCard.get();
        long commits = commits();
        IssuanceBenchmark.Result r = h.runThreads(threads, new IssuanceBenchmark.Window(WARMUP, RAW_WINDOW), i -> {
            try {
                sods.issue(SETUP, new SodRequest(card(), HashAlgorithm.SHA_256, hashes, null));
            } catch (RuntimeException e) {
                if (errors.incrementAndGet() <= 5) {
                    e.printStackTrace();
                }
                throw e;
            }
        });
        double perCommit = (nextCard.get() - before) / (double) Math.max(1, commits() - commits);
        h.line(String.format(
                Locale.ROOT,
                "| %d | %,d | %,.1f | %.3f | %.1f | %.1f | %d | %.1f | %.2f | %.2f | %.1fx |",
                threads,
                r.ops(),
                r.rate(),
                r.rate() / raw2.rate(),
                r.percentileMs(50),
                r.percentileMs(99),
                r.failures(),
                perCommit,
                r.jvmCpuMsPerOp(),
                r.allCpuMsPerOp(),
                r.allCpuMsPerOp() / raw2.jvmCpuMsPerOp()));
    }

    /**
     * What any SOD costs here at least, whatever the path around it: the DS key's signature in the
     * token together with the software verification of it that every SOD gets, and the durable
     * store alone (SodCommitter's transaction at its largest batch, the SODs already signed). With
     * OpenSSL's own P-256 figures as the peer: the verification SoftHSM2 or any native code could
     * offer instead. The bound is the raw 2-thread CPU per signature over the sum of the floors'.
     */
    void floors(IssuanceBenchmark.Result raw2) throws Exception {
        h.line("## floors: the least any SOD path costs here (same run)");
        h.line("| step | threads | per second | / raw 2-thread rate | CPU-ms each (JVM) | CPU-ms each (JVM+mysqld) |");
        h.line("|---|---:|---:|---:|---:|---:|");
        java.security.PublicKey key = tw.eid.pki.ca.document.SecurityObjects.publicKey(h.caToken.publicKey(dsLabel));
        ContentSigner once = h.caToken.signer(dsLabel);
        try (OutputStream o = once.getOutputStream()) {
            o.write(IssuanceBenchmark.MESSAGE);
        }
        byte[] signature = once.getSignature();
        IssuanceBenchmark.Result verify = h.runThreads(2, new IssuanceBenchmark.Window(WARMUP, RAW_WINDOW), i -> {
            if (!verifies(key, IssuanceBenchmark.MESSAGE, signature)) {
                throw new IllegalStateException("the DS signature does not verify");
            }
        });
        floorLine(
                "software verification of a DS signature alone (Bouncy Castle, the key decoded once)",
                2,
                verify,
                raw2,
                1);
        IssuanceBenchmark.Result signVerify = h.runThreads(2, new IssuanceBenchmark.Window(WARMUP, RAW_WINDOW), i -> {
            ContentSigner signer = h.caToken.signer(dsLabel);
            try (OutputStream o = signer.getOutputStream()) {
                o.write(IssuanceBenchmark.MESSAGE);
            }
            if (!verifies(key, IssuanceBenchmark.MESSAGE, signer.getSignature())) {
                throw new IllegalStateException("the DS signature does not verify");
            }
        });
        floorLine("token signature + its software verification", 2, signVerify, raw2, 1);

        tw.eid.pki.ca.document.DocumentSignerPool.Reserved ds = sods.pool().reserve(SETUP);
        byte[] efSod = tw.eid.pki.ca.document.SecurityObjects.signSod(
                new SodRequest(card(), HashAlgorithm.SHA_256, hashes, null),
                h.caToken.signer(ds.keyLabel()),
                ds.certificate(),
                ds.publicKey(),
                ds.at());
        tw.eid.pki.ca.document.SodStoreProbe store =
                new tw.eid.pki.ca.document.SodStoreProbe(h.database, audit, SodIssuer.DEFAULT_MAX_BATCH);
        IssuanceBenchmark.Result stored = h.runThreads(1, new IssuanceBenchmark.Window(WARMUP, RAW_WINDOW), i -> {
            List<SodRequest> batch = new ArrayList<>(SodIssuer.DEFAULT_MAX_BATCH);
            for (int k = 0; k < SodIssuer.DEFAULT_MAX_BATCH; k++) {
                batch.add(new SodRequest(card(), HashAlgorithm.SHA_256, hashes, null));
            }
            store.store(SETUP, batch, ds, efSod);
        });
        floorLine(
                "durable store alone: " + SodIssuer.DEFAULT_MAX_BATCH + " signed SODs per transaction (" + efSod.length
                        + "-byte EF.SOD, card update, audit event)",
                1,
                stored,
                raw2,
                SodIssuer.DEFAULT_MAX_BATCH);

        double[] openssl = opensslP256();
        if (openssl != null) {
            h.line(String.format(
                    Locale.ROOT,
                    "| peer: `openssl speed ecdsap256`, sign | 1 | %,.0f | | %.3f | |",
                    openssl[0],
                    1000 / openssl[0]));
            h.line(String.format(
                    Locale.ROOT,
                    "| peer: `openssl speed ecdsap256`, verify | 1 | %,.0f | | %.3f | |",
                    openssl[1],
                    1000 / openssl[1]));
        }
        double storeMs = stored.allCpuMsPerOp() / SodIssuer.DEFAULT_MAX_BATCH;
        double floor = signVerify.jvmCpuMsPerOp() + storeMs;
        double raw = raw2.jvmCpuMsPerOp();
        h.line("");
        h.line(String.format(
                Locale.ROOT,
                "Bound, before any CMS encoding, request, TLS or authentication: raw signature %.3f CPU-ms"
                        + " / (signature + verification %.3f + store %.3f) = **%.2fx** the raw rate at most;"
                        + " with OpenSSL's native verification in place of Bouncy Castle's %.2fx; with no verification at all"
                        + " (signature + store) %.2fx.",
                raw,
                signVerify.jvmCpuMsPerOp(),
                storeMs,
                raw / floor,
                openssl == null ? Double.NaN : raw / (floor - verify.jvmCpuMsPerOp() + 1000 / openssl[1]),
                raw / (raw + storeMs)));
    }

    void floorLine(String step, int threads, IssuanceBenchmark.Result r, IssuanceBenchmark.Result raw2, int perOp) {
        h.line(String.format(
                Locale.ROOT,
                "| %s | %d | %,.0f | %.3f | %.3f | %.3f |",
                step,
                threads,
                r.rate() * perOp,
                r.rate() * perOp / raw2.rate(),
                r.jvmCpuMsPerOp() / perOp,
                r.allCpuMsPerOp() / perOp));
    }

    /** The check SecurityObjects gives every SOD's signature (SHA256withECDSA in Bouncy Castle, a kept key). */
    static boolean verifies(java.security.PublicKey key, byte[] message, byte[] signature) {
        return tw.eid.pki.ca.document.SecurityObjects.verifies("SHA256withECDSA", key, message, signature);
    }

    /** {@code openssl speed -seconds 3 ecdsap256}: {sign/s, verify/s} on one core, or null if it cannot run. */
    static double[] opensslP256() {
        try {
            Process p = new ProcessBuilder("openssl", "speed", "-seconds", "3", "ecdsap256")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                return null;
            }
            for (String l : out.split("\n")) {
                if (l.contains("ecdsa (nistp256)")) {
                    String[] f = l.trim().split("\\s+");
                    return new double[] {Double.parseDouble(f[f.length - 2]), Double.parseDouble(f[f.length - 1])};
                }
            }
            return null;
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * mysqld's COMMIT statements so far (server-wide: the group commits and the pool's block
     * reservations; auto-commit reads are not counted), for the SODs-per-commit column (warm-up included).
     */
    long commits() {
        return h.database.inTransaction(c -> {
            try (var st = c.createStatement();
                    var rs = st.executeQuery("SHOW GLOBAL STATUS LIKE 'Com_commit'")) {
                rs.next();
                return rs.getLong(2);
            }
        });
    }

    String card() {
        int n = nextCard.getAndIncrement();
        if (n >= CARDS) {
            throw new IllegalStateException("out of prepared cards: raise bench.cards");
        }
        return String.format("TWS%07d", n + 1);
    }

    void setUp() throws Exception {
        h.databaseName = TestDatabase.createDatabaseName();
        h.database = Database.open(TestDatabase.server().settings(h.databaseName));
        Database database = h.database;
        h.mysqldPid = ProcessHandle.current()
                .descendants()
                .filter(p -> p.info()
                        .command()
                        .map(c -> c.endsWith("mysqld") || c.endsWith("mariadbd"))
                        .orElse(false))
                .mapToLong(ProcessHandle::pid)
                .findFirst()
                .orElse(-1);
        Path dir = Files.createTempDirectory("eidpki-sod-bench");
        h.caToken = SoftHsmTestTokens.create("online").open(clock);
        for (String k : List.of("root-key", "citizen-ca-key", "ra-operators-ca-key")) {
            h.caToken.generateKeyPair(k, KeyAlgorithm.EC_P384);
        }
        h.caToken.generateKeyPair("audit-key", KeyAlgorithm.EC_P256);
        h.caToken.generateSecretKey("pii-hmac-1", SecretKeyType.HMAC_SHA256);
        h.caToken.generateSecretKey("pii-aes-1", SecretKeyType.AES_256);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        CertificateIssuance atT0 = new CertificateIssuance(
                settings, Clock.fixed(now.minus(Duration.ofDays(30)), ZoneOffset.UTC), IssuanceBenchmark.RANDOM);
        PkiNames names = settings.names();
        h.root = atT0.issue(
                atT0.prepareSelfSigned(new CertificateRequest(
                        CertificateProfile.CITIZEN_ROOT, names.citizenRoot(), h.caToken.publicKey("root-key"))),
                h.caToken.signer("root-key"));
        X509CertificateHolder operatorsCa = atT0.issue(
                atT0.prepare(
                        new CertificateRequest(
                                CertificateProfile.RA_OPERATORS_CA,
                                names.raOperatorsCa(),
                                h.caToken.publicKey("ra-operators-ca-key")),
                        new CaCertificate(CertificateProfile.CITIZEN_ROOT, h.root)),
                h.caToken.signer("root-key"));
        // The RA needs a Citizen CA for its citizen endpoints; this benchmark never issues from it.
        X509CertificateHolder citizenCa = atT0.issue(
                atT0.prepare(
                        new CertificateRequest(
                                CertificateProfile.CITIZEN_CA,
                                names.citizenCa(),
                                h.caToken.publicKey("citizen-ca-key")),
                        new CaCertificate(CertificateProfile.CITIZEN_ROOT, h.root)),
                h.caToken.signer("root-key"));
        database.inTransaction(c -> {
            h.insertCa(c, "citizen-root", h.root, "root-key");
            h.insertCa(c, IssuanceBenchmark.CITIZEN_CA, citizenCa, "citizen-ca-key");
            h.insertCa(c, IssuanceBenchmark.OPERATORS_CA, operatorsCa, "ra-operators-ca-key");
            return null;
        });
        // The CSCA (its key in the same token here; a real one is offline) and a pool of 4 DS keys with
        // a count no run reaches, so the figures are of signing, not of rotation.
        // The pool on the real monotonic ticker, as in a server: it re-reads its signer every second.
        DocumentSignerFixture documents = new DocumentSignerFixture(
                database, h.caToken, h.caToken, clock, now.minus(Duration.ofDays(1)), dir, System::nanoTime);
        List<DocumentSignerCeremony.Certified> batch = documents.certifiedBatch(4, 10_000_000, null);
        dsLabel = batch.get(0).keyLabel();
        sods = documents.sodIssuer();

        CardRegistry cards =
                new CardRegistry(database, new PersonalDataKeys(h.caToken, "pii-hmac-1", "pii-aes-1"), audit, clock);
        CitizenIssuer issuer = new CitizenIssuer(
                database,
                h.caToken,
                IssuingCa.load(database, IssuanceBenchmark.CITIZEN_CA),
                settings,
                new ChipCsrChecks(),
                cards,
                audit,
                clock,
                IssuanceBenchmark.RANDOM,
                CitizenIssuer.DEFAULT_PARTITION_CAPACITY);
        OperatorCertificates operators = new OperatorCertificates(
                database,
                h.caToken,
                IssuingCa.load(database, IssuanceBenchmark.OPERATORS_CA),
                settings,
                audit,
                Clock.fixed(now.minus(Duration.ofHours(1)), ZoneOffset.UTC),
                IssuanceBenchmark.RANDOM);
        KeyPair tlsKey = IssuanceBenchmark.p256();
        X509CertificateHolder tlsCert =
                operators.issueTlsServer(SETUP, List.of("localhost", "127.0.0.1"), IssuanceBenchmark.spki(tlsKey));
        Path p12 = dir.resolve("ra-tls.p12");
        Path password = dir.resolve("ra-tls.password");
        char[] pw = HexFormat.of()
                .formatHex(IssuanceBenchmark.RANDOM.generateSeed(16))
                .toCharArray();
        Files.writeString(password, new String(pw) + "\n");
        IssuanceBenchmark.ownerOnly(password);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("ra-tls", tlsKey.getPrivate(), pw, new java.security.cert.Certificate[] {
            IssuanceBenchmark.jdk(tlsCert), IssuanceBenchmark.jdk(operatorsCa)
        });
        try (var out = Files.newOutputStream(p12)) {
            ks.store(out, pw);
        }
        IssuanceBenchmark.ownerOnly(p12);
        KeyPair clientKey = IssuanceBenchmark.p256();
        X509CertificateHolder clientCert = operators.issueOperator(
                SETUP,
                "personalization-bench",
                IssuanceBenchmark.OFFICE,
                OperatorRole.PERSONALIZATION,
                IssuanceBenchmark.spki(clientKey));
        personalization = h.clientContext(clientKey, clientCert);
        RaServices services = new RaServices(
                        database,
                        cards,
                        issuer,
                        new RevocationService(database, audit, clock),
                        settings,
                        audit,
                        List.of(h.caToken),
                        clock)
                .withSods(sods);
        server = RaServer.newServer(RaConfig.builder(services, p12, password)
                .host("127.0.0.1")
                .port(0)
                .sodPerSecond(100_000)
                .build());
        server.start();
        port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();

        // The request: DG1, DG2, DG14, DG15 hashed with SHA-256.
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        hashes = new ArrayList<>();
        StringBuilder b = new StringBuilder("{\"hashAlgorithm\":\"SHA-256\",\"dataGroups\":[");
        int[] groups = {1, 2, 14, 15};
        for (int k = 0; k < groups.length; k++) {
            byte[] hash = md.digest(("data group " + groups[k]).getBytes(StandardCharsets.US_ASCII));
            hashes.add(new SodRequest.DataGroupHash(groups[k], hash));
            b.append(k == 0 ? "" : ",")
                    .append("{\"number\":")
                    .append(groups[k])
                    .append(",\"hash\":\"")
                    .append(Base64.getEncoder().encodeToString(hash))
                    .append("\"}");
        }
        body = b.append("]}").toString();
        insertCards(database);
    }

    /**
     * CARDS registered cards, inserted in batches of 1,000 (not timed). Their sealed personal data is
     * placeholder bytes: an SOD reads only the card's number and state.
     */
    void insertCards(Database database) {
        Instant now = clock.instant();
        for (int from = 0; from < CARDS; from += 1000) {
            int start = from;
            database.inTransaction(c -> {
                try (PreparedStatement ps =
                        c.prepareStatement("INSERT INTO card (card_number, chip_uid, national_id_hmac,"
                                + " national_id_enc, national_id_last4, name_enc, status, created_at)"
                                + " VALUES (?, X'04a1b2c3d4e5f6a7', ?, X'00', '6789', X'00', 'REGISTERED', ?)")) {
                    for (int i = start; i < Math.min(CARDS, start + 1000); i++) {
                        ps.setString(1, String.format("TWS%07d", i + 1));
                        byte[] hmac = new byte[32];
                        IssuanceBenchmark.RANDOM.nextBytes(hmac);
                        ps.setBytes(2, hmac);
                        ps.setObject(3, DatabaseTime.toColumn(now));
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                return null;
            });
        }
    }
}
