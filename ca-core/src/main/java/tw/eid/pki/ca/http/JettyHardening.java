package tw.eid.pki.ca.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * What the three HTTP servers (the RA, the OCSP responder, the CRL server) set the same way on
 * Jetty, in one place (docs/architecture.md, "HTTP servers"):
 * <ul>
 *   <li>no {@code Server} and no {@code X-Powered-By} header ({@link #httpConfiguration});
 *   <li>idle connections closed after {@value #IDLE_TIMEOUT_MILLIS} ms, and a stop that waits at
 *       most {@value #STOP_TIMEOUT_MILLIS} ms for requests in flight ({@link #limits});
 *   <li>Jetty's own errors (a URI with %2e%2e, %2F, %5C, NUL or bad UTF-8, a URI or headers too
 *       large, a request it cannot parse, a handler that fails) answered with a short body of the
 *       server's own kind, whatever the method and the Accept headers, never Jetty's HTML page
 *       (which echoes the URI and names exceptions): {@link #errorHandler}, plain text by default
 *       ({@link #PLAIN_TEXT}), a problem for the RA, an OCSP error response on the OCSP paths.
 * </ul>
 */
public final class JettyHardening {
    public static final int IDLE_TIMEOUT_MILLIS = 30_000;
    public static final int STOP_TIMEOUT_MILLIS = 5_000;

    private JettyHardening() {}

    /** Writes the body of an error answer with status {@code status}, and completes {@code callback}. */
    @FunctionalInterface
    public interface ErrorBody {
        void write(Request request, Response response, int status, Callback callback);
    }

    /** The status line's reason phrase as {@code text/plain}, not to be cached. */
    public static final ErrorBody PLAIN_TEXT =
            (request, response, status, callback) -> writePlainText(response, status, callback);

    /** An HTTP configuration that does not name the server. */
    public static HttpConfiguration httpConfiguration() {
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        return http;
    }

    /** The idle timeout of {@code connector} and the stop timeout of its server. */
    public static void limits(Server server, ServerConnector connector) {
        connector.setIdleTimeout(IDLE_TIMEOUT_MILLIS);
        server.setStopTimeout(STOP_TIMEOUT_MILLIS);
    }

    /** A server-level error handler that answers every method with {@code body}. */
    public static ErrorHandler errorHandler(ErrorBody body) {
        return new ErrorHandler() {
            @Override
            public boolean errorPageForMethod(String method) {
                return true;
            }

            @Override
            protected void generateResponse(
                    Request request, Response response, int code, String message, Throwable cause, Callback callback) {
                body.write(request, response, code, callback);
            }
        };
    }

    /** A handler's own short error (404, 405, ...): the status and its {@link #PLAIN_TEXT} body; true (handled). */
    public static boolean plainTextError(Response response, int status, Callback callback) {
        response.setStatus(status);
        writePlainText(response, status, callback);
        return true;
    }

    /** {@link #PLAIN_TEXT}: for the servers' own short errors (404, 405, ...) too. */
    public static void writePlainText(Response response, int status, Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(
                true,
                ByteBuffer.wrap((HttpStatus.getMessage(status) + "\n").getBytes(StandardCharsets.UTF_8)),
                callback);
    }
}
