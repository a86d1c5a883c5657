package tw.eid.pki.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.store.Database;
import tw.eid.pki.crl.CrlConfig;
import tw.eid.pki.crl.CrlHandler;
import tw.eid.pki.crl.CrlPublisher;
import tw.eid.pki.crl.CrlServer;
import tw.eid.pki.hsm.Token;

/**
 * The CRL publisher wired on an open store and an activated online token: what {@code serve crl}
 * and the demo run. The publisher's rounds (one publisher works, by lease) and the served CRLs
 * (every process serves what the store holds) run side by side; on its own port it has an HTTP
 * server of its own, in the demo it shares the OCSP responder's port through {@link Routing}. The
 * process whose publisher holds the lease also signs the audit checkpoints ({@link AuditCheckpoints}).
 */
final class CrlService implements AutoCloseable {
    private final CrlPublisher publisher;
    private final CrlServer served;
    private final Server server;
    private final String url;
    /** The audit checkpoints this process signs while its publisher holds the lease (null: none scheduled). */
    private final AuditCheckpoints checkpoints;

    private CrlService(
            CrlPublisher publisher, CrlServer served, Server server, String url, AuditCheckpoints checkpoints) {
        this.publisher = publisher;
        this.served = served;
        this.server = server;
        this.url = url;
        this.checkpoints = checkpoints;
    }

    /** Publisher and served CRLs, without an HTTP server of their own (the demo routes to {@link #handler}). */
    static CrlService withoutServer(Database database, Token token, CrlConfig config, Clock clock) {
        ProfileSettings settings = ProfileSettings.defaults();
        CrlPublisher publisher = new CrlPublisher(database, token, settings, config, owner("shared"), clock).start();
        CrlServer served = CrlServer.follow(database, settings, clock);
        return new CrlService(
                publisher, served, null, null, AuditCheckpoints.start(database, token, publisher::leading, clock));
    }

    /** Publisher, served CRLs and an HTTP server on host:port. */
    static CrlService start(Database database, Token token, CrlConfig config, String host, int port, Clock clock)
            throws Exception {
        ProfileSettings settings = ProfileSettings.defaults();
        CrlServer served = CrlServer.follow(database, settings, clock);
        CrlPublisher publisher = new CrlPublisher(database, token, settings, config, owner(host + ":" + port), clock);
        Server server = CrlServer.newServer(served.handler(publisher, config.maxAge(), clock), host, port);
        Telemetry.instrument(server, "crl");
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // not started
            }
            served.close();
            if (e instanceof IOException) {
                throw new IOException(
                        "cannot listen on " + host + ":" + port + ": "
                                + OneLine.of(e.getCause() != null ? e.getCause() : e),
                        e);
            }
            throw e;
        }
        publisher.start();
        String h = host.contains(":") ? "[" + host + "]" : host;
        return new CrlService(
                publisher,
                served,
                server,
                "http://" + h + ":" + CrlServer.port(server) + "/crl/",
                AuditCheckpoints.start(database, token, publisher::leading, clock));
    }

    /** The handler for {@code /crl/...} (with /health of the publisher). */
    CrlHandler handler() {
        return served.handler(publisher, publisher.config().maxAge(), CommandClock.system());
    }

    String url() {
        return url;
    }

    /**
     * Readiness (docs/metrics.md): null once every CRL distribution point the CA certificates name,
     * and every CRL the online CAs' certificates name, is served; else the paths still missing.
     */
    String crlsMissing() {
        List<String> missing = served.crls().missing();
        return missing.isEmpty() ? null : "not published yet: " + String.join(", ", missing);
    }

    /** This process's name in the publisher lease: host name, process id and where it serves. */
    private static String owner(String where) {
        String node;
        try {
            node = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            node = "localhost";
        }
        return node + "/" + ProcessHandle.current().pid() + ":" + where;
    }

    @Override
    public void close() throws Exception {
        try {
            if (server != null) {
                server.stop();
            }
        } finally {
            if (checkpoints != null) {
                checkpoints.close();
            }
            publisher.close();
            served.close();
        }
    }

    /** The settings of {@code serve crl} and {@code crl publish} from their options; a bad value is one clear line. */
    static CrlConfig config(
            Integer fullDays, Integer deltaHours, boolean keepExpired, Integer maxAgeSeconds, Path directory) {
        CrlConfig config = CrlConfig.defaults().withKeepExpired(keepExpired).withDirectory(directory);
        if (fullDays != null) {
            if (fullDays < 1 || fullDays > 10) {
                throw new IllegalArgumentException(
                        "--full-days must be 1 to 10 (docs/profiles.md: nextUpdate - thisUpdate"
                                + " at most 10 days), not " + fullDays);
            }
            config = config.withFullLifetime(Duration.ofDays(fullDays));
        }
        if (deltaHours != null) {
            long max = config.fullLifetime().toHours();
            if (deltaHours < 1 || deltaHours > max) {
                throw new IllegalArgumentException(
                        "--delta-hours must be 1 to " + max + " (the full CRLs' lifetime), not " + deltaHours);
            }
            config = new CrlConfig(
                    config.fullLifetime(),
                    Duration.ofHours(deltaHours),
                    config.fullAfterChange(),
                    config.round(),
                    config.changeMargin(),
                    config.keepExpired(),
                    config.offlineWarning(),
                    config.maxAge(),
                    config.directory());
        }
        if (maxAgeSeconds != null) {
            if (maxAgeSeconds < 0 || maxAgeSeconds > 86_400) {
                throw new IllegalArgumentException("--max-age must be 0 to 86400 seconds, not " + maxAgeSeconds);
            }
            config = config.withMaxAge(Duration.ofSeconds(maxAgeSeconds));
        }
        return config;
    }

    /**
     * OCSP and CRLs on one port (docs/api.md: in the demo they share 8080): {@code /crl/...} goes to the
     * CRL handler, everything else to the handler it wraps (the OCSP responder's, with /health).
     */
    static final class Routing extends Handler.Wrapper {
        private final Handler crl;

        Routing(Handler crl, Handler rest) {
            super(rest);
            this.crl = Objects.requireNonNull(crl, "crl");
            addBean(crl);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            if (CrlHandler.handles(request.getHttpURI().getPath())) {
                return crl.handle(request, response, callback);
            }
            return super.handle(request, response, callback);
        }
    }
}
