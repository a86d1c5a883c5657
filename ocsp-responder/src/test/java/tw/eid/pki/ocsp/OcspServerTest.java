package tw.eid.pki.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/** The HTTP face: POST, RFC 5019 GET with '/' and '+' in the base64 (raw and %2F / %2B), caching headers, errors. */
class OcspServerTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    static Token token;
    static OcspFixture pki;
    static Server server;
    static StatusLogFollower follower;
    static String base;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void setUp() throws Exception {
        // A fixed day (a leap day): nothing here judges dates at the real time. The token keeps
        // a running clock (it times only its own retries).
        Clock clock = Clock.fixed(Instant.parse("2028-02-29T12:00:00Z"), ZoneOffset.UTC);
        token = SoftHsmTestTokens.create("ocsp-http").open(Clock.systemUTC());
        pki = new OcspFixture(db.database(), token, clock);
        OcspResponder responder = new OcspResponder(
                db.database(),
                token,
                OcspAuthorities.load(db.database(), clock.instant()),
                OcspConfig.defaults(),
                clock);
        follower = StatusLogFollower.start(db.database(), responder, clock);
        server = OcspServer.newServer(responder, follower, db.database(), token, "127.0.0.1", 0, clock);
        server.start();
        base = "http://127.0.0.1:" + OcspServer.port(server);
    }

    @AfterAll
    static void tearDown() throws Exception {
        server.stop();
        follower.close();
        token.close();
    }

    static byte[] request(BigInteger serial) throws Exception {
        return new OCSPReqBuilder()
                .addRequest(new CertificateID(
                        new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1), pki.ca, serial))
                .build()
                .getEncoded();
    }

    static HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void postAndGetAnswerTheSameWithCachingHeadersOnGet() throws Exception {
        boolean slash = false;
        boolean plus = false;
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 200 && !(slash && plus); i++) {
            BigInteger serial = pki.certificate("GOOD", null);
            byte[] req = request(serial);
            String b64 = Base64.getEncoder().encodeToString(req);
            if (!b64.contains("/") && !b64.contains("+")) {
                continue;
            }
            slash |= b64.contains("/");
            plus |= b64.contains("+");
            String encoded = random.nextBoolean()
                    ? b64.replace("/", "%2F").replace("+", "%2B").replace("=", "%3D")
                    : b64;
            HttpResponse<byte[]> got = get("/ocsp/" + encoded);
            assertThat(got.statusCode()).as(encoded).isEqualTo(200);
            assertThat(got.headers().firstValue("Content-Type")).hasValue("application/ocsp-response");
            assertThat(new OCSPResp(got.body()).getStatus()).isZero();
            String etag = got.headers().firstValue("ETag").orElseThrow();
            assertThat(got.headers().firstValue("Last-Modified")).isPresent();
            assertThat(got.headers().firstValue("Expires")).isPresent();
            assertThat(got.headers().firstValue("Cache-Control").orElseThrow()).contains("max-age=60");
            assertThat(get("/ocsp/" + encoded, "If-None-Match", etag).statusCode())
                    .isEqualTo(304);

            HttpResponse<byte[]> posted = HTTP.send(
                    HttpRequest.newBuilder(URI.create(base + "/ocsp"))
                            .header("Content-Type", "application/ocsp-request")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(req))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(posted.statusCode()).isEqualTo(200);
            assertThat(posted.body()).isEqualTo(got.body()); // the same cached response
        }
        assertThat(slash).as("a request whose base64 holds '/'").isTrue();
        assertThat(plus).as("a request whose base64 holds '+'").isTrue();
    }

    @Test
    void errorsAreHttpOnlyForWhatIsNotOcsp() throws Exception {
        HttpResponse<byte[]> wrongType = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/ocsp"))
                        .header("Content-Type", "text/plain")
                        .POST(HttpRequest.BodyPublishers.ofString("x"))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(wrongType.statusCode()).isEqualTo(415);
        assertThat(get("/nothing").statusCode()).isEqualTo(404);
        HttpResponse<byte[]> garbage = get("/ocsp/AAAA");
        assertThat(garbage.statusCode()).isEqualTo(200);
        assertThat(new OCSPResp(garbage.body()).getStatus()).isEqualTo(OCSPResp.MALFORMED_REQUEST);
        HttpResponse<byte[]> huge = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/ocsp"))
                        .header("Content-Type", "application/ocsp-request")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[20_000])) // over the 10,240-byte limit
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(new OCSPResp(huge.body()).getStatus()).isEqualTo(OCSPResp.MALFORMED_REQUEST);
        HttpResponse<byte[]> hugeChunked = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/ocsp"))
                        .header(
                                "Content-Type",
                                "application/ocsp-request") // no length declared: chunked, cut off while read
                        .POST(HttpRequest.BodyPublishers.ofInputStream(
                                () -> new java.io.ByteArrayInputStream(new byte[20_000])))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(hugeChunked.statusCode()).isEqualTo(200);
        assertThat(new OCSPResp(hugeChunked.body()).getStatus()).isEqualTo(OCSPResp.MALFORMED_REQUEST);
    }

    @Test
    void healthIsUpWithSignersAndCacheFigures() throws Exception {
        HttpResponse<byte[]> health = get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(new String(health.body())).contains("\"status\":\"up\"", "citizen-ca-ocsp", "\"hits\":");
    }

    @Test
    void pipelinedPostsOnOneConnectionAreEachAnswered() throws Exception {
        byte[] req = request(pki.certificate("GOOD", null));
        String head =
                "POST /ocsp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/ocsp-request\r\nContent-Length: "
                        + req.length + "\r\n\r\n";
        java.io.ByteArrayOutputStream three = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 3; i++) {
            three.write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            three.write(req); // the first is a store read, the next two are answered from memory
        }
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", OcspServer.port(server))) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(three.toByteArray());
            socket.getOutputStream().flush();
            java.io.InputStream in = socket.getInputStream();
            for (int i = 0; i < 3; i++) {
                String status = readLine(in);
                assertThat(status).as("response %d", i).isEqualTo("HTTP/1.1 200 OK");
                int length = -1;
                for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                    if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                byte[] body = in.readNBytes(length);
                assertThat(new OCSPResp(body).getStatus()).isEqualTo(OCSPResp.SUCCESSFUL);
            }
        }
    }

    private static String readLine(java.io.InputStream in) throws java.io.IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new java.io.EOFException("connection closed after: " + b);
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }
}
