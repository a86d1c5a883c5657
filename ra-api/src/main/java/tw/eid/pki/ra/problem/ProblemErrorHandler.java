package tw.eid.pki.ra.problem;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import tw.eid.pki.ca.http.JettyHardening;

/**
 * Jetty's own errors (a path outside {@code /api/v1}, a request Jetty refuses before Jersey sees it)
 * as problems too, instead of Jetty's HTML error page. One instance for the server, one for the
 * servlet context (the ee10 error handler is a subclass of the core one). Whatever the method and
 * whatever the Accept and Accept-Charset headers say: Jetty's own handler writes no body at all for
 * a PUT or DELETE, or when those headers do not parse or name nothing it can write.
 */
public final class ProblemErrorHandler {
    private ProblemErrorHandler() {}

    /** For {@code Server.setErrorHandler}: the servers' shared handler, writing problems. */
    public static ErrorHandler core() {
        return JettyHardening.errorHandler(
                (request, response, code, callback) -> writeProblem(response, callback, code));
    }

    /** For {@code ServletContextHandler.setErrorHandler}. */
    public static org.eclipse.jetty.ee10.servlet.ErrorHandler servlet() {
        return new org.eclipse.jetty.ee10.servlet.ErrorHandler() {
            @Override
            public boolean errorPageForMethod(String method) {
                return true;
            }

            @Override
            protected void generateResponse(
                    Request request, Response response, int code, String message, Throwable cause, Callback callback) {
                ProblemErrorHandler.writeProblem(response, callback, code);
            }
        };
    }

    static boolean writeProblem(Response response, Callback callback, int status) {
        String code = switch (status) {
            case 400 -> "request.bad-request";
            case 404 -> "request.not-found";
            case 405 -> "request.method-not-allowed";
            case 413 -> "request.too-large";
            case 414 -> "request.uri-too-long";
            case 431 -> "request.headers-too-large";
            default -> status >= 500 ? "internal-error" : "request.refused";
        };
        Problem p = Problem.of(status, code, status == 404 ? "no such resource" : "the request was refused");
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
        response.write(true, ByteBuffer.wrap(p.toJson()), callback);
        return true;
    }
}
