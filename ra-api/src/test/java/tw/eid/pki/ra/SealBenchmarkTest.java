package tw.eid.pki.ra;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.bouncycastle.operator.ContentSigner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.document.SecurityObjects;
import tw.eid.pki.ca.document.seal.EcdsaSignatures;
import tw.eid.pki.ca.document.seal.SealVerifier;
import tw.eid.pki.ca.document.seal.TemporaryCertificateVerifier;
import tw.eid.pki.ca.document.seal.TemporaryCertificates;
import tw.eid.pki.ca.document.seal.VisibleDigitalSeal;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.ra.resources.TemporaryCertificatePdf;

/**
 * Issue 24's benchmark (BENCHMARKS.md "Temporary ID certificate seals"), not a test: it runs only
 * with {@code -Dbench.seal=true} and asserts nothing about speed. In one JVM, one thread, on the
 * RA fixture's SoftHSM2 token and MariaDB: raw ECDSA P-256 signatures of the seal signer's key in
 * the token, temporary certificates issued (store, token, audit) without and with the PDF, the PDF
 * alone, raw software verifications with the same key, the offline seal verification and the
 * relying party's verdict from the store; then {@code openssl speed ecdsap256} as the peer.
 * Figures: operations per second and the measuring thread's CPU-ms per operation (mysqld's CPU is
 * not in it). Written to ra-api/target/bench/seal.md.
 */
@EnabledIfSystemProperty(named = "bench.seal", matches = "true")
class SealBenchmarkTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    private static final double WINDOW = Double.parseDouble(System.getProperty("bench.window", "10"));
    private static final double WARMUP = Double.parseDouble(System.getProperty("bench.warmup", "3"));

    record Row(String what, long ops, double seconds, double cpuMs) {
        String line() {
            return String.format(Locale.ROOT, "| %s | %,.0f | %.3f |", what, ops / seconds, cpuMs / ops);
        }
    }

    @Test
    void sealsIssuedAndVerifiedBesideRawSignaturesOfTheSameKey() throws Exception {
        List<String> out = new ArrayList<>();
        try (RaFixture ra = new RaFixture(db, dir, 5)) {
            Actor officer = Actor.local("bench-officer");
            String card = ra.cardInReissue();
            TemporaryCertificates.Issued first = ra.temporary.issue(officer, card, "TPE01", null, null);
            String keyLabel = ra.sealPool.signers().stream()
                    .filter(s -> s.serialHex() != null)
                    .findFirst()
                    .orElseThrow()
                    .keyLabel();
            PublicKey publicKey =
                    SecurityObjects.publicKey(first.signerCertificate().getSubjectPublicKeyInfo());
            byte[] signed = VisibleDigitalSeal.parse(first.seal()).signedBytes();
            byte[] der = EcdsaSignatures.plainToDer(
                    VisibleDigitalSeal.parse(first.seal()).signature());
            TemporaryCertificatePdf pdf = new TemporaryCertificatePdf(TemporaryCertificatePdf.DEFAULT_FONT);
            TemporaryCertificateVerifier verifier = new TemporaryCertificateVerifier(db.database(), ra.domainClock);
            SealVerifier offline = new SealVerifier(
                    List.of(RaFixture.jdk(ra.documents.csca)),
                    SealVerifier.SignerDirectory.of(List.of(RaFixture.jdk(first.signerCertificate()))));
            java.time.LocalDate today = ra.reissues.today();
            // Every verdict checked once: the loops below measure what passes.
            assertThat(verifier.verify(first.seal()).valid()).isTrue();
            assertThat(offline.verify(first.seal(), today).valid()).isTrue();

            List<Row> rows = new ArrayList<>();
            rows.add(measure(
                    "raw: ECDSA P-256 signature of the seal key in SoftHSM2 (Token.signer, as SealSigner signs; "
                            + signed.length + " bytes)",
                    () -> {
                        try {
                            ContentSigner s = ra.caToken.signer(keyLabel);
                            s.getOutputStream().write(signed);
                            return s.getSignature();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }));
            rows.add(measure(
                    "temporary certificate issued, no PDF (2 transactions, name/ID/birth date opened in the token, seal signed and checked, audit)",
                    () -> ra.temporary.issue(officer, card, "TPE01", null, null)));
            rows.add(measure("temporary certificate issued with its PDF", () -> {
                TemporaryCertificates.Issued i = ra.temporary.issue(officer, card, "TPE01", null, null);
                return pdf.render(i.content(), i.seal());
            }));
            rows.add(measure(
                    "the PDF alone (PDFBox, font subset embedded)", () -> pdf.render(first.content(), first.seal())));
            rows.add(measure("raw: software verification with the seal key (SunEC)", () -> {
                try {
                    Signature s = Signature.getInstance("SHA256withECDSA");
                    s.initVerify(publicKey);
                    s.update(signed);
                    return s.verify(der);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
            rows.add(measure(
                    "offline verification (SealVerifier: parse, signer chain to the CSCA, signature, dates)",
                    () -> offline.verify(first.seal(), today)));
            rows.add(measure(
                    "relying party's verdict from the store (TemporaryCertificateVerifier)",
                    () -> verifier.verify(first.seal())));
            rows.add(measure("raw (again, at the end)", () -> {
                try {
                    ContentSigner s = ra.caToken.signer(keyLabel);
                    s.getOutputStream().write(signed);
                    return s.getSignature();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
            out.add("Run " + Instant.now() + ", one thread, " + WARMUP + " s warm-up and " + WINDOW
                    + " s per row; load average before: " + loadAverage());
            out.add("");
            out.add("| operation | per second | CPU-ms each (measuring thread) |");
            out.add("|---|---:|---:|");
            rows.forEach(r -> out.add(r.line()));
        }
        out.add("");
        out.add("Peer, `openssl speed -seconds 5 ecdsap256` (one process, one core):");
        out.add("");
        out.add("```");
        out.add(run("openssl", "speed", "-seconds", "5", "ecdsap256"));
        out.add("```");
        out.add("load average after: " + loadAverage());
        Path report = Path.of("target/bench/seal.md");
        Files.createDirectories(report.getParent());
        Files.write(report, out, StandardCharsets.UTF_8);
        out.forEach(System.out::println);
    }

    private static Row measure(String what, Supplier<Object> op) {
        long end = System.nanoTime() + (long) (WARMUP * 1e9);
        while (System.nanoTime() < end) {
            op.get();
        }
        long ops = 0;
        long cpu0 = CPU.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        end = t0 + (long) (WINDOW * 1e9);
        long now;
        do {
            op.get();
            ops++;
            now = System.nanoTime();
        } while (now < end);
        double seconds = (now - t0) / 1e9;
        double cpuMs = (CPU.getCurrentThreadCpuTime() - cpu0) / 1e6;
        return new Row(what, ops, seconds, cpuMs);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (Exception e) {
            return "?";
        }
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return text.lines()
                .filter(l -> !l.startsWith("Doing"))
                .reduce((a, b) -> a + "\n" + b)
                .orElse("");
    }
}
