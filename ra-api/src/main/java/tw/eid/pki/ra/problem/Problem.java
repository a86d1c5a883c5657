package tw.eid.pki.ra.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An RFC 9457 problem: what every error of the RA API answers, as {@code application/problem+json}.
 * {@code code} is the stable, machine-readable part (docs/api.md); {@code detail} is one short line for
 * a person, never a stack trace and never personal data. {@code type} is {@code urn:eidpki:problem:}
 * followed by the code, so that the type and the code can never disagree.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String code) {
    public static final String MEDIA_TYPE = "application/problem+json";
    public static final String TYPE_PREFIX = "urn:eidpki:problem:";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CODE = Pattern.compile("[a-z0-9][a-z0-9.-]{0,63}");
    private static final Map<Integer, String> TITLES = Map.ofEntries(
            Map.entry(400, "Bad Request"),
            Map.entry(401, "Unauthorized"),
            Map.entry(403, "Forbidden"),
            Map.entry(404, "Not Found"),
            Map.entry(405, "Method Not Allowed"),
            Map.entry(406, "Not Acceptable"),
            Map.entry(409, "Conflict"),
            Map.entry(413, "Content Too Large"),
            Map.entry(415, "Unsupported Media Type"),
            Map.entry(422, "Unprocessable Content"),
            Map.entry(429, "Too Many Requests"),
            Map.entry(500, "Internal Server Error"),
            Map.entry(503, "Service Unavailable"));

    public Problem {
        Objects.requireNonNull(code, "code");
        if (!CODE.matcher(code).matches()) {
            throw new IllegalArgumentException("problem code must match " + CODE.pattern() + ": " + code);
        }
    }

    /** A problem with the standard title of {@code status}. */
    public static Problem of(int status, String code, String detail) {
        return new Problem(
                TYPE_PREFIX + code, TITLES.getOrDefault(status, "Error " + status), status, shorten(detail), code);
    }

    /** One line of at most 300 characters: the detail is for a person, not a log. */
    static String shorten(String detail) {
        if (detail == null) {
            return null;
        }
        String line = detail.strip().replaceAll("[\\r\\n\\t]+", " ");
        return line.length() <= 300 ? line : line.substring(0, 297) + "...";
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            // Cannot happen for five plain fields; keep a problem a problem anyway.
            return ("{\"status\":" + status + ",\"code\":\"" + code + "\"}").getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * The HTTP response. The body is written as bytes so that no content negotiation (an Accept of
     * application/pkix-cert, say) can turn an error into something else.
     */
    public Response toResponse() {
        return toResponseBuilder().build();
    }

    public Response.ResponseBuilder toResponseBuilder() {
        return Response.status(status).type(MEDIA_TYPE).entity(toJson());
    }
}
