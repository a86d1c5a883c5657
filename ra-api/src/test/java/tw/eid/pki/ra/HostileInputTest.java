package tw.eid.pki.ra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.eid.pki.ca.profile.OperatorRole;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.testing.RawHttp;
import tw.eid.pki.testing.RawHttp.Reply;

/**
 * An adversarial sweep of the RA API over real TLS, written byte for byte ({@link RawHttp}):
 * malformed, mistyped, duplicated, nested and oversized JSON; wrong, missing and malformed
 * Content-Type and Accept; oversized bodies, headers, URIs and path segments; encoded slashes, dot
 * segments, NUL and bad UTF-8 in the path; bad card numbers, serials, CA names, ids and query
 * values; methods no resource takes; a client without a certificate, from another CA, or with a
 * role that may not act. Each answer is the expected status with an {@code application/problem+json}
 * body carrying its short code and no Java class name or stack trace, and the store is exactly as
 * it was (row counts, statuses, DS counts and the audit chain's length; a refused role adds its one
 * audit row and nothing else).
 */
class HostileInputTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    static RaFixture ra;
    static final ObjectMapper JSON = new ObjectMapper();
    static final String CHIP = "04a1b2c3d4e5f6a7";
    static final java.util.Queue<String> CARDS = new java.util.concurrent.ConcurrentLinkedQueue<>();
    static final java.util.Queue<String> SERIALS = new java.util.concurrent.ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() throws Exception {
        // A high SOD rate: the sweep's SOD cases must meet the checks, not the rate limit.
        ra = new RaFixture(db, dir, 1000);
        // Targets made before the sweep, so that each case's "before" already holds its target.
        for (int i = 0; i < 20; i++) {
            CARDS.add(ra.registeredCard());
        }
        for (int i = 0; i < 8; i++) {
            SERIALS.add(ra.issuedCertificate().serialHex());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        ra.close();
    }

    // ------------------------------------------------------------------ requests

    interface Send {
        Reply send() throws Exception;
    }

    /** One hostile request, the status and problem code it must get. */
    record Hostile(String name, Send request, int status, String code) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Hostile hostile(String name, int status, String code, Send request) {
        return new Hostile(name, request, status, code);
    }

    static RaFixture.Client as(OperatorRole role) {
        return ra.role(role);
    }

    static Reply send(
            RaFixture.Client client, String method, String target, String contentType, byte[] body, String... headers)
            throws IOException {
        List<String> lines = new ArrayList<>(List.of(headers));
        if (contentType != null) {
            lines.add("Content-Type: " + contentType);
        }
        if (body != null) {
            lines.add("Content-Length: " + body.length);
        }
        return RawHttp.exchange(
                client.ssl().getSocketFactory(),
                ra.port,
                RawHttp.request(method, "/api/v1" + target, lines.toArray(String[]::new)),
                body);
    }

    static Reply get(OperatorRole role, String target, String... headers) throws IOException {
        return send(as(role), "GET", target, null, null, headers);
    }

    static Reply post(OperatorRole role, String target) throws IOException {
        return send(as(role), "POST", target, null, null);
    }

    static Reply json(OperatorRole role, String target, String json, String... headers) throws IOException {
        return send(as(role), "POST", target, "application/json", json.getBytes(StandardCharsets.UTF_8), headers);
    }

    static Reply raw(
            OperatorRole role, String method, String target, String contentType, byte[] body, String... headers)
            throws IOException {
        return send(as(role), method, target, contentType, body, headers);
    }

    /** A valid POST /cards body for a new card number, with {@code field} replaced by a raw JSON value. */
    static String card(String field, String rawValue) {
        StringBuilder b = new StringBuilder("{");
        String[][] fields = {
            {"cardNumber", "\"" + ra.newCardNumber() + "\""},
            {"chipUid", "\"" + CHIP + "\""},
            {"nationalId", "\"A123456789\""},
            {"holderName", "\"王小明\""}
        };
        for (String[] f : fields) {
            b.append(b.length() > 1 ? "," : "")
                    .append('"')
                    .append(f[0])
                    .append("\":")
                    .append(f[0].equals(field) ? rawValue : f[1]);
        }
        return b.append('}').toString();
    }

    /** A valid SOD body (DG1, DG2, DG14, SHA-256) with the first data group's {@code number} replaced by a raw value. */
    static String sodWithNumber(String rawNumber) throws Exception {
        return RaFixture.sodJson("SHA-256").replaceFirst("\"number\":1,", "\"number\":" + rawNumber + ",");
    }

    /** A registered card made before the sweep, not yet used by a case. */
    static String registeredCard() {
        return java.util.Objects.requireNonNull(CARDS.poll(), "more registered cards for the sweep");
    }

    static String sodPath() {
        return "/cards/" + registeredCard() + "/sod";
    }

    /** A good certificate issued before the sweep, not yet used by a case. */
    static String goodSerial() {
        return java.util.Objects.requireNonNull(SERIALS.poll(), "more good certificates for the sweep");
    }

    static String deep(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    static Stream<Hostile> requests() {
        OperatorRole officer = OperatorRole.OFFICER;
        OperatorRole perso = OperatorRole.PERSONALIZATION;
        OperatorRole supervisor = OperatorRole.SUPERVISOR;
        OperatorRole auditor = OperatorRole.AUDITOR;
        String malformed = "request.malformed-json";
        return Stream.of(
                // ---- JSON that is not JSON, or not the shape POST /cards takes
                hostile("truncated JSON", 400, malformed, () -> json(officer, "/cards", "{\"cardNumber\": \"TW1")),
                hostile("a JSON array for an object", 400, malformed, () -> json(officer, "/cards", "[]")),
                hostile("a JSON string for an object", 400, malformed, () -> json(officer, "/cards", "\"TWR0000001\"")),
                hostile("JSON null", 400, "request.missing-field", () -> json(officer, "/cards", "null")),
                hostile("an empty JSON body", 400, "request.missing-field", () -> json(officer, "/cards", "")),
                hostile(
                        "an object for a string",
                        400,
                        malformed,
                        () -> json(officer, "/cards", card("cardNumber", "{\"a\":1}"))),
                hostile(
                        "an array for a string",
                        400,
                        malformed,
                        () -> json(officer, "/cards", card("cardNumber", "[\"TWR0000009\"]"))),
                hostile(
                        "a number for a string",
                        400,
                        malformed,
                        () -> json(officer, "/cards", card("chipUid", "4611686018427387904"))),
                hostile(
                        "a boolean for a string",
                        400,
                        malformed,
                        () -> json(officer, "/cards", card("holderName", "true"))),
                hostile(
                        "a 5000-digit number",
                        400,
                        malformed,
                        () -> json(officer, "/cards", card("cardNumber", "9".repeat(5000)))),
                hostile(
                        "a huge exponent",
                        400,
                        malformed,
                        () -> json(officer, "/cards", card("cardNumber", "1e999999999"))),
                hostile(
                        "a duplicate key (the last a valid card number)",
                        400,
                        malformed,
                        () -> json(
                                officer,
                                "/cards",
                                card("chipUid", "\"" + CHIP + "\",\"cardNumber\":\"" + ra.newCardNumber() + "\""))),
                hostile(
                        "an unknown field",
                        400,
                        malformed,
                        () -> json(officer, "/cards", card("chipUid", "\"" + CHIP + "\",\"role\":\"admin\""))),
                hostile(
                        "trailing tokens",
                        400,
                        malformed,
                        () -> json(officer, "/cards", card("cardNumber", "\"" + ra.newCardNumber() + "\"") + "{}")),
                hostile(
                        "arrays nested 20,000 deep",
                        400,
                        malformed,
                        () -> json(officer, "/cards", card("cardNumber", deep(20_000)))),
                hostile(
                        "objects nested 5,000 deep",
                        400,
                        malformed,
                        () -> json(
                                officer,
                                "/cards",
                                card("cardNumber", "{\"a\":".repeat(5000) + "1" + "}".repeat(5000)))),
                hostile(
                        "a comment",
                        400,
                        malformed,
                        () -> json(officer, "/cards", "/* hi */" + card("cardNumber", "\"TWR0000009\""))),
                hostile("NaN", 400, malformed, () -> json(officer, "/cards", card("cardNumber", "NaN"))),
                hostile("single quotes", 400, malformed, () -> json(officer, "/cards", "{'cardNumber':'TWR0000009'}")),
                hostile(
                        "invalid UTF-8",
                        400,
                        malformed,
                        () -> raw(
                                officer,
                                "POST",
                                "/cards",
                                "application/json",
                                concat(
                                        "{\"cardNumber\":\"TW".getBytes(StandardCharsets.UTF_8),
                                        new byte[] {(byte) 0xff, (byte) 0xfe},
                                        "\"}".getBytes(StandardCharsets.UTF_8)))),
                hostile(
                        "a NUL in the card number",
                        400,
                        "card.invalid-number",
                        () -> json(officer, "/cards", card("cardNumber", "\"TWR\\u00000001\""))),
                hostile(
                        "a 50,000-character card number",
                        400,
                        "card.invalid-number",
                        () -> json(officer, "/cards", card("cardNumber", "\"TW" + "0".repeat(50_000) + "\""))),
                hostile(
                        "a 20,000-character holder name",
                        422,
                        "name.too-long",
                        () -> json(officer, "/cards", card("holderName", "\"" + "王".repeat(20_000) + "\""))),
                hostile(
                        "a chip uid that is not hex",
                        400,
                        "card.invalid-chip-uid",
                        () -> json(officer, "/cards", card("chipUid", "\"zz\""))),
                hostile(
                        "a 20,000-digit chip uid",
                        400,
                        "card.invalid-chip-uid",
                        () -> json(officer, "/cards", card("chipUid", "\"" + "ab".repeat(10_000) + "\""))),

                // ---- Content-Type and Accept
                hostile(
                        "no Content-Type",
                        415,
                        "request.unsupported-media-type",
                        () -> raw(
                                officer,
                                "POST",
                                "/cards",
                                null,
                                card("cardNumber", "\"" + ra.newCardNumber() + "\"")
                                        .getBytes(StandardCharsets.UTF_8))),
                hostile(
                        "a form Content-Type",
                        415,
                        "request.unsupported-media-type",
                        () -> raw(
                                officer,
                                "POST",
                                "/cards",
                                "application/x-www-form-urlencoded",
                                "cardNumber=TWR0000009".getBytes(StandardCharsets.UTF_8))),
                hostile(
                        "application/pkcs10 to POST /cards",
                        415,
                        "request.unsupported-media-type",
                        () -> raw(officer, "POST", "/cards", "application/pkcs10", new byte[] {0x30, 0x00})),
                hostile(
                        "a malformed Content-Type",
                        400,
                        "request.bad-request",
                        () -> raw(
                                officer,
                                "POST",
                                "/cards",
                                "application/json;;;=",
                                card("cardNumber", "\"" + ra.newCardNumber() + "\"")
                                        .getBytes(StandardCharsets.UTF_8))),
                hostile(
                        "a Content-Type without a subtype",
                        400,
                        "request.bad-request",
                        () -> raw(
                                officer,
                                "POST",
                                "/cards",
                                "json",
                                card("cardNumber", "\"" + ra.newCardNumber() + "\"")
                                        .getBytes(StandardCharsets.UTF_8))),
                hostile(
                        "an Accept nothing matches",
                        406,
                        "request.not-acceptable",
                        () -> json(
                                officer,
                                "/cards",
                                card("cardNumber", "\"" + ra.newCardNumber() + "\""),
                                "Accept: image/png")),
                hostile(
                        "a malformed Accept",
                        400,
                        "request.bad-request",
                        () -> get(officer, "/cards/TWR0000001", "Accept: ;;;q=x")),
                hostile(
                        "a malformed Accept quality",
                        400,
                        "request.bad-request",
                        () -> get(officer, "/cards/TWR0000001", "Accept: application/json;q=abc")),

                // ---- sizes
                hostile(
                        "Content-Length of 5 MB (body never sent)",
                        413,
                        "request.too-large",
                        () -> RawHttp.exchange(
                                as(officer).ssl().getSocketFactory(),
                                ra.port,
                                RawHttp.request(
                                        "POST",
                                        "/api/v1/cards",
                                        "Content-Type: application/json",
                                        "Content-Length: 5000000"),
                                null)),
                hostile(
                        "a 5 MB body with its Content-Length",
                        413,
                        "request.too-large",
                        () -> raw(officer, "POST", "/cards", "application/json", new byte[5_000_000])),
                hostile(
                        "a 5 MB chunked body",
                        413,
                        "request.too-large",
                        () -> RawHttp.exchange(
                                as(officer).ssl().getSocketFactory(),
                                ra.port,
                                RawHttp.request(
                                        "POST",
                                        "/api/v1/cards",
                                        "Content-Type: application/json",
                                        "Transfer-Encoding: chunked"),
                                chunked(5_000_000))),
                hostile(
                        "a 64 KB header",
                        431,
                        "request.headers-too-large",
                        () -> get(officer, "/health", "X-Padding: " + "a".repeat(64 * 1024))),
                hostile(
                        "a 20 KB URI",
                        414,
                        "request.uri-too-long",
                        () -> get(officer, "/cards/TW" + "0".repeat(20_000))),
                hostile(
                        "a 4,000-character card number in the path",
                        400,
                        "card.invalid-number",
                        () -> get(officer, "/cards/TW" + "0".repeat(4000))),
                hostile(
                        "a 4,000-digit serial in the path",
                        400,
                        "request.bad-serial",
                        () -> get(officer, "/certificates/" + "a".repeat(4000))),

                // ---- encodings and traversal in path parameters
                hostile(
                        "an encoded slash in a card number",
                        400,
                        "request.bad-request",
                        () -> get(officer, "/cards/TW%2F..%2Fhealth")),
                hostile(
                        "an encoded dot-dot segment",
                        400,
                        "request.bad-request",
                        () -> get(officer, "/cards/%2e%2e/health")),
                hostile(
                        "encoded dot-dot-slashes",
                        400,
                        "request.bad-request",
                        () -> get(officer, "/cards/..%2f..%2fetc%2fpasswd")),
                hostile(
                        "a raw dot-dot above the root",
                        400,
                        "request.bad-request",
                        () -> RawHttp.get(
                                as(officer).ssl().getSocketFactory(), ra.port, "/api/v1/../../../etc/passwd")),
                hostile(
                        "a backslash traversal",
                        400,
                        "request.bad-request",
                        () -> get(officer, "/cards/..%5C..%5Chealth")),
                hostile("a NUL in the path", 400, "request.bad-request", () -> get(officer, "/cards/TWR0000001%00")),
                hostile("bad UTF-8 in the path", 400, "request.bad-request", () -> get(officer, "/cards/%ff%fe")),
                hostile(
                        "a bad percent escape in the path",
                        400,
                        "request.bad-request",
                        () -> get(officer, "/cards/TW%zz")),
                hostile("a space in a serial", 400, "request.bad-serial", () -> get(officer, "/certificates/ab%20cd")),
                hostile("an upper-case serial", 400, "request.bad-serial", () -> get(officer, "/certificates/AB12")),
                hostile(
                        "a negative serial",
                        400,
                        "request.bad-serial",
                        () -> post(officer, "/certificates/-ab12/suspend")),
                hostile(
                        "a CA name with dot-dots",
                        400,
                        "request.bad-ca-name",
                        () -> get(officer, "/certificates/ab12?ca=..%2F..%2Fetc")),
                hostile(
                        "an upper-case CA name",
                        400,
                        "request.bad-ca-name",
                        () -> get(officer, "/certificates/ab12?ca=CITIZEN-CA")),
                hostile("an empty CA name", 400, "request.bad-ca-name", () -> get(officer, "/certificates/ab12?ca=")),
                hostile(
                        "a lower-case card number",
                        400,
                        "card.invalid-number",
                        () -> post(officer, "/cards/twr0000001/report-lost")),

                // ---- what Jetty refuses before Jersey, whatever the method and the Accept headers
                hostile(
                        "a refused path with a malformed Accept",
                        400,
                        "request.bad-request",
                        () -> get(officer, "/cards/TW%2Fx", "Accept: ;;;q=x")),
                hostile(
                        "a refused path with an Accept of q=0 only",
                        400,
                        "request.bad-request",
                        () -> get(officer, "/cards/TW%2Fx", "Accept: application/problem+json;q=0")),
                hostile(
                        "a refused path with an unknown Accept-Charset",
                        400,
                        "request.bad-request",
                        () -> get(officer, "/cards/%2e%2e/health", "Accept-Charset: klingon")),
                hostile(
                        "DELETE of a refused path",
                        400,
                        "request.bad-request",
                        () -> raw(officer, "DELETE", "/cards/TW%2Fx", null, null)),
                hostile(
                        "PUT outside the API",
                        404,
                        "request.not-found",
                        () -> RawHttp.exchange(
                                as(officer).ssl().getSocketFactory(),
                                ra.port,
                                RawHttp.request("PUT", "/index.html", "Content-Length: 0"),
                                null)),
                hostile(
                        "a request without Host",
                        400,
                        "request.bad-request",
                        () -> RawHttp.exchange(
                                as(officer).ssl().getSocketFactory(),
                                ra.port,
                                "GET /api/v1/health HTTP/1.1\r\n",
                                null)),
                hostile(
                        "a request line that is not HTTP",
                        400,
                        "request.bad-request",
                        () -> RawHttp.exchange(
                                as(officer).ssl().getSocketFactory(),
                                ra.port,
                                "GET /api/v1/health HTTP/9.9 extra\r\n",
                                null)),
                hostile(
                        "an invalid header line",
                        400,
                        "request.bad-request",
                        () -> get(officer, "/health", "Bad Header: x")),
                hostile(
                        "Content-Length and chunked together",
                        400,
                        "request.bad-request",
                        () -> RawHttp.exchange(
                                as(officer).ssl().getSocketFactory(),
                                ra.port,
                                RawHttp.request(
                                        "POST",
                                        "/api/v1/cards",
                                        "Content-Type: application/json",
                                        "Content-Length: 4",
                                        "Transfer-Encoding: chunked"),
                                "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII))),
                hostile(
                        "two different Content-Lengths",
                        400,
                        "request.bad-request",
                        () -> RawHttp.exchange(
                                as(officer).ssl().getSocketFactory(),
                                ra.port,
                                RawHttp.request(
                                        "POST",
                                        "/api/v1/cards",
                                        "Content-Type: application/json",
                                        "Content-Length: 2",
                                        "Content-Length: 20"),
                                "{}".getBytes(StandardCharsets.US_ASCII))),

                // ---- methods
                hostile(
                        "PUT /cards",
                        405,
                        "request.method-not-allowed",
                        () -> raw(
                                officer,
                                "PUT",
                                "/cards",
                                "application/json",
                                card("cardNumber", "\"" + ra.newCardNumber() + "\"")
                                        .getBytes(StandardCharsets.UTF_8))),
                hostile(
                        "PATCH a certificate",
                        405,
                        "request.method-not-allowed",
                        () -> raw(
                                officer,
                                "PATCH",
                                "/certificates/ab12",
                                "application/json",
                                "{}".getBytes(StandardCharsets.UTF_8))),
                hostile(
                        "DELETE a certificate",
                        405,
                        "request.method-not-allowed",
                        () -> raw(officer, "DELETE", "/certificates/ab12", null, null)),
                hostile(
                        "TRACE /health",
                        405,
                        "request.method-not-allowed",
                        () -> raw(officer, "TRACE", "/health", null, null)),
                hostile(
                        "an unknown method",
                        405,
                        "request.method-not-allowed",
                        () -> raw(officer, "FROB", "/health", null, null)),
                hostile("POST /health", 405, "request.method-not-allowed", () -> post(officer, "/health")),
                hostile(
                        "GET a status change",
                        405,
                        "request.method-not-allowed",
                        () -> get(officer, "/certificates/ab12/revoke")),

                // ---- revoke: mistyped, duplicated, unknown reasons
                hostile(
                        "a duplicate reason (hold first, keyCompromise last)",
                        400,
                        malformed,
                        () -> json(
                                officer,
                                "/certificates/" + goodSerial() + "/revoke",
                                "{\"reason\":\"certificateHold\",\"reason\":\"keyCompromise\"}")),
                hostile(
                        "a reason that is a number",
                        400,
                        malformed,
                        () -> json(officer, "/certificates/" + goodSerial() + "/revoke", "{\"reason\":1}")),
                hostile(
                        "a reason that is an array",
                        400,
                        malformed,
                        () -> json(
                                officer,
                                "/certificates/" + goodSerial() + "/revoke",
                                "{\"reason\":[\"keyCompromise\"]}")),
                hostile(
                        "an upper-case reason",
                        400,
                        "request.unknown-reason",
                        () -> json(
                                officer,
                                "/certificates/" + goodSerial() + "/revoke",
                                "{\"reason\":\"KEYCOMPROMISE\"}")),
                hostile(
                        "a revoke without a body",
                        400,
                        "request.missing-field",
                        () -> raw(
                                officer,
                                "POST",
                                "/certificates/" + goodSerial() + "/revoke",
                                "application/json",
                                new byte[0])),
                hostile(
                        "a revoke as text/plain",
                        415,
                        "request.unsupported-media-type",
                        () -> raw(
                                officer,
                                "POST",
                                "/certificates/" + goodSerial() + "/revoke",
                                "text/plain",
                                "keyCompromise".getBytes(StandardCharsets.UTF_8))),

                // ---- issuance
                hostile(
                        "an empty application/pkcs10 body",
                        400,
                        "request.missing-field",
                        () -> raw(
                                officer,
                                "POST",
                                "/cards/" + registeredCard() + "/certificates?profile=citizen-signature&chipUid="
                                        + CHIP,
                                "application/pkcs10",
                                new byte[0])),
                hostile(
                        "random bytes as a CSR",
                        400,
                        "csr.bad-length",
                        () -> raw(
                                officer,
                                "POST",
                                "/cards/" + registeredCard() + "/certificates?profile=citizen-signature&chipUid="
                                        + CHIP,
                                "application/pkcs10",
                                "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8))),
                hostile(
                        "a CSR field that is a number",
                        400,
                        malformed,
                        () -> json(
                                officer,
                                "/cards/" + registeredCard() + "/certificates",
                                "{\"profile\":\"citizen-signature\",\"chipUid\":\"" + CHIP + "\",\"csr\":12}")),
                hostile(
                        "a 5,000-character Idempotency-Key",
                        400,
                        "request.bad-idempotency-key",
                        () -> json(
                                officer,
                                "/cards/" + registeredCard() + "/certificates",
                                "{\"profile\":\"citizen-signature\",\"chipUid\":\"" + CHIP + "\",\"csr\":\"x\"}",
                                "Idempotency-Key: " + "k".repeat(5000))),

                // ---- SOD
                hostile(
                        "a fractional data group number",
                        400,
                        malformed,
                        () -> json(perso, sodPath(), sodWithNumber("1.5"))),
                hostile(
                        "a data group number in exponent form",
                        400,
                        malformed,
                        () -> json(perso, sodPath(), sodWithNumber("1e0"))),
                hostile(
                        "a data group number as a string",
                        400,
                        malformed,
                        () -> json(perso, sodPath(), sodWithNumber("\"1\""))),
                hostile(
                        "a data group number as a boolean",
                        400,
                        malformed,
                        () -> json(perso, sodPath(), sodWithNumber("true"))),
                hostile(
                        "a data group number past int",
                        400,
                        malformed,
                        () -> json(perso, sodPath(), sodWithNumber("4294967297"))),
                hostile(
                        "data group 0",
                        400,
                        "sod.unknown-data-group",
                        () -> json(perso, sodPath(), sodWithNumber("0"))),
                hostile(
                        "data group 17",
                        400,
                        "sod.unknown-data-group",
                        () -> json(perso, sodPath(), sodWithNumber("17"))),
                hostile(
                        "data groups as an object",
                        400,
                        malformed,
                        () -> json(perso, sodPath(), "{\"dataGroups\":{\"1\":\"AA==\"}}")),
                hostile(
                        "data groups nested 20,000 deep",
                        400,
                        malformed,
                        () -> json(perso, sodPath(), "{\"dataGroups\":" + deep(20_000) + "}")),
                hostile(
                        "a null data group",
                        400,
                        "request.missing-field",
                        () -> json(perso, sodPath(), "{\"dataGroups\":[null]}")),
                hostile(
                        "a duplicate hash algorithm",
                        400,
                        malformed,
                        () -> json(
                                perso,
                                sodPath(),
                                RaFixture.sodJson("SHA-384").replaceFirst("\\{", "{\"hashAlgorithm\":\"SHA-256\","))),
                hostile(
                        "an unknown hash algorithm",
                        400,
                        "sod.unknown-hash-algorithm",
                        () -> json(
                                perso, sodPath(), RaFixture.sodJson("SHA-256").replace("SHA-256", "MD5"))),
                hostile(
                        "a URL-safe base64 hash",
                        400,
                        "request.bad-base64",
                        () -> json(
                                perso,
                                sodPath(),
                                "{\"dataGroups\":[{\"number\":1,\"hash\":\"__--\"},{\"number\":2,\"hash\":\"AA==\"}]}")),
                hostile(
                        "an ldsVersion without its unicodeVersion",
                        400,
                        "sod.bad-lds-version",
                        () -> json(
                                perso,
                                sodPath(),
                                RaFixture.sodJson("SHA-256").replaceFirst("\\{", "{\"ldsVersion\":\"0108\","))),
                hostile(
                        "an SOD for a card number with a NUL",
                        400,
                        "request.bad-request",
                        () -> json(perso, "/cards/TWR%00000001/sod", RaFixture.sodJson("SHA-256"))),
                hostile(
                        "an SOD with an Accept nothing matches",
                        406,
                        "request.not-acceptable",
                        () -> json(perso, sodPath(), RaFixture.sodJson("SHA-256"), "Accept: text/html")),

                // ---- bulk acts and approvals
                hostile(
                        "serials as a string",
                        400,
                        malformed,
                        () -> json(supervisor, "/revocations", "{\"action\":\"suspend\",\"serials\":\"ab12\"}")),
                hostile(
                        "a null serial",
                        400,
                        "approval.malformed",
                        () -> json(supervisor, "/revocations", "{\"action\":\"suspend\",\"serials\":[null]}")),
                hostile(
                        "no serials",
                        400,
                        "approval.size-out-of-range",
                        () -> json(supervisor, "/revocations", "{\"action\":\"suspend\",\"serials\":[]}")),
                hostile(
                        "an upper-case action",
                        400,
                        "request.unknown-action",
                        () -> json(supervisor, "/revocations", "{\"action\":\"SUSPEND\",\"serials\":[\"ab12\"]}")),
                hostile(
                        "a duplicate action (suspend first, revoke last)",
                        400,
                        malformed,
                        () -> json(
                                supervisor,
                                "/revocations",
                                "{\"action\":\"suspend\",\"action\":\"revoke\",\"reason\":\"keyCompromise\",\"serials\":[\""
                                        + goodSerial() + "\"]}")),
                hostile(
                        "a CA name with a NUL",
                        400,
                        "request.bad-ca-name",
                        () -> json(
                                supervisor,
                                "/revocations",
                                "{\"ca\":\"citizen-ca\\u0000\",\"action\":\"suspend\",\"serials\":[\"ab12\"]}")),
                hostile(
                        "approval id 0",
                        400,
                        "request.bad-approval-id",
                        () -> post(supervisor, "/approvals/0/approve")),
                hostile(
                        "a negative approval id",
                        400,
                        "request.bad-approval-id",
                        () -> post(supervisor, "/approvals/-1/reject")),
                hostile(
                        "a 20-digit approval id",
                        400,
                        "request.bad-approval-id",
                        () -> get(supervisor, "/approvals/99999999999999999999")),
                hostile(
                        "an approval id with an encoded slash",
                        400,
                        "request.bad-request",
                        () -> post(supervisor, "/approvals/1%2F2/approve")),

                // ---- the audit trail's query
                hostile("a negative limit", 400, "audit.invalid-query", () -> get(auditor, "/audit?limit=-1")),
                hostile(
                        "a limit past long",
                        400,
                        "audit.invalid-query",
                        () -> get(auditor, "/audit?limit=99999999999999999999")),
                hostile(
                        "a limit that wraps to 1 as an int",
                        400,
                        "audit.invalid-query",
                        () -> get(auditor, "/audit?limit=4294967297")),
                hostile(
                        "a time in year 1,000,000,000",
                        400,
                        "audit.invalid-query",
                        () -> get(auditor, "/audit?from=%2B1000000000-01-01T00:00:00Z")),
                hostile(
                        "a time before year 1",
                        400,
                        "audit.invalid-query",
                        () -> get(auditor, "/audit?to=-999999999-01-01T00:00:00Z")),
                hostile(
                        "a month 13",
                        400,
                        "audit.invalid-query",
                        () -> get(auditor, "/audit?from=2026-13-01T00:00:00Z")),
                hostile(
                        "a 2,000-character actor",
                        400,
                        "audit.invalid-query",
                        () -> get(auditor, "/audit?actor=" + "a".repeat(2000))),
                hostile(
                        "an actor with SQL",
                        400,
                        "audit.invalid-query",
                        () -> get(auditor, "/audit?actor=x%27%20OR%20%271%27%3D%271")),
                hostile("a negative cursor", 400, "audit.invalid-query", () -> get(auditor, "/audit?after=-1")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void isRefusedWithAProblemAndChangesNothing(Hostile h) throws Exception {
        String before = state();
        Reply r = h.request().send();
        assertProblem(r, h.status(), h.code());
        assertThat(state()).as("the store after: " + h.name()).isEqualTo(before);
    }

    @Test
    void aFourDigitYearIsAnyTimeTheAuditTrailCanBeAskedAbout() throws Exception {
        for (String bound : List.of("from=0000-01-01T00:00:00Z", "to=9999-12-31T23:59:59.999999Z")) {
            Reply r = get(OperatorRole.AUDITOR, "/audit?limit=1&" + bound);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
        }
    }

    @Test
    void aRoleThatMayNotActIsRefusedBeforeItsBodyIsReadAndOnlyTheRefusalIsAudited() throws Exception {
        String before = state();
        long audited = ra.count("SELECT COUNT(*) FROM audit_event");
        Reply r = json(OperatorRole.AUDITOR, "/cards", card("cardNumber", "\"" + ra.newCardNumber() + "\""));
        assertProblem(r, 403, "auth.role-not-allowed");
        Reply bad =
                json(OperatorRole.PERSONALIZATION, "/revocations", "{\"action\":\"suspend\",\"action\":\"revoke\"}");
        assertProblem(bad, 403, "auth.role-not-allowed");
        assertThat(ra.count("SELECT COUNT(*) FROM audit_event")).isEqualTo(audited + 2);
        assertThat(ra.count("SELECT COUNT(*) FROM audit_event WHERE action = 'ra.authorize' AND result = 'REFUSED'"
                        + " AND seq > " + (audited - 1)))
                .isGreaterThanOrEqualTo(2);
        assertThat(withoutAudit(state())).isEqualTo(withoutAudit(before));
    }

    @Test
    void noCertificateOrOneFromAnotherCaIsRefusedInTheHandshake() throws Exception {
        String before = state();
        try {
            assertThatThrownBy(() -> RawHttp.get(ra.noCertificate.ssl().getSocketFactory(), ra.port, "/api/v1/health"))
                    .isInstanceOf(IOException.class);
            assertThatThrownBy(() -> RawHttp.exchange(
                            ra.foreign.ssl().getSocketFactory(),
                            ra.port,
                            RawHttp.request(
                                    "POST", "/api/v1/cards", "Content-Type: application/json", "Content-Length: 2"),
                            "{}".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(IOException.class);
        } finally {
            ra.authClock.advance(Duration.ofHours(1)); // past the lockout these failures count toward
        }
        assertThat(state()).isEqualTo(before);
    }

    // ------------------------------------------------------------------ checks

    static void assertProblem(Reply r, int status, String code) throws Exception {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.contentType()).as(r.toString()).startsWith("application/problem+json");
        JsonNode p = JSON.readTree(r.body());
        assertThat(p.get("code").asText()).as(r.toString()).isEqualTo(code);
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.get("type").asText()).isEqualTo("urn:eidpki:problem:" + code);
        assertThat(r.text())
                .as("no Java in the body")
                .doesNotContainPattern(RawHttp.JAVA_LEAK)
                .doesNotContain(RaFixture.NATIONAL_ID)
                .doesNotContain("<html");
        assertThat(r.body().length).as("a short problem").isLessThan(1024);
    }

    /**
     * What a refused request must not change: every table an RA act writes, the statuses, the DS
     * pool's counts and the audit chain (its length and its head).
     */
    static String state() {
        return db.database().inTransaction(c -> {
            try (var st = c.createStatement();
                    var rs = st.executeQuery(
                            "SELECT CONCAT_WS(' ',"
                                    + " (SELECT COUNT(*) FROM card), (SELECT COUNT(*) FROM card WHERE status <> 'REGISTERED'),"
                                    + " (SELECT COUNT(*) FROM certificate), (SELECT COUNT(*) FROM certificate WHERE status = 'GOOD'),"
                                    + " (SELECT COUNT(*) FROM status_change), (SELECT COUNT(*) FROM approval),"
                                    + " (SELECT COUNT(*) FROM idempotency_key), (SELECT COUNT(*) FROM card_sod),"
                                    + " (SELECT COALESCE(SUM(documents_signed), 0) FROM document_signer),"
                                    + " 'audit', (SELECT COUNT(*) FROM audit_event), (SELECT COALESCE(MAX(seq), 0) FROM audit_event))")) {
                rs.next();
                return rs.getString(1);
            }
        });
    }

    static String withoutAudit(String state) {
        return state.substring(0, state.indexOf(" audit"));
    }

    static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    /** {@code size} bytes of JSON-ish filler in 64 KiB chunks, chunked-encoded, with the last chunk. */
    static byte[] chunked(int size) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) ' ');
        for (int left = size; left > 0; left -= chunk.length) {
            int n = Math.min(left, chunk.length);
            b.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.write(chunk, 0, n);
            b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        b.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return b.toByteArray();
    }
}
