package tw.eid.pki.ocsp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import tw.eid.pki.ca.http.JettyHardening;

/**
 * OCSP over HTTP (RFC 6960 appendix A, RFC 5019): {@code POST /ocsp} with
 * {@code application/ocsp-request}, {@code GET /ocsp/{base64, then percent-encoded}}, and
 * {@code GET /health}. A Jetty core handler: no servlet or JAX-RS layer on the hottest path.
 *
 * <p>Every OCSP answer is HTTP 200 with an OCSPResponse (its status says malformedRequest,
 * unauthorized or tryLater); HTTP errors are kept for what is not OCSP at all: an unknown path
 * (404), a method other than GET/POST (405, with Allow), a POST of another content type (415), a
 * URI or headers too large for Jetty (414, 431), as short plain text ({@link #errorHandler}). A successful
 * GET answer carries ETag, Last-Modified, Expires and a short max-age (never past nextUpdate), and
 * If-None-Match gets 304.
 *
 * <p>The handler is declared non-blocking, so Jetty runs it on the selector thread that read the
 * request, without handing the connection to another thread: a GET whose answer is in memory is
 * answered there. Whatever may block (a store read, a signature, reading a POST body, /health's
 * database check) is handed to {@code blocking} and completes the response from there.
 */
final class OcspHandler extends Handler.Abstract.NonBlocking {
    static final String OCSP_REQUEST = "application/ocsp-request";
    static final String OCSP_RESPONSE = "application/ocsp-response";
    private static final HttpField RESPONSE_TYPE = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, OCSP_RESPONSE);
    private static final HttpField NO_STORE = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "no-store");

    private final OcspResponder responder;
    private final Supplier<Health> health;
    private final Executor blocking;
    private final Clock clock;
    /** Cache-Control of an answer whose nextUpdate is further than max-age: nearly all of them. */
    private final HttpField fullMaxAge;

    private final OcspMetrics metrics;

    /** The answer of {@code /health}: up or not, and a short JSON body. */
    record Health(boolean up, String json) {}

    OcspHandler(OcspResponder responder, Supplier<Health> health, Executor blocking, Clock clock) {
        this.responder = Objects.requireNonNull(responder, "responder");
        this.health = Objects.requireNonNull(health, "health");
        this.blocking = Objects.requireNonNull(blocking, "blocking");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = new OcspMetrics(responder.config(), clock);
        this.fullMaxAge = new PreEncodedHttpField(
                HttpHeader.CACHE_CONTROL,
                cacheControl(responder.config().maxAge().getSeconds()));
    }

    private static String cacheControl(long maxAge) {
        return "max-age=" + maxAge + ", public, no-transform, must-revalidate";
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long started = System.nanoTime();
        String path = request.getHttpURI().getPath(); // still percent-encoded
        String method = request.getMethod();
        if ("/health".equals(path)) {
            if (!HttpMethod.GET.is(method)) {
                return notAllowed(response, callback, "GET");
            }
            return offload(callback, () -> {
                Health h = health.get();
                response.setStatus(h.up() ? 200 : 503);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.getHeaders().put(NO_STORE);
                response.write(true, ByteBuffer.wrap(h.json().getBytes(StandardCharsets.UTF_8)), callback);
            });
        }
        if ("/ocsp".equals(path) || "/ocsp/".equals(path)) {
            if (!HttpMethod.POST.is(method)) {
                return notAllowed(response, callback, "POST");
            }
            String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
            if (type == null || !OCSP_REQUEST.equalsIgnoreCase(type.split(";", 2)[0].trim())) {
                return error(response, callback, HttpStatus.UNSUPPORTED_MEDIA_TYPE_415);
            }
            int limit = responder.config().maxRequestBytes();
            if (request.getLength() > limit) {
                post(response, callback, null, started);
                return true;
            }
            // Read without blocking. A body over the limit fails the read (so does a broken
            // connection, whose answer then goes nowhere): either way, malformedRequest and close.
            Content.Source.asByteArrayAsync(request, limit)
                    .whenComplete((body, failure) -> post(response, callback, failure == null ? body : null, started));
            return true;
        }
        if (path != null && path.startsWith("/ocsp/")) {
            if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
                return notAllowed(response, callback, "GET, HEAD");
            }
            byte[] der = decodeGetPath(
                    path.substring("/ocsp/".length()), responder.config().maxRequestBytes());
            OcspAnswer inMemory = responder.fromMemory(der);
            if (inMemory != null) {
                metrics.served(inMemory, "memory", true, started);
                get(request, response, callback, inMemory);
                return true;
            }
            return offload(callback, () -> {
                OcspAnswer answer = responder.respond(der);
                metrics.served(answer, answer.source(), true, started);
                get(request, response, callback, answer);
            });
        }
        return error(response, callback, HttpStatus.NOT_FOUND_404);
    }

    /**
     * Answers a POST body (null when it was over the limit: the answer is malformedRequest, and
     * since the rest of the body is not read, the connection cannot carry another request).
     */
    private void post(Response response, Callback callback, byte[] body, long started) {
        OcspAnswer inMemory = body == null ? null : responder.fromMemory(body);
        if (inMemory != null) {
            metrics.served(inMemory, "memory", false, started);
            writePost(response, callback, inMemory, false);
            return;
        }
        offload(callback, () -> {
            OcspAnswer answer = responder.respond(body);
            metrics.served(answer, answer.source(), false, started);
            writePost(response, callback, answer, body == null);
        });
    }

    private static void writePost(Response response, Callback callback, OcspAnswer answer, boolean close) {
        if (close) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        response.setStatus(200);
        response.getHeaders().put(RESPONSE_TYPE);
        response.getHeaders().put(NO_STORE);
        response.write(true, ByteBuffer.wrap(answer.der()), callback);
    }

    /** Runs {@code work}, which completes the response, on a thread that may block. */
    private boolean offload(Callback callback, BlockingWork work) {
        try {
            blocking.execute(() -> {
                try {
                    work.run();
                } catch (Throwable t) {
                    callback.failed(t);
                }
            });
        } catch (RejectedExecutionException e) {
            callback.failed(e);
        }
        return true;
    }

    @FunctionalInterface
    private interface BlockingWork {
        void run() throws Exception;
    }

    private void get(Request request, Response response, Callback callback, OcspAnswer answer) {
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(RESPONSE_TYPE);
        if (!answer.successful()) {
            headers.put(NO_STORE);
            response.setStatus(200);
            response.write(true, ByteBuffer.wrap(answer.der()), callback);
            return;
        }
        Instant now = clock.instant();
        long untilNext = Math.max(0, Duration.between(now, answer.nextUpdate()).getSeconds());
        long configured = responder.config().maxAge().getSeconds();
        long maxAge = Math.min(configured, untilNext);
        headers.put(answer.etagField());
        headers.put(answer.lastModifiedField());
        headers.put(HttpHeader.EXPIRES, HttpDates.format(now.plusSeconds(maxAge)));
        headers.put(
                maxAge == configured
                        ? fullMaxAge
                        : new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, cacheControl(maxAge)));
        if (request.getHeaders().contains(HttpHeader.IF_NONE_MATCH)
                && matches(request.getHeaders().getValuesList(HttpHeader.IF_NONE_MATCH), answer.etag())) {
            response.setStatus(HttpStatus.NOT_MODIFIED_304);
            callback.succeeded();
            return;
        }
        response.setStatus(200);
        if (HttpMethod.HEAD.is(request.getMethod())) {
            headers.put(HttpHeader.CONTENT_LENGTH, answer.der().length);
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

    /** RFC 9110 §15.5.6: a 405 names the methods the resource takes. */
    private static boolean notAllowed(Response response, Callback callback, String allow) {
        response.getHeaders().put(HttpHeader.ALLOW, allow);
        return error(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405);
    }

    private static boolean error(Response response, Callback callback, int status) {
        return JettyHardening.plainTextError(response, status, callback);
    }

    /** Whether {@code path} (still encoded) is where an OCSP request is sent, by POST or RFC 5019 GET. */
    private static boolean ocspPath(String path) {
        return path != null && (path.equals("/ocsp") || path.startsWith("/ocsp/"));
    }

    /**
     * What Jetty itself refuses on this port (a URI it will not take: %2e%2e, %25, %5C, bad UTF-8;
     * a URI or headers too large; a request it cannot parse) and what fails in a handler: never
     * Jetty's HTML page, which names the exception. An OCSP request Jetty refuses as a bad request
     * is answered malformedRequest like any request that does not decode, one that failed with us
     * internalError (RFC 6960 §2.3), both HTTP 200 as every OCSP answer; anything else is the short
     * plain-text error of its status, whatever the method and the Accept headers.
     */
    static ErrorHandler errorHandler() {
        return JettyHardening.errorHandler((request, response, code, callback) -> {
            String path =
                    request.getHttpURI() == null ? null : request.getHttpURI().getPath();
            if (ocspPath(path) && (code == HttpStatus.BAD_REQUEST_400 || code >= 500)) {
                OcspAnswer answer = OcspResponder.status(
                        code == HttpStatus.BAD_REQUEST_400
                                ? OCSPRespBuilder.MALFORMED_REQUEST
                                : OCSPRespBuilder.INTERNAL_ERROR);
                response.setStatus(200);
                response.getHeaders().put(RESPONSE_TYPE);
                response.getHeaders().put(NO_STORE);
                response.write(true, ByteBuffer.wrap(answer.der()), callback);
                return;
            }
            JettyHardening.writePlainText(response, code, callback);
        });
    }
}
