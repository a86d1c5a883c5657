package tw.eid.pki.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code eidpki serve all} end to end through processes: after the demo ceremony and an officer's
 * certificate, one process with one activation of the online token serves the RA API (its
 * /health, to the officer's client certificate), OCSP on {@code /ocsp} and the CRLs on
 * {@code /crl/} of one plain HTTP port, and stops on SIGTERM.
 */
class ServeAllCliTest {
    private static final Pattern RA_LISTENING = Pattern.compile("RA API: https://127\\.0\\.0\\.1:(\\d+)/api/v1");
    private static final Pattern CRL_LISTENING = Pattern.compile("CRL publisher: http://127\\.0\\.0\\.1:(\\d+)/crl/");
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Path data;
    private static Path output;
    private static Process server;
    private static Path serverLog;
    private static String base;

    @BeforeAll
    static void ceremonyOfficerAndServe() throws Exception {
        data = CliProcesses.freshDirectory("serve-all");
        String onlineLabel = CliProcesses.demoCeremony(data, "all");
        output = data.resolve("ceremony/initial");
        CliProcesses.Result officer = CliProcesses.eidpki(
                data,
                "operator",
                "issue",
                "--id",
                "officer-1",
                "--office",
                "Daan Office",
                "--role",
                "officer",
                "--out",
                data.resolve("operators").toString(),
                "--data-dir",
                data.toString(),
                "--token-label",
                onlineLabel,
                "--custodian",
                custodian("alice"),
                "--custodian",
                custodian("bob"));
        assertThat(officer.exitCode()).as(officer.stdout() + officer.stderr()).isZero();

        serverLog = data.resolve("serve-all.log");
        server = CliProcesses.start(
                serverLog,
                "serve",
                "all",
                "--data-dir",
                data.toString(),
                "--ra-port",
                "0",
                "--ocsp-port",
                "0",
                "--token-label",
                onlineLabel,
                "--custodian",
                custodian("alice"),
                "--custodian",
                custodian("carol"));
        // The CRL line is printed last, once all three listen.
        base = CliProcesses.awaitListening(server, serverLog, CRL_LISTENING, "serve all");
    }

    @AfterAll
    static void stopAndCleanUp() throws Exception {
        if (server != null) {
            server.destroy();
            assertThat(server.waitFor(30, TimeUnit.SECONDS))
                    .as("serve all stops on SIGTERM")
                    .isTrue();
        }
        CliProcesses.deleteTree(data);
    }

    @Test
    void theRaApiAnswersHealthOnItsOwnPort() throws Exception {
        Matcher m = RA_LISTENING.matcher(Files.readString(serverLog));
        assertThat(m.find()).as(Files.readString(serverLog)).isTrue();
        assertThat(m.group(1))
                .isNotEqualTo("0")
                .isNotEqualTo(String.valueOf(URI.create(base).getPort()));
        Path trust = data.resolve("trust.pem");
        Files.writeString(
                trust,
                Files.readString(output.resolve("ra-operators-ca.pem"))
                        + Files.readString(output.resolve("citizen-root.pem")));
        Path operators = data.resolve("operators");
        Process curl = new ProcessBuilder(
                        "curl",
                        "-sS",
                        "-w",
                        "\\n%{http_code}",
                        "--cacert",
                        trust.toString(),
                        "--cert",
                        operators.resolve("officer-1.pem").toString(),
                        "--key",
                        operators.resolve("officer-1.key.pem").toString(),
                        "https://127.0.0.1:" + m.group(1) + "/api/v1/health")
                .redirectErrorStream(true)
                .start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(curl.exitValue()).as(out).isZero();
        assertThat(out).contains("\"up\"").endsWith("200");
    }

    @Test
    void ocspAnswersOnTheSharedPort() throws Exception {
        X509CertificateHolder ca = certificate("citizen-ca");
        X509CertificateHolder signer = certificate("citizen-ca-ocsp");
        CertificateID id = new CertificateID(
                new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                ca,
                signer.getSerialNumber());
        HttpResponse<byte[]> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/ocsp"))
                        .header("Content-Type", "application/ocsp-request")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(
                                new OCSPReqBuilder().addRequest(id).build().getEncoded()))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/ocsp-response");
        OCSPResp resp = new OCSPResp(r.body());
        assertThat(resp.getStatus()).as("OCSPResponseStatus").isEqualTo(OCSPResp.SUCCESSFUL);
        BasicOCSPResp basic = (BasicOCSPResp) resp.getResponseObject();
        assertThat(basic.getResponses()[0].getCertID()).isEqualTo(id);
        assertThat(basic.getResponses()[0].getCertStatus()).isEqualTo(CertificateStatus.GOOD);
        assertThat(basic.getCerts()).containsExactly(signer);
        assertThat(Files.readString(serverLog))
                .contains("OCSP for citizen-ca signed by citizen-ca-ocsp", "OCSP responder: " + base + "/ocsp");
    }

    @Test
    void theCrlsAreServedOnTheSharedPort() throws Exception {
        for (String ca : List.of("citizen-root", "csca")) {
            HttpResponse<byte[]> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create(base + "/crl/" + ca + ".crl"))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).as(ca).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).as(ca).hasValue("application/pkix-crl");
            // The ceremony's CRL, byte for byte.
            assertThat(r.body()).as(ca).isEqualTo(Files.readAllBytes(output.resolve(ca + ".crl")));
            X509CRL crl =
                    (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(r.body()));
            assertThat(crl.getThisUpdate()).as(ca).isNotNull();
        }
        assertThat(Files.readString(serverLog)).contains("CRL files: " + data.resolve("published"));
    }

    private static X509CertificateHolder certificate(String name) throws IOException {
        try (PEMParser p = new PEMParser(Files.newBufferedReader(output.resolve(name + ".pem")))) {
            return (X509CertificateHolder) p.readObject();
        }
    }

    private static String custodian(String name) {
        return CliProcesses.custodian(data, name);
    }
}
