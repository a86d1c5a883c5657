package tw.eid.pki.ra.resources;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Objects;
import tw.eid.pki.ca.document.DocumentSignerPool;
import tw.eid.pki.hsm.Token;
import tw.eid.pki.hsm.TokenHealth;
import tw.eid.pki.ra.auth.AnyOperator;
import tw.eid.pki.ra.store.CertificateRecords;

/**
 * {@code GET /health}: liveness and readiness, for any authenticated operator (docs/api.md's "—"; the
 * connector requires a client certificate of everyone). 200 when the database answers and every
 * token is up, else 503 with the same body.
 */
@Path("health")
public final class HealthResource {
    private final CertificateRecords store;
    private final List<Token> tokens;
    private final DocumentSignerPool documentSigners;

    /** {@code documentSigners} may be null (an RA without a DS pool). */
    public HealthResource(CertificateRecords store, List<Token> tokens, DocumentSignerPool documentSigners) {
        this.store = Objects.requireNonNull(store, "store");
        this.tokens = List.copyOf(tokens);
        this.documentSigners = documentSigners;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @AnyOperator
    public Response health() {
        boolean database = store.reachable(2);
        List<Views.TokenView> tokenViews = tokens.stream()
                .map(t -> {
                    TokenHealth h = t.probe();
                    return new Views.TokenView(h.tokenLabel(), h.up());
                })
                .toList();
        boolean up = database && tokenViews.stream().allMatch(Views.TokenView::up);
        Views.DocumentSignersView ds = null;
        if (database && documentSigners != null) {
            DocumentSignerPool.Status st = documentSigners.status();
            ds = new Views.DocumentSignersView(
                    st.active() == null ? null : st.active().keyLabel(),
                    st.active() == null
                            ? 0
                            : st.active().maxDocuments() - st.active().documentsSigned(),
                    st.usableSpares(),
                    st.spareDocuments(),
                    st.coveredUntil() == null ? null : st.coveredUntil().toString(),
                    st.low());
        }
        return Response.status(up ? 200 : 503)
                .entity(new Views.HealthView(up ? "up" : "down", database ? "up" : "down", tokenViews, ds))
                .build();
    }
}
