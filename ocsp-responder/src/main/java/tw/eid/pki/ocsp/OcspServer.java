package tw.eid.pki.ocsp;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import tw.eid.pki.ca.http.JettyHardening;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.hsm.Token;

/**
 * The OCSP responder on plain HTTP (RFC 5019 expects HTTP; the responses are signed), on Jetty 12.
 *
 * <p>The connector's URI compliance is Jetty's default plus two violations that RFC 5019 GETs
 * need: an encoded path separator ({@code %2F}: base64 holds '/') and empty segments (base64 may
 * hold "//"). The handler reads the path still encoded and decodes it itself.
 */
public final class OcspServer {
    /** A follower that has not read the log for this long makes /health red. */
    static final Duration FOLLOWER_STALE = Duration.ofSeconds(5);

    private OcspServer() {}

    /** A Jetty server (not started) answering OCSP for {@code responder} on {@code host:port}. */
    public static Server newServer(
            OcspResponder responder,
            StatusLogFollower follower,
            Database database,
            Token token,
            String host,
            int port,
            Clock clock) {
        Objects.requireNonNull(responder, "responder");
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("ocsp-http");
        Server server = new Server(threads);
        HttpConfiguration http = JettyHardening.httpConfiguration();
        http.setUriCompliance(UriCompliance.DEFAULT.with(
                "rfc5019-get",
                UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
                UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT));
        // One selector per core: the handler answers from memory on the selector thread itself
        // (OcspHandler), so the selectors are what serve the hot path.
        ServerConnector connector = new ServerConnector(
                server, 1, Math.max(2, Runtime.getRuntime().availableProcessors()), new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        JettyHardening.limits(server, connector);
        server.addConnector(connector);
        server.setHandler(
                new OcspHandler(responder, () -> health(responder, follower, database, token, clock), threads, clock));
        server.setErrorHandler(OcspHandler.errorHandler());
        return server;
    }

    /** The port a started server listens on (for a server made with port 0). */
    public static int port(Server server) {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    static OcspHandler.Health health(
            OcspResponder responder, StatusLogFollower follower, Database database, Token token, Clock clock) {
        Instant now = clock.instant();
        boolean tokenUp = token.health().up();
        boolean databaseUp;
        try {
            databaseUp = database.inTransaction(c -> c.isValid(2));
        } catch (RuntimeException e) {
            databaseUp = false;
        }
        boolean followerUp =
                follower != null && Duration.between(follower.lastRead(), now).compareTo(FOLLOWER_STALE) < 0;
        boolean signersUp = !responder.authorities().all().isEmpty();
        StringBuilder signers = new StringBuilder();
        for (OcspAuthority a : responder.authorities().all()) {
            // A signer that cannot cover a whole validity period any more would cut nextUpdate short;
            // one past its notAfter cannot sign at all (tryLater).
            boolean valid = now.isBefore(a.signerNotAfter());
            signersUp &= valid;
            signers.append(signers.isEmpty() ? "" : ",")
                    .append("{\"ca\":\"")
                    .append(a.caName())
                    .append("\",\"signer\":\"")
                    .append(a.signerName())
                    .append("\",\"notAfter\":\"")
                    .append(a.signerNotAfter())
                    .append("\",\"valid\":")
                    .append(valid)
                    .append('}');
        }
        boolean up = tokenUp && databaseUp && followerUp && signersUp;
        var cache = responder.cacheStatistics();
        String json =
                "{\"status\":\"" + (up ? "up" : "down") + "\",\"token\":" + tokenUp + ",\"database\":" + databaseUp
                        + ",\"statusLog\":" + followerUp + ",\"signers\":[" + signers + "],\"cache\":{\"entries\":"
                        + cache.get("entries") + ",\"hits\":" + cache.get("hits") + ",\"misses\":" + cache.get("misses")
                        + ",\"evictions\":" + cache.get("evictions") + "}}";
        return new OcspHandler.Health(up, json);
    }
}
