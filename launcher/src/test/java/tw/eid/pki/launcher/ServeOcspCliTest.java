package tw.eid.pki.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code eidpki serve ocsp} end to end through processes, as {@code bin/eidpki} runs it: the demo
 * ceremony (the launcher's own file, with this run's token labels) in a child JVM, then the
 * responder in another, activated by two of the three custodians; this JVM judges it as a relying
 * party with Bouncy Castle's OCSP client classes. Child JVMs because SoftHSM2 shows a process only
 * the tokens that existed when it loaded the library.
 */
class ServeOcspCliTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern LISTENING = Pattern.compile("OCSP responder: http://127\\.0\\.0\\.1:(\\d+)/ocsp");
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Path data;
    private static Path output;
    private static String onlineLabel;
    private static Process server;
    private static Path serverLog;
    private static String base;

    @BeforeAll
    static void ceremonyAndServe() throws Exception {
        data = freshDirectory("serve-ocsp");
        String suffix = HexFormat.of().formatHex(RANDOM.generateSeed(4));
        onlineLabel = "ocsp-on-" + suffix;
        // This run's token directory is shared by the test classes: labels of its own.
        CliProcesses.Result r = CliProcesses.demoCeremony(data, "ocsp-off-" + suffix, onlineLabel);
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        output = data.resolve("ceremony/initial");

        serverLog = data.resolve("serve-ocsp.log");
        server = start(
                serverLog,
                "serve",
                "ocsp",
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
        base = CliProcesses.awaitListening(server, serverLog, LISTENING, "serve ocsp");
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.destroy(); // SIGTERM: the shutdown hook closes the server, the token and the database in order
            assertThat(server.waitFor(30, TimeUnit.SECONDS))
                    .as("serve ocsp stops on SIGTERM")
                    .isTrue();
        }
    }

    @Test
    void healthIsUpAndNamesEachOnlineCaWithItsOwnSigner() throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/health")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body())
                .contains("\"status\":\"up\"")
                .contains("{\"ca\":\"citizen-ca\",\"signer\":\"citizen-ca-ocsp\"")
                .contains("{\"ca\":\"ra-operators-ca\",\"signer\":\"ra-operators-ca-ocsp\"");
        assertThat(Files.readString(serverLog))
                .contains("OCSP for citizen-ca signed by citizen-ca-ocsp")
                .contains("OCSP for ra-operators-ca signed by ra-operators-ca-ocsp");
    }

    @Test
    void aCitizenCaCertificateIsGoodInAResponseSignedByTheCitizenCaOcspSigner() throws Exception {
        X509CertificateHolder ca = certificate("citizen-ca");
        X509CertificateHolder signer = certificate("citizen-ca-ocsp");
        byte[] nonce = RANDOM.generateSeed(16);
        BasicOCSPResp basic = post(ca, signer.getSerialNumber(), nonce);

        assertSignedBy(basic, signer);
        SingleResp single = basic.getResponses()[0];
        assertThat(single.getCertID().getSerialNumber()).isEqualTo(signer.getSerialNumber());
        assertThat(single.getCertStatus()).isEqualTo(CertificateStatus.GOOD);
        assertThat(single.getNextUpdate()).isNotNull();
        // RFC 9654: the nonce comes back.
        Extension echoed = basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
        assertThat(echoed).isNotNull();
        assertThat(DEROctetString.getInstance(echoed.getParsedValue()).getOctets())
                .isEqualTo(nonce);
    }

    @Test
    void theRaOperatorsCaAnswersThroughItsOwnSignerFromTheDemoCeremony() throws Exception {
        X509CertificateHolder ca = certificate("ra-operators-ca");
        X509CertificateHolder signer = certificate("ra-operators-ca-ocsp");
        BasicOCSPResp basic = post(ca, signer.getSerialNumber(), null);

        assertSignedBy(basic, signer);
        assertThat(basic.getResponses()[0].getCertStatus()).isEqualTo(CertificateStatus.GOOD);
    }

    @Test
    void aSerialTheCaNeverIssuedIsUnknown() throws Exception {
        X509CertificateHolder ca = certificate("citizen-ca");
        BasicOCSPResp basic = post(ca, new BigInteger(1, RANDOM.generateSeed(16)), null);

        assertSignedBy(basic, certificate("citizen-ca-ocsp"));
        assertThat(basic.getResponses()[0].getCertStatus()).isInstanceOf(UnknownStatus.class);
    }

    /**
     * docs/api.md {@code GET /certs/{ca}.crt}: the caIssuers URL in the Citizen CA's certificate has its
     * path served here with the root, byte for byte; the Citizen CA's certificate served the same way
     * is the intermediate from which openssl builds the OCSP signer's path to the ceremony's root.
     */
    @Test
    void theCaIssuersTargetsServeTheCaCertificatesOpensslBuildsThePathWith() throws Exception {
        X509CertificateHolder citizenCa = certificate("citizen-ca");
        AuthorityInformationAccess aia = AuthorityInformationAccess.fromExtensions(citizenCa.getExtensions());
        String caIssuers = java.util.Arrays.stream(aia.getAccessDescriptions())
                .filter(d -> d.getAccessMethod().equals(AccessDescription.id_ad_caIssuers))
                .map(d -> d.getAccessLocation().getName().toString())
                .findFirst()
                .orElseThrow();
        String rootPath = URI.create(caIssuers).getPath();
        assertThat(rootPath).isEqualTo("/certs/citizen-root.crt");
        HttpResponse<byte[]> root = get(base + rootPath, null, "GET");
        assertThat(root.statusCode()).isEqualTo(200);
        assertThat(root.headers().firstValue("Content-Type")).hasValue("application/pkix-cert");
        assertThat(root.body()).isEqualTo(certificate("citizen-root").getEncoded());

        HttpResponse<byte[]> intermediate = get(base + "/certs/citizen-ca.crt", null, "GET");
        assertThat(intermediate.statusCode()).isEqualTo(200);
        Path der = Files.write(data.resolve("fetched-citizen-ca.crt"), intermediate.body());
        Path pem = data.resolve("fetched-citizen-ca.pem");
        assertThat(openssl("x509", "-inform", "DER", "-in", der.toString(), "-out", pem.toString()))
                .isEmpty();
        assertThat(openssl(
                        "verify",
                        "-x509_strict",
                        "-CAfile",
                        output.resolve("citizen-root.pem").toString(),
                        "-untrusted",
                        pem.toString(),
                        output.resolve("citizen-ca-ocsp.pem").toString()))
                .contains("citizen-ca-ocsp.pem: OK");

        String etag = intermediate.headers().firstValue("ETag").orElseThrow();
        assertThat(get(base + "/certs/citizen-ca.crt", etag, "GET").statusCode())
                .isEqualTo(304);
        HttpResponse<byte[]> head = get(base + "/certs/citizen-ca.crt", null, "HEAD");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        HttpResponse<byte[]> post = get(base + "/certs/citizen-ca.crt", null, "POST");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        for (String notACa : new String[] {"citizen-ca-ocsp", "ocsp-signer", "citizen-signature", "nothing"}) {
            assertThat(get(base + "/certs/" + notACa + ".crt", null, "GET").statusCode())
                    .as(notACa)
                    .isEqualTo(404);
        }
    }

    private static HttpResponse<byte[]> get(String url, String ifNoneMatch, String method) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody());
        if (ifNoneMatch != null) {
            b.header("If-None-Match", ifNoneMatch);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** openssl's merged output; fails the test on a non-zero exit. */
    private static String openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
        return out;
    }

    @Test
    void badOptionsAreRefusedWithOneLineAndExitCode2() {
        String[][] cases = {
            {"--validity", "2"},
            {"--validity", "241"},
            {"--max-age", "-1"},
            {"--validity", "8", "--max-age", "28801"},
            {"--port", "70000"},
            {"--validity", "a-day"},
            {"--tls-name", "ocsp.example"},
        };
        for (String[] bad : cases) {
            List<String> args = new ArrayList<>(List.of(
                    "serve",
                    "ocsp",
                    "--data-dir",
                    data.resolve("never-opened").toString(),
                    "--token-label",
                    onlineLabel,
                    "--custodian",
                    custodian("alice"),
                    "--custodian",
                    custodian("bob")));
            args.addAll(List.of(bad));
            CliProcesses.Result r = eidpki(args.toArray(String[]::new));
            assertThat(r.exitCode())
                    .as(String.join(" ", bad) + ": " + r.stderr())
                    .isEqualTo(2);
            assertThat(r.stderr().strip().lines())
                    .as(String.join(" ", bad))
                    .hasSize(1)
                    .allMatch(l -> l.startsWith("eidpki: "));
            assertThat(r.stdout()).isEmpty();
        }
        // Refused before anything was opened: no embedded database was started for it.
        assertThat(data.resolve("never-opened")).doesNotExist();
        CliProcesses.Result ra = eidpki(
                "serve",
                "ra",
                "--data-dir",
                data.toString(),
                "--unknown-as-revoked",
                "--custodian",
                custodian("alice"));
        assertThat(ra.exitCode()).isEqualTo(2);
        assertThat(ra.stderr().strip())
                .isEqualTo("eidpki: --unknown-as-revoked is an option of 'serve ocsp', not of 'serve ra'");
    }

    // ---------------------------------------------------------------- the relying party

    private static BasicOCSPResp post(X509CertificateHolder ca, BigInteger serial, byte[] nonce) throws Exception {
        CertificateID id = new CertificateID(
                new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1), ca, serial);
        OCSPReqBuilder builder = new OCSPReqBuilder().addRequest(id);
        if (nonce != null) {
            builder.setRequestExtensions(new Extensions(new Extension(
                    OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false, new DEROctetString(nonce).getEncoded())));
        }
        HttpResponse<byte[]> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/ocsp"))
                        .header("Content-Type", "application/ocsp-request")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(
                                builder.build().getEncoded()))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/ocsp-response");
        OCSPResp resp = new OCSPResp(r.body());
        assertThat(resp.getStatus()).as("OCSPResponseStatus").isEqualTo(OCSPResp.SUCCESSFUL);
        BasicOCSPResp basic = (BasicOCSPResp) resp.getResponseObject();
        assertThat(basic.getResponses()).hasSize(1);
        assertThat(basic.getResponses()[0].getCertID()).isEqualTo(id);
        return basic;
    }

    /** RFC 6960 §4.2.2.2: signed by the CA's delegated signer, which the response carries. */
    private static void assertSignedBy(BasicOCSPResp basic, X509CertificateHolder signer) throws Exception {
        assertThat(basic.getCerts()).containsExactly(signer);
        assertThat(basic.isSignatureValid(new JcaContentVerifierProviderBuilder()
                        .setProvider(new BouncyCastleProvider())
                        .build(signer)))
                .as("response signature")
                .isTrue();
    }

    private static X509CertificateHolder certificate(String name) throws IOException {
        try (PEMParser p = new PEMParser(Files.newBufferedReader(output.resolve(name + ".pem")))) {
            return (X509CertificateHolder) p.readObject();
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
