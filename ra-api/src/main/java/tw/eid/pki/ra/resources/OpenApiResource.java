package tw.eid.pki.ra.resources;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import tw.eid.pki.ra.auth.AnyOperator;

/** {@code GET /openapi.yaml}: the hand-written OpenAPI 3 document of this API (docs/api.md). */
@Path("openapi.yaml")
public final class OpenApiResource {
    static final String RESOURCE = "/tw/eid/pki/ra/openapi.yaml";
    private final byte[] document;

    public OpenApiResource() {
        try (InputStream in = OpenApiResource.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            document = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @GET
    @Produces("application/yaml")
    @AnyOperator
    public byte[] document() {
        return document.clone();
    }
}
