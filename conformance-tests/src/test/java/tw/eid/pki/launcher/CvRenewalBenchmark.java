package tw.eid.pki.launcher;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Security;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.cvc.AccessRight;
import tw.eid.pki.ca.cvc.AgencyAuthorizations;
import tw.eid.pki.ca.cvc.AgencyRecord;
import tw.eid.pki.ca.cvc.CertificateDescription;
import tw.eid.pki.ca.cvc.CvAuthority;
import tw.eid.pki.ca.cvc.CvPublicKey;
import tw.eid.pki.ca.cvc.CvRequest;
import tw.eid.pki.ca.cvc.CvRole;
import tw.eid.pki.ca.cvc.HolderReference;
import tw.eid.pki.ca.cvc.TerminalType;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/**
 * Issue 22's benchmark, a main ({@code conformance-tests/bench/cv.sh}): terminal certificates issued
 * per second through {@code POST /cv/terminal-renewal} (the endpoint terminals renew on; plain HTTP,
 * keep-alive, one HttpClient per client thread) with 1, 2 and 4 clients, beside raw signatures of the
 * same DV key in the token (the {@code ContentSigner} the issuance uses, over a certificate body's
 * length) with 1 and 2 threads, in one run; CPU per certificate for the JVM (server and load
 * generator together) and for mysqld (the embedded server, a child process, from /proc).
 *
 * <p>Each renewal is a whole issuance: the authenticated request parsed, its outer signature checked
 * with the current terminal certificate's key, the inner signature, the record, the DV and the key's
 * first use read from the store, the DV key's signature in the token, the certificate stored and the
 * audit event appended to the hash chain in one transaction. The requests (new key, inner and outer
 * signature) are made before the clock starts: that is the terminals' work, not ours. Package {@code
 * tw.eid.pki.launcher} because the handler is package-private.
 */
public final class CvRenewalBenchmark {
    private static final HolderReference DV = HolderReference.parse("TWDVBEN00001");
    private static final HolderReference FIRST = HolderReference.parse("TWBENCH00001");
    private static final StringBuilder OUT = new StringBuilder();

    private CvRenewalBenchmark() {}

    public static void main(String[] args) throws Exception {
        int perRun = Integer.getInteger("bench.renewals", 1500);
        double rawSeconds = Double.parseDouble(System.getProperty("bench.raw.window", "5"));
        Security.addProvider(new BouncyCastleProvider());
        Clock clock = Clock.systemUTC();
        Database database = Database.open(TestDatabase.server().settings(TestDatabase.createDatabaseName()));
        long mysqld = ProcessHandle.current()
                .descendants()
                .filter(p -> p.info()
                        .command()
                        .map(c -> c.endsWith("mysqld") || c.endsWith("mariadbd"))
                        .orElse(false))
                .mapToLong(ProcessHandle::pid)
                .findFirst()
                .orElse(-1);
        SoftHsmTestTokens.TestToken off = SoftHsmTestTokens.create("bench-cvca");
        SoftHsmTestTokens.TestToken on = SoftHsmTestTokens.create("bench-online");
        try (Token offline = off.open(clock);
                Token online = on.open(clock)) {
            CvAuthority authority = new CvAuthority(database, AuditLedger.hashChained(clock), clock);
            AgencyAuthorizations agencies = new AgencyAuthorizations(database, AuditLedger.hashChained(clock), clock);
            Actor custodians = Actor.local("custodians:bench");
            HolderReference cvca = HolderReference.parse("TWCVCABEN00001");
            authority.createCvca(custodians, offline, "cvca", cvca, TerminalType.AT, Period.ofYears(2));
            authority.certifyDv(custodians, offline, cvca, online, "dv", DV, CvRole.DV_DOMESTIC, Period.ofMonths(3));
            KeyPair current = keys();
            long record = agencies.request(
                    Actor.local("officer:bench"),
                    new AgencyRecord(
                            0,
                            "Bench Agency",
                            "Bench Act art. 1",
                            TerminalType.AT,
                            Set.of(AccessRight.READ_DG1, AccessRight.READ_DG4),
                            new byte[32],
                            new CertificateDescription("Ministry of the Interior", "Bench Agency", "Benchmark."),
                            31,
                            LocalDate.now(clock.withZone(ZoneOffset.UTC)).plusYears(1),
                            FIRST.mnemonic(),
                            AgencyRecord.Status.REQUESTED,
                            "x",
                            null),
                    CvRequest.create(DV, key(current), FIRST, null, signer(current)));
            agencies.approve(Actor.local("supervisor:bench"), record, online);

            Server server = new Server();
            ServerConnector connector = new ServerConnector(server);
            connector.setHost("127.0.0.1");
            connector.setPort(0);
            server.addConnector(connector);
            server.setHandler(new CvTerminalHandler(agencies, authority, online, new Handler.Abstract() {
                @Override
                public boolean handle(Request request, Response response, Callback callback) {
                    Response.writeError(request, response, callback, 404);
                    return true;
                }
            }));
            server.start();
            String url = "http://127.0.0.1:" + connector.getLocalPort() + CvTerminalHandler.RENEWAL;
            try {
                line("# CV terminal renewal benchmark " + Instant.now() + "; nproc "
                        + Runtime.getRuntime().availableProcessors() + "; " + perRun + " renewals per client count");
                line("");
                line("## raw DV signatures in the token (P-256, Token.signer, 200-byte body), same run");
                line("| threads | sig/s | CPU-ms/sig (JVM) |");
                line("|---:|---:|---:|");
                for (int t : new int[] {1, 2}) {
                    raw(online, t, rawSeconds);
                }
                line("");
                line("## terminal certificates through POST /cv/terminal-renewal");
                line("| clients | certificates | certificates/s | errors | CPU-ms/cert (JVM: server + load generator)"
                        + " | CPU-ms/cert (mysqld) |");
                line("|---:|---:|---:|---:|---:|---:|");
                AtomicInteger sequence = new AtomicInteger(2);
                // Warm-up, not reported.
                renewals(url, current, sequence, 200, 2, mysqld, false);
                for (int clients : new int[] {1, 2, 4}) {
                    renewals(url, current, sequence, perRun, clients, mysqld, true);
                }
            } finally {
                server.stop();
            }
        }
        database.close();
        String out = System.getProperty("bench.out");
        if (out != null) {
            Files.writeString(Path.of(out), OUT.toString());
        }
        System.exit(0);
    }

    private static void raw(Token online, int threads, double seconds) throws Exception {
        byte[] body = new byte[200];
        long end = System.nanoTime() + (long) (seconds * 1e9);
        AtomicInteger ops = new AtomicInteger();
        long cpu0 = cpu();
        long t0 = System.nanoTime();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread w = new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        ContentSigner s = online.signer("dv");
                        s.getOutputStream().write(body);
                        s.getSignature();
                        ops.incrementAndGet();
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        double cpuMs = (cpu() - cpu0) / 1e6;
        line(String.format(Locale.ROOT, "| %d | %,.0f | %.3f |", threads, ops.get() / secs, cpuMs / ops.get()));
    }

    private static void renewals(
            String url, KeyPair current, AtomicInteger sequence, int count, int clients, long mysqld, boolean report)
            throws Exception {
        List<byte[]> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            KeyPair fresh = keys();
            HolderReference chr = new HolderReference(
                    FIRST.country(), FIRST.mnemonic(), String.format(Locale.ROOT, "%05d", sequence.getAndIncrement()));
            byte[] inner = CvRequest.create(DV, key(fresh), chr, null, signer(fresh));
            requests.add(CvRequest.authenticate(inner, FIRST, key(current), signer(current)));
        }
        AtomicInteger next = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        List<String> firstError = new ArrayList<>();
        long cpu0 = cpu();
        long db0 = procCpu(mysqld);
        long t0 = System.nanoTime();
        List<Thread> workers = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            Thread w = new Thread(() -> {
                for (int i = next.getAndIncrement(); i < requests.size(); i = next.getAndIncrement()) {
                    try {
                        HttpResponse<byte[]> r = http.send(
                                HttpRequest.newBuilder(URI.create(url))
                                        .header("Content-Type", "application/octet-stream")
                                        .POST(HttpRequest.BodyPublishers.ofByteArray(requests.get(i)))
                                        .build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                        if (r.statusCode() == 201) {
                            ok.incrementAndGet();
                        } else {
                            errors.incrementAndGet();
                            synchronized (firstError) {
                                if (firstError.isEmpty()) {
                                    firstError.add(r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8));
                                }
                            }
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                }
            });
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        double cpuMs = (cpu() - cpu0) / 1e6;
        double dbMs = (procCpu(mysqld) - db0) / 1e6;
        if (report) {
            line(String.format(
                    Locale.ROOT,
                    "| %d | %d | %,.1f | %d | %.2f | %.2f |",
                    clients,
                    ok.get(),
                    ok.get() / secs,
                    errors.get(),
                    cpuMs / ok.get(),
                    dbMs / ok.get()));
        }
        if (!firstError.isEmpty()) {
            line("(first error: " + firstError.get(0) + ")");
        }
    }

    private static long cpu() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** utime + stime of a process from /proc/pid/stat, in nanoseconds (0 if unknown; 100 ticks a second). */
    private static long procCpu(long pid) {
        if (pid < 0) {
            return 0;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static void line(String s) {
        System.out.println(s);
        OUT.append(s).append('\n');
    }

    private static KeyPair keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static CvPublicKey key(KeyPair k) {
        return CvPublicKey.of(SubjectPublicKeyInfo.getInstance(k.getPublic().getEncoded()));
    }

    private static Supplier<ContentSigner> signer(KeyPair k) {
        return () -> {
            try {
                return new JcaContentSignerBuilder("SHA256withECDSA")
                        .setProvider("BC")
                        .build(k.getPrivate());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }
}
