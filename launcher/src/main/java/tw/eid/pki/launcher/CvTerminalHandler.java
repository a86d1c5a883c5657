package tw.eid.pki.launcher;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.cvc.AgencyAuthorizations;
import tw.eid.pki.ca.cvc.CvAuthority;
import tw.eid.pki.ca.cvc.CvCertificate;
import tw.eid.pki.ca.cvc.CvException;
import tw.eid.pki.ca.cvc.CvRequest;
import tw.eid.pki.hsm.Token;
import tw.eid.pki.ra.problem.HttpStatuses;
import tw.eid.pki.ra.problem.Problem;

/**
 * The card-verifiable side of the relying parties' port (issue 22; docs/api.md): {@code POST
 * /cv/terminal-renewal}, where a terminal renews its own certificate with an authenticated CV request
 * (no operator certificate: the outer signature, made with the key of its current, valid terminal
 * certificate, is the authentication; the review was done when the record was approved), and {@code
 * GET /cv/trust-points}, every CVCA and link certificate for chip personalization. Refusals are
 * {@code application/problem+json} with the {@code cv.*} codes of the RA API and store nothing. Every
 * other request goes to the wrapped handler.
 */
final class CvTerminalHandler extends Handler.Wrapper {
    static final String RENEWAL = "/cv/terminal-renewal";
    static final String TRUST_POINTS = "/cv/trust-points";
    /** An authenticated request with domain parameters is about 500 bytes. */
    static final int MAX_REQUEST_BYTES = 4096;

    private static final Logger log = LoggerFactory.getLogger(CvTerminalHandler.class);
    private static final Pattern DAYS = Pattern.compile("[1-9][0-9]?");
    private static final String CV_CERTIFICATE = "application/octet-stream";

    private final AgencyAuthorizations agencies;
    private final CvAuthority authority;
    private final Token online;

    CvTerminalHandler(AgencyAuthorizations agencies, CvAuthority authority, Token online, Handler next) {
        super(next);
        this.agencies = agencies;
        this.authority = authority;
        this.online = online;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if (TRUST_POINTS.equals(path)) {
            if (!StoredFileResponse.readMethod(request)) {
                StoredFileResponse.methodNotAllowed(response, callback);
                return true;
            }
            offload(request, response, callback, () -> trustPoints(response, callback));
            return true;
        }
        if (!RENEWAL.equals(path)) {
            return super.handle(request, response, callback);
        }
        if (!HttpMethod.POST.is(request.getMethod())) {
            response.setStatus(405);
            response.getHeaders().put(HttpHeader.ALLOW, "POST");
            problem(response, callback, Problem.of(405, "request.method-not-allowed", "use POST"));
            return true;
        }
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (type == null || !CV_CERTIFICATE.equalsIgnoreCase(type.split(";", 2)[0].trim())) {
            problem(
                    response,
                    callback,
                    Problem.of(415, "request.unsupported-media-type", "send the CV request as " + CV_CERTIFICATE));
            return true;
        }
        Integer days;
        try {
            days = validityDays(request);
        } catch (RuntimeException e) {
            // Ours, or Jetty's refusal of a badly encoded query.
            problem(
                    response,
                    callback,
                    Problem.of(400, "request.bad-parameter", "validity-days is one number of days, 1 to 99"));
            return true;
        }
        if (request.getLength() > MAX_REQUEST_BYTES) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            problem(
                    response,
                    callback,
                    Problem.of(413, "request.too-large", "at most " + MAX_REQUEST_BYTES + " bytes"));
            return true;
        }
        Actor terminal = new Actor("terminal", Request.getRemoteAddr(request), Request.getLocalAddr(request));
        Content.Source.asByteArrayAsync(request, MAX_REQUEST_BYTES).whenComplete((body, failure) -> {
            if (failure != null) {
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
                problem(
                        response,
                        callback,
                        Problem.of(413, "request.too-large", "at most " + MAX_REQUEST_BYTES + " bytes"));
                return;
            }
            offload(request, response, callback, () -> renew(terminal, body, days, response, callback));
        });
        return true;
    }

    private void renew(Actor connection, byte[] body, Integer days, Response response, Callback callback) {
        try {
            CvRequest parsed = CvRequest.parse(body);
            // Who acts: the terminal certificate named by the outer CAR (checked by renew before anything is stored).
            Actor terminal = new Actor(
                    "terminal:" + (parsed.outerCar() == null ? "-" : parsed.outerCar()),
                    connection.sourceAddress(),
                    connection.destinationAddress());
            CvCertificate cert = agencies.renew(terminal, body, days, online);
            response.setStatus(201);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, CV_CERTIFICATE);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.getHeaders()
                    .put(
                            "Content-Disposition",
                            "attachment; filename=\"" + cert.body().chr() + ".cvcert\"");
            response.write(true, ByteBuffer.wrap(cert.encoded()), callback);
        } catch (CvException e) {
            problem(
                    response,
                    callback,
                    Problem.of(HttpStatuses.of(e.code()), e.code().id(), e.getMessage()));
        }
    }

    private void trustPoints(Response response, Callback callback) {
        List<byte[]> points = authority.trustPoints();
        if (points.isEmpty()) {
            problem(response, callback, Problem.of(404, "cv.not-found", "no CVCA has been created yet"));
            return;
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        points.forEach(all::writeBytes);
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, CV_CERTIFICATE);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "max-age=3600");
        response.write(true, ByteBuffer.wrap(all.toByteArray()), callback);
    }

    /** {@code ?validity-days=N} (1..99; the record's maximum decides), or null for the record's maximum. */
    private static Integer validityDays(Request request) {
        Fields query = Request.extractQueryParameters(request);
        if (query.getNames().stream().anyMatch(n -> !"validity-days".equals(n))) {
            throw new IllegalArgumentException("the only parameter is validity-days");
        }
        List<String> values = query.getValues("validity-days");
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1 || !DAYS.matcher(values.get(0)).matches()) {
            throw new IllegalArgumentException("validity-days is one number of days, 1 to 99");
        }
        return Integer.valueOf(values.get(0));
    }

    /** Runs {@code work}, which completes the response, on a thread that may block (store, token). */
    private static void offload(Request request, Response response, Callback callback, Runnable work) {
        request.getComponents().getThreadPool().execute(() -> {
            try {
                work.run();
            } catch (Throwable t) {
                log.error("CV relying-party request failed", t);
                problem(response, callback, Problem.of(500, "internal-error", "internal error"));
            }
        });
    }

    private static void problem(Response response, Callback callback, Problem problem) {
        if (response.isCommitted()) {
            callback.failed(new IllegalStateException(problem.code()));
            return;
        }
        response.setStatus(problem.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(problem.toJson()), callback);
    }
}
