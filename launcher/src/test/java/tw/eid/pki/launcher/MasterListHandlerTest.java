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

/** {@code /certs/csca-masterlist.ml} over HTTP from a real store; other paths reach the wrapped handler. */
class MasterListHandlerTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @Test
    void servesTheNewestListWithValidatorsAndPassesEverythingElseOn() throws Exception {
        Clock clock = Clock.systemUTC();
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        Handler teapot = new Handler.Abstract() {
            @Override
            public boolean handle(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                                  Callback callback) {
                response.setStatus(418);
                callback.succeeded();
                return true;
            }
        };
        server.setHandler(new MasterListHandler(new MasterLists(db.database(), ProfileSettings.defaults(),
                AuditLedger.hashChained(clock), clock, new SecureRandom()), teapot));
        server.start();
        try {
            String base = "http://127.0.0.1:" + connector.getLocalPort();
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
            assertThat(get(http, base + MasterListHandler.PATH, etag).statusCode()).isEqualTo(304);
            assertThat(get(http, base + "/ocsp", null).statusCode()).as("other paths are the wrapped handler's").isEqualTo(418);
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(base + MasterListHandler.PATH))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
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
}
