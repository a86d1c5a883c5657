package tw.eid.pki.launcher;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A request id for every request of a public server (docs/operations.md, "Logs"): 16 random hex
 * digits of our own (a client's id is not taken), in the MDC as {@code requestId} while the
 * request is handled on its thread, in the response header {@value #HEADER}, and in the one line
 * logged at INFO by {@code tw.eid.pki.access} when the response is complete: the server, the
 * method, the status and the time taken. Not the path or the query: RA paths carry card numbers,
 * which are personal data (docs/style.md), and nothing of a client certificate.
 */
final class RequestIds extends Handler.Wrapper {
    static final String HEADER = "X-Request-Id";
    private static final Logger access = LoggerFactory.getLogger("tw.eid.pki.access");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String server;

    /** Wraps the server's handler (before it starts). */
    static void install(Server server, String name) {
        server.setHandler(new RequestIds(name, server.getHandler()));
    }

    RequestIds(String server, Handler handler) {
        super(handler);
        this.server = server;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        String id = HexFormat.of().formatHex(bytes);
        response.getHeaders().put(HEADER, id);
        long start = System.nanoTime();
        String method = request.getMethod();
        Callback logged = new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                log(id, method, response.getStatus(), start);
                super.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                log(id, method, response.getStatus(), start);
                super.failed(x);
            }
        };
        MDC.put(Logs.REQUEST_ID, id);
        try {
            return super.handle(request, response, logged);
        } finally {
            MDC.remove(Logs.REQUEST_ID);
        }
    }

    private void log(String id, String method, int status, long start) {
        if (!access.isInfoEnabled()) {
            return;
        }
        String before = MDC.get(Logs.REQUEST_ID);
        MDC.put(Logs.REQUEST_ID, id);
        try {
            access.info(
                    "{} {} {} {} ms", server, method, status, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        } finally {
            if (before == null) {
                MDC.remove(Logs.REQUEST_ID);
            } else {
                MDC.put(Logs.REQUEST_ID, before);
            }
        }
    }
}
