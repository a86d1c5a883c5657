package tw.eid.pki.ra.resources;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import tw.eid.pki.ra.problem.Problem;
import tw.eid.pki.ra.problem.ProblemException;

/**
 * Request bodies larger than the limit get 413 {@code request.too-large}: at once when
 * Content-Length says so, and while reading when a chunked body runs past it (a 1 MB CSR never
 * reaches the CSR checks, let alone the heap whole). Runs after authentication.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION + 100)
public final class RequestSizeLimit implements ContainerRequestFilter {
    private final int maxBytes;

    public RequestSizeLimit(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public void filter(ContainerRequestContext ctx) {
        if (ctx.getLength() > maxBytes) {
            ctx.abortWith(tooLarge().problem().toResponse());
            return;
        }
        if (ctx.hasEntity()) {
            ctx.setEntityStream(new Bounded(ctx.getEntityStream(), maxBytes));
        }
    }

    private ProblemException tooLarge() {
        return new ProblemException(413, "request.too-large", "the request body is larger than " + maxBytes + " bytes");
    }

    private final class Bounded extends FilterInputStream {
        private long left;

        Bounded(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && --left < 0) {
                throw tooLarge();
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                left -= n;
                if (left < 0) {
                    throw tooLarge();
                }
            }
            return n;
        }
    }
}
