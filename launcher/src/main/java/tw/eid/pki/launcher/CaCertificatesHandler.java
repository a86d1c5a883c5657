package tw.eid.pki.launcher;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import tw.eid.pki.ca.profile.CaCertificates;

/**
 * {@code GET /certs/{ca}.crt} (docs/api.md relying-party paths; the AIA caIssuers target of the
 * certificates each CA issues): the CA's certificate from the store as {@link CaCertificates}
 * publishes it (DER, or certs-only CMS when the profile has several), with the validators of
 * {@link StoredFileResponse}; 404 for a name that is no CA profile or a CA not yet created. Every
 * other request goes to the wrapped handler.
 */
final class CaCertificatesHandler extends Handler.Wrapper {
    private static final Pattern PATH = Pattern.compile("/certs/([a-z0-9][a-z0-9-]{0,63})\\.crt");
    private final CaCertificates certificates;

    CaCertificatesHandler(CaCertificates certificates, Handler next) {
        super(next);
        this.certificates = certificates;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Matcher m = PATH.matcher(Request.getPathInContext(request));
        if (!m.matches()) {
            return super.handle(request, response, callback);
        }
        String segment = m.group(1);
        // The wrapped OCSP handler is non-blocking, so Jetty calls this on a selector thread: the
        // store read goes to the pool.
        request.getComponents().getThreadPool().execute(() -> {
            try {
                serve(segment, request, response, callback);
            } catch (Throwable t) {
                callback.failed(t);
            }
        });
        return true;
    }

    private void serve(String segment, Request request, Response response, Callback callback) {
        if (!StoredFileResponse.readMethod(request)) {
            StoredFileResponse.methodNotAllowed(response, callback);
            return;
        }
        Optional<CaCertificates.Published> published = certificates.at(segment);
        if (published.isEmpty()) {
            Response.writeError(
                    request, response, callback, HttpStatus.NOT_FOUND_404, "no CA certificate at this path");
            return;
        }
        StoredFileResponse.send(
                request,
                response,
                callback,
                published.get().body(),
                published.get().contentType(),
                published.get().lastModified());
    }
}
