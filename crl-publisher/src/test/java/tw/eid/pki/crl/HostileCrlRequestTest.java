package tw.eid.pki.crl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.stream.Stream;
import javax.net.SocketFactory;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;
import tw.eid.pki.testing.RawHttp;
import tw.eid.pki.testing.RawHttp.Reply;

/**
 * Hostile requests to the CRL server, written byte for byte ({@link RawHttp}): dot-dot segments
 * raw and encoded, encoded slashes and backslashes, absolute paths, NUL, bad UTF-8, very long
 * names, directories, near-miss names, methods other than GET and HEAD, oversized headers. The
 * server hands out exactly the CRLs it publishes, byte for byte, at exactly their URLs; anything
 * else is a short plain-text HTTP error (never Jetty's HTML page), and a 405 names its methods.
 */
class HostileCrlRequestTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    static Token token;
    static CrlFixture pki;
    static CrlPublisher publisher;
    static CrlServer crls;
    static Server server;
    static int port;
    static Map<String, PublishedCrls.Served> served;

    @BeforeAll
    static void setUp() throws Exception {
        // A fixed day (a leap day): only status codes and bytes are judged here. The token keeps
        // a running clock (it times only its own retries).
        Clock clock = Clock.fixed(Instant.parse("2028-02-29T12:00:00Z"), ZoneOffset.UTC);
        token = SoftHsmTestTokens.create("crl-hostile").open(Clock.systemUTC());
        pki = new CrlFixture(db.database(), token, clock);
        pki.citizen(1);
        publisher = new CrlPublisher(
                db.database(),
                token,
                pki.settings,
                CrlConfig.defaults().withDirectory(dir.resolve("pub")),
                "node-a",
                clock);
        publisher.publishAll();
        crls = CrlServer.follow(db.database(), pki.settings, clock);
        server = CrlServer.newServer(crls.handler(publisher, Duration.ofSeconds(60), clock), "127.0.0.1", 0);
        server.start();
        port = CrlServer.port(server);
        served = crls.crls().all();
        assertThat(served)
                .containsKeys(
                        "/crl/citizen-root.crl",
                        "/crl/citizen-ca/1.crl",
                        "/crl/citizen-ca/1-delta.crl",
                        "/crl/ra-operators-ca.crl");
    }

    @AfterAll
    static void tearDown() throws Exception {
        server.stop();
        crls.close();
        publisher.close();
        token.close();
    }

    static Reply get(String target, String... headers) throws Exception {
        return RawHttp.get(SocketFactory.getDefault(), port, target, headers);
    }

    static Reply method(String method, String target) throws Exception {
        return RawHttp.exchange(
                SocketFactory.getDefault(), port, RawHttp.request(method, target, "Content-Length: 0"), null);
    }

    interface Send {
        Reply send() throws Exception;
    }

    record Hostile(String name, Send request, int status) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Hostile refused(String name, int status, Send request) {
        return new Hostile(name, request, status);
    }

    static Stream<Hostile> requests() {
        return Stream.of(
                // ---- out of /crl/
                refused("an absolute path", 404, () -> get("/etc/passwd")),
                refused("the root", 404, () -> get("/")),
                refused("a raw dot-dot out of /crl/", 400, () -> get("/crl/../../../../etc/passwd")),
                refused("encoded dot-dots", 400, () -> get("/crl/%2e%2e/%2e%2e/etc/passwd")),
                refused("upper-case encoded dot-dots", 400, () -> get("/crl/%2E%2E/citizen-root.crl")),
                refused("encoded slashes", 400, () -> get("/crl/..%2f..%2fetc%2fpasswd")),
                refused("an encoded slash inside a CA name", 400, () -> get("/crl/citizen-ca%2F1.crl")),
                refused("encoded backslashes", 400, () -> get("/crl/..%5c..%5cwindows%5cwin.ini")),
                refused("a doubled slash", 400, () -> get("/crl//etc/passwd")),
                refused("a drive letter", 404, () -> get("/crl/C:/windows/win.ini")),
                refused(
                        "a file URL as the target",
                        400,
                        () -> RawHttp.exchange(
                                SocketFactory.getDefault(),
                                port,
                                "GET file:///etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\n",
                                null)),
                // ---- names that are almost a CRL's
                refused("a NUL after the name", 400, () -> get("/crl/citizen-root.crl%00")),
                refused("a NUL before an extension", 400, () -> get("/crl/citizen-root%00.crl")),
                refused("bad UTF-8", 400, () -> get("/crl/%ff%fe.crl")),
                refused("a bad percent escape", 400, () -> get("/crl/%zz.crl")),
                refused("a 5,000-character name", 404, () -> get("/crl/" + "a".repeat(5000) + ".crl")),
                refused("a 20,000-character name", 414, () -> get("/crl/" + "a".repeat(20_000) + ".crl")),
                refused(
                        "a 64 KB header",
                        431,
                        () -> get("/crl/citizen-root.crl", "X-Padding: " + "a".repeat(64 * 1024))),
                refused("the /crl/ directory", 404, () -> get("/crl/")),
                refused("/crl without a slash", 404, () -> get("/crl")),
                refused("a CA's directory", 404, () -> get("/crl/citizen-ca/")),
                refused("a CA's directory without a slash", 404, () -> get("/crl/citizen-ca")),
                refused("a CRL as a directory", 404, () -> get("/crl/citizen-root.crl/")),
                refused("a trailing dot", 404, () -> get("/crl/citizen-root.crl.")),
                refused("upper case", 404, () -> get("/crl/CITIZEN-ROOT.crl")),
                refused("a partition that does not exist", 404, () -> get("/crl/citizen-ca/2.crl")),
                refused("partition 0 of a partitioned CA", 404, () -> get("/crl/citizen-ca/0.crl")),
                refused("a negative partition", 404, () -> get("/crl/citizen-ca/-1.crl")),
                refused("a delta of a single CRL", 404, () -> get("/crl/citizen-root-delta.crl")),
                refused("a .pem instead of .crl", 404, () -> get("/crl/citizen-root.pem")),
                refused("a certificate path", 404, () -> get("/certs/citizen-ca.crt")),
                // ---- methods
                refused("POST of a CRL", 405, () -> method("POST", "/crl/citizen-root.crl")),
                refused("PUT of a CRL", 405, () -> method("PUT", "/crl/citizen-ca/1.crl")),
                refused("DELETE of a CRL", 405, () -> method("DELETE", "/crl/citizen-ca/1-delta.crl")),
                refused("OPTIONS of a CRL", 405, () -> method("OPTIONS", "/crl/ra-operators-ca.crl")),
                refused("TRACE of a CRL", 405, () -> method("TRACE", "/crl/citizen-root.crl")),
                refused("an unknown method", 405, () -> method("FROB", "/crl/citizen-root.crl")),
                refused("POST /health", 405, () -> method("POST", "/health")),
                refused("DELETE /health", 405, () -> method("DELETE", "/health")),
                refused(
                        "a request without Host",
                        400,
                        () -> RawHttp.exchange(
                                SocketFactory.getDefault(), port, "GET /crl/citizen-root.crl HTTP/1.1\r\n", null)),
                refused(
                        "a request line that is not HTTP",
                        400,
                        () -> RawHttp.exchange(
                                SocketFactory.getDefault(), port, "GET /crl/citizen-root.crl HTTP/9.9 x\r\n", null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void isAShortPlainTextError(Hostile h) throws Exception {
        Reply r = h.request().send();
        assertThat(r.status()).as(r.toString()).isEqualTo(h.status());
        assertThat(r.contentType()).as(r.toString()).startsWith("text/plain");
        assertThat(r.body().length).as(r.toString()).isLessThan(200);
        assertThat(r.text())
                .doesNotContainPattern(RawHttp.JAVA_LEAK)
                .doesNotContainIgnoringCase("<html")
                .doesNotContain("root:");
        if (r.status() == 405) {
            assertThat(r.header("allow"))
                    .as("RFC 9110 §15.5.6: a 405 names the methods")
                    .isNotBlank();
        }
    }

    @Test
    void eachCrlIsServedAtItsUrlOnlyAndByteForByte() throws Exception {
        for (PublishedCrls.Served crl : served.values()) {
            Reply r = get(crl.path());
            assertThat(r.status()).as(crl.path()).isEqualTo(200);
            assertThat(r.contentType()).isEqualTo(CrlHandler.PKIX_CRL);
            assertThat(r.body()).isEqualTo(crl.der());
            // HEAD: the same headers, no body.
            Reply head = RawHttp.exchange(SocketFactory.getDefault(), port, RawHttp.request("HEAD", crl.path()), null);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo(Integer.toString(crl.der().length));
            assertThat(head.header("etag")).isEqualTo(crl.etag());
        }
        // A query is not part of the name: the CRL itself, nothing else.
        assertThat(get("/crl/citizen-root.crl?file=../../etc/passwd").body())
                .isEqualTo(served.get("/crl/citizen-root.crl").der());
        // A dot-dot that stays inside /crl/ names another published CRL: that CRL, byte for byte.
        Reply inside = get("/crl/citizen-ca/../citizen-root.crl");
        assertThat(inside.status()).isIn(200, 400, 404);
        if (inside.status() == 200) {
            assertThat(inside.body())
                    .isEqualTo(served.get("/crl/citizen-root.crl").der());
        }
        // /health answers GET (and HEAD) only.
        assertThat(get("/health").status()).isIn(200, 503);
    }
}
