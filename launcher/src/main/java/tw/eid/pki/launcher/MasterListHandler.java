package tw.eid.pki.launcher;

import java.util.Optional;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import tw.eid.pki.ca.document.MasterLists;

/**
 * {@code GET /certs/csca-masterlist.ml} (issue 6; docs/api.md relying-party paths): the newest CSCA
 * master list from the store, DER CMS, with ETag (its SHA-256), Last-Modified and a one-hour
 * max-age; {@code If-None-Match} gives 304; 404 until a master-list ceremony has run. Every other
 * request goes to the wrapped handler (the OCSP responder on the relying parties' port). When the
 * CRL publisher (issue 5) serves {@code /certs/}, this path moves there.
 */
final class MasterListHandler extends Handler.Wrapper {
    static final String PATH = "/certs/csca-masterlist.ml";
    private final MasterLists lists;

    MasterListHandler(MasterLists lists, Handler next) {
        super(next);
        this.lists = lists;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!PATH.equals(Request.getPathInContext(request))) {
            return super.handle(request, response, callback);
        }
        // The OCSP handler this wraps is non-blocking, so Jetty calls this on a selector thread:
        // the store read goes to the pool.
        request.getComponents().getThreadPool().execute(() -> {
            try {
                serve(request, response, callback);
            } catch (Throwable t) {
                callback.failed(t);
            }
        });
        return true;
    }

    private void serve(Request request, Response response, Callback callback) {
        if (!StoredFileResponse.readMethod(request)) {
            StoredFileResponse.methodNotAllowed(response, callback);
            return;
        }
        Optional<MasterLists.Latest> latest = lists.latest();
        if (latest.isEmpty()) {
            Response.writeError(
                    request, response, callback, HttpStatus.NOT_FOUND_404, "no master list has been signed yet");
            return;
        }
        StoredFileResponse.send(
                request,
                response,
                callback,
                latest.get().der(),
                "application/octet-stream",
                latest.get().createdAt());
    }
}
