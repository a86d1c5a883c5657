package tw.eid.pki.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code eidpki crl publish} and {@code eidpki serve crl} end to end through processes, after the
 * demo ceremony in a child JVM (as {@link ServeOcspCliTest} does): the one-off publication writes
 * the RA Operators CA's CRL into the directory; the server then serves the ceremony's offline CRLs
 * (root ARL, CSCA CRL) and the publisher's CRL at the docs/api.md paths, judged here as a relying party
 * would (status, content type, DER, issuer bytes, signature). Bad options exit 2 with one line.
 */
class ServeCrlCliTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern LISTENING = Pattern.compile("CRL publisher: http://127\\.0\\.0\\.1:(\\d+)/crl/");
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Path data;
    private static Path output;
    private static String onlineLabel;
    private static Process server;
    private static Path serverLog;
    private static String base;
    private static CliProcesses.Result publish;
    private static CliProcesses.Result sign;

    @BeforeAll
    static void ceremonyPublishAndServe() throws Exception {
        data = freshDirectory("serve-crl");
        String suffix = HexFormat.of().formatHex(RANDOM.generateSeed(4));
        onlineLabel = "crl-on-" + suffix;
        CliProcesses.Result r = CliProcesses.demoCeremony(data, "crl-off-" + suffix, onlineLabel);
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        output = data.resolve("ceremony/initial");

        publish = eidpki(
                "crl",
                "publish",
                "--data-dir",
                data.toString(),
                "--token-label",
                onlineLabel,
                "--custodian",
                custodian("alice"),
                "--custodian",
                custodian("bob"));

        sign = eidpki(
                "crl",
                "sign",
                "--issuer",
                "csca",
                "--next-update-days",
                "90",
                "--data-dir",
                data.toString(),
                "--token-label",
                "crl-off-" + suffix,
                "--custodian",
                custodian("bob"),
                "--custodian",
                custodian("carol"));

        serverLog = data.resolve("serve-crl.log");
        server = start(
                serverLog,
                "serve",
                "crl",
                "--data-dir",
                data.toString(),
                "--port",
                "0",
                "--admin-port",
                "0",
                "--token-label",
                onlineLabel,
                "--custodian",
                custodian("alice"),
                "--custodian",
                custodian("carol"));
        base = CliProcesses.awaitListening(server, serverLog, LISTENING, "serve crl");
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.destroy();
            assertThat(server.waitFor(30, TimeUnit.SECONDS))
                    .as("serve crl stops on SIGTERM")
                    .isTrue();
        }
    }

    @Test
    void crlPublishWritesTheRaOperatorsCaCrlIntoTheDirectory() throws Exception {
        assertThat(publish.exitCode()).as(publish.stdout() + publish.stderr()).isZero();
        assertThat(publish.stdout())
                .contains("/crl/ra-operators-ca.crl number ", "offline citizen-root: CRL 1", "offline csca: CRL 1");
        byte[] der = Files.readAllBytes(data.resolve("published/crl/ra-operators-ca.crl"));
        X509CRL crl = crl(der);
        crl.verify(certificate("ra-operators-ca").getPublicKey());
        assertThat(crl.getIssuerX500Principal().getEncoded())
                .isEqualTo(
                        certificate("ra-operators-ca").getSubjectX500Principal().getEncoded());
    }

    @Test
    void theServerServesTheOfflineAndOnlineCrlsAtTheApiPaths() throws Exception {
        for (String ca : List.of("citizen-root", "csca", "ra-operators-ca")) {
            HttpResponse<byte[]> r = get("/crl/" + ca + ".crl");
            assertThat(r.statusCode()).as(ca).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).as(ca).hasValue("application/pkix-crl");
            assertThat(r.headers().firstValue("etag")).as(ca).isPresent();
            assertThat(r.headers().firstValue("cache-control").orElseThrow())
                    .as(ca)
                    .contains("max-age=");
            assertThat(r.body()[0]).as(ca + ": DER").isEqualTo((byte) 0x30);
            X509CRL crl = crl(r.body());
            X509Certificate issuer = certificate(ca);
            assertThat(crl.getIssuerX500Principal().getEncoded())
                    .as(ca)
                    .isEqualTo(issuer.getSubjectX500Principal().getEncoded());
            crl.verify(issuer.getPublicKey());
            if (ca.equals("citizen-root")) {
                // The ceremony's CRL, byte for byte: the publisher serves it, it never re-signs it.
                assertThat(r.body()).as(ca).isEqualTo(Files.readAllBytes(output.resolve(ca + ".crl")));
            }
            if (ca.equals("csca")) {
                // The CSCA's second CRL, signed by `crl sign` with the offline token.
                assertThat(sign.exitCode()).as(sign.stdout() + sign.stderr()).isZero();
                assertThat(sign.stdout()).contains("csca: CRL number 2");
                assertThat(r.body()).isEqualTo(Files.readAllBytes(data.resolve("ceremony/crl/csca-2.crl")));
            }
        }
        assertThat(get("/crl/citizen-ca/1.crl").statusCode())
                .as("no citizen certificate issued: no partition")
                .isEqualTo(404);
        HttpResponse<byte[]> health = get("/health");
        assertThat(new String(health.body(), StandardCharsets.UTF_8))
                .contains("\"ca\":\"citizen-root\"", "\"ca\":\"csca\"");
    }

    @Test
    void badOptionsExitTwoWithOneLine() {
        for (String[] args : List.of(
                new String[] {"serve", "crl", "--full-days", "11", "--custodian", "alice"},
                new String[] {
                    "crl", "publish", "--delta-hours", "0", "--custodian", "alice", "--data-dir", data.toString()
                },
                new String[] {"serve", "crl", "--tls-name", "x", "--custodian", "alice"},
                new String[] {"serve", "ocsp", "--full-days", "3", "--custodian", "alice"},
                new String[] {"crl", "sign", "--issuer", "csca", "--next-update-days", "400", "--custodian", "alice"},
                new String[] {"crl"})) {
            CliProcesses.Result r = eidpki(args);
            assertThat(r.exitCode())
                    .as(String.join(" ", args) + ": " + r.stderr())
                    .isEqualTo(2);
            assertThat(r.stderr().strip().lines().count()).as(r.stderr()).isEqualTo(1);
        }
    }

    private static HttpResponse<byte[]> get(String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static X509CRL crl(byte[] der) throws Exception {
        return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
    }

    private static X509Certificate certificate(String name) throws Exception {
        try (InputStream in = Files.newInputStream(output.resolve(name + ".pem"))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    // ---------------------------------------------------------------- child processes

    private static String custodian(String name) {
        return CliProcesses.custodian(data, name);
    }

    private static CliProcesses.Result eidpki(String... args) {
        return CliProcesses.eidpki(data, args);
    }

    private static Process start(Path log, String... args) throws IOException {
        return CliProcesses.start(log, args);
    }

    private static Path freshDirectory(String name) throws IOException {
        return CliProcesses.freshDirectory(name);
    }

    private static void deleteTree(Path dir) throws IOException {
        CliProcesses.deleteTree(dir);
    }
}
