package tw.eid.pki.crl;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import tw.eid.pki.ca.http.JettyHardening;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.store.Database;

/**
 * The CRL publisher's HTTP side on Jetty 12, plain HTTP (RFC 5280 §4.2.1.13: CRL DPs are http
 * URLs; the CRLs are signed): the served CRLs are refreshed from the store every {@link #REFRESH},
 * so a CRL committed by any publisher is served within that.
 */
public final class CrlServer implements AutoCloseable {
    public static final Duration REFRESH = Duration.ofSeconds(2);

    private final PublishedCrls crls;
    private final ScheduledExecutorService timer;

    private CrlServer(PublishedCrls crls) {
        this.crls = crls;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "crl-served-refresh");
            t.setDaemon(true);
            return t;
        });
    }

    /** The served CRLs, read once now and then every {@link #REFRESH}. */
    public static CrlServer follow(Database database, ProfileSettings settings, Clock clock) {
        CrlServer s = new CrlServer(new PublishedCrls(Objects.requireNonNull(database), settings));
        CrlMetrics metrics = new CrlMetrics(s.crls, clock);
        s.crls.refresh(clock.instant());
        metrics.update();
        s.timer.scheduleWithFixedDelay(
                () -> {
                    s.crls.refresh(clock.instant());
                    metrics.update();
                },
                REFRESH.toMillis(),
                REFRESH.toMillis(),
                TimeUnit.MILLISECONDS);
        return s;
    }

    public PublishedCrls crls() {
        return crls;
    }

    /** A handler for {@code /crl/...} (and {@code /health} when {@code publisher} is given). */
    public CrlHandler handler(CrlPublisher publisher, Duration maxAge, Clock clock) {
        return new CrlHandler(crls, maxAge, publisher == null ? null : () -> health(publisher, clock), clock);
    }

    /** A Jetty server (not started) serving {@code handler} on host:port. */
    public static Server newServer(Handler handler, String host, int port) {
        QueuedThreadPool threads = new QueuedThreadPool(32, 2);
        threads.setName("crl-http");
        Server server = new Server(threads);
        ServerConnector connector =
                new ServerConnector(server, new HttpConnectionFactory(JettyHardening.httpConfiguration()));
        connector.setHost(host);
        connector.setPort(port);
        JettyHardening.limits(server, connector);
        server.addConnector(connector);
        server.setHandler(handler);
        server.setErrorHandler(JettyHardening.errorHandler(JettyHardening.PLAIN_TEXT));
        return server;
    }

    public static int port(Server server) {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /**
     * Up when the served CRLs were refreshed lately, the publisher's rounds run (or another holds
     * the lease), no served CRL is past its nextUpdate and no offline CRL is expired; an offline
     * CRL whose ceremony is due is reported but not red.
     */
    CrlHandler.Health health(CrlPublisher publisher, Clock clock) {
        Instant now = clock.instant();
        Instant refreshed = crls.refreshed();
        boolean servedUp = refreshed != null && Duration.between(refreshed, now).compareTo(REFRESH.multipliedBy(5)) < 0;
        boolean fresh = crls.all().values().stream().allMatch(c -> now.isBefore(c.nextUpdate()));
        StringBuilder offline = new StringBuilder();
        boolean offlineUp = true;
        for (CrlPublisher.OfflineCrlStatus o : publisher.offlineCrls()) {
            offlineUp &= !o.expired();
            offline.append(offline.isEmpty() ? "" : ",")
                    .append("{\"ca\":\"")
                    .append(o.caName())
                    .append("\",\"nextUpdate\":\"")
                    .append(o.nextUpdate())
                    .append("\",\"ceremonyDue\":")
                    .append(o.due())
                    .append(",\"expired\":")
                    .append(o.expired())
                    .append('}');
        }
        boolean up = servedUp && fresh && offlineUp;
        String json = "{\"status\":\"" + (up ? "up" : "down") + "\",\"served\":"
                + crls.all().size() + ",\"refreshed\":"
                + servedUp + ",\"allBeforeNextUpdate\":" + fresh + ",\"lastRound\":\"" + publisher.lastRound()
                + "\",\"offline\":[" + offline + "]}";
        return new CrlHandler.Health(up, json);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
