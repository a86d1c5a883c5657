package tw.eid.pki.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import javax.net.SocketFactory;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;
import tw.eid.pki.testing.RawHttp;
import tw.eid.pki.testing.RawHttp.Reply;

/**
 * Hostile requests to the responder over HTTP, written byte for byte ({@link RawHttp}): what is an
 * OCSP request at all (a POST to /ocsp with application/ocsp-request, a GET below /ocsp/) is
 * answered HTTP 200 with an {@code application/ocsp-response} OCSPResponse whose status says what
 * was wrong (RFC 6960 §2.3: malformedRequest, unauthorized), never an HTML page or Jetty's error;
 * what is not OCSP gets a short plain-text HTTP error (404, 405 with Allow, 414, 415, 431). No
 * body holds a Java class name or a stack trace, and nothing is written to the store.
 */
class HostileOcspRequestTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    static Token token;
    static OcspFixture pki;
    static Server server;
    static StatusLogFollower follower;
    static int port;
    static BigInteger good;
    static CertificateID goodId;

    static final int MALFORMED = OCSPResp.MALFORMED_REQUEST;
    static final int UNAUTHORIZED = OCSPResp.UNAUTHORIZED;
    static final int SUCCESSFUL = OCSPResp.SUCCESSFUL;
    static final int NOT_OCSP = -1;

    @BeforeAll
    static void setUp() throws Exception {
        // A fixed day (a leap day): nothing here judges dates at the real time. The token keeps
        // a running clock (it times only its own retries).
        Clock clock = Clock.fixed(Instant.parse("2028-02-29T12:00:00Z"), ZoneOffset.UTC);
        token = SoftHsmTestTokens.create("ocsp-hostile").open(Clock.systemUTC());
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
        port = OcspServer.port(server);
        good = pki.certificate("GOOD", null);
        goodId = id(good);
    }

    @AfterAll
    static void tearDown() throws Exception {
        server.stop();
        follower.close();
        token.close();
    }

    // ------------------------------------------------------------------ requests

    static CertificateID id(BigInteger serial) throws Exception {
        return new CertificateID(
                new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1), pki.ca, serial);
    }

    static byte[] request(Extensions extensions, CertificateID... ids) throws Exception {
        OCSPReqBuilder b = new OCSPReqBuilder();
        for (CertificateID id : ids) {
            b.addRequest(id);
        }
        if (extensions != null) {
            b.setRequestExtensions(extensions);
        }
        return b.build().getEncoded();
    }

    static byte[] valid() throws Exception {
        return request(null, goodId);
    }

    static Extensions extension(ASN1ObjectIdentifier oid, boolean critical, byte[] value) throws Exception {
        return new Extensions(new Extension(oid, critical, value));
    }

    static byte[] nonce(int octets) throws Exception {
        return new DEROctetString(new byte[octets]).getEncoded(ASN1Encoding.DER);
    }

    /** The good certificate's CertID, but with {@code algorithm} as its hash algorithm. */
    static CertificateID withHash(AlgorithmIdentifier algorithm) {
        org.bouncycastle.asn1.ocsp.CertID c = goodId.toASN1Primitive();
        return new CertificateID(new org.bouncycastle.asn1.ocsp.CertID(
                algorithm, c.getIssuerNameHash(), c.getIssuerKeyHash(), c.getSerialNumber()));
    }

    static CertificateID withSerial(BigInteger serial) {
        org.bouncycastle.asn1.ocsp.CertID c = goodId.toASN1Primitive();
        return new CertificateID(new org.bouncycastle.asn1.ocsp.CertID(
                c.getHashAlgorithm(), c.getIssuerNameHash(), c.getIssuerKeyHash(), new ASN1Integer(serial)));
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    /** {@code der} (one value of a one-octet tag) with its length in four octets: valid BER, never DER (X.690 §10.1). */
    static byte[] longFormLength(byte[] der) {
        int first = der[1] & 0xff;
        int octets = first < 0x80 ? 0 : first & 0x7f;
        int length = first < 0x80 ? first : 0;
        for (int i = 0; i < octets; i++) {
            length = (length << 8) | (der[2 + i] & 0xff);
        }
        byte[] header = {
            der[0], (byte) 0x84, (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length
        };
        return concat(header, Arrays.copyOfRange(der, 2 + octets, der.length));
    }

    /** {@code depth} nested constructed values: indefinite-length SEQUENCEs (BER), each closed by end-of-contents. */
    static byte[] indefiniteNesting(int depth) {
        byte[] out = new byte[depth * 4];
        for (int i = 0; i < depth; i++) {
            out[2 * i] = 0x30;
            out[2 * i + 1] = (byte) 0x80;
        }
        return out; // the second half: zero octets, end-of-contents
    }

    /** {@code depth} nested definite-length SEQUENCEs around an empty one. */
    static byte[] definiteNesting(int depth) {
        byte[] inner = {0x30, 0x00};
        for (int i = 0; i < depth; i++) {
            int n = inner.length;
            byte[] outer = new byte[n + 4];
            outer[0] = 0x30;
            outer[1] = (byte) 0x82;
            outer[2] = (byte) (n >> 8);
            outer[3] = (byte) n;
            System.arraycopy(inner, 0, outer, 4, n);
            inner = outer;
        }
        return inner;
    }

    static Reply post(byte[] body) throws Exception {
        return post("application/ocsp-request", body);
    }

    static Reply post(String contentType, byte[] body) throws Exception {
        List<String> headers = new ArrayList<>();
        if (contentType != null) {
            headers.add("Content-Type: " + contentType);
        }
        headers.add("Content-Length: " + body.length);
        return RawHttp.exchange(
                SocketFactory.getDefault(),
                port,
                RawHttp.request("POST", "/ocsp", headers.toArray(String[]::new)),
                body);
    }

    static Reply get(String target, String... headers) throws Exception {
        return RawHttp.get(SocketFactory.getDefault(), port, target, headers);
    }

    static Reply method(String method, String target) throws Exception {
        return RawHttp.exchange(
                SocketFactory.getDefault(), port, RawHttp.request(method, target, "Content-Length: 0"), null);
    }

    /** RFC 6960 appendix A.1: base64, then percent-encoded. */
    static String getPath(byte[] der) {
        return "/ocsp/"
                + Base64.getEncoder()
                        .encodeToString(der)
                        .replace("+", "%2B")
                        .replace("/", "%2F")
                        .replace("=", "%3D");
    }

    interface Send {
        Reply send() throws Exception;
    }

    /** A hostile request and what it must get: an OCSP status, or ({@link #NOT_OCSP}) an HTTP error. */
    record Hostile(String name, Send request, int ocspStatus, int httpStatus) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Hostile ocsp(String name, int ocspStatus, Send request) {
        return new Hostile(name, request, ocspStatus, 200);
    }

    static Hostile http(String name, int httpStatus, Send request) {
        return new Hostile(name, request, NOT_OCSP, httpStatus);
    }

    static Stream<Hostile> requests() {
        ASN1ObjectIdentifier nonce = OCSPObjectIdentifiers.id_pkix_ocsp_nonce;
        ASN1ObjectIdentifier unknown = new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.1");
        return Stream.of(
                // ---- bodies that are not one DER OCSPRequest
                ocsp("text", MALFORMED, () -> post("hello, responder".getBytes(StandardCharsets.US_ASCII))),
                ocsp("an empty body", MALFORMED, () -> post(new byte[0])),
                ocsp("a single zero byte", MALFORMED, () -> post(new byte[1])),
                ocsp("truncated DER", MALFORMED, () -> post(Arrays.copyOf(valid(), valid().length - 1))),
                ocsp("truncated to its header", MALFORMED, () -> post(Arrays.copyOf(valid(), 4))),
                ocsp("trailing garbage", MALFORMED, () -> post(concat(valid(), new byte[] {0, 0}))),
                ocsp("two requests in one body", MALFORMED, () -> post(concat(valid(), valid()))),
                ocsp(
                        "a length past the body",
                        MALFORMED,
                        () -> post(concat(
                                new byte[] {0x30, (byte) 0x84, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}, valid()))),
                ocsp("a certificate instead of a request", MALFORMED, () -> post(pki.ca.getEncoded())),
                ocsp(
                        "the request's length in more octets than DER allows",
                        MALFORMED,
                        () -> post(longFormLength(valid()))),
                ocsp("indefinite-length SEQUENCEs 2,560 deep", MALFORMED, () -> post(indefiniteNesting(2560))),
                ocsp("definite-length SEQUENCEs 2,500 deep", MALFORMED, () -> post(definiteNesting(2500))),
                ocsp(
                        "a nonce holding SEQUENCEs 2,400 deep",
                        MALFORMED,
                        () -> post(request(
                                extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false, definiteNesting(2400)),
                                goodId))),
                ocsp("a body over the limit (Content-Length 5 MB, sent)", MALFORMED, () -> post(new byte[5_000_000])),
                ocsp(
                        "a body over the limit (Content-Length 5 MB, never sent)",
                        MALFORMED,
                        () -> RawHttp.exchange(
                                SocketFactory.getDefault(),
                                port,
                                RawHttp.request(
                                        "POST",
                                        "/ocsp",
                                        "Content-Type: application/ocsp-request",
                                        "Content-Length: 5000000"),
                                null)),
                ocsp(
                        "a chunked body of 5 MB",
                        MALFORMED,
                        () -> RawHttp.exchange(
                                SocketFactory.getDefault(),
                                port,
                                RawHttp.request(
                                        "POST",
                                        "/ocsp",
                                        "Content-Type: application/ocsp-request",
                                        "Transfer-Encoding: chunked"),
                                chunked(5_000_000))),

                // ---- CertIDs
                ocsp("no CertID", MALFORMED, () -> post(request(null))),
                ocsp("21 CertIDs (the limit is 20)", MALFORMED, () -> {
                    CertificateID[] ids = new CertificateID[21];
                    Arrays.fill(ids, goodId);
                    return post(request(null, ids));
                }),
                ocsp("140 CertIDs", MALFORMED, () -> {
                    CertificateID[] ids = new CertificateID[140];
                    Arrays.fill(ids, goodId);
                    return post(request(null, ids));
                }),
                ocsp(
                        "an MD5 CertID",
                        UNAUTHORIZED,
                        () -> post(request(
                                null,
                                withHash(new AlgorithmIdentifier(
                                        new ASN1ObjectIdentifier("1.2.840.113549.2.5"), DERNull.INSTANCE))))),
                ocsp(
                        "a CertID hash algorithm nobody knows",
                        UNAUTHORIZED,
                        () -> post(request(null, withHash(new AlgorithmIdentifier(unknown))))),
                ocsp(
                        "a CertID of another issuer",
                        UNAUTHORIZED,
                        () -> post(request(
                                null,
                                new CertificateID(
                                        new JcaDigestCalculatorProviderBuilder()
                                                .build()
                                                .get(CertificateID.HASH_SHA1),
                                        pki.signer,
                                        good)))),

                // ---- extensions
                ocsp(
                        "a nonce of 129 octets (RFC 9654: at most 128)",
                        MALFORMED,
                        () -> post(request(extension(nonce, false, nonce(129)), goodId))),
                ocsp(
                        "a nonce of 9,000 octets",
                        MALFORMED,
                        () -> post(request(extension(nonce, false, nonce(9000)), goodId))),
                ocsp("an empty nonce", MALFORMED, () -> post(request(extension(nonce, false, nonce(0)), goodId))),
                ocsp(
                        "a nonce that is not an OCTET STRING",
                        MALFORMED,
                        () -> post(request(extension(nonce, false, new DERUTF8String("nonce").getEncoded()), goodId))),
                ocsp("two nonces", MALFORMED, () -> post(requestWithTwoNonces())),
                ocsp(
                        "an unknown critical request extension",
                        MALFORMED,
                        () -> post(request(extension(unknown, true, DERNull.INSTANCE.getEncoded()), goodId))),
                ocsp(
                        "an unknown critical single-request extension",
                        MALFORMED,
                        () -> post(new OCSPReqBuilder()
                                .addRequest(goodId, extension(unknown, true, DERNull.INSTANCE.getEncoded()))
                                .build()
                                .getEncoded())),

                // ---- RFC 5019 GET
                ocsp("GET of bad base64", MALFORMED, () -> get("/ocsp/!!!!")),
                ocsp(
                        "GET of URL-safe base64",
                        MALFORMED,
                        () -> get("/ocsp/"
                                + Base64.getUrlEncoder()
                                        .encodeToString(valid())
                                        .replace('+', '-')
                                        .replace('/', '_')
                                        .replace("=", "")
                                + "-_")),
                ocsp(
                        "GET of unpadded base64",
                        MALFORMED,
                        () -> get("/ocsp/"
                                + Base64.getEncoder().withoutPadding().encodeToString(concat(valid(), new byte[] {0
                                })))),
                ocsp(
                        "GET of doubly percent-encoded base64",
                        MALFORMED,
                        () -> get(getPath(valid()).replace("%", "%25") + "%252F")),
                // Jetty's parser refuses these URIs before any handler: not even the path is known.
                http("GET of a bad percent escape", 400, () -> get("/ocsp/MEIw%zz")),
                http("GET of a truncated percent escape", 400, () -> get("/ocsp/MEIw%2")),
                http("GET of %00", 400, () -> get("/ocsp/MEIw%00AAA")),
                ocsp("GET of bad UTF-8", MALFORMED, () -> get("/ocsp/%ff%fe%fd%fc")),
                ocsp("GET of an encoded dot-dot", MALFORMED, () -> get("/ocsp/%2e%2e/health")),
                ocsp("GET of a dot-dot", MALFORMED, () -> get("/ocsp/../ocsp/AAAA")),
                ocsp("GET of a backslash", MALFORMED, () -> get("/ocsp/..%5C..%5Chealth")),
                ocsp(
                        "GET of base64 of trailing garbage",
                        MALFORMED,
                        () -> get(getPath(concat(valid(), new byte[] {1})))),
                ocsp(
                        "GET of an unknown critical extension",
                        MALFORMED,
                        () -> get(getPath(request(extension(unknown, true, DERNull.INSTANCE.getEncoded()), goodId)))),
                ocsp("GET of 7,000 characters", MALFORMED, () -> get("/ocsp/" + "A".repeat(7000))),
                http("GET of 20,000 characters", 414, () -> get("/ocsp/" + "A".repeat(20_000))),
                http("a 64 KB header", 431, () -> get(getPath(valid()), "X-Padding: " + "a".repeat(64 * 1024))),

                // ---- what is not OCSP
                http("POST as text/plain", 415, () -> post("text/plain", valid())),
                http("POST without a Content-Type", 415, () -> post(null, valid())),
                http("POST as application/ocsp-response", 415, () -> post("application/ocsp-response", valid())),
                http("PUT /ocsp", 405, () -> method("PUT", "/ocsp")),
                http("DELETE of a GET request", 405, () -> method("DELETE", getPath(valid()))),
                http(
                        "POST to a GET path",
                        405,
                        () -> RawHttp.exchange(
                                SocketFactory.getDefault(),
                                port,
                                RawHttp.request(
                                        "POST",
                                        getPath(valid()),
                                        "Content-Type: application/ocsp-request",
                                        "Content-Length: " + valid().length),
                                valid())),
                http("GET /ocsp without a request", 405, () -> get("/ocsp")),
                http("an unknown method on /health", 405, () -> method("FROB", "/health")),
                http(
                        "an unknown path",
                        404,
                        () -> get("/ocspx/" + Base64.getEncoder().encodeToString(valid()))),
                http("the root", 404, () -> get("/")),
                http("an absolute path outside", 404, () -> get("/etc/passwd")),
                ocsp(
                        "a GET without Host",
                        MALFORMED,
                        () -> RawHttp.exchange(
                                SocketFactory.getDefault(), port, "GET " + getPath(valid()) + " HTTP/1.1\r\n", null)),
                http(
                        "a request without Host elsewhere",
                        400,
                        () -> RawHttp.exchange(SocketFactory.getDefault(), port, "GET /health HTTP/1.1\r\n", null)),
                http(
                        "Content-Length and chunked together",
                        400,
                        () -> RawHttp.exchange(
                                SocketFactory.getDefault(),
                                port,
                                RawHttp.request(
                                        "POST",
                                        "/health",
                                        "Content-Type: application/ocsp-request",
                                        "Content-Length: 4",
                                        "Transfer-Encoding: chunked"),
                                "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII))),
                http(
                        "a request line that is not HTTP",
                        400,
                        () -> RawHttp.exchange(
                                SocketFactory.getDefault(), port, "GET /ocsp/AAAA HTTP/9.9 x\r\n", null)));
    }

    static byte[] requestWithTwoNonces() throws Exception {
        // Extensions refuses to build a repeated OID; write the DER by hand around two nonce extensions.
        Extension n = new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false, nonce(16));
        byte[] one = n.getEncoded(ASN1Encoding.DER);
        byte[] extensions = tlv(0x30, concat(one, one));
        byte[] explicit = tlv(0xa2, extensions); // requestExtensions [2] EXPLICIT
        byte[] requestList = tlv(0x30, tlv(0x30, goodId.toASN1Primitive().getEncoded(ASN1Encoding.DER)));
        byte[] tbs = tlv(0x30, concat(requestList, explicit));
        return tlv(0x30, tbs);
    }

    static byte[] tlv(int tag, byte[] value) {
        int n = value.length;
        byte[] length = n < 128 ? new byte[] {(byte) n} : new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
        return concat(new byte[] {(byte) tag}, length, value);
    }

    static byte[] chunked(int size) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] chunk = new byte[64 * 1024];
        for (int left = size; left > 0; left -= chunk.length) {
            int n = Math.min(left, chunk.length);
            b.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.write(chunk, 0, n);
            b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        b.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return b.toByteArray();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void isAnsweredAsOcspOrAPlainHttpErrorAndWritesNothing(Hostile h) throws Exception {
        String before = state();
        Reply r = h.request().send();
        assertThat(r.text())
                .as("no Java, no HTML in the body")
                .doesNotContainPattern(RawHttp.JAVA_LEAK)
                .doesNotContainIgnoringCase("<html")
                .doesNotContain("jetty");
        if (h.ocspStatus() == NOT_OCSP) {
            assertThat(r.status()).as(r.toString()).isEqualTo(h.httpStatus());
            assertThat(r.contentType()).as(r.toString()).startsWith("text/plain");
            assertThat(r.body().length).isLessThan(200);
            if (r.status() == 405) {
                assertThat(r.header("allow"))
                        .as("RFC 9110 §15.5.6: a 405 names the methods")
                        .isNotBlank();
            }
        } else {
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.contentType()).as(r.toString()).isEqualTo(OcspHandler.OCSP_RESPONSE);
            assertThat(new OCSPResp(r.body()).getStatus()).as(h.name()).isEqualTo(h.ocspStatus());
        }
        assertThat(state()).as("the store after: " + h.name()).isEqualTo(before);
    }

    @Test
    void whatIsOddButWellFormedIsAnsweredNeverGood() throws Exception {
        // An unknown extension that is not critical is ignored (RFC 6960 §4.4); the answer is signed.
        ASN1ObjectIdentifier unknown = new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.2");
        assertGood(post(request(extension(unknown, false, DERNull.INSTANCE.getEncoded()), goodId)));
        // A nonce marked critical is one the responder understands.
        assertGood(post(request(extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, true, nonce(32)), goodId)));
        // 20 CertIDs, the limit, are answered one by one.
        CertificateID[] twenty = new CertificateID[20];
        Arrays.fill(twenty, goodId);
        BasicOCSPResp many =
                (BasicOCSPResp) new OCSPResp(post(request(null, twenty)).body()).getResponseObject();
        assertThat(many.getResponses()).hasSize(20);
        // Serials no certificate of ours can carry: zero, negative, 21 octets. Unknown, never good.
        for (BigInteger serial : List.of(BigInteger.ZERO, BigInteger.valueOf(-5), BigInteger.ONE.shiftLeft(165))) {
            Reply r = post(request(null, withSerial(serial)));
            SingleResp single = ((BasicOCSPResp) new OCSPResp(r.body()).getResponseObject()).getResponses()[0];
            assertThat(single.getCertStatus()).as(serial.toString()).isInstanceOf(UnknownStatus.class);
        }
        // HEAD of a GET request: the headers of the answer, no body.
        Reply head =
                RawHttp.exchange(SocketFactory.getDefault(), port, RawHttp.request("HEAD", getPath(valid())), null);
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.contentType()).isEqualTo(OcspHandler.OCSP_RESPONSE);
    }

    private static void assertGood(Reply r) throws Exception {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        OCSPResp resp = new OCSPResp(r.body());
        assertThat(resp.getStatus()).isEqualTo(SUCCESSFUL);
        SingleResp single = ((BasicOCSPResp) resp.getResponseObject()).getResponses()[0];
        assertThat(single.getCertStatus()).isNull(); // BC: null is good
    }

    /** What a responder must never write: the certificate, status and response tables, and the audit chain. */
    static String state() {
        return db.database().inTransaction(c -> {
            try (var st = c.createStatement();
                    var rs = st.executeQuery("SELECT CONCAT_WS(' ',"
                            + " (SELECT COUNT(*) FROM certificate), (SELECT COUNT(*) FROM certificate WHERE status = 'GOOD'),"
                            + " (SELECT COUNT(*) FROM status_change), (SELECT COUNT(*) FROM ocsp_response),"
                            + " (SELECT COUNT(*) FROM audit_event))")) {
                rs.next();
                return rs.getString(1);
            }
        });
    }
}
