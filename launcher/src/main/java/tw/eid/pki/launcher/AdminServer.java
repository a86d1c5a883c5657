package tw.eid.pki.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.ca.http.JettyHardening;

/**
 * The admin port of a serving process (docs/metrics.md), apart from the public ports and bound to
 * 127.0.0.1 unless {@code --admin-host} says otherwise: {@code GET /metrics} (Prometheus text
 * format), {@code GET /health/live} (the process answers) and {@code GET /health/ready} (every
 * readiness check passes: 200, else 503, with each check's result as JSON). Anything else is 404.
 */
final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The default admin ports, one per kind of process, none a well-known exporter port (docs/metrics.md). */
    static final int ALL_DEFAULT_PORT = 7460;

    static final int RA_DEFAULT_PORT = 7461;
    static final int OCSP_DEFAULT_PORT = 7462;
    static final int CRL_DEFAULT_PORT = 7463;
    static final int DEMO_DEFAULT_PORT = 7464;

    /**
     * One readiness check: {@code detail} null when it passes, else a short reason.
     *
     * @param name what is checked (token, database, ocsp-signer, crls)
     */
    record Check(String name, Supplier<String> detail) {}

    private final Server server;
    private final List<Check> checks;
    /** Set once the server listens. */
    private String url;

    private AdminServer(Server server, List<Check> checks) {
        this.server = server;
        this.checks = checks;
    }

    /**
     * Refuses a bad {@code --admin-port} with one line before anything starts: out of range, equal
     * to one of {@code publicPorts} (non-zero ones), or already in use on {@code host}.
     */
    static void checkPort(String host, int port, int... publicPorts) {
        checkOption(port, publicPorts);
        checkFree(host, port);
    }

    /** The checks of {@link #checkPort} that need no socket: the range and the public ports. */
    static void checkOption(int port, int... publicPorts) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--admin-port must be 0 to 65535, not " + port);
        }
        if (port == 0) {
            return;
        }
        for (int p : publicPorts) {
            if (p == port) {
                throw new IllegalArgumentException(
                        "--admin-port " + port + " is also a public port of this process; give the admin port its own");
            }
        }
    }

    /** Refuses an {@code --admin-port} that is in use on {@code host} (0, any free port, always passes). */
    static void checkFree(String host, int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "--admin-port " + port + " on " + host + " is not free: " + OneLine.of(e), e);
        }
    }

    static AdminServer start(String host, int port, PrometheusMeterRegistry registry, List<Check> checks)
            throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(8, 1);
        threads.setName("admin-http");
        Server server = new Server(threads);
        ServerConnector connector =
                new ServerConnector(server, 1, 1, new HttpConnectionFactory(JettyHardening.httpConfiguration()));
        connector.setHost(host);
        connector.setPort(port);
        JettyHardening.limits(server, connector);
        server.addConnector(connector);
        server.setErrorHandler(JettyHardening.errorHandler(JettyHardening.PLAIN_TEXT));
        AdminServer admin = new AdminServer(server, List.copyOf(checks));
        server.setHandler(admin.new Endpoints(registry));
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // not started
            }
            throw new IOException("cannot listen on " + host + ":" + port + " (--admin-port): "
                    + OneLine.of(e.getCause() != null ? e.getCause() : e));
        }
        String h = host.contains(":") ? "[" + host + "]" : host;
        admin.url = "http://" + h + ":" + connector.getLocalPort();
        return admin;
    }

    String url() {
        return url;
    }

    /** The failing checks: name and reason; empty when ready. */
    List<String> notReady() {
        return checks.stream()
                .map(c -> {
                    String d;
                    try {
                        d = c.detail().get();
                    } catch (RuntimeException e) {
                        d = OneLine.of(e);
                    }
                    return d == null ? null : c.name() + ": " + d;
                })
                .filter(d -> d != null)
                .toList();
    }

    /** Waits until every check passes (true), or {@code limit} passes (false). */
    boolean awaitReady(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!notReady().isEmpty()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(250);
        }
        return true;
    }

    /**
     * Prints {@code Ready: ...} on {@code out} once every check passes, from a daemon thread (the
     * service already listens and answers; relying parties should follow only once it is ready).
     */
    void announceWhenReady(PrintStream out, String what) {
        Thread t = new Thread(
                () -> {
                    try {
                        awaitReady(Duration.ofDays(365));
                        out.println("Ready: " + what + " (" + url + "/health/ready)");
                        out.flush();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "admin-ready");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    private final class Endpoints extends Handler.Abstract {
        private final PrometheusMeterRegistry registry;

        Endpoints(PrometheusMeterRegistry registry) {
            this.registry = registry;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            String path = request.getHttpURI().getPath();
            if (!"/metrics".equals(path) && !"/health/live".equals(path) && !"/health/ready".equals(path)) {
                return JettyHardening.plainTextError(response, HttpStatus.NOT_FOUND_404, callback);
            }
            if (!HttpMethod.GET.is(request.getMethod())) {
                response.getHeaders().put(HttpHeader.ALLOW, "GET");
                return JettyHardening.plainTextError(response, HttpStatus.METHOD_NOT_ALLOWED_405, callback);
            }
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            if ("/metrics".equals(path)) {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                write(response, callback, 200, registry.scrape());
                return true;
            }
            ObjectNode body = JSON.createObjectNode();
            if ("/health/live".equals(path)) {
                body.put("status", "live");
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                write(response, callback, 200, body.toString());
                return true;
            }
            ObjectNode results = body.putObject("checks");
            boolean ready = true;
            for (Check c : checks) {
                String d;
                try {
                    d = c.detail().get();
                } catch (RuntimeException e) {
                    log.debug("readiness check {} failed", c.name(), e);
                    d = OneLine.of(e);
                }
                ready &= d == null;
                results.put(c.name(), d == null ? "ok" : d);
            }
            body.put("status", ready ? "ready" : "not ready");
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            write(response, callback, ready ? 200 : 503, body.toString());
            return true;
        }

        private void write(Response response, Callback callback, int status, String body) {
            response.setStatus(status);
            response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
        }
    }
}
