package tw.eid.pki.crl;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import tw.eid.pki.ca.http.JettyHardening;

/**
 * CRLs over HTTP (docs/api.md): {@code GET /crl/{ca}/{partition}.crl}, {@code
 * /crl/{ca}/{partition}-delta.crl}, {@code /crl/{ca}.crl}, DER as {@code application/pkix-crl}
 * (RFC 5280 §4.2.1.13), with ETag, Last-Modified (thisUpdate), Expires and a Cache-Control
 * max-age never past nextUpdate; 304 on If-None-Match or If-Modified-Since. HEAD too. Anything
 * else below {@code /crl/} is 404, another method 405; {@code /health} (GET, HEAD) is answered when a
 * health supplier is given. CRLs are found by their exact URL path, never on a file system.
 * A Jetty core handler: CRLs are static bytes.
 */
public final class CrlHandler extends Handler.Abstract {
    public static final String PKIX_CRL = "application/pkix-crl";
    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.ofPattern(
                    "EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /** The answer of {@code /health}. */
    public record Health(boolean up, String json) {}

    private final PublishedCrls crls;
    private final Duration maxAge;
    private final Supplier<Health> health;
    private final Clock clock;

    public CrlHandler(PublishedCrls crls, Duration maxAge, Supplier<Health> health, Clock clock) {
        this.crls = Objects.requireNonNull(crls, "crls");
        this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
        this.health = health;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Whether this handler answers {@code path} (for a router that shares a port with OCSP). */
    public static boolean handles(String path) {
        return path != null && path.startsWith("/crl/");
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        String method = request.getMethod();
        if (health != null && "/health".equals(path)) {
            if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
                response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
                return error(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405);
            }
            Health h = health.get();
            response.setStatus(h.up() ? 200 : 503);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.write(true, ByteBuffer.wrap(h.json().getBytes(StandardCharsets.UTF_8)), callback);
            return true;
        }
        if (!handles(path)) {
            return error(response, callback, HttpStatus.NOT_FOUND_404);
        }
        PublishedCrls.Served crl = crls.get(path);
        if (crl == null) {
            return error(response, callback, HttpStatus.NOT_FOUND_404);
        }
        if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            return error(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405);
        }
        Instant now = clock.instant();
        long untilNext = Math.max(0, Duration.between(now, crl.nextUpdate()).getSeconds());
        long age = Math.min(maxAge.getSeconds(), untilNext);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, PKIX_CRL);
        response.getHeaders().put(HttpHeader.ETAG, crl.etag());
        response.getHeaders().put(HttpHeader.LAST_MODIFIED, IMF_FIXDATE.format(crl.thisUpdate()));
        response.getHeaders().put(HttpHeader.EXPIRES, IMF_FIXDATE.format(now.plusSeconds(age)));
        response.getHeaders()
                .put(HttpHeader.CACHE_CONTROL, "max-age=" + age + ", public, no-transform, must-revalidate");
        if (notModified(request, crl)) {
            response.setStatus(HttpStatus.NOT_MODIFIED_304);
            callback.succeeded();
            return true;
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, crl.der().length);
        if (HttpMethod.HEAD.is(method)) {
            callback.succeeded();
            return true;
        }
        response.write(true, ByteBuffer.wrap(crl.der()), callback);
        return true;
    }

    /** RFC 9110 §13.1.1 and §13.1.3: If-None-Match wins; If-Modified-Since only without it. */
    private static boolean notModified(Request request, PublishedCrls.Served crl) {
        List<String> ifNoneMatch = request.getHeaders().getValuesList(HttpHeader.IF_NONE_MATCH);
        if (!ifNoneMatch.isEmpty()) {
            for (String value : ifNoneMatch) {
                for (String tag : value.split(",")) {
                    String t = tag.trim();
                    if (t.equals(crl.etag()) || t.equals("W/" + crl.etag()) || t.equals("*")) {
                        return true;
                    }
                }
            }
            return false;
        }
        String since = request.getHeaders().get(HttpHeader.IF_MODIFIED_SINCE);
        if (since == null) {
            return false;
        }
        try {
            Instant t = Instant.from(IMF_FIXDATE.parse(since.trim()));
            return !crl.thisUpdate().isAfter(t);
        } catch (DateTimeParseException e) {
            return false; // RFC 9110 §13.1.3: an invalid date is ignored
        }
    }

    private static boolean error(Response response, Callback callback, int status) {
        return JettyHardening.plainTextError(response, status, callback);
    }
}
