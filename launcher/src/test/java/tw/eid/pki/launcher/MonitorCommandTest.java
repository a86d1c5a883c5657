package tw.eid.pki.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code eidpki monitor} against a publisher the test controls: an OCSP responder and a CRL
 * distribution point on a JDK HTTP server, answering with responses this test signs as it likes.
 * The keys here are a hostile or broken publisher's, made in software on purpose: they stand for
 * what the monitor must catch, not for anything the PKI issues. The monitor runs as a child
 * process on the real clock, so the windows are set around the real time.
 */
class MonitorCommandTest {
    private static Path data;
    private static HttpServer server;
    private static KeyPair caKey;
    private static X509CertificateHolder ca;
    private static KeyPair responderKey;
    private static X509CertificateHolder responder;
    private static KeyPair rogueKey;
    private static X509CertificateHolder rogue;
    private static Path leafPem;
    private static Path caPem;

    /** What the OCSP responder signs with, and its window (relative to the request's arrival). */
    record Ocsp(KeyPair key, X509CertificateHolder cert, Duration thisUpdate, Duration nextUpdate) {}

    /** The CRL's window, relative to the request's arrival. */
    record Crl(Duration thisUpdate, Duration nextUpdate) {}

    private static final AtomicReference<Ocsp> OCSP = new AtomicReference<>();
    private static final AtomicReference<Crl> CRL = new AtomicReference<>();

    @BeforeAll
    static void publisher() throws Exception {
        data = CliProcesses.freshDirectory("monitor");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        Instant now = Instant.now();
        caKey = ecKey();
        X500Name caName = new X500Name("CN=Monitor Test CA");
        ca = new X509CertificateHolder(new JcaX509v3CertificateBuilder(
                        caName,
                        BigInteger.ONE,
                        Date.from(now.minus(Duration.ofDays(1))),
                        Date.from(now.plus(Duration.ofDays(30))),
                        caName,
                        caKey.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .build(signer(caKey))
                .getEncoded());
        responderKey = ecKey();
        responder = issue(caName, caKey, "CN=Monitor Test OCSP", responderKey, 2, true);
        rogueKey = ecKey();
        KeyPair rogueCaKey = ecKey();
        rogue = issue(new X500Name("CN=Rogue CA"), rogueCaKey, "CN=Monitor Test OCSP", rogueKey, 3, true);
        X509v3CertificateBuilder leaf = new JcaX509v3CertificateBuilder(
                        caName,
                        BigInteger.valueOf(0x1234),
                        Date.from(now.minus(Duration.ofDays(1))),
                        Date.from(now.plus(Duration.ofDays(30))),
                        new X500Name("CN=Citizen"),
                        ecKey().getPublic())
                .addExtension(
                        Extension.authorityInfoAccess,
                        false,
                        new AuthorityInformationAccess(new AccessDescription(
                                AccessDescription.id_ad_ocsp,
                                new GeneralName(GeneralName.uniformResourceIdentifier, base + "/ocsp"))))
                .addExtension(Extension.cRLDistributionPoints, false, new CRLDistPoint(new DistributionPoint[] {
                    new DistributionPoint(
                            new DistributionPointName(new GeneralNames(
                                    new GeneralName(GeneralName.uniformResourceIdentifier, base + "/crl/test.crl"))),
                            null,
                            null)
                }));
        leafPem =
                pem("leaf", new X509CertificateHolder(leaf.build(signer(caKey)).getEncoded()));
        caPem = pem("ca", ca);
        server.createContext("/ocsp", exchange -> {
            try {
                OCSPReq req = new OCSPReq(exchange.getRequestBody().readAllBytes());
                Ocsp o = OCSP.get();
                Instant t = Instant.now();
                BasicOCSPRespBuilder b =
                        new BasicOCSPRespBuilder(new RespID(o.cert().getSubject()));
                b.addResponse(
                        req.getRequestList()[0].getCertID(),
                        CertificateStatus.GOOD,
                        Date.from(t.plus(o.thisUpdate())),
                        Date.from(t.plus(o.nextUpdate())),
                        null);
                byte[] der = new OCSPRespBuilder()
                        .build(
                                OCSPRespBuilder.SUCCESSFUL,
                                b.build(signer(o.key()), new X509CertificateHolder[] {o.cert()}, Date.from(t)))
                        .getEncoded();
                send(exchange, "application/ocsp-response", der);
            } catch (Exception e) {
                exchange.sendResponseHeaders(500, -1);
                exchange.close();
            }
        });
        server.createContext("/crl/test.crl", exchange -> {
            try {
                Crl c = CRL.get();
                Instant t = Instant.now();
                X509v2CRLBuilder b = new X509v2CRLBuilder(caName, Date.from(t.plus(c.thisUpdate())));
                b.setNextUpdate(Date.from(t.plus(c.nextUpdate())));
                send(exchange, "application/pkix-crl", b.build(signer(caKey)).getEncoded());
            } catch (Exception e) {
                exchange.sendResponseHeaders(500, -1);
                exchange.close();
            }
        });
        server.start();
    }

    @AfterAll
    static void stop() throws IOException {
        server.stop(0);
        CliProcesses.deleteTree(data);
    }

    private void honest() {
        OCSP.set(new Ocsp(responderKey, responder, Duration.ofMinutes(-1), Duration.ofHours(24)));
        CRL.set(new Crl(Duration.ofMinutes(-1), Duration.ofDays(7)));
    }

    private CliProcesses.Result monitor() {
        return CliProcesses.eidpki(data, "monitor", "--certificate", leafPem.toString(), "--issuer", caPem.toString());
    }

    @Test
    void anHonestPublisherHasNoProblems() {
        honest();
        CliProcesses.Result r = monitor();
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void aCrlPastItsNextUpdateIsOneLineAndExit1() {
        honest();
        CRL.set(new Crl(Duration.ofDays(-8), Duration.ofDays(-1)));
        CliProcesses.Result r = monitor();
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isEqualTo(1);
        assertThat(r.stdout().lines())
                .singleElement()
                .satisfies(
                        l -> assertThat(l).startsWith("CRL http://127.0.0.1:").contains("past its nextUpdate"));
    }

    @Test
    void anOcspAnswerSignedByAnUnauthorizedKeyIsCaught() {
        honest();
        OCSP.set(new Ocsp(rogueKey, rogue, Duration.ofMinutes(-1), Duration.ofHours(24)));
        CliProcesses.Result r = monitor();
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isEqualTo(1);
        assertThat(r.stdout().lines())
                .singleElement()
                .satisfies(l ->
                        assertThat(l).startsWith("OCSP 1234 http://127.0.0.1:").contains("not authorized"));
    }

    @Test
    void anOcspAnswerOutsideItsWindowIsCaught() {
        honest();
        OCSP.set(new Ocsp(responderKey, responder, Duration.ofHours(-25), Duration.ofHours(-1)));
        CliProcesses.Result r = monitor();
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isEqualTo(1);
        assertThat(r.stdout().lines())
                .singleElement()
                .satisfies(l -> assertThat(l).contains("response past its nextUpdate"));
        OCSP.set(new Ocsp(responderKey, responder, Duration.ofHours(2), Duration.ofHours(26)));
        r = monitor();
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isEqualTo(1);
        assertThat(r.stdout()).contains("is in the future");
    }

    @Test
    void aResponderWithoutOcspSigningIsNotAuthorizedEither() throws Exception {
        honest();
        KeyPair key = ecKey();
        X509CertificateHolder noEku =
                issue(new X500Name("CN=Monitor Test CA"), caKey, "CN=Not An OCSP Signer", key, 4, false);
        OCSP.set(new Ocsp(key, noEku, Duration.ofMinutes(-1), Duration.ofHours(24)));
        CliProcesses.Result r = monitor();
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stdout()).contains("lacks id-kp-OCSPSigning: not authorized");
    }

    private static KeyPair ecKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static ContentSigner signer(KeyPair key) throws Exception {
        return new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate());
    }

    private static X509CertificateHolder issue(
            X500Name issuer, KeyPair issuerKey, String subject, KeyPair key, long serial, boolean ocspSigning)
            throws Exception {
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                issuer,
                BigInteger.valueOf(serial),
                Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(30))),
                new X500Name(subject),
                key.getPublic());
        if (ocspSigning) {
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_OCSPSigning));
        }
        return new X509CertificateHolder(b.build(signer(issuerKey)).getEncoded());
    }

    private static Path pem(String name, X509CertificateHolder cert) throws IOException {
        Path p = data.resolve(name + ".pem");
        try (JcaPEMWriter w = new JcaPEMWriter(Files.newBufferedWriter(p))) {
            w.writeObject(cert);
        }
        return p;
    }

    private static void send(HttpExchange exchange, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
