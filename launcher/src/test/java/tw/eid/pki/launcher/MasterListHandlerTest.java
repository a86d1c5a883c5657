package tw.eid.pki.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.document.MasterLists;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.testing.RawHttp;

/** {@code /certs/csca-masterlist.ml} over HTTP from a real store; other paths reach the wrapped handler. */
class MasterListHandlerTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @Test
    void servesTheNewestListWithValidatorsAndPassesEverythingElseOn() throws Exception {
        Server server = listOverTeapot();
        try {
            String base = "http://127.0.0.1:" + port(server);
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<byte[]> none = get(http, base + MasterListHandler.PATH, null);
            assertThat(none.statusCode()).isEqualTo(404);

            insert(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}, Instant.parse("2026-01-01T00:00:00Z"));
            byte[] newest = {0x30, 0x03, 0x02, 0x01, 0x02};
            insert(newest, Instant.parse("2026-02-01T00:00:00Z"));
            HttpResponse<byte[]> ok = get(http, base + MasterListHandler.PATH, null);
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo(newest);
            assertThat(ok.headers().firstValue("Cache-Control")).hasValue("max-age=3600");
            assertThat(ok.headers().firstValue("Last-Modified")).hasValue("Sun, 01 Feb 2026 00:00:00 GMT");
            String etag = ok.headers().firstValue("ETag").orElseThrow();
            assertThat(get(http, base + MasterListHandler.PATH, etag).statusCode())
                    .isEqualTo(304);
            assertThat(get(http, base + "/ocsp", null).statusCode())
                    .as("other paths are the wrapped handler's")
                    .isEqualTo(418);
            HttpResponse<String> post = http.send(
                    HttpRequest.newBuilder(URI.create(base + MasterListHandler.PATH))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        } finally {
            server.stop();
        }
    }

    /**
     * Hostile requests, byte for byte: only the list's own path (however Jetty normalizes it) serves
     * the list, and only by GET and HEAD; near misses go to the wrapped handler, other methods get
     * 405 with Allow, what Jetty refuses never reaches either.
     */
    @Test
    void onlyItsOwnPathServesTheListAndOnlyToGetAndHead() throws Exception {
        Server server = listOverTeapot();
        try {
            byte[] list = {0x30, 0x03, 0x02, 0x01, 0x07};
            insert(list, Instant.parse("2026-03-01T00:00:00Z"));
            int port = port(server);
            javax.net.SocketFactory plain = javax.net.SocketFactory.getDefault();
            RawHttp.Reply ok = RawHttp.get(plain, port, MasterListHandler.PATH);
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo(list);
            RawHttp.Reply head = RawHttp.exchange(plain, port, RawHttp.request("HEAD", MasterListHandler.PATH), null);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo(Integer.toString(list.length));
            for (String method : List.of("POST", "PUT", "DELETE", "OPTIONS", "FROB")) {
                RawHttp.Reply r = RawHttp.exchange(
                        plain, port, RawHttp.request(method, MasterListHandler.PATH, "Content-Length: 0"), null);
                assertThat(r.status()).as(method).isEqualTo(405);
                assertThat(r.header("allow")).as(method).isEqualTo("GET, HEAD");
            }
            for (String nearMiss : List.of(
                    "/certs/csca-masterlist.ml/",
                    "/certs/CSCA-masterlist.ml",
                    "/certs/csca-masterlist",
                    "/certs/",
                    "/certs/csca-masterlist.ml.sig",
                    "/csca-masterlist.ml")) {
                assertThat(RawHttp.get(plain, port, nearMiss).status())
                        .as(nearMiss)
                        .isEqualTo(418);
            }
            for (String refused : List.of(
                    "/certs/csca-masterlist.ml%00",
                    "/certs/%2e%2e/%2e%2e/etc/passwd", "/certs/..%2F..%2Fetc%2Fpasswd", "/certs/../../etc/passwd")) {
                assertThat(RawHttp.get(plain, port, refused).status())
                        .as(refused)
                        .isEqualTo(400);
            }
            // A dot segment that stays below the root names the same resource: the list, nothing else.
            RawHttp.Reply dotted = RawHttp.get(plain, port, "/certs/./x/../csca-masterlist.ml");
            assertThat(dotted.status()).isIn(200, 400);
            if (dotted.status() == 200) {
                assertThat(dotted.body()).isEqualTo(list);
            }
        } finally {
            server.stop();
        }
    }

    private static HttpResponse<byte[]> get(HttpClient http, String url, String ifNoneMatch) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
        if (ifNoneMatch != null) {
            b.header("If-None-Match", ifNoneMatch);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void insert(byte[] der, Instant at) {
        db.database().inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO master_list (signer_serial_hex, csca_count, der, created_at) VALUES ('1', 1, ?, ?)")) {
                ps.setBytes(1, der);
                ps.setObject(2, DatabaseTime.toColumn(at));
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** A started server on a free port: the handler under test over one that answers 418 (the wrapped handler). */
    private static Server listOverTeapot() throws Exception {
        Clock clock = Clock.systemUTC();
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new MasterListHandler(
                new MasterLists(
                        db.database(),
                        ProfileSettings.defaults(),
                        AuditLedger.hashChained(clock),
                        clock,
                        new SecureRandom()),
                new Handler.Abstract() {
                    @Override
                    public boolean handle(
                            org.eclipse.jetty.server.Request request,
                            org.eclipse.jetty.server.Response response,
                            Callback callback) {
                        response.setStatus(418);
                        callback.succeeded();
                        return true;
                    }
                }));
        server.start();
        return server;
    }

    private static int port(Server server) {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }
}
