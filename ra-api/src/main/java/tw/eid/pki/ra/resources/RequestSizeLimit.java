package tw.eid.pki.ra.resources;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import tw.eid.pki.ra.problem.ProblemException;

/**
 * Request bodies larger than the limit get 413 {@code request.too-large}: at once when
 * Content-Length says so, and while reading when a chunked body runs past it (a 1 MB CSR never
 * reaches the CSR checks, let alone the heap whole). Runs after authentication.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION + 100)
public final class RequestSizeLimit implements ContainerRequestFilter {
    /**
     * The limit of a bulk act ({@code POST /revocations}): 10,000 serials of up to 40 hex digits,
     * quoted and separated, are about 430,000 bytes, far past the general limit (drill a found a
     * 10,000-serial bulk suspension refused with 413).
     */
    public static final int BULK_MAX_BYTES = 512 * 1024;

    private final int maxBytes;

    public RequestSizeLimit(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * A declared body up to this size is read and discarded before the 413 goes out (RFC 9112
     * §9.6: a server that closes while the client is still sending may make it lose the response;
     * the client then sees a reset instead of the problem). A larger one is answered at once and
     * the connection closed: reading it would be the denial of service the limit is there for.
     */
    static final long DRAIN_LIMIT = 1 << 20;

    @Override
    public void filter(ContainerRequestContext ctx) {
        String path = ctx.getUriInfo().getPath();
        boolean bulk =
                "POST".equals(ctx.getMethod()) && "revocations".equals(path.startsWith("/") ? path.substring(1) : path);
        int maxBytes = bulk ? Math.max(this.maxBytes, BULK_MAX_BYTES) : this.maxBytes;
        if (ctx.getLength() > maxBytes) {
            boolean drained = false;
            if (ctx.getLength() <= DRAIN_LIMIT && ctx.hasEntity()) {
                try (InputStream in = ctx.getEntityStream()) {
                    drained = in.transferTo(OutputStream.nullOutputStream()) >= 0;
                } catch (IOException e) {
                    drained = false;
                }
            }
            jakarta.ws.rs.core.Response.ResponseBuilder response = jakarta.ws.rs.core.Response.fromResponse(
                    tooLarge(maxBytes).problem().toResponse());
            if (!drained) {
                response.header("Connection", "close");
            }
            ctx.abortWith(response.build());
            return;
        }
        if (ctx.hasEntity()) {
            ctx.setEntityStream(new Bounded(ctx.getEntityStream(), maxBytes));
        }
    }

    private static ProblemException tooLarge(int maxBytes) {
        return new ProblemException(413, "request.too-large", "the request body is larger than " + maxBytes + " bytes");
    }

    private static final class Bounded extends FilterInputStream {
        private final int limit;
        private long left;

        Bounded(InputStream in, int limit) {
            super(in);
            this.limit = limit;
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && --left < 0) {
                throw tooLarge(limit);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                left -= n;
                if (left < 0) {
                    throw tooLarge(limit);
                }
            }
            return n;
        }
    }
}
