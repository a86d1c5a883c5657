package tw.eid.pki.launcher;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The answer of a relying-party file read from the store (the CSCA master list, CA certificates):
 * GET and HEAD only (405 with Allow otherwise); ETag (the body's SHA-256), Last-Modified and a
 * one-hour max-age; {@code If-None-Match} with that ETag gives 304.
 */
final class StoredFileResponse {
    /** RFC 9110 §5.6.7 IMF-fixdate (two-digit day, GMT), which RFC_1123_DATE_TIME does not give for days 1-9. */
    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.ofPattern(
                    "EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);

    private StoredFileResponse() {}

    /** False (nothing written) for a method other than GET and HEAD: the caller answers 405 through {@link #methodNotAllowed}. */
    static boolean readMethod(Request request) {
        String method = request.getMethod();
        return "GET".equals(method) || "HEAD".equals(method);
    }

    static void methodNotAllowed(Response response, Callback callback) {
        response.setStatus(HttpStatus.METHOD_NOT_ALLOWED_405);
        response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
        callback.succeeded();
    }

    static void send(
            Request request,
            Response response,
            Callback callback,
            byte[] body,
            String contentType,
            Instant lastModified) {
        String etag;
        try {
            etag = "\""
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(body)) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        response.getHeaders().put(HttpHeader.ETAG, etag);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "max-age=3600");
        response.getHeaders().put(HttpHeader.LAST_MODIFIED, IMF_FIXDATE.format(lastModified));
        if (etag.equals(request.getHeaders().get(HttpHeader.IF_NONE_MATCH))) {
            response.setStatus(HttpStatus.NOT_MODIFIED_304);
            callback.succeeded();
            return;
        }
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(
                true, "HEAD".equals(request.getMethod()) ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body), callback);
    }
}
