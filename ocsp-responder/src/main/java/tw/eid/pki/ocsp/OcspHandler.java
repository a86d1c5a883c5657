package tw.eid.pki.ocsp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * OCSP over HTTP (RFC 6960 appendix A, RFC 5019): {@code POST /ocsp} with
 * {@code application/ocsp-request}, {@code GET /ocsp/{base64, then percent-encoded}}, and
 * {@code GET /health}. A Jetty core handler: no servlet or JAX-RS layer on the hottest path.
 *
 * <p>Every OCSP answer is HTTP 200 with an OCSPResponse (its status says malformedRequest,
 * unauthorized or tryLater); HTTP errors are kept for what is not OCSP at all: an unknown path
 * (404), a method other than GET/POST (405), a POST of another content type (415). A successful
 * GET answer carries ETag, Last-Modified, Expires and a short max-age (never past nextUpdate), and
 * If-None-Match gets 304.
 */
final class OcspHandler extends Handler.Abstract {
    static final String OCSP_REQUEST = "application/ocsp-request";
    static final String OCSP_RESPONSE = "application/ocsp-response";

    private final OcspResponder responder;
    private final Supplier<Health> health;
    private final Clock clock;

    /** The answer of {@code /health}: up or not, and a short JSON body. */
    record Health(boolean up, String json) {}

    OcspHandler(OcspResponder responder, Supplier<Health> health, Clock clock) {
        this.responder = Objects.requireNonNull(responder, "responder");
        this.health = Objects.requireNonNull(health, "health");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath(); // still percent-encoded
        String method = request.getMethod();
        if ("/health".equals(path)) {
            if (!HttpMethod.GET.is(method)) {
                return error(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405);
            }
            Health h = health.get();
            response.setStatus(h.up() ? 200 : 503);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.write(true, ByteBuffer.wrap(h.json().getBytes(StandardCharsets.UTF_8)), callback);
            return true;
        }
        if ("/ocsp".equals(path) || "/ocsp/".equals(path)) {
            if (!HttpMethod.POST.is(method)) {
                return error(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405);
            }
            String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
            if (type == null || !OCSP_REQUEST.equalsIgnoreCase(type.split(";", 2)[0].trim())) {
                return error(response, callback, HttpStatus.UNSUPPORTED_MEDIA_TYPE_415);
            }
            byte[] body = readAtMost(request, responder.config().maxRequestBytes());
            OcspAnswer answer = responder.respond(body);
            if (body == null) {
                // Too long: the rest of the body is not read, so the connection cannot carry another request.
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, OCSP_RESPONSE);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.write(true, ByteBuffer.wrap(answer.der()), callback);
            return true;
        }
        if (path != null && path.startsWith("/ocsp/")) {
            if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
                return error(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405);
            }
            byte[] der = decodeGetPath(path.substring("/ocsp/".length()), responder.config().maxRequestBytes());
            OcspAnswer answer = responder.respond(der);
            get(request, response, callback, answer);
            return true;
        }
        return error(response, callback, HttpStatus.NOT_FOUND_404);
    }

    private void get(Request request, Response response, Callback callback, OcspAnswer answer) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, OCSP_RESPONSE);
        if (!answer.successful()) {
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.setStatus(200);
            response.write(true, ByteBuffer.wrap(answer.der()), callback);
            return;
        }
        Instant now = clock.instant();
        long untilNext = Math.max(0, Duration.between(now, answer.nextUpdate()).getSeconds());
        long maxAge = Math.min(responder.config().maxAge().getSeconds(), untilNext);
        String etag = answer.etag();
        response.getHeaders().put(HttpHeader.ETAG, etag);
        response.getHeaders().put(HttpHeader.LAST_MODIFIED, HttpDates.format(answer.thisUpdate()));
        response.getHeaders().put(HttpHeader.EXPIRES, HttpDates.format(now.plusSeconds(maxAge)));
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "max-age=" + maxAge + ", public, no-transform, must-revalidate");
        if (matches(request.getHeaders().getValuesList(HttpHeader.IF_NONE_MATCH), etag)) {
            response.setStatus(HttpStatus.NOT_MODIFIED_304);
            callback.succeeded();
            return;
        }
        response.setStatus(200);
        if (HttpMethod.HEAD.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.der().length);
            callback.succeeded();
            return;
        }
        response.write(true, ByteBuffer.wrap(answer.der()), callback);
    }

    private static boolean matches(List<String> ifNoneMatch, String etag) {
        for (String value : ifNoneMatch) {
            for (String tag : value.split(",")) {
                String t = tag.trim();
                if (t.equals(etag) || t.equals("W/" + etag) || t.equals("*")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * RFC 6960 appendix A.1 / RFC 5019 §5: the DER request, base64 (standard alphabet), then
     * percent-encoded. Percent escapes are decoded here by hand: a form decoder would turn '+'
     * into a space. Null (then answered malformedRequest) for anything that does not decode.
     */
    static byte[] decodeGetPath(String encoded, int maxRequestBytes) {
        if (encoded.isEmpty() || encoded.length() > maxRequestBytes * 3 * 4 / 3 + 16) {
            return null;
        }
        StringBuilder b64 = new StringBuilder(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char ch = encoded.charAt(i);
            if (ch == '%') {
                if (i + 2 >= encoded.length()) {
                    return null;
                }
                int hi = Character.digit(encoded.charAt(i + 1), 16);
                int lo = Character.digit(encoded.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                b64.append((char) (hi * 16 + lo));
                i += 2;
            } else {
                b64.append(ch);
            }
        }
        if (b64.length() % 4 != 0) {
            return null; // RFC 4648 §4: standard base64 is padded (Java's decoder would accept it unpadded)
        }
        try {
            byte[] der = Base64.getDecoder().decode(b64.toString());
            return der.length > maxRequestBytes ? null : der;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The body, or null when it is longer than {@code limit} (not read further). */
    private static byte[] readAtMost(Request request, int limit) throws IOException {
        long declared = request.getLength();
        if (declared > limit) {
            return null;
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] body = in.readNBytes(limit + 1);
            return body.length > limit ? null : body;
        }
    }

    private static boolean error(Response response, Callback callback, int status) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap((HttpStatus.getMessage(status) + "\n").getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }
}
