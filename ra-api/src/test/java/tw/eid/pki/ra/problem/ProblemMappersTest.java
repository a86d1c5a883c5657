package tw.eid.pki.ra.problem;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import tw.eid.pki.ca.revocation.StatusChangeRefusedException;
import tw.eid.pki.ca.store.StoreException;
import tw.eid.pki.hsm.TokenException;

/** The mappers whose cases the HTTP tests cannot provoke cheaply: 503s and the catch-all 500. */
class ProblemMappersTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode body(Response r) throws Exception {
        assertThat(r.getMediaType().toString()).isEqualTo("application/problem+json");
        return JSON.readTree((byte[]) r.getEntity());
    }

    @Test
    void anUnreachableDatabaseIs503AndOtherStoreFailures500() throws Exception {
        Response down = new ProblemMappers.Domain()
                .toResponse(new StoreException(
                        StoreException.Code.SQL, "x", new SQLTransientConnectionException("pool timeout")));
        assertThat(down.getStatus()).isEqualTo(503);
        assertThat(body(down).get("code").asText()).isEqualTo("store.unavailable");
        assertThat(down.getHeaderString("Retry-After")).isNotNull();
        Response link = new ProblemMappers.Domain()
                .toResponse(new StoreException(StoreException.Code.SQL, "x", new SQLException("gone", "08S01")));
        assertThat(link.getStatus()).isEqualTo(503);
        Response other = new ProblemMappers.Domain()
                .toResponse(new StoreException(StoreException.Code.SQL, "x", new SQLException("constraint", "23000")));
        assertThat(other.getStatus()).isEqualTo(500);
        assertThat(body(other).get("code").asText()).isEqualTo("store.sql");
    }

    @Test
    void anUnavailableTokenIs503() throws Exception {
        Response r = new ProblemMappers.Domain()
                .toResponse(new TokenException(TokenException.Code.TOKEN_UNAVAILABLE, "down"));
        assertThat(r.getStatus()).isEqualTo(503);
        assertThat(body(r).get("code").asText()).isEqualTo("token.unavailable");
        Response refused =
                new ProblemMappers.Domain().toResponse(new TokenException(TokenException.Code.KEY_NOT_FOUND, "k"));
        assertThat(refused.getStatus()).isEqualTo(500);
        assertThat(body(refused).get("code").asText()).isEqualTo("token.key-not-found");
    }

    @Test
    void anythingElseIs500InternalErrorWithoutItsMessage() throws Exception {
        Response r = new ProblemMappers.Internal().toResponse(new IllegalStateException("secret A123456789 at line 3"));
        assertThat(r.getStatus()).isEqualTo(500);
        JsonNode p = body(r);
        assertThat(p.get("code").asText()).isEqualTo("internal-error");
        assertThat(p.toString()).doesNotContain("A123456789").doesNotContain("IllegalStateException");
    }

    @Test
    void detailsAreOneShortLine() {
        Problem p = Problem.of(400, "request.bad-request", "a\nb\r\n" + "x".repeat(1000));
        assertThat(p.detail()).doesNotContain("\n").hasSizeLessThanOrEqualTo(300);
    }

    @Test
    void theDomainMapperAnswersAnUncodedRuntimeExceptionAsTheCatchAllDoes() throws Exception {
        Response r = new ProblemMappers.Domain().toResponse(new IllegalStateException("secret A123456789 at line 3"));
        assertThat(r.getStatus()).isEqualTo(500);
        JsonNode p = body(r);
        assertThat(p.get("code").asText()).isEqualTo("internal-error");
        assertThat(p.toString()).doesNotContain("A123456789").doesNotContain("IllegalStateException");
    }

    @Test
    void theDomainMapperKeepsEachCodedRefusalsStatusAndCode() throws Exception {
        Response notFound = new ProblemMappers.Domain()
                .toResponse(new StatusChangeRefusedException(StatusChangeRefusedException.Code.NOT_FOUND, "no such"));
        assertThat(notFound.getStatus()).isEqualTo(404);
        assertThat(body(notFound).get("code").asText()).isEqualTo(StatusChangeRefusedException.Code.NOT_FOUND.id());
        Response revoked = new ProblemMappers.Domain()
                .toResponse(
                        new StatusChangeRefusedException(StatusChangeRefusedException.Code.ALREADY_REVOKED, "final"));
        assertThat(revoked.getStatus()).isEqualTo(409);
        Response edge =
                new ProblemMappers.Domain().toResponse(new ProblemException(413, "request.too-large", "too large"));
        assertThat(edge.getStatus()).isEqualTo(413);
        assertThat(body(edge).get("code").asText()).isEqualTo("request.too-large");
    }
}
