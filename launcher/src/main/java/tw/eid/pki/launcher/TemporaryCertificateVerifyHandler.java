package tw.eid.pki.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.util.Locale;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.eid.pki.ca.document.seal.SealException;
import tw.eid.pki.ca.document.seal.SealHeader;
import tw.eid.pki.ca.document.seal.SealImages;
import tw.eid.pki.ca.document.seal.SealVerifier;
import tw.eid.pki.ca.document.seal.TemporaryCertificateContent;
import tw.eid.pki.ca.document.seal.TemporaryCertificateVerifier;
import tw.eid.pki.ra.problem.HttpStatuses;
import tw.eid.pki.ra.problem.Problem;

/**
 * {@code POST /verify/temporary-certificate} on the relying parties' port (issue 24; docs/api.md):
 * the body is the seal's bytes ({@code application/octet-stream}) or a picture of its DataMatrix
 * ({@code image/png}, {@code image/jpeg}; at most 2 MB and 4,000 pixels a side, judged before
 * decoding). The answer is the verdict as JSON: the decoded fields, whether the signature verifies,
 * the signer certificate's status, whether today is within the certificate's validity, and whether
 * it was revoked. Bad input is {@code application/problem+json} with a code; nothing is written
 * either way. Every other path goes to the wrapped handler.
 */
final class TemporaryCertificateVerifyHandler extends Handler.Wrapper {
    static final String PATH = "/verify/temporary-certificate";
    /** A DataMatrix holds at most 1,556 bytes; a little more is refused before it is read. */
    static final int MAX_SEAL_BYTES = 4096;
    /** What is read and dropped of a body over the limit before the 413 (beyond it, the connection closes). */
    static final long DRAIN_BYTES = 8L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(TemporaryCertificateVerifyHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final TemporaryCertificateVerifier verifier;

    TemporaryCertificateVerifyHandler(TemporaryCertificateVerifier verifier, Handler next) {
        super(next);
        this.verifier = verifier;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!PATH.equals(Request.getPathInContext(request))) {
            return super.handle(request, response, callback);
        }
        // The store reads and the image decoding block: off the selector thread.
        request.getComponents().getThreadPool().execute(() -> {
            try {
                serve(request, response, callback);
            } catch (Throwable t) {
                LOG.warn("temporary certificate verification failed", t);
                problem(response, callback, Problem.of(500, "internal", "the verification failed"));
            }
        });
        return true;
    }

    private void serve(Request request, Response response, Callback callback) throws IOException {
        if (!"POST".equals(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "POST");
            problem(response, callback, Problem.of(405, "method-not-allowed", "POST the seal bytes or an image"));
            return;
        }
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        String media = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        boolean image = media.equals("image/png") || media.equals("image/jpeg");
        if (!image && !media.equals("application/octet-stream")) {
            problem(
                    response,
                    callback,
                    Problem.of(
                            415,
                            "unsupported-media-type",
                            "send application/octet-stream (the seal bytes), image/png or image/jpeg"));
            return;
        }
        int limit = image ? SealImages.MAX_BYTES : MAX_SEAL_BYTES;
        long declared = request.getLength();
        byte[] body;
        try (InputStream in = Content.Source.asInputStream(request)) {
            body = declared > limit ? new byte[limit + 1] : in.readNBytes(limit + 1);
            if (body.length > limit) {
                // Read (and drop) what the client is still sending, up to a bound, so that it reads the
                // 413 instead of a reset; past the bound the connection is closed after the answer.
                if (drain(in, DRAIN_BYTES) > 0) {
                    response.getHeaders().put(HttpHeader.CONNECTION, "close");
                }
                problem(response, callback, tooLarge(image, limit));
                return;
            }
        }
        try {
            byte[] seal = image ? SealImages.read(body) : body;
            TemporaryCertificateVerifier.Verdict verdict = verifier.verify(seal);
            byte[] json = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(view(verdict));
            response.setStatus(HttpStatus.OK_200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, json.length);
            response.write(true, ByteBuffer.wrap(json), callback);
        } catch (SealException e) {
            problem(
                    response,
                    callback,
                    Problem.of(HttpStatuses.of(e.code()), e.code().id(), e.getMessage()));
        }
    }

    /** Reads and drops up to {@code cap} bytes of {@code in}; returns how many were left beyond it (0 or 1). */
    private static int drain(InputStream in, long cap) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long read = 0;
        int n;
        while (read <= cap && (n = in.read(buffer)) != -1) {
            read += n;
        }
        return read > cap ? 1 : 0;
    }

    private static Problem tooLarge(boolean image, int limit) {
        return image
                ? Problem.of(
                        413,
                        SealException.Code.IMAGE_TOO_LARGE.id(),
                        "an image of a seal is at most " + limit + " bytes")
                : Problem.of(413, SealException.Code.MALFORMED.id(), "a seal is at most " + limit + " bytes");
    }

    static ObjectNode view(TemporaryCertificateVerifier.Verdict verdict) {
        SealVerifier.Verification v = verdict.verification();
        TemporaryCertificateContent c = v.content();
        SealHeader h = v.seal().header();
        ObjectNode out = JSON.createObjectNode();
        out.put("valid", verdict.valid());
        out.put("signatureValid", v.signatureValid());
        out.put("withinValidity", v.withinValidity());
        out.put("revoked", verdict.revoked());
        out.put("checkedOn", verdict.checkedOn().toString());
        ObjectNode signer = out.putObject("signer");
        signer.put("identifier", h.signerIdentifier());
        signer.put("certificateReference", h.certificateReference());
        signer.put("status", verdict.signerStatus().name().toLowerCase(Locale.ROOT));
        signer.put("issuedByCsca", v.signerIssuedByCsca());
        signer.put("validOnSignatureDate", v.signerValidAtSignature());
        v.signer().map(X509Certificate::getSubjectX500Principal).ifPresent(p -> signer.put("subject", p.getName()));
        ObjectNode record = out.putObject("record");
        record.put("found", verdict.record().isPresent());
        record.put("sealMatches", verdict.sealMatchesRecord());
        verdict.record().ifPresent(r -> {
            record.put("status", r.status().toLowerCase(Locale.ROOT));
            if (r.revoked()) {
                record.put("revocationReason", r.revocationReason());
                record.put("revokedAt", r.revokedAt().toString());
            }
        });
        ObjectNode fields = out.putObject("fields");
        fields.put("documentNumber", c.documentNumber());
        fields.put("validFrom", c.validFrom().toString());
        fields.put("validUntil", c.validUntil().toString());
        fields.put("nationalId", c.nationalId());
        fields.put("name", c.name());
        fields.put("birthDate", c.birthDate().toString());
        fields.put("officeCode", c.officeCode());
        fields.put("issueDate", h.issueDate().toString());
        fields.put("signatureDate", h.signatureDate().toString());
        return out;
    }

    private static void problem(Response response, Callback callback, Problem p) {
        byte[] json = p.toJson();
        response.setStatus(p.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, json.length);
        response.write(true, ByteBuffer.wrap(json), callback);
    }
}
