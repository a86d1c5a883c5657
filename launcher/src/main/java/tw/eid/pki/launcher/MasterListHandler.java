package tw.eid.pki.launcher;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import tw.eid.pki.ca.document.MasterLists;

/**
 * {@code GET /certs/csca-masterlist.ml} (issue 6; API.md relying-party paths): the newest CSCA
 * master list from the store, DER CMS, with ETag (its SHA-256), Last-Modified and a one-hour
 * max-age; {@code If-None-Match} gives 304; 404 until a master-list ceremony has run. Every other
 * request goes to the wrapped handler (the OCSP responder on the relying parties' port). When the
 * CRL publisher (issue 5) serves {@code /certs/}, this path moves there.
 */
final class MasterListHandler extends Handler.Wrapper {
    static final String PATH = "/certs/csca-masterlist.ml";
    /** RFC 9110 §5.6.7 IMF-fixdate (two-digit day, GMT), which RFC_1123_DATE_TIME does not give for days 1-9. */
    private static final java.time.format.DateTimeFormatter IMF_FIXDATE = java.time.format.DateTimeFormatter
            .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US).withZone(java.time.ZoneOffset.UTC);
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

    private void serve(Request request, Response response, Callback callback) throws Exception {
        String method = request.getMethod();
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            response.setStatus(HttpStatus.METHOD_NOT_ALLOWED_405);
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            callback.succeeded();
            return;
        }
        Optional<MasterLists.Latest> latest = lists.latest();
        if (latest.isEmpty()) {
            Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404, "no master list has been signed yet");
            return;
        }
        byte[] der = latest.get().der();
        String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der)) + "\"";
        response.getHeaders().put(HttpHeader.ETAG, etag);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "max-age=3600");
        response.getHeaders().put(HttpHeader.LAST_MODIFIED,
                IMF_FIXDATE.format(latest.get().createdAt()));
        if (etag.equals(request.getHeaders().get(HttpHeader.IF_NONE_MATCH))) {
            response.setStatus(HttpStatus.NOT_MODIFIED_304);
            callback.succeeded();
            return;
        }
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, der.length);
        response.write(true, "HEAD".equals(method) ? ByteBuffer.allocate(0) : ByteBuffer.wrap(der), callback);
        return;
    }
}
