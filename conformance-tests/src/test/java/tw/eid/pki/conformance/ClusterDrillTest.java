package tw.eid.pki.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tw.eid.pki.ca.card.NationalId;

/**
 * The cluster drills (docs/cluster.md#drills) on the real topology of {@code bin/cluster up}:
 * three Debian MariaDB Galera nodes, two RA, two OCSP and two CRL processes, HAProxy.
 *
 * <p>{@code bin/test} runs the short forms (a few cards, {@value #SHORT_LOAD_SECONDS} s of load);
 * {@code bin/drill NAME} runs the long forms ({@code -Ddrill.long=true}: more cards, longer load)
 * and writes the report lines that RELIABILITY.md records. Every figure printed is measured in
 * that run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterDrillTest {

    static final int SHORT_LOAD_SECONDS = 24;

    private static final boolean LONG = Boolean.getBoolean("drill.long");
    private static final int CARDS = Integer.getInteger("drill.cards", LONG ? 200 : 24);
    /** The responders' promise: an acknowledged revocation is answered within this (BENCHMARKS.md). */
    private static final Duration SERVED_WITHIN = Duration.ofSeconds(1);

    /** The database node both RA processes write through first (bin/cluster, docs/cluster.md). */
    private static final int WRITER_NODE = 1;

    private static final int BULK = Integer.getInteger("drill.bulk", LONG ? 10_000 : 24);
    private static final int LOAD_SECONDS = Integer.getInteger("drill.seconds", LONG ? 120 : SHORT_LOAD_SECONDS);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path repo;
    private static Path dir;
    private static int base;
    private static int httpPort;
    private static int raPort;
    private static HttpClient officer;
    private static HttpClient supervisor;
    private static HttpClient secondSupervisor;
    private static X509Certificate citizenCa;
    private static final List<String> report = new ArrayList<>();

    @BeforeAll
    static void up() throws Exception {
        repo = Paths.get("").toAbsolutePath();
        while (!Files.isExecutable(repo.resolve("bin/cluster"))) {
            repo = repo.getParent();
        }
        String work = System.getProperty("eidpki.test.workdir", "target/test-work");
        dir = Paths.get(work).toAbsolutePath().resolve("cluster-drill-" + Long.toHexString(System.nanoTime()));
        // Below Linux's ephemeral range (32768..60999), so an outgoing connection's local port
        // can never hold a node's IST or SST port; 26000..32005 is apart from TestGaleraCluster's.
        base = 26000 + ThreadLocalRandom.current().nextInt(0, 60) * 100;
        httpPort = freePort();
        raPort = freePort();
        long t0 = System.nanoTime();
        cluster(600, "up");
        line("cluster up in %.0f s (3 Galera nodes, ra1 ra2 ocsp1 ocsp2 crl1 crl2, HAProxy)", secondsSince(t0));
        Path demo = dir.resolve("data/demo");
        officer = operatorClient(demo, "demo-officer");
        supervisor = operatorClient(demo, "demo-supervisor");
        // The two-person rule needs a second supervisor; the demo makes one.
        List<String> issue = new ArrayList<>(List.of(
                "operator",
                "issue",
                "--id",
                "drill-supervisor-2",
                "--role",
                "supervisor",
                "--office",
                "Drill Office",
                "--out",
                dir.resolve("operators").toString()));
        issue.addAll(custodians());
        Tools.Result made = eidpkiAgainstNode(1, issue.toArray(String[]::new));
        assertThat(made.exitCode()).as(made.stdout() + made.stderr()).isZero();
        secondSupervisor = operatorClient(dir.resolve("operators"), "drill-supervisor-2");
        try (InputStream in = Files.newInputStream(dir.resolve("data/ceremony/initial/citizen-ca.pem"))) {
            citizenCa =
                    (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    @AfterAll
    static void down() {
        try {
            cluster(300, "down");
        } catch (RuntimeException e) {
            System.err.println("drill: " + e.getMessage());
        }
        // Each process logs its transaction retries by SQLSTATE/error when it stops.
        for (String service : List.of("ra1", "ra2", "ocsp1", "ocsp2", "crl1", "crl2")) {
            try {
                for (String l : Files.readAllLines(dir.resolve(service + ".log"))) {
                    int at = l.indexOf("transactions retried");
                    if (at >= 0) {
                        line("drill: %s %s", service, l.substring(at));
                    }
                }
            } catch (IOException e) {
                line("drill: %s: no log (%s)", service, e.getMessage());
            }
        }
        line(
                "drill: set-up requests answered 503 store.unavailable or issuance.final-write-failed and sent again: %d",
                UNAVAILABLE_RETRIES.get());
        System.out.println(String.join("\n", report));
    }

    /**
     * Drill a: kill -9 of one database node under mixed load (issuance, suspend, resume, revoke,
     * report-lost, OCSP GETs of certificates pre-warmed as good); afterwards every acknowledged
     * change is on every node and answered by both OCSP nodes, no serial is duplicated, the audit
     * head is the same on every node, the node rejoined by IST, and the tables' checksums agree.
     */
    @Test
    @Order(1)
    void a_killOneDatabaseNodeUnderLoad() throws Exception {
        // Set-up through HAProxy: cards and one citizen-signature certificate each.
        Map<String, String> acknowledged = new ConcurrentHashMap<>(); // serial -> GOOD/HOLD/REVOKED
        List<String> serials = new ArrayList<>();
        Map<String, String> cardOf = new ConcurrentHashMap<>();
        for (int i = 0; i < CARDS; i++) {
            String card = cardNumber(i);
            register(card, i);
            String serial = issue(card);
            serials.add(serial);
            cardOf.put(serial, card);
            acknowledged.put(serial, "GOOD");
        }
        line("drill a: %d cards registered and certified through HAProxy", CARDS);
        for (String s : serials) {
            assertThat(ocsp(httpPort, s)).as("pre-warmed %s", s).isEqualTo("GOOD");
        }

        // A bulk suspension (the long form: 10,000 serials) requested by one supervisor now and
        // approved by a second one just before the node is killed, so that it runs across the kill.
        List<String> bulk = issueMany("BULK", BULK, 600_000);
        HttpResponse<String> requested = ra(
                supervisor,
                "POST",
                "/revocations",
                "application/json",
                ("{\"action\":\"suspend\",\"serials\":" + JSON.writeValueAsString(bulk) + "}")
                        .getBytes(StandardCharsets.UTF_8),
                null);
        assertThat(requested.statusCode()).as(requested.body()).isEqualTo(202);
        long approvalId = JSON.readTree(requested.body()).get("id").asLong();
        line("drill a: %d certificates for the bulk suspension; approval %d requested", bulk.size(), approvalId);

        AtomicBoolean stop = new AtomicBoolean();
        Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
        AtomicLong issued = new AtomicLong();
        AtomicLong ocspGets = new AtomicLong();
        AtomicLong ocspFailures = new AtomicLong();
        AtomicLong ocspWrongGood = new AtomicLong();
        int workers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(workers + 3);
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int worker = w;
            running.add(pool.submit(() -> {
                // Each worker owns every workers-th serial, so its changes to one serial are sequential
                // and the last acknowledged one is that serial's truth.
                List<String> mine = new ArrayList<>();
                for (int i = worker; i < serials.size(); i += workers) {
                    mine.add(serials.get(i));
                }
                int n = 0;
                while (!stop.get()) {
                    String serial = mine.get(ThreadLocalRandom.current().nextInt(mine.size()));
                    String now = acknowledged.get(serial);
                    String op;
                    if ("REVOKED".equals(now)) {
                        op = "issue";
                    } else if ("HOLD".equals(now)) {
                        op = "resume";
                    } else {
                        int dice = ThreadLocalRandom.current().nextInt(20);
                        op = dice == 0 ? "revoke" : dice <= 2 && cardOf.containsKey(serial) ? "report-lost" : "suspend";
                    }
                    String outcome;
                    try {
                        if (op.equals("issue")) {
                            String card = "DRL" + worker + "X" + (n++) + "Y" + base / 100;
                            register(card, 100_000 + worker * 10_000 + n);
                            String s = issue(card);
                            acknowledged.put(s, "GOOD");
                            cardOf.put(s, card);
                            synchronized (mine) {
                                mine.add(s);
                            }
                            issued.incrementAndGet();
                            outcome = "issue 201";
                        } else if (op.equals("report-lost")) {
                            // Every good certificate of the card on hold: here the card has this one.
                            HttpResponse<String> r = ra(
                                    "POST", "/cards/" + cardOf.get(serial) + "/report-lost", "application/json", null);
                            outcome = op + " " + r.statusCode();
                            if (r.statusCode() == 200) {
                                acknowledged.put(serial, "HOLD");
                            } else if (r.statusCode() == 503 && r.body().contains("outcome-unknown")) {
                                acknowledged.put(serial, statusThroughRa(serial));
                            }
                        } else {
                            HttpResponse<String> r = change(serial, op);
                            outcome = op + " " + r.statusCode();
                            if (r.statusCode() == 200) {
                                acknowledged.put(
                                        serial,
                                        switch (op) {
                                            case "suspend" -> "HOLD";
                                            case "resume" -> "GOOD";
                                            default -> "REVOKED";
                                        });
                            } else if (r.statusCode() == 503 && r.body().contains("outcome-unknown")) {
                                // Not acknowledged: read back what happened before going on.
                                acknowledged.put(serial, statusThroughRa(serial));
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        outcome = op + " " + e.getClass().getSimpleName();
                        // Not acknowledged; the state is whatever the store says now.
                        try {
                            if (!op.equals("issue")) {
                                acknowledged.put(serial, statusThroughRa(serial));
                            }
                        } catch (Exception ignored) {
                            stop.set(stop.get()); // the next round reads it again
                        }
                    }
                    outcomes.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
                }
                return null;
            }));
        }
        // OCSP GETs through HAProxy for certificates that stay good (a separate set: never changed).
        List<String> stayGood = new ArrayList<>();
        for (int i = 0; i < Math.max(4, CARDS / 6); i++) {
            String card = "GOOD" + i + "Z" + base / 100;
            register(card, 200_000 + i);
            stayGood.add(issue(card));
        }
        running.add(pool.submit(() -> {
            while (!stop.get()) {
                String s = stayGood.get(ThreadLocalRandom.current().nextInt(stayGood.size()));
                try {
                    String st = ocsp(httpPort, s);
                    ocspGets.incrementAndGet();
                    if (!"GOOD".equals(st)) {
                        ocspFailures.incrementAndGet();
                    }
                } catch (Exception e) {
                    ocspFailures.incrementAndGet();
                }
            }
            return null;
        }));

        // Every CRL URL of the citizen CA's partitions in use, full and delta, fetched through HAProxy
        // each second: a CRL number may never go down, nor one number stand for two different CRLs.
        List<URI> crlUrls = new ArrayList<>();
        for (String partition : sql(
                        1,
                        "SELECT DISTINCT crl_partition FROM eidpki.certificate WHERE ca_name = 'citizen-ca'"
                                + " AND crl_partition IS NOT NULL ORDER BY 1")
                .strip()
                .split("\\s+")) {
            for (String kind : new String[] {"", "-delta"}) {
                crlUrls.add(
                        URI.create("http://127.0.0.1:" + httpPort + "/crl/citizen-ca/" + partition + kind + ".crl"));
            }
        }
        Map<URI, BigInteger> lastNumber = new ConcurrentHashMap<>();
        Map<URI, String> lastDigest = new ConcurrentHashMap<>();
        AtomicLong crlFetches = new AtomicLong();
        List<String> crlViolations = Collections.synchronizedList(new ArrayList<>());
        running.add(pool.submit(() -> {
            while (!stop.get()) {
                for (URI url : crlUrls) {
                    try {
                        HttpResponse<byte[]> r = PLAIN.send(
                                HttpRequest.newBuilder(url)
                                        .timeout(Duration.ofSeconds(20))
                                        .build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                        if (r.statusCode() != 200) {
                            continue;
                        }
                        X509CRLHolder crl = new X509CRLHolder(r.body());
                        BigInteger number = ASN1Integer.getInstance(
                                        crl.getExtension(Extension.cRLNumber).getParsedValue())
                                .getValue();
                        String digest = HexFormat.of()
                                .formatHex(MessageDigest.getInstance("SHA-256").digest(r.body()));
                        crlFetches.incrementAndGet();
                        BigInteger before = lastNumber.get(url);
                        if (before != null
                                && (number.compareTo(before) < 0
                                        || (number.equals(before) && !digest.equals(lastDigest.get(url))))) {
                            crlViolations.add(url + ": number " + number + " after " + before);
                        }
                        if (before == null || number.compareTo(before) >= 0) {
                            lastNumber.put(url, number);
                            lastDigest.put(url, digest);
                        }
                    } catch (IOException e) {
                        // HAProxy between two publishers: asked again next round
                    }
                }
                Thread.sleep(1_000);
            }
            return null;
        }));

        long t0 = System.nanoTime();
        Future<String> approval = pool.submit(() -> {
            Thread.sleep(Math.max(0, LOAD_SECONDS * 1000L / 3 - 2_000));
            long asked = System.nanoTime();
            HttpResponse<String> r;
            try {
                r = ra(secondSupervisor, "POST", "/approvals/" + approvalId + "/approve", null, null, null);
            } catch (IOException e) {
                return "approve " + e.getClass().getSimpleName() + " after " + secondsSince(asked) + " s";
            }
            return "approve " + r.statusCode() + " after " + String.format("%.1f", secondsSince(asked)) + " s: "
                    + firstLine(r.body());
        });
        Thread.sleep(LOAD_SECONDS * 1000L / 3);
        // The RAs' writer node (bin/cluster puts both RA processes on node 1 first): they must fail
        // over to node 2 in the middle of their writes, the bulk suspension among them.
        cluster(60, "kill-node", String.valueOf(WRITER_NODE));
        line("drill a: kill -9 of database node %d (the RAs' writer) at %.0f s", WRITER_NODE, secondsSince(t0));
        Thread.sleep(LOAD_SECONDS * 1000L / 3);
        long rejoin = System.nanoTime();
        cluster(300, "start-node", String.valueOf(WRITER_NODE));
        line(
                "drill a: node %d restarted at %.0f s, Synced after %.1f s",
                WRITER_NODE, secondsSince(t0), secondsSince(rejoin));
        Thread.sleep(LOAD_SECONDS * 1000L / 3);
        stop.set(true);
        for (Future<?> f : running) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdownNow();
        line("drill a: %.0f s of load; outcomes %s", secondsSince(t0), new TreeMap<>(outcomes));
        String approved = approval.get(300, TimeUnit.SECONDS);
        String decided = JSON.readTree(ra(secondSupervisor, "GET", "/approvals/" + approvalId, null, null, null)
                        .body())
                .get("status")
                .asText();
        line("drill a: bulk suspension of %d serials: %s; the approval reads back %s", bulk.size(), approved, decided);
        // Acknowledged or not, the approval's stored decision is all or nothing: read back, then checked.
        assertThat(decided).isIn("approved", "pending", "refused");
        for (String serial : bulk) {
            acknowledged.put(serial, decided.equals("approved") ? "HOLD" : "GOOD");
        }
        if (approved.startsWith("approve 200")) {
            assertThat(decided).isEqualTo("approved");
        }
        line(
                "drill a: OCSP GETs through HAProxy for good certificates: %d, failed or not good: %d",
                ocspGets.get(), ocspFailures.get());

        waitForEmptyReceiveQueues();
        String errorLog = Files.readString(dir.resolve("galera/n" + WRITER_NODE + "/error.log"));
        boolean ist = errorLog.contains("IST received") || errorLog.contains("Receiving IST");
        line("drill a: node %d rejoined by %s", WRITER_NODE, ist ? "IST (incremental state transfer)" : "SST (full)");
        assertThat(ist)
                .as("node %d rejoined by incremental state transfer", WRITER_NODE)
                .isTrue();

        // Every acknowledged state on every node.
        long mismatches = 0;
        for (int node = 1; node <= 3; node++) {
            Map<String, String> stored = statuses(node);
            for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                if (!e.getValue().equals(stored.get(e.getKey()))) {
                    mismatches++;
                    System.err.println("node " + node + ": " + e.getKey() + " acknowledged " + e.getValue()
                            + ", stored " + stored.get(e.getKey()));
                }
            }
        }
        line(
                "drill a: %d acknowledged states (%d certificates) checked on 3 nodes: %d lost",
                acknowledged.size(), acknowledged.size(), mismatches);
        assertThat(mismatches).as("acknowledged changes missing on some node").isZero();

        // Both OCSP nodes answer every acknowledged state (the status log reaches them within a second).
        Thread.sleep(3_000);
        long ocspMismatch = 0;
        for (int ocspNode = 1; ocspNode <= 2; ocspNode++) {
            int port = base + 50 + ocspNode;
            for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                String answered = ocsp(port, e.getKey());
                if (!e.getValue().equals(answered)) {
                    ocspMismatch++;
                    System.err.println("ocsp" + ocspNode + ": " + e.getKey() + " acknowledged " + e.getValue()
                            + ", answered " + answered);
                }
            }
        }
        line(
                "drill a: both OCSP nodes asked for every certificate: %d answers differ from the acknowledged state",
                ocspMismatch);
        assertThat(ocspMismatch).isZero();

        // CRL numbers strictly rising per URL: as fetched during the load, and as stored (a later
        // thisUpdate with a number not above an earlier one's, per CA, partition and kind).
        String storedOutOfOrder = sql(
                1,
                "SELECT COUNT(*) FROM eidpki.crl a JOIN eidpki.crl b ON b.ca_name = a.ca_name"
                        + " AND b.crl_partition = a.crl_partition AND b.is_delta = a.is_delta"
                        + " AND b.this_update > a.this_update AND b.crl_number <= a.crl_number");
        String storedCrls = sql(1, "SELECT COUNT(*) FROM eidpki.crl");
        line(
                "drill a: CRLs: %d fetched through HAProxy from %d URLs (numbers reached %s), %d out of order;"
                        + " %s stored, %s out of order",
                crlFetches.get(),
                crlUrls.size(),
                new TreeMap<>(lastNumber.entrySet().stream()
                        .collect(Collectors.toMap(e -> e.getKey().getPath(), Map.Entry::getValue))),
                crlViolations.size(),
                storedCrls.strip(),
                storedOutOfOrder.strip());
        assertThat(crlViolations)
                .as("CRL numbers going down or reused, as fetched")
                .isEmpty();
        assertThat(storedOutOfOrder.strip())
                .as("stored CRLs out of number order")
                .isEqualTo("0");
        assertThat(lastNumber.keySet())
                .as("every CRL URL served during the load")
                .containsExactlyInAnyOrderElementsOf(crlUrls);

        String duplicates = sql(
                1,
                "SELECT COUNT(*) FROM (SELECT serial_hex FROM eidpki.certificate"
                        + " GROUP BY ca_name, serial_hex HAVING COUNT(*) > 1) d");
        assertThat(duplicates.strip()).as("duplicate serials").isEqualTo("0");
        String unstored = sql(
                1,
                "SELECT COUNT(*) FROM eidpki.certificate WHERE der IS NULL AND status = 'GOOD'"
                        + " AND card_number LIKE 'DRL%'");
        line(
                "drill a: duplicate serials 0; certificates of the load without their final DER row: %s",
                unstored.strip());

        List<String> heads = new ArrayList<>();
        for (int node = 1; node <= 3; node++) {
            heads.add(sql(node, "SELECT CONCAT(last_seq, ' ', HEX(last_hash)) FROM eidpki.audit_head")
                    .strip());
        }
        line("drill a: audit head on nodes 1..3: %s", heads);
        assertThat(heads).as("the same audit head on every node").containsOnly(heads.get(0));
        Tools.Result verify = eidpkiAgainstNode(3, "audit", "verify");
        line("drill a: audit verify against node 3 alone: exit %d, %s", verify.exitCode(), firstLine(verify.stdout()));
        assertThat(verify.exitCode()).isZero();

        List<String> checksums = new ArrayList<>();
        for (int node = 1; node <= 3; node++) {
            checksums.add(sql(
                            node,
                            "CHECKSUM TABLE eidpki.certificate, eidpki.status_change, eidpki.audit_event,"
                                    + " eidpki.audit_head, eidpki.card, eidpki.crl, eidpki.idempotency_key,"
                                    + " eidpki.ocsp_response")
                    .strip());
        }
        line(
                "drill a: CHECKSUM TABLE equal on every node: %s",
                checksums.stream().distinct().count() == 1);
        assertThat(checksums).containsOnly(checksums.get(0));
    }

    /**
     * Drill g: RA, OCSP and CRL processes started at once against an empty schema, each on another
     * node: each migration applied once, no failed row.
     */
    @Test
    @Order(2)
    void g_coldStartOnAnEmptySchema() throws Exception {
        String db = "coldstart_" + Long.toHexString(System.nanoTime());
        sql(1, "CREATE DATABASE " + db + "; GRANT ALL PRIVILEGES ON " + db + ".* TO 'eidpki'@'127.0.0.1'");
        List<Process> started = new ArrayList<>();
        String[][] services = {{"ra", "1"}, {"ocsp", "2"}, {"crl", "3"}};
        for (String[] s : services) {
            List<String> cmd =
                    new ArrayList<>(List.of(repo.resolve("bin/eidpki").toString(), "serve", s[0]));
            cmd.addAll(storeArgs(Integer.parseInt(s[1]), db));
            // Any free admin port: the cluster's own ra1, ocsp1 and crl1 hold theirs (bin/cluster).
            cmd.addAll(List.of("--port", "0", "--admin-port", "0"));
            cmd.addAll(custodians());
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("coldstart-" + s[0] + ".log").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            environment(pb);
            started.add(pb.start());
        }
        // Each process migrates (or validates), then stops for want of a CA, or serves: either way
        // the schema work is over; a serving one is stopped.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        for (int k = 0; k < started.size(); k++) {
            Process p = started.get(k);
            Path log = dir.resolve("coldstart-" + services[k][0] + ".log");
            while (p.isAlive()
                    && System.nanoTime() < deadline
                    && !Files.readString(log).contains("Ctrl-C to stop")) {
                Thread.sleep(250);
            }
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            line("drill g: serve %s on node %s: %s", services[k][0], services[k][1], lastLine(log));
        }
        for (int node = 1; node <= 3; node++) {
            String[] f = sql(
                            node,
                            "SELECT COUNT(*), COUNT(DISTINCT version), COALESCE(SUM(success = 0), 0) FROM " + db
                                    + ".flyway_schema_history WHERE version IS NOT NULL AND version <> '0'")
                    .strip()
                    .split("\t");
            line("drill g: node %d: %s migrations recorded, %s distinct, %s failed", node, f[0], f[1], f[2]);
            assertThat(f[0]).isEqualTo(f[1]);
            assertThat(f[2]).isEqualTo("0");
            assertThat(Integer.parseInt(f[0])).isGreaterThanOrEqualTo(10);
        }
    }

    /**
     * Drill c: kill -9 of an OCSP process under OCSP load through HAProxy (the failures a client
     * sees are counted), and of an RA process while issuing with Idempotency-Keys (a client that
     * retries with its key gets the same certificate or a clear error, never two certificates).
     */
    @Test
    @Order(3)
    void c_killAnOcspAndAnRaProcess() throws Exception {
        List<String> good = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String card = "OCSPC" + i + "Z" + base / 100;
            register(card, 300_000 + i);
            good.add(issue(card));
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong answers = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Future<?> ocspLoad = pool.submit(() -> {
            while (!stop.get()) {
                try {
                    if ("GOOD"
                            .equals(ocsp(
                                    httpPort,
                                    good.get(ThreadLocalRandom.current().nextInt(good.size()))))) {
                        answers.incrementAndGet();
                    } else {
                        failures.incrementAndGet();
                    }
                } catch (Exception e) {
                    failures.incrementAndGet();
                }
            }
            return null;
        });
        // Issuance with Idempotency-Keys while ra1 dies: four clients, each with its own connection,
        // which HAProxy spreads over ra1 and ra2, so that requests are in flight on ra1 when it dies.
        Map<String, String> serialByKey = new ConcurrentHashMap<>();
        Map<String, String> cardByKey = new ConcurrentHashMap<>();
        Map<String, byte[]> csrByKey = new ConcurrentHashMap<>();
        AtomicLong raRetries = new AtomicLong();
        AtomicLong raReplays = new AtomicLong();
        AtomicLong raGaveUp = new AtomicLong();
        List<Future<?>> raLoad = new ArrayList<>();
        ExecutorService issuers = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            int thread = t;
            HttpClient client = operatorClient(dir.resolve("data/demo"), "demo-officer");
            raLoad.add(issuers.submit(() -> {
                int n = 0;
                while (!stop.get()) {
                    String card = "IDEMC" + thread + "N" + (n++) + "Z" + base / 100;
                    String key = "drill-c-" + card;
                    try {
                        register(card, 400_000 + thread * 10_000 + n);
                    } catch (IOException e) {
                        continue; // not registered: no issuance to check
                    }
                    byte[] csr = csr();
                    cardByKey.put(key, card);
                    csrByKey.put(key, csr);
                    for (int attempt = 1; ; attempt++) {
                        try {
                            HttpResponse<String> r = ra(
                                    client,
                                    "POST",
                                    "/cards/" + card + "/certificates?profile=citizen-signature&chipUid="
                                            + chipUidOf(card),
                                    "application/pkcs10",
                                    csr,
                                    key);
                            if (r.statusCode() == 201 || r.statusCode() == 200) {
                                String serial =
                                        JSON.readTree(r.body()).get("serial").asText();
                                String before = serialByKey.putIfAbsent(key, serial);
                                assertThat(before == null ? serial : before)
                                        .as("a replay with the same key gives the same certificate")
                                        .isEqualTo(serial);
                                if (r.headers()
                                        .firstValue("Idempotency-Replayed")
                                        .isPresent()) {
                                    raReplays.incrementAndGet();
                                }
                                break;
                            }
                            if (r.statusCode() < 500 || attempt >= 6) {
                                raGaveUp.incrementAndGet();
                                break;
                            }
                        } catch (IOException e) {
                            if (attempt >= 6) {
                                raGaveUp.incrementAndGet();
                                break;
                            }
                        }
                        raRetries.incrementAndGet();
                        Thread.sleep(500);
                    }
                }
                return null;
            }));
        }
        long t0 = System.nanoTime();
        Thread.sleep(LOAD_SECONDS * 1000L / 4);
        cluster(60, "kill-service", "ocsp1");
        cluster(60, "kill-service", "ra1");
        line("drill c: kill -9 of ocsp1 and ra1 at %.0f s", secondsSince(t0));
        Thread.sleep(LOAD_SECONDS * 1000L / 2);
        cluster(300, "start-service", "ocsp1");
        cluster(300, "start-service", "ra1");
        line("drill c: ocsp1 and ra1 started again at %.0f s", secondsSince(t0));
        Thread.sleep(LOAD_SECONDS * 1000L / 4);
        stop.set(true);
        ocspLoad.get(120, TimeUnit.SECONDS);
        for (Future<?> f : raLoad) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdownNow();
        issuers.shutdownNow();
        line("drill c: OCSP through HAProxy: %d good answers, %d failed requests", answers.get(), failures.get());
        // Each key gave one certificate, and each card has exactly one certificate row.
        String cardsWithTwo = sql(
                1,
                "SELECT COUNT(*) FROM (SELECT card_number FROM eidpki.certificate WHERE card_number"
                        + " LIKE 'IDEMC%' GROUP BY card_number HAVING COUNT(*) > 1) d");
        line(
                "drill c: issuances with Idempotency-Key by 4 clients: %d certificates, %d retries, %d answered"
                        + " as replays, %d given up; cards with two certificates: %s",
                serialByKey.size(), raRetries.get(), raReplays.get(), raGaveUp.get(), cardsWithTwo.strip());
        assertThat(cardsWithTwo.strip()).isEqualTo("0");
        assertThat(serialByKey).isNotEmpty();

        // The kill rarely lands between a commit and its answer, so replays are also asked for on
        // purpose: acknowledged requests sent again, each on a new connection through HAProxy (so
        // over both RA processes, ra1 restarted), must give the stored certificate, marked a replay.
        List<String> keys = new ArrayList<>(serialByKey.keySet());
        Collections.shuffle(keys);
        int replayed = 0;
        for (String key : keys.subList(0, Math.min(8, keys.size()))) {
            String card = cardByKey.get(key);
            HttpResponse<String> r = ra(
                    operatorClient(dir.resolve("data/demo"), "demo-officer"),
                    "POST",
                    "/cards/" + card + "/certificates?profile=citizen-signature&chipUid=" + chipUidOf(card),
                    "application/pkcs10",
                    csrByKey.get(key),
                    key);
            assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
            assertThat(JSON.readTree(r.body()).get("serial").asText())
                    .as("the replay of %s", key)
                    .isEqualTo(serialByKey.get(key));
            assertThat(r.headers().firstValue("Idempotency-Replayed"))
                    .as("marked a replay")
                    .isPresent();
            replayed++;
        }
        line(
                "drill c: %d acknowledged issuances sent again with their keys: each answered with its stored"
                        + " certificate as a replay",
                replayed);
    }

    /**
     * Drill d: kill -9 of the lease holders (the OCSP updater's and the CRL publisher's): another
     * process takes each lease over within the lease time plus a round.
     */
    @Test
    @Order(4)
    void d_killTheLeaseHolders() throws Exception {
        // The short form kills the OCSP updater's holder (10 s lease); the long form also the CRL
        // publisher's (30 s lease).
        String[][] leases = LONG
                ? new String[][] {{"ocsp_updater_lease", "ocsp", "10"}, {"crl_publisher_lease", "crl", "30"}}
                : new String[][] {{"ocsp_updater_lease", "ocsp", "10"}};
        for (String[] lease : leases) {
            String owner = waitForOwner(lease[0], null);
            int port = Integer.parseInt(owner.substring(owner.lastIndexOf(':') + 1));
            int index = port - base - (lease[1].equals("ocsp") ? 50 : 60);
            String victim = lease[1] + index;
            long t0 = System.nanoTime();
            cluster(60, "kill-service", victim);
            String next = waitForOwner(lease[0], owner);
            double took = secondsSince(t0);
            line(
                    "drill d: %s held by %s: kill -9, taken over by %s after %.1f s (lease %s s)",
                    lease[0], victim, next.substring(next.lastIndexOf(':') + 1), took, lease[2]);
            assertThat(took)
                    .as("takeover within lease + round (+ 15 s for this shared machine)")
                    .isLessThan(Integer.parseInt(lease[2]) + 1 + 15);
            cluster(300, "start-service", victim);
        }
    }

    private static String waitForOwner(String table, String not) throws InterruptedException {
        for (int i = 0; i < 240; i++) {
            String o = sql(1, "SELECT COALESCE(owner, '') FROM eidpki." + table + " WHERE id = 1")
                    .strip();
            if (!o.isEmpty() && !o.equals(not)) {
                return o;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(table + ": no new owner");
    }

    /**
     * Not a drill: the OCSP GET rate through HAProxy against the same requests sent straight to one
     * OCSP process, measured in the same run (BENCHMARKS.md records it; nothing is asserted about
     * speed).
     */
    @Test
    @Order(5)
    void h_ocspGetsThroughHaproxyAgainstDirect() throws Exception {
        // Drill a already asks HAProxy for OCSP GETs; this is only a measurement (bin/test's time).
        Assumptions.assumeTrue(Boolean.getBoolean("drill.bench"), "on demand: bin/drill bench");
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String card = "BENCH" + i + "Z" + base / 100;
            register(card, 500_000 + i);
            urls.add(ocspGetPath(issue(card)));
        }
        int seconds = Integer.getInteger("drill.bench.seconds", 5);
        int threads = 4;
        for (int round = 0; round < 2; round++) {
            double viaHaproxy = getRate(httpPort, urls, threads, seconds);
            double direct = getRate(base + 51, urls, threads, seconds);
            line(
                    "bench: OCSP GET, %d client threads, %d s each: through HAProxy %.0f/s, straight to ocsp1 %.0f/s (%.2fx)",
                    threads, seconds, viaHaproxy, direct, viaHaproxy / direct);
        }
    }

    /**
     * Drill b: a database node cut off from the others. First with {@code gmcast.isolate} (the node
     * still answers its clients, so ocsp1 on it must answer nothing it cannot vouch for: no good for
     * a certificate revoked on the primary component), then with SIGSTOP (the node answers nothing:
     * the clients' timeouts and the failover). Afterwards every acknowledged change is on every node
     * and answered by both OCSP nodes. Long form only ({@code bin/drill b}).
     */
    @Test
    @Order(6)
    void b_aNodeCutOffFromTheOthers() throws Exception {
        Assumptions.assumeTrue(LONG || Boolean.getBoolean("drill.b"), "long form only: bin/drill b");
        // ocsp1 uses database node 2 first (bin/cluster's placement); node 2 is cut off.
        int ocsp1 = base + 51;
        List<String> serials = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String card = "ISOL" + i + "Z" + base / 100;
            register(card, 350_000 + i);
            serials.add(issue(card));
        }
        Thread.sleep(2_000);
        for (String serial : serials) {
            assertThat(ocsp(ocsp1, serial)).as("pre-warmed on ocsp1").isEqualTo("GOOD");
        }
        // A third OCSP process whose JDBC URL names node 2 alone: it cannot fail over, so it shows
        // what a responder on the cut-off node answers from what it holds.
        int pinned = freePort();
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("bin/eidpki").toString(), "serve", "ocsp"));
        cmd.addAll(storeArgs(2, "eidpki"));
        cmd.addAll(List.of("--port", Integer.toString(pinned), "--admin-port", "0"));
        cmd.addAll(custodians());
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("ocsp-pinned.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        environment(pb);
        Process pinnedProcess = pb.start();
        try {
            aNodeCutOffFromTheOthers(serials, pinned);
        } finally {
            pinnedProcess.descendants().forEach(ProcessHandle::destroy);
            pinnedProcess.destroy();
            pinnedProcess.waitFor(30, TimeUnit.SECONDS);
            pinnedProcess.descendants().forEach(ProcessHandle::destroyForcibly);
            pinnedProcess.destroyForcibly();
        }
    }

    private void aNodeCutOffFromTheOthers(List<String> serials, int pinned) throws Exception {
        int ocsp1 = base + 51;
        for (int i = 0;
                i < 240 && !Files.readString(dir.resolve("ocsp-pinned.log")).contains("Ctrl-C to stop");
                i++) {
            Thread.sleep(500);
        }
        for (String serial : serials) {
            assertThat(ocsp(pinned, serial))
                    .as("pre-warmed on the pinned responder")
                    .isEqualTo("GOOD");
        }
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        serials.forEach(x -> acknowledged.put(x, "GOOD"));

        // 1. gmcast.isolate: ocsp1 keeps being asked while three certificates are revoked elsewhere.
        cluster(60, "isolate-node", "2");
        long t0 = System.nanoTime();
        line("drill b: database node 2 isolated (gmcast.isolate=1)");
        Map<String, Long> revokedAt = new ConcurrentHashMap<>();
        Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
        AtomicLong staleGood = new AtomicLong();
        AtomicLong goodWithinPromise = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> askers = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int port = t == 0 ? pinned : ocsp1;
            String name = t == 0 ? "pinned" : "ocsp1";
            askers.add(pool.submit(() -> {
                while (!stop.get()) {
                    for (String serial : serials.subList(0, 3)) {
                        long asked = System.nanoTime();
                        String answer;
                        try {
                            answer = ocsp(port, serial);
                        } catch (Exception e) {
                            answer = e.getClass().getSimpleName();
                        }
                        answers.computeIfAbsent(name + " " + answer, k -> new AtomicLong())
                                .incrementAndGet();
                        Long revoked = revokedAt.get(serial);
                        if ("GOOD".equals(answer) && revoked != null && asked > revoked) {
                            // The promise is revoked answers within a second of the acknowledgement.
                            boolean stale = asked - revoked > SERVED_WITHIN.toNanos();
                            (stale ? staleGood : goodWithinPromise).incrementAndGet();
                            System.err.println("drill b: " + name + " answered good for " + serial + " revoked "
                                    + (asked - revoked) / 1_000_000 + " ms before it was asked");
                        }
                    }
                }
                return null;
            }));
        }
        Map<String, AtomicLong> raOutcomes = new ConcurrentHashMap<>();
        for (String serial : serials.subList(0, 3)) {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!acknowledged.get(serial).equals("REVOKED") && System.nanoTime() < until) {
                String outcome;
                try {
                    HttpResponse<String> r = change(serial, "revoke");
                    outcome = "revoke " + r.statusCode();
                    if (r.statusCode() == 200 || r.statusCode() == 409) {
                        // 409: an earlier attempt whose answer was lost had revoked it already.
                        if (r.statusCode() == 200 || "REVOKED".equals(statusThroughRa(serial))) {
                            revokedAt.put(serial, System.nanoTime());
                            acknowledged.put(serial, "REVOKED");
                        }
                    }
                } catch (IOException e) {
                    outcome = "revoke " + e.getClass().getSimpleName();
                }
                raOutcomes.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
                if (!acknowledged.get(serial).equals("REVOKED")) {
                    Thread.sleep(500);
                }
            }
            assertThat(acknowledged.get(serial)).as("revoked through HAProxy").isEqualTo("REVOKED");
        }
        line(
                "drill b: 3 revocations acknowledged through HAProxy %.1f s after the isolation; RA outcomes %s",
                secondsSince(t0), new TreeMap<>(raOutcomes));
        String isolated = cluster(
                60,
                "sql",
                "2",
                "SHOW STATUS WHERE Variable_name IN ('wsrep_cluster_status', 'wsrep_ready',"
                        + " 'wsrep_local_state_comment')");
        line("drill b: node 2 while isolated: %s", isolated.strip().replaceAll("\\s+", " "));
        try {
            sql(2, "SELECT COUNT(*) FROM eidpki.certificate");
            line("drill b: node 2 while isolated answered a causal read");
        } catch (IllegalStateException refused) {
            String m = refused.getMessage();
            line(
                    "drill b: node 2 while isolated refuses reads: %s",
                    m.contains("ERROR") ? m.substring(m.indexOf("ERROR")).strip() : firstLine(m));
        }
        Thread.sleep(Integer.getInteger("drill.isolated.seconds", 20) * 1000L);
        stop.set(true);
        for (Future<?> f : askers) {
            f.get(120, TimeUnit.SECONDS);
        }
        line(
                "drill b: ocsp1 (node 2 first, then the others) and a responder on node 2 alone, asked about them"
                        + " for %.0f s: answers %s; good within 1 s of the acknowledged revocation: %d, later: %d",
                secondsSince(t0), new TreeMap<>(answers), goodWithinPromise.get(), staleGood.get());
        for (String serial : serials.subList(0, 3)) {
            assertThat(ocsp(base + 52, serial))
                    .as("ocsp2 on the primary component")
                    .isEqualTo("REVOKED");
        }
        assertThat(staleGood.get())
                .as("stale good answers from the isolated node")
                .isZero();

        long join = System.nanoTime();
        cluster(60, "join-node", "2");
        waitForSynced(2);
        line("drill b: node 2 rejoined (gmcast.isolate=0), Synced after %.1f s", secondsSince(join));

        // 2. SIGSTOP: the node answers nothing; suspend/resume and OCSP through HAProxy go on.
        cluster(60, "stop-node", "2");
        long stopped = System.nanoTime();
        line("drill b: database node 2 stopped (SIGSTOP)");
        Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
        AtomicLong ocspGets = new AtomicLong();
        AtomicLong ocspFailures = new AtomicLong();
        AtomicBoolean halt = new AtomicBoolean();
        List<String> changing = serials.subList(3, 6);
        List<Future<?>> load = new ArrayList<>();
        load.add(pool.submit(() -> {
            int n = 0;
            while (!halt.get()) {
                String serial = changing.get(n++ % changing.size());
                String op = acknowledged.get(serial).equals("HOLD") ? "resume" : "suspend";
                String outcome;
                try {
                    HttpResponse<String> r = change(serial, op);
                    outcome = op + " " + r.statusCode();
                    if (r.statusCode() == 200) {
                        acknowledged.put(serial, op.equals("suspend") ? "HOLD" : "GOOD");
                    } else {
                        acknowledged.put(serial, statusThroughRa(serial));
                    }
                } catch (IOException e) {
                    outcome = op + " " + e.getClass().getSimpleName();
                    try {
                        acknowledged.put(serial, statusThroughRa(serial));
                    } catch (IOException again) {
                        halt.set(halt.get()); // read again after the next change
                    }
                }
                outcomes.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
            }
            return null;
        }));
        load.add(pool.submit(() -> {
            while (!halt.get()) {
                try {
                    String answered = ocsp(httpPort, serials.get(0));
                    ocspGets.incrementAndGet();
                    if (!"REVOKED".equals(answered)) {
                        ocspFailures.incrementAndGet();
                    }
                } catch (Exception e) {
                    ocspFailures.incrementAndGet();
                }
            }
            return null;
        }));
        Thread.sleep(Integer.getInteger("drill.stopped.seconds", 40) * 1000L);
        halt.set(true);
        for (Future<?> f : load) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdownNow();
        line(
                "drill b: %.0f s with node 2 stopped: RA outcomes %s; OCSP through HAProxy %d answers, %d failed or"
                        + " not revoked",
                secondsSince(stopped), new TreeMap<>(outcomes), ocspGets.get(), ocspFailures.get());
        long resumed = System.nanoTime();
        cluster(60, "cont-node", "2");
        Thread.sleep(3_000); // let the node's own timers notice what happened meanwhile
        waitForSynced(2);
        line("drill b: node 2 resumed (SIGCONT), Synced after %.1f s", secondsSince(resumed));
        waitForEmptyReceiveQueues();
        assertAcknowledgedEverywhere("drill b", acknowledged);

        // 3. No quorum: nodes 2 and 3 stopped, node 1 alone leaves the primary component. A command
        // against node 1 is refused in one line (exit 2), not with a stack trace.
        cluster(60, "stop-node", "2");
        cluster(60, "stop-node", "3");
        try {
            Thread.sleep(10_000);
            long asked = System.nanoTime();
            Tools.Result r = eidpkiAgainstNode(1, "audit", "verify");
            line(
                    "drill b: nodes 2 and 3 stopped, node 1 alone: `audit verify` against node 1 exit %d after %.1f s: %s",
                    r.exitCode(), secondsSince(asked), firstLine(r.stderr()));
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.stderr().strip()).as("one line").doesNotContain("\n").startsWith("eidpki: ");
        } finally {
            cluster(60, "cont-node", "2");
            cluster(60, "cont-node", "3");
        }
        Thread.sleep(3_000);
        long regroup = System.nanoTime();
        for (int node = 1; node <= 3; node++) {
            waitForSynced(node);
        }
        line("drill b: nodes 2 and 3 resumed: a primary component of 3 again after %.1f s", secondsSince(regroup));
    }

    /**
     * Drill e: a lagging node. {@code FLUSH TABLES WITH READ LOCK} is held on the node of the CRL
     * publisher's lease holder (and of ocsp2) for longer than the publisher's 5-minute margin while
     * certificates are revoked through the RA: no revocation is missing from the next delta CRL
     * published after it was acknowledged, and none is answered good by either OCSP process. Long
     * form only ({@code bin/drill e}).
     */
    @Test
    @Order(7)
    void e_aLaggingNode() throws Exception {
        Assumptions.assumeTrue(LONG || Boolean.getBoolean("drill.e"), "long form only: bin/drill e");
        int lagSeconds = Integer.getInteger("drill.lag.seconds", 330);
        // Put the CRL publisher's lease on crl1, which uses database node 3 like ocsp2.
        String owner = waitForOwner("crl_publisher_lease", null);
        if (!owner.endsWith(":" + (base + 61))) {
            cluster(60, "kill-service", "crl2");
            owner = waitForOwner("crl_publisher_lease", owner);
            cluster(300, "start-service", "crl2");
        }
        line("drill e: the CRL publisher's lease is held by crl1 (database node 3, like ocsp2)");
        List<String> serials = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String card = "LAG" + i + "Z" + base / 100;
            register(card, 460_000 + i);
            serials.add(issue(card));
        }
        Thread.sleep(2_000);
        for (String serial : serials) {
            assertThat(ocsp(base + 52, serial)).as("pre-warmed on ocsp2").isEqualTo("GOOD");
        }

        ProcessBuilder lock = new ProcessBuilder(
                        repo.resolve("bin/cluster").toString(),
                        "sql",
                        "3",
                        "FLUSH TABLES WITH READ LOCK; SELECT SLEEP(" + lagSeconds + "); UNLOCK TABLES",
                        "--dir",
                        dir.toString(),
                        "--base-port",
                        Integer.toString(base))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("drill-e-lock.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        environment(lock);
        Process holder = lock.start();
        long t0 = System.nanoTime();
        Thread.sleep(5_000);
        line(
                "drill e: FLUSH TABLES WITH READ LOCK held on node 3 for %d s; node 3 state: %s",
                lagSeconds, firstLine(cluster(60, "sql", "3", "SHOW STATUS LIKE 'wsrep_local_state_comment'")));

        Map<String, Long> revokedAt = new ConcurrentHashMap<>();
        Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
        AtomicLong staleGood = new AtomicLong();
        AtomicLong goodWithinPromise = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<?>> askers = new ArrayList<>();
        for (int port : new int[] {base + 51, base + 52, httpPort}) {
            askers.add(pool.submit(() -> {
                while (!stop.get()) {
                    for (String serial : serials) {
                        long asked = System.nanoTime();
                        String answer;
                        try {
                            answer = ocsp(port, serial);
                        } catch (Exception e) {
                            answer = e.getClass().getSimpleName();
                        }
                        String name = port == httpPort ? "haproxy" : "ocsp" + (port - base - 50);
                        answers.computeIfAbsent(name + " " + answer, k -> new AtomicLong())
                                .incrementAndGet();
                        Long revoked = revokedAt.get(serial);
                        if ("GOOD".equals(answer) && revoked != null && asked > revoked) {
                            boolean stale = asked - revoked > SERVED_WITHIN.toNanos();
                            (stale ? staleGood : goodWithinPromise).incrementAndGet();
                            System.err.println("drill e: " + name + " answered good for " + serial + " revoked "
                                    + (asked - revoked) / 1_000_000 + " ms before it was asked");
                        }
                    }
                    Thread.sleep(200);
                }
                return null;
            }));
        }
        // One revocation now, one each later during the lag; each must reach the next delta CRL.
        List<String> delays = new ArrayList<>();
        for (int k = 0; k < serials.size(); k++) {
            if (k > 0) {
                Thread.sleep(Math.max(1, (lagSeconds - 90) / (serials.size() - 1)) * 1000L);
            }
            String serial = serials.get(k);
            HttpResponse<String> r = change(serial, "revoke");
            assertThat(r.statusCode()).as("revoke %s: %s", serial, r.body()).isEqualTo(200);
            long acked = System.nanoTime();
            Instant ackedAt = Instant.now();
            revokedAt.put(serial, acked);
            String partition = sql(
                            1,
                            "SELECT crl_partition FROM eidpki.certificate WHERE ca_name = 'citizen-ca' AND serial_hex = '"
                                    + serial + "'")
                    .strip();
            X509CRLHolder delta = nextCrl(partition, true, ackedAt, Duration.ofSeconds(lagSeconds + 120));
            boolean listed = delta.getRevokedCertificate(new BigInteger(serial, 16)) != null;
            delays.add(String.format("%.0f s", secondsSince(acked)));
            line(
                    "drill e: %s revoked at %.0f s of the lag; the next delta of partition %s (thisUpdate %s) %s it",
                    serial,
                    (acked - t0) / 1e9,
                    partition,
                    delta.getThisUpdate().toInstant(),
                    listed ? "lists" : "DOES NOT list");
            assertThat(listed).as("revocation of %s in the next delta", serial).isTrue();
        }
        holder.waitFor(lagSeconds + 60, TimeUnit.SECONDS);
        holder.destroyForcibly();
        line("drill e: the lock on node 3 was released after %.0f s", secondsSince(t0));
        Thread.sleep(5_000);
        stop.set(true);
        for (Future<?> f : askers) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdownNow();
        line("drill e: revocation to the next delta CRL: %s", delays);
        line("drill e: OCSP answers about the revoked certificates: %s", new TreeMap<>(answers));
        line(
                "drill e: good answered within 1 s of an acknowledged revocation: %d, later: %d",
                goodWithinPromise.get(), staleGood.get());
        assertThat(staleGood.get()).isZero();
        waitForSynced(3);
        waitForEmptyReceiveQueues();
        Map<String, String> acknowledged = new LinkedHashMap<>();
        serials.forEach(x -> acknowledged.put(x, "REVOKED"));
        assertAcknowledgedEverywhere("drill e", acknowledged);
    }

    /** The first CRL (delta or full) of a citizen-ca partition whose thisUpdate is after {@code after}. */
    private static X509CRLHolder nextCrl(String partition, boolean delta, Instant after, Duration within)
            throws Exception {
        URI uri = URI.create(
                "http://127.0.0.1:" + httpPort + "/crl/citizen-ca/" + partition + (delta ? "-delta" : "") + ".crl");
        long until = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < until) {
            try {
                HttpResponse<byte[]> r = PLAIN.send(
                        HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(20))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() == 200) {
                    X509CRLHolder crl = new X509CRLHolder(r.body());
                    // thisUpdate has whole seconds: one in the second of the acknowledgement may be older.
                    if (!crl.getThisUpdate()
                            .toInstant()
                            .isBefore(after.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1))) {
                        return crl;
                    }
                }
            } catch (IOException e) {
                // HAProxy or a publisher between two states: ask again
            }
            Thread.sleep(1_000);
        }
        throw new AssertionError(
                "no " + (delta ? "delta" : "full") + " CRL of partition " + partition + " published after " + after);
    }

    /**
     * Waits until the node is Synced in a primary component of 3 and answers a causal read. Right
     * after SIGCONT a node still believes in the view it had when it stopped, and says Synced until
     * its own timers tell it that it was evicted; a causal read needs the group, so it proves that the
     * node is back.
     */
    private static void waitForSynced(int node) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            try {
                String st = cluster(
                        60,
                        "sql",
                        Integer.toString(node),
                        "SHOW STATUS WHERE Variable_name IN ('wsrep_local_state_comment', 'wsrep_cluster_size',"
                                + " 'wsrep_cluster_status')");
                if (st.contains("Synced")
                        && st.contains("Primary")
                        && st.matches("(?s).*wsrep_cluster_size\\s+3\\b.*")) {
                    sql(node, "SELECT COUNT(*) FROM eidpki.status_change");
                    return;
                }
            } catch (IllegalStateException notYet) {
                // the node is still joining, or its causal read timed out
            }
            Thread.sleep(500);
        }
        throw new AssertionError("node " + node + " did not return to Synced");
    }

    /** Every acknowledged state stored on every node and answered by both OCSP processes. */
    private static void assertAcknowledgedEverywhere(String drill, Map<String, String> acknowledged) throws Exception {
        long mismatches = 0;
        for (int node = 1; node <= 3; node++) {
            Map<String, String> stored = statuses(node);
            for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                if (!e.getValue().equals(stored.get(e.getKey()))) {
                    mismatches++;
                    System.err.println(drill + ": node " + node + ": " + e.getKey() + " acknowledged " + e.getValue()
                            + ", stored " + stored.get(e.getKey()));
                }
            }
        }
        Thread.sleep(3_000);
        long ocspMismatch = 0;
        for (int ocspNode = 1; ocspNode <= 2; ocspNode++) {
            for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                String answered = ocsp(base + 50 + ocspNode, e.getKey());
                if (!e.getValue().equals(answered)) {
                    ocspMismatch++;
                    System.err.println(drill + ": ocsp" + ocspNode + ": " + e.getKey() + " acknowledged " + e.getValue()
                            + ", answered " + answered);
                }
            }
        }
        line(
                "%s: %d acknowledged states checked on 3 nodes: %d missing; answered differently by the 2 OCSP"
                        + " processes: %d",
                drill, acknowledged.size(), mismatches, ocspMismatch);
        assertThat(mismatches).isZero();
        assertThat(ocspMismatch).isZero();
    }

    /**
     * Not a drill: the cluster's figures for BENCHMARKS.md ({@code bin/drill bench}, which runs the
     * single-server issuance benchmark in the same command): issuances/s through HAProxy, the time
     * from an acknowledged revocation to the revoked answer on both OCSP processes (on different
     * database nodes), and from a revocation to the next delta CRL that lists it. Nothing about
     * speed is asserted; every revocation must show up (else the figure would be a lie).
     */
    @Test
    @Order(8)
    void i_clusterBenchmarks() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("drill.bench"), "on demand: bin/drill bench");
        int seconds = Integer.getInteger("drill.bench.seconds", 20);
        for (int clients : new int[] {4, 8}) {
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            AtomicLong errors = new AtomicLong();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < clients; t++) {
                int thread = t;
                fs.add(pool.submit(() -> {
                    int n = 0;
                    while (System.nanoTime() < end) {
                        String card = "RATE" + clients + "T" + thread + "N" + n + "Z" + base / 100;
                        try {
                            register(card, 700_000 + clients * 100_000 + thread * 10_000 + n++);
                            long t0 = System.nanoTime();
                            issue(card);
                            latencies.add(System.nanoTime() - t0);
                        } catch (IOException e) {
                            errors.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            pool.shutdown();
            List<Long> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            line(
                    "bench: issuance through HAProxy (card registration not counted), %d clients, %d s: %.1f"
                            + " issuances/s, p50 %.0f ms, p99 %.0f ms, %d errors",
                    clients,
                    seconds,
                    sorted.size() / (double) seconds,
                    percentile(sorted, 50) / 1e6,
                    percentile(sorted, 99) / 1e6,
                    errors.get());
        }

        int samples = Integer.getInteger("drill.bench.revocations", 60);
        List<String> serials = issueMany("R2S", samples, 900_000);
        Thread.sleep(2_000);
        for (String serial : serials) {
            assertThat(ocsp(base + 51, serial)).isEqualTo("GOOD");
            assertThat(ocsp(base + 52, serial)).isEqualTo("GOOD");
        }
        List<Long> toServed = new ArrayList<>();
        List<Long> toDelta = new ArrayList<>();
        for (String serial : serials) {
            String partition = sql(
                            1,
                            "SELECT crl_partition FROM eidpki.certificate WHERE ca_name = 'citizen-ca' AND serial_hex = '"
                                    + serial + "'")
                    .strip();
            HttpResponse<String> r = change(serial, "revoke");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            long acked = System.nanoTime();
            Instant ackedAt = Instant.now();
            boolean[] served = new boolean[2];
            long servedAt = 0;
            while (!(served[0] && served[1])) {
                for (int k = 0; k < 2; k++) {
                    if (!served[k] && ocsp(base + 51 + k, serial).equals("REVOKED")) {
                        served[k] = true;
                        servedAt = System.nanoTime();
                    }
                }
                assertThat(System.nanoTime() - acked)
                        .as("revoked answer within 60 s")
                        .isLessThan(60_000_000_000L);
            }
            toServed.add(servedAt - acked);
            // The delta CRL: every 10th revocation, since publication rounds take seconds.
            if (toDelta.size() < samples / 10 && serials.indexOf(serial) % 10 == 0) {
                X509CRLHolder delta = nextCrl(partition, true, ackedAt, Duration.ofSeconds(300));
                assertThat(delta.getRevokedCertificate(new BigInteger(serial, 16)))
                        .as("the next delta lists %s", serial)
                        .isNotNull();
                toDelta.add(System.nanoTime() - acked);
            }
        }
        Collections.sort(toServed);
        Collections.sort(toDelta);
        line(
                "bench: revocation acknowledged through HAProxy to revoked answers on both OCSP processes"
                        + " (ocsp1 on node 2, ocsp2 on node 3), %d revocations: p50 %.0f ms, p99 %.0f ms, max %.0f ms",
                toServed.size(),
                percentile(toServed, 50) / 1e6,
                percentile(toServed, 99) / 1e6,
                toServed.get(toServed.size() - 1) / 1e6);
        line(
                "bench: revocation acknowledged to the next delta CRL listing it (through HAProxy), %d revocations:"
                        + " p50 %.1f s, p99 %.1f s, max %.1f s",
                toDelta.size(),
                percentile(toDelta, 50) / 1e9,
                percentile(toDelta, 99) / 1e9,
                toDelta.get(toDelta.size() - 1) / 1e9);
    }

    /** The nearest-rank percentile of sorted values. */
    private static double percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    private static String ocspGetPath(String serialHex) throws Exception {
        DigestCalculatorProvider digests = new JcaDigestCalculatorProviderBuilder().build();
        CertificateID id = new CertificateID(
                digests.get(CertificateID.HASH_SHA1),
                new X509CertificateHolder(citizenCa.getEncoded()),
                new BigInteger(serialHex, 16));
        byte[] der = new OCSPReqBuilder().addRequest(id).build().getEncoded();
        return "/ocsp/" + URLEncoder.encode(Base64.getEncoder().encodeToString(der), StandardCharsets.US_ASCII);
    }

    private static double getRate(int port, List<String> paths, int threads, int seconds) throws Exception {
        AtomicLong ok = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            fs.add(pool.submit(() -> {
                HttpClient client = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .build();
                int i = 0;
                while (System.nanoTime() < end) {
                    HttpRequest get = HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + port + paths.get(i++ % paths.size())))
                            .timeout(Duration.ofSeconds(10))
                            .build();
                    HttpResponse<byte[]> r = client.send(get, HttpResponse.BodyHandlers.ofByteArray());
                    if (r.statusCode() == 200) {
                        ok.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdownNow();
        return ok.get() / (double) seconds;
    }

    // ---- the topology ----

    private static String cluster(int timeoutSeconds, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(repo.resolve("bin/cluster").toString());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--dir", dir.toString(), "--base-port", Integer.toString(base)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        environment(pb);
        try {
            Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("bin/cluster " + List.of(args) + " timed out");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("bin/cluster " + List.of(args) + " failed: " + text.strip());
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void environment(ProcessBuilder pb) {
        Map<String, String> env = pb.environment();
        // The cluster's tokens live in its own data directory: bin/eidpki writes its SoftHSM2
        // configuration there on first use when SOFTHSM2_CONF is unset. Once written it is named
        // here, because Tools.run adds to this JVM's environment, which has the tests' own.
        Path softhsm = dir.resolve("data/softhsm/softhsm2.conf");
        if (Files.exists(softhsm)) {
            env.put("SOFTHSM2_CONF", softhsm.toString());
        } else {
            env.remove("SOFTHSM2_CONF");
        }
        env.put("EIDPKI_NO_BUILD", "1"); // the reactor built the launcher already
        env.put("EIDPKI_SCRYPT_LOG2N", "10");
        env.put("EIDPKI_CLUSTER_HTTP_PORT", Integer.toString(httpPort));
        env.put("EIDPKI_CLUSTER_RA_PORT", Integer.toString(raPort));
        env.put("EIDPKI_DATA", dir.resolve("data").toString());
    }

    private static String sql(int node, String statement) {
        return cluster(120, "sql", Integer.toString(node), "SET SESSION wsrep_sync_wait = 1; " + statement);
    }

    private static List<String> storeArgs(int node, String database) throws IOException {
        return List.of(
                "--data-dir",
                dir.resolve("data").toString(),
                "--jdbc-url",
                "jdbc:mariadb://127.0.0.1:" + (base + node) + "/" + database,
                "--db-user",
                "eidpki",
                "--db-password-file",
                dir.resolve("db-password").toString());
    }

    private static List<String> custodians() {
        Path c = dir.resolve("data/demo-custodians");
        return List.of(
                "--custodian", "alice:" + c.resolve("alice.pass"), "--custodian", "bob:" + c.resolve("bob.pass"));
    }

    private static Tools.Result eidpkiAgainstNode(int node, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("bin/eidpki").toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(storeArgs(node, "eidpki"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        environment(pb);
        return Tools.run(cmd, pb.environment(), null, dir, Duration.ofMinutes(3));
    }

    private static void waitForEmptyReceiveQueues() throws InterruptedException {
        for (int i = 0; i < 240; i++) {
            boolean empty = true;
            for (int node = 1; node <= 3; node++) {
                String q = cluster(60, "sql", Integer.toString(node), "SHOW STATUS LIKE 'wsrep_local_recv_queue'");
                empty &= q.strip().endsWith("\t0");
            }
            if (empty) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("wsrep_local_recv_queue did not drain");
    }

    private static Map<String, String> statuses(int node) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String row : sql(node, "SELECT serial_hex, status FROM eidpki.certificate WHERE ca_name = 'citizen-ca'")
                .split("\n")) {
            String[] f = row.strip().split("\t");
            if (f.length == 2) {
                out.put(f[0], f[1]);
            }
        }
        return out;
    }

    // ---- the RA through HAProxy ----

    private static HttpClient operatorClient(Path where, String id) throws Exception {
        Path demo = dir.resolve("data/demo");
        char[] pass = Files.readString(where.resolve(id + ".p12.pass")).strip().toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(where.resolve(id + ".p12"))) {
            ks.load(in, pass);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pass);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        Collection<? extends java.security.cert.Certificate> anchors;
        try (InputStream in = Files.newInputStream(demo.resolve("trust.pem"))) {
            anchors = cf.generateCertificates(in);
        }
        int i = 0;
        for (java.security.cert.Certificate c : anchors) {
            trust.setCertificateEntry("anchor" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
        return HttpClient.newBuilder()
                .sslContext(tls)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    private static HttpResponse<String> ra(String method, String path, String contentType, byte[] body)
            throws IOException {
        return ra(method, path, contentType, body, null);
    }

    private static HttpResponse<String> ra(
            String method, String path, String contentType, byte[] body, String idempotencyKey) throws IOException {
        return ra(officer, method, path, contentType, body, idempotencyKey);
    }

    private static HttpResponse<String> ra(
            HttpClient client, String method, String path, String contentType, byte[] body, String idempotencyKey)
            throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + raPort + "/api/v1" + path))
                .timeout(Duration.ofSeconds(60));
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        if (body != null) {
            b.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void register(String card, int i) throws IOException {
        String chipUid = String.format("%08x", i) + "a1b2c3d4";
        CHIP_UIDS.put(card, chipUid);
        String body = JSON.writeValueAsString(Map.of(
                "cardNumber",
                card,
                "chipUid",
                chipUid,
                "nationalId",
                nationalId(i),
                "holderName",
                "Drill Holder " + i));
        HttpResponse<String> r = retryingUnavailable(
                () -> ra("POST", "/cards", "application/json", body.getBytes(StandardCharsets.UTF_8)));
        if (r.statusCode() != 201 && r.statusCode() != 200) {
            throw new IOException("register " + card + ": " + r.statusCode() + " " + r.body());
        }
    }

    private static byte[] csr() throws IOException {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair kp = g.generateKeyPair();
            return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=chip"), kp.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()))
                    .getEncoded();
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    private static String issue(String card) throws IOException {
        try {
            byte[] csr = csr();
            String chipUid = chipUidOf(card);
            HttpResponse<String> r = retryingUnavailable(() -> ra(
                    "POST",
                    "/cards/" + card + "/certificates?profile=citizen-signature&chipUid=" + chipUid,
                    "application/pkcs10",
                    csr));
            if (r.statusCode() != 201 && r.statusCode() != 200) {
                throw new IOException("issue " + card + ": " + r.statusCode() + " " + r.body());
            }
            return JSON.readTree(r.body()).get("serial").asText();
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    /** {@code count} new cards with a certificate each, through HAProxy, four at a time. */
    private static List<String> issueMany(String prefix, int count, int firstId) throws Exception {
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = i;
            fs.add(pool.submit(() -> {
                String card = prefix + n + "Z" + base / 100;
                register(card, firstId + n);
                out.add(issue(card));
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        return new ArrayList<>(out);
    }

    /**
     * Requests answered 503 store.unavailable or issuance.final-write-failed and sent again, as a
     * client would.
     */
    private static final AtomicLong UNAVAILABLE_RETRIES = new AtomicLong();

    interface RaCall {
        HttpResponse<String> send() throws IOException;
    }

    /** Sends again, after Retry-After, what was answered so (up to 5 times). */
    private static HttpResponse<String> retryingUnavailable(RaCall call) throws IOException {
        for (int attempt = 1; ; attempt++) {
            HttpResponse<String> r = call.send();
            // store.unavailable: nothing was done. issuance.final-write-failed: the signed certificate
            // could not be stored and stays revoked, never handed out; a new request issues anew.
            boolean retry = r.statusCode() == 503
                    && (r.body().contains("store.unavailable") || r.body().contains("issuance.final-write-failed"));
            if (!retry || attempt >= 5) {
                return r;
            }
            UNAVAILABLE_RETRIES.incrementAndGet();
            try {
                Thread.sleep(1000L
                        * Long.parseLong(r.headers().firstValue("Retry-After").orElse("1")));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
    }

    private static final Map<String, String> CHIP_UIDS = new ConcurrentHashMap<>();

    private static String chipUidOf(String card) {
        return CHIP_UIDS.get(card);
    }

    private static HttpResponse<String> change(String serial, String op) throws IOException {
        byte[] body = op.equals("revoke") ? "{\"reason\":\"keyCompromise\"}".getBytes(StandardCharsets.UTF_8) : null;
        return ra("POST", "/certificates/" + serial + "/" + op, "application/json", body);
    }

    private static String statusThroughRa(String serial) throws IOException {
        HttpResponse<String> r = ra("GET", "/certificates/" + serial, null, null);
        JsonNode n = JSON.readTree(r.body());
        return n.get("status").asText().toUpperCase(Locale.ROOT); // as the store spells it
    }

    // ---- OCSP ----

    private static String ocsp(int port, String serialHex) throws Exception {
        DigestCalculatorProvider digests = new JcaDigestCalculatorProviderBuilder().build();
        CertificateID id = new CertificateID(
                digests.get(CertificateID.HASH_SHA1),
                new X509CertificateHolder(citizenCa.getEncoded()),
                new BigInteger(serialHex, 16));
        OCSPReq req = new OCSPReqBuilder().addRequest(id).build();
        HttpRequest post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ocsp"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/ocsp-request")
                .POST(HttpRequest.BodyPublishers.ofByteArray(req.getEncoded()))
                .build();
        HttpResponse<byte[]> r = PLAIN.send(post, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            return "http " + r.statusCode();
        }
        OCSPResp resp = new OCSPResp(new ByteArrayInputStream(r.body()));
        if (resp.getStatus() != OCSPResp.SUCCESSFUL) {
            return "ocsp status " + resp.getStatus();
        }
        SingleResp single = ((BasicOCSPResp) resp.getResponseObject()).getResponses()[0];
        CertificateStatus st = single.getCertStatus();
        if (st == CertificateStatus.GOOD) {
            return "GOOD";
        }
        if (st instanceof RevokedStatus rs) {
            return rs.hasRevocationReason() && rs.getRevocationReason() == 6 ? "HOLD" : "REVOKED";
        }
        return st instanceof UnknownStatus ? "UNKNOWN" : st.toString();
    }

    private static final HttpClient PLAIN =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    // ---- helpers ----

    private static String cardNumber(int i) {
        return String.format("DRILL%05dB%d", i, base / 100);
    }

    /** A valid national ID (letter, sex digit, seven digits, check digit) for drill card i. */
    static String nationalId(int i) {
        String stem = "A1" + String.format("%07d", i % 10_000_000);
        for (int d = 0; d <= 9; d++) {
            try {
                NationalId.of(stem + d);
                return stem + d;
            } catch (RuntimeException notThisOne) {
                // try the next check digit
            }
        }
        throw new IllegalStateException("no check digit for " + stem);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static double secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static String lastLine(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1).strip();
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.strip().split("\n")[0];
    }

    private static void line(String format, Object... args) {
        String l = String.format(format, args);
        report.add(l);
        System.out.println(l);
    }
}
