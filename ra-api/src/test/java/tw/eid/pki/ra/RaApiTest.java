package tw.eid.pki.ra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tw.eid.pki.ca.card.CardRegistration;
import tw.eid.pki.ca.card.NationalId;
import tw.eid.pki.ca.issuance.IssuedCertificate;
import tw.eid.pki.ca.profile.HolderName;
import tw.eid.pki.ca.profile.OperatorRole;
import tw.eid.pki.ca.profile.RevocationReason;
import tw.eid.pki.ca.store.CertificateReader;
import tw.eid.pki.ca.store.CertificateStatus;
import tw.eid.pki.ca.store.SqlCertificateStore;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.ra.RaFixture.Reply;
import tw.eid.pki.ra.resources.RequestSizeLimit;

/**
 * The RA API end to end over real TLS: a card registered, two certificates issued from CSRs made
 * on a separate SoftHSM2 "chip" token, fetched as DER and PEM and judged by openssl, then taken
 * through the status state machine; bad input answered with problems.
 */
class RaApiTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    static RaFixture ra;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        ra = new RaFixture(db, dir);
    }

    @AfterAll
    static void stop() throws Exception {
        ra.close();
    }

    static JsonNode json(Reply r) throws Exception {
        return JSON.readTree(r.body());
    }

    static void assertProblem(Reply r, int status, String code) throws Exception {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        JsonNode p = json(r);
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.get("code").asText()).isEqualTo(code);
        assertThat(p.get("type").asText()).isEqualTo("urn:eidpki:problem:" + code);
        assertThat(p.get("title").asText()).isNotBlank();
        assertThat(r.text()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain(RaFixture.NATIONAL_ID);
    }

    @Test
    void registerIssueFetchVerifySuspendResumeRevoke() throws Exception {
        var officer = ra.role(OperatorRole.OFFICER);
        var perso = ra.role(OperatorRole.PERSONALIZATION);
        String card = ra.newCardNumber();
        Reply registered = ra.json(
                officer,
                "POST",
                "/cards",
                "{\"cardNumber\":\"" + card
                        + "\",\"chipUid\":\"04a1b2c3d4e5f6a7\",\"nationalId\":\"A123456789\",\"holderName\":\"王小明\"}");
        assertThat(registered.status()).as(registered.text()).isEqualTo(201);
        assertThat(registered.header("location")).endsWith("/api/v1/cards/" + card);
        assertThat(json(registered).get("holderName").asText()).isEqualTo("王小明");
        assertThat(registered.text()).doesNotContain("A123456789");

        // signature certificate: JSON with a PEM CSR, by the personalization system
        Reply sig = ra.json(
                perso,
                "POST",
                "/cards/" + card + "/certificates",
                "{\"profile\":\"citizen-signature\"," + "\"chipUid\":\"04a1b2c3d4e5f6a7\",\"csr\":"
                        + JSON.writeValueAsString(ra.chipCsrPem(KeyAlgorithm.EC_P256)) + "}");
        assertThat(sig.status()).as(sig.text()).isEqualTo(201);
        String sigSerial = json(sig).get("serial").asText();
        assertThat(json(sig).get("status").asText()).isEqualTo("good");
        assertThat(sig.header("location")).contains("/api/v1/certificates/" + sigSerial);
        // encryption certificate: an application/pkcs10 DER body, by an officer
        Reply enc = ra.call(
                officer,
                "POST",
                "/cards/" + card + "/certificates?profile=citizen-encryption&chipUid=04a1b2c3d4e5f6a7",
                "application/pkcs10",
                ra.chipCsrDer(KeyAlgorithm.RSA_2048),
                Map.of());
        assertThat(enc.status()).as(enc.text()).isEqualTo(201);
        String encSerial = json(enc).get("serial").asText();
        assertThat(encSerial).isNotEqualTo(sigSerial);

        // DER and PEM, and openssl verifies both certificates up to the Citizen Root
        Reply der = ra.call(
                officer, "GET", "/certificates/" + sigSerial, null, null, Map.of("Accept", "application/pkix-cert"));
        assertThat(der.status()).isEqualTo(200);
        assertThat(der.contentType()).startsWith("application/pkix-cert");
        X509CertificateHolder sigCert = new X509CertificateHolder(der.body());
        assertThat(sigCert.getSerialNumber().toString(16)).isEqualTo(sigSerial);
        assertThat(sigCert.getSubject().toString()).contains("王小明").doesNotContain("A123456789");
        Reply pem = ra.call(
                ra.role(OperatorRole.AUDITOR),
                "GET",
                "/certificates/" + encSerial,
                null,
                null,
                Map.of("Accept", "application/x-pem-file"));
        assertThat(pem.status()).isEqualTo(200);
        assertThat(pem.contentType()).startsWith("application/x-pem-file");
        assertThat(pem.text()).startsWith("-----BEGIN CERTIFICATE-----");
        Path sigFile = ra.writePem("sig.pem", sigCert);
        Path encFile = dir.resolve("enc.pem");
        Files.writeString(encFile, pem.text());
        assertThat(ra.opensslVerify(sigFile)).startsWith("0 ").endsWith(": OK");
        assertThat(ra.opensslVerify(encFile)).startsWith("0 ").endsWith(": OK");

        // the card shows both; the auditor sees no personal data
        JsonNode asOfficer = json(ra.call(officer, "GET", "/cards/" + card));
        assertThat(asOfficer.get("certificates")).hasSize(2);
        assertThat(asOfficer.get("holderName").asText()).isEqualTo("王小明");
        Reply asAuditor = ra.call(ra.role(OperatorRole.AUDITOR), "GET", "/cards/" + card);
        assertThat(asAuditor.status()).isEqualTo(200);
        assertThat(json(asAuditor).has("holderName")).isFalse();
        assertThat(json(asAuditor).has("nationalIdLast4")).isFalse();
        assertThat(asAuditor.text()).doesNotContain("王小明").doesNotContain("6789");
        assertThat(json(asAuditor).get("certificates")).hasSize(2);
        assertThat(ra.count("SELECT COUNT(*) FROM audit_event WHERE action = 'card.view-personal-data' AND target = '"
                        + card + "'"))
                .as("only the officer's view is a view of personal data")
                .isEqualTo(1);

        // suspend → on hold; resume → good; revoke keyCompromise; resume → 409
        Reply suspended = ra.call(officer, "POST", "/certificates/" + sigSerial + "/suspend");
        assertThat(suspended.status()).as(suspended.text()).isEqualTo(200);
        JsonNode held = json(ra.call(officer, "GET", "/certificates/" + sigSerial));
        assertThat(held.get("status").asText()).isEqualTo("hold");
        assertThat(held.get("revocationReason").asText()).isEqualTo("certificateHold");
        assertProblem(
                ra.call(officer, "POST", "/certificates/" + sigSerial + "/suspend"),
                409,
                "certificate.already-on-hold");
        assertThat(ra.call(officer, "POST", "/certificates/" + sigSerial + "/resume")
                        .status())
                .isEqualTo(200);
        assertThat(json(ra.call(officer, "GET", "/certificates/" + sigSerial))
                        .get("status")
                        .asText())
                .isEqualTo("good");
        Reply revokedReply =
                ra.json(officer, "POST", "/certificates/" + sigSerial + "/revoke", "{\"reason\":\"keyCompromise\"}");
        assertThat(revokedReply.status()).as(revokedReply.text()).isEqualTo(200);
        assertThat(json(revokedReply).get("to").asText()).isEqualTo("revoked");
        assertThat(json(revokedReply).get("reason").asText()).isEqualTo("keyCompromise");
        assertProblem(
                ra.call(officer, "POST", "/certificates/" + sigSerial + "/resume"), 409, "certificate.already-revoked");
        assertProblem(
                ra.json(officer, "POST", "/certificates/" + encSerial + "/revoke", "{\"reason\":\"certificateHold\"}"),
                400,
                "certificate.bad-reason");
        assertProblem(
                ra.json(officer, "POST", "/certificates/" + encSerial + "/revoke", "{\"reason\":\"because\"}"),
                400,
                "request.unknown-reason");
    }

    @Test
    void reportLostHoldsEveryCertificateOfTheCard() throws Exception {
        var officer = ra.role(OperatorRole.OFFICER);
        IssuedCertificate first = ra.issuedCertificate();
        String card = cardOf(first.serialHex());
        Reply second = ra.json(
                officer,
                "POST",
                "/cards/" + card + "/certificates",
                "{\"profile\":\"citizen-encryption\"," + "\"chipUid\":\"04a1b2c3d4e5f6a7\",\"csr\":"
                        + JSON.writeValueAsString(ra.chipCsrPem(KeyAlgorithm.EC_P256)) + "}");
        assertThat(second.status()).isEqualTo(201);
        Reply lost = ra.call(officer, "POST", "/cards/" + card + "/report-lost");
        assertThat(lost.status()).as(lost.text()).isEqualTo(200);
        assertThat(json(lost).get("held")).hasSize(2);
        JsonNode shown = json(ra.call(officer, "GET", "/cards/" + card));
        shown.get("certificates")
                .forEach(c -> assertThat(c.get("status").asText()).isEqualTo("hold"));
        assertProblem(ra.call(officer, "POST", "/cards/TWX9999999/report-lost"), 404, "card.not-found");
    }

    private static String cardOf(String serial) throws Exception {
        return json(ra.call(ra.role(OperatorRole.OFFICER), "GET", "/certificates/" + serial))
                .get("cardNumber")
                .asText();
    }

    @Test
    void anIdempotencyKeyGivesTheSameCertificateBack() throws Exception {
        var perso = ra.role(OperatorRole.PERSONALIZATION);
        String card = ra.registeredCard();
        String body = "{\"profile\":\"citizen-signature\",\"chipUid\":\"04a1b2c3d4e5f6a7\",\"csr\":"
                + JSON.writeValueAsString(ra.chipCsrPem(KeyAlgorithm.EC_P256)) + "}";
        Map<String, String> key = Map.of("Idempotency-Key", "perso-retry-1");
        Reply a = ra.call(
                perso,
                "POST",
                "/cards/" + card + "/certificates",
                "application/json",
                body.getBytes(StandardCharsets.UTF_8),
                key);
        Reply b = ra.call(
                perso,
                "POST",
                "/cards/" + card + "/certificates",
                "application/json",
                body.getBytes(StandardCharsets.UTF_8),
                key);
        assertThat(a.status()).isEqualTo(201);
        assertThat(b.status()).isEqualTo(201);
        assertThat(json(b).get("serial").asText())
                .isEqualTo(json(a).get("serial").asText());
        assertThat(json(b).get("certificate").asText())
                .isEqualTo(json(a).get("certificate").asText());
        assertThat(json(b).get("replay").asBoolean()).isTrue();
        assertThat(b.header("idempotency-replayed")).isEqualTo("true");
        assertProblem(
                ra.call(
                        perso,
                        "POST",
                        "/cards/" + card + "/certificates",
                        "application/json",
                        body.getBytes(StandardCharsets.UTF_8),
                        Map.of("Idempotency-Key", "bad key with spaces")),
                400,
                "request.bad-idempotency-key");
    }

    @Test
    void badInputIsAProblemWithItsCode() throws Exception {
        var officer = ra.role(OperatorRole.OFFICER);
        String card = ra.registeredCard();
        String path = "/cards/" + card + "/certificates";
        assertProblem(ra.json(officer, "POST", "/cards", "{\"cardNumber\": \"TW1"), 400, "request.malformed-json");
        assertProblem(
                ra.json(officer, "POST", "/cards", "{\"cardNumber\":\"TWX0000001\",\"color\":\"red\"}"),
                400,
                "request.malformed-json");
        assertProblem(
                ra.json(officer, "POST", "/cards", "{\"cardNumber\":\"TWX0000001\"}"), 400, "request.missing-field");
        assertProblem(
                ra.json(
                        officer,
                        "POST",
                        "/cards",
                        "{\"cardNumber\":\"TWX0000001\",\"chipUid\":\"0102030405\","
                                + "\"nationalId\":\"A123456788\",\"holderName\":\"王小明\"}"),
                400,
                "card.invalid-national-id");
        assertProblem(
                ra.json(
                        officer,
                        "POST",
                        "/cards",
                        "{\"cardNumber\":\"TWX0000002\",\"chipUid\":\"0102030405\","
                                + "\"nationalId\":\"A123456789\",\"holderName\":\"王\\u202e小明\"}"),
                422,
                "name.bidi-control");
        assertProblem(
                ra.json(
                        officer,
                        "POST",
                        "/cards",
                        "{\"cardNumber\":\"" + card + "\",\"chipUid\":\"0102030405\","
                                + "\"nationalId\":\"A123456789\",\"holderName\":\"王小明\"}"),
                409,
                "card.exists");
        assertProblem(
                ra.json(
                        officer,
                        "POST",
                        path,
                        "{\"profile\":\"citizen-selfie\",\"chipUid\":\"04a1b2c3d4e5f6a7\"," + "\"csr\":\"x\"}"),
                400,
                "request.unknown-profile");
        assertProblem(
                ra.json(
                        officer,
                        "POST",
                        path,
                        "{\"profile\":\"operator\",\"chipUid\":\"04a1b2c3d4e5f6a7\"," + "\"csr\":\"x\"}"),
                400,
                "issuance.profile-not-issuable");
        assertProblem(
                ra.json(
                        officer,
                        "POST",
                        path,
                        "{\"profile\":\"citizen-signature\",\"chipUid\":\"04a1b2c3d4e5f6a7\","
                                + "\"csr\":\"not a csr\"}"),
                400,
                "csr.bad-pem");
        byte[] csr = ra.chipCsrDer(KeyAlgorithm.EC_P256);
        csr[csr.length - 5] ^= 0x01; // the signature: no proof of possession
        assertProblem(
                ra.call(
                        officer,
                        "POST",
                        path + "?profile=citizen-signature&chipUid=04a1b2c3d4e5f6a7",
                        "application/pkcs10",
                        csr,
                        Map.of()),
                422,
                "csr.bad-proof-of-possession");
        assertProblem(
                ra.call(
                        officer,
                        "POST",
                        path + "?profile=citizen-signature&chipUid=04ffffffffffff00",
                        "application/pkcs10",
                        ra.chipCsrDer(KeyAlgorithm.EC_P256),
                        Map.of()),
                422,
                "issuance.chip-mismatch");
        assertProblem(
                ra.call(
                        officer,
                        "POST",
                        "/cards/TWX9999999/certificates?profile=citizen-signature&chipUid=04a1b2c3d4e5f6a7",
                        "application/pkcs10",
                        ra.chipCsrDer(KeyAlgorithm.EC_P256),
                        Map.of()),
                404,
                "issuance.card-not-found");
        assertProblem(ra.call(officer, "GET", "/cards/TWX9999999"), 404, "card.not-found");
        assertProblem(ra.call(officer, "GET", "/cards/lower-case"), 400, "card.invalid-number");
        assertProblem(ra.call(officer, "GET", "/certificates/0abc"), 400, "request.bad-serial");
        assertProblem(ra.call(officer, "GET", "/certificates/abc123"), 404, "certificate.not-found");
        assertProblem(ra.call(officer, "POST", "/certificates/abc123/suspend"), 404, "certificate.not-found");
        assertProblem(ra.call(officer, "GET", "/no/such/path"), 404, "request.not-found");
        assertProblem(ra.call(officer, "DELETE", "/cards/" + card), 405, "request.method-not-allowed");
        // Jersey's own OPTIONS answer has no annotated method: closed like anything unannotated.
        assertProblem(ra.call(officer, "OPTIONS", "/cards/" + card), 403, "auth.role-not-allowed");
        assertProblem(
                ra.call(officer, "POST", "/cards", "text/plain", "hello".getBytes(StandardCharsets.UTF_8), Map.of()),
                415,
                "request.unsupported-media-type");
        assertProblem(
                ra.call(officer, "GET", "/certificates/abc123", null, null, Map.of("Accept", "image/png")),
                406,
                "request.not-acceptable");
        assertProblem(
                ra.call(
                        officer,
                        "POST",
                        path + "?profile=citizen-signature&chipUid=04a1b2c3d4e5f6a7",
                        "application/pkcs10",
                        new byte[100 * 1024],
                        Map.of()),
                413,
                "request.too-large");
    }

    @Test
    void aChunkedBodyPastTheLimitIsRefusedWhileReading() throws Exception {
        String card = ra.registeredCard();
        // No Content-Length: the limit is enforced on the stream as Jersey reads it.
        var http = java.net.http.HttpClient.newBuilder()
                .sslContext(ra.role(OperatorRole.OFFICER).ssl())
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build();
        var request = java.net.http.HttpRequest.newBuilder(
                        ra.uri("/cards/" + card + "/certificates?profile=citizen-signature&chipUid=04a1b2c3d4e5f6a7"))
                .header("Content-Type", "application/pkcs10")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(new byte[100 * 1024])))
                .build();
        var response = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertProblem(
                new Reply(response.statusCode(), response.headers().map(), response.body()), 413, "request.too-large");
    }

    // ChipCsrChecks accepts what a chip may hold (P-384 too); the citizen profiles certify P-256 and
    // RSA-2048 only, and the issuer refuses the rest with a coded 422.
    @Test
    void aChipKeyTheCsrChecksAcceptButTheProfileDoesNot() throws Exception {
        String card = ra.registeredCard();
        Reply r = ra.call(
                ra.role(OperatorRole.OFFICER),
                "POST",
                "/cards/" + card + "/certificates?profile=citizen-signature&chipUid=04a1b2c3d4e5f6a7",
                "application/pkcs10",
                ra.chipCsrDer(KeyAlgorithm.EC_P384),
                Map.of());
        assertThat(r.status()).as(r.text()).isEqualTo(422);
        assertThat(r.text()).contains("issuance.key-type-not-certified");
    }

    @Test
    void outsideTheApiJettyAnswersProblemsToo() throws Exception {
        Reply r = ra.call(ra.role(OperatorRole.OFFICER), "GET", "/../../index.html");
        assertThat(r.status()).isIn(400, 404);
        assertThat(r.contentType()).startsWith("application/problem+json");
    }

    @Test
    void healthAndTheOpenApiDocumentAreThereForEveryRole() throws Exception {
        for (OperatorRole role : OperatorRole.values()) {
            Reply health = ra.call(ra.role(role), "GET", "/health");
            assertThat(health.status()).as(health.text()).isEqualTo(200);
            assertThat(json(health).get("status").asText()).isEqualTo("up");
        }
        Reply doc = ra.call(ra.role(OperatorRole.AUDITOR), "GET", "/openapi.yaml");
        assertThat(doc.status()).isEqualTo(200);
        assertThat(doc.contentType()).startsWith("application/yaml");
        JsonNode api = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(doc.body());
        assertThat(api.get("openapi").asText()).startsWith("3.");
        assertThat(api.get("paths").fieldNames())
                .toIterable()
                .containsExactlyInAnyOrder(
                        "/cards",
                        "/cards/{cardNumber}",
                        "/cards/{cardNumber}/certificates",
                        "/cards/{cardNumber}/report-lost",
                        "/cards/{cardNumber}/report-lost/withdraw",
                        "/cards/{cardNumber}/sod",
                        "/cards/{cardNumber}/personalization/reopen",
                        "/cards/{cardNumber}/reissue",
                        "/cards/{cardNumber}/reissue/cancel",
                        "/cards/{cardNumber}/temporary-certificates",
                        "/temporary-certificates/{number}/revoke",
                        "/certificates/{serial}",
                        "/certificates/{serial}/suspend",
                        "/certificates/{serial}/resume",
                        "/certificates/{serial}/revoke",
                        "/revocations",
                        "/approvals",
                        "/approvals/{id}",
                        "/approvals/{id}/approve",
                        "/approvals/{id}/reject",
                        "/cv/agencies",
                        "/cv/agencies/{id}",
                        "/cv/agencies/{id}/approve",
                        "/cv/agencies/{id}/refuse",
                        "/cv/agencies/{id}/suspend",
                        "/cv/agencies/{id}/resume",
                        "/cv/agencies/{id}/revoke",
                        "/audit",
                        "/health",
                        "/openapi.yaml");
    }

    @Test
    void everyActAndRefusalIsInAnAuditTrailThatVerifies() throws Exception {
        var officer = ra.role(OperatorRole.OFFICER);
        IssuedCertificate c = ra.issuedCertificate();
        assertThat(ra.call(officer, "POST", "/certificates/" + c.serialHex() + "/suspend")
                        .status())
                .isEqualTo(200);
        assertThat(ra.call(ra.role(OperatorRole.AUDITOR), "POST", "/certificates/" + c.serialHex() + "/resume")
                        .status())
                .isEqualTo(403);
        assertThat(ra.count(
                        "SELECT COUNT(*) FROM audit_event WHERE actor = 'officer-1' AND action = 'certificate.suspend'"
                                + " AND target = 'citizen-ca/" + c.serialHex() + "' AND source_addr LIKE '127.0.0.1:%'"
                                + " AND dest_addr = '127.0.0.1:" + ra.port + "'"))
                .isEqualTo(1);
        assertThat(ra.count("SELECT COUNT(*) FROM audit_event WHERE actor = 'auditor-1' AND action = 'ra.authorize'"
                        + " AND result = 'REFUSED' AND target = 'POST /certificates/" + c.serialHex() + "/resume'"))
                .isEqualTo(1);
        var report = tw.eid.pki.ca.audit.AuditVerifier.verify(
                db.dataSource(),
                new org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder()
                        .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                        .build(ra.caToken.publicKey("audit-key")));
        assertThat(report.ok()).as(String.valueOf(report.problem())).isTrue();
        assertThat(ra.count("SELECT COUNT(*) FROM audit_event WHERE details LIKE '%A123456789%'"
                        + " OR target LIKE '%A123456789%'"))
                .isZero();
    }

    /**
     * Drill a found it: 10,000 serials of 32 hex digits (our serials are 128-bit) are about 350 KB,
     * which the general 64 KiB limit refused with 413, so the documented bulk maximum could not be
     * asked for. The bulk act has a limit of its own; past it, 413 still.
     */
    @Test
    void aBulkActOfTenThousandRealisticSerialsIsNotRefusedForItsSize() throws Exception {
        var supervisor = ra.role(OperatorRole.SUPERVISOR);
        List<String> serials = new java.util.ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            serials.add(String.format("7%031x", i)); // never issued
        }
        String body = "{\"action\":\"suspend\",\"serials\":" + JSON.writeValueAsString(serials) + "}";
        assertThat(body.length()).isGreaterThan(300_000);
        long approvals = ra.count("SELECT COUNT(*) FROM approval");
        Reply reply = ra.json(supervisor, "POST", "/revocations", body);
        assertThat(reply.status()).as(reply.text()).isNotEqualTo(413);
        assertThat(json(reply).get("code").asText())
                .as("refused for what it names, not for its size")
                .isNotEqualTo("request.too-large");
        assertThat(ra.count("SELECT COUNT(*) FROM approval")).isEqualTo(approvals);

        String tooLarge = body.replace("]}", "," + "\"ab\",".repeat(60_000) + "\"ab\"]}");
        assertThat(tooLarge.length()).isGreaterThan(RequestSizeLimit.BULK_MAX_BYTES);
        assertProblem(ra.json(supervisor, "POST", "/revocations", tooLarge), 413, "request.too-large");
        // Other routes keep the general limit.
        assertProblem(ra.json(supervisor, "POST", "/approvals/1/reject", body), 413, "request.too-large");
    }

    @Test
    void aBulkSuspensionWaitsForASecondSupervisorAndIsCarriedOutOnce() throws Exception {
        var first = ra.role(OperatorRole.SUPERVISOR);
        var second = ra.secondSupervisor;
        List<String> serials = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            serials.add(ra.issuedCertificate().serialHex());
        }
        Reply requested = ra.json(
                first,
                "POST",
                "/revocations",
                "{\"action\":\"suspend\",\"serials\":" + JSON.writeValueAsString(serials) + "}");
        assertThat(requested.status()).as(requested.text()).isEqualTo(202);
        long id = json(requested).get("id").asLong();
        assertThat(json(requested).get("status").asText()).isEqualTo("pending");
        assertThat(requested.header("location")).endsWith("/api/v1/approvals/" + id);
        for (String serial : serials) {
            assertThat(json(ra.call(ra.role(OperatorRole.OFFICER), "GET", "/certificates/" + serial))
                            .get("status")
                            .asText())
                    .as("nothing changes before the approval")
                    .isEqualTo("good");
        }
        assertThat(json(ra.call(second, "GET", "/approvals")).findValuesAsText("id"))
                .contains(Long.toString(id));
        assertProblem(ra.call(first, "POST", "/approvals/" + id + "/approve"), 403, "approval.self-approval");
        Reply approved = ra.call(second, "POST", "/approvals/" + id + "/approve");
        assertThat(approved.status()).as(approved.text()).isEqualTo(200);
        assertThat(json(approved).get("status").asText()).isEqualTo("approved");
        assertThat(json(approved).get("outcome").get("changed").asInt()).isEqualTo(3);
        assertThat(json(approved).get("decidedBy").asText()).isEqualTo("supervisor-2");
        for (String serial : serials) {
            assertThat(json(ra.call(ra.role(OperatorRole.OFFICER), "GET", "/certificates/" + serial))
                            .get("status")
                            .asText())
                    .isEqualTo("hold");
        }
        assertProblem(ra.call(second, "POST", "/approvals/" + id + "/approve"), 409, "approval.already-decided");
        assertProblem(ra.call(second, "POST", "/approvals/" + id + "/reject"), 409, "approval.already-decided");
        assertProblem(ra.call(second, "POST", "/approvals/999999/approve"), 404, "approval.not-found");
        assertProblem(ra.call(second, "POST", "/approvals/x1/approve"), 400, "request.bad-approval-id");
        // a request that could not be carried out now is refused at once; malformed ones are 400
        assertProblem(
                ra.json(
                        first,
                        "POST",
                        "/revocations",
                        "{\"action\":\"suspend\",\"serials\":[\"" + serials.get(0) + "\"]}"),
                409,
                "approval.transition-refused");
        assertProblem(
                ra.json(
                        first,
                        "POST",
                        "/revocations",
                        "{\"action\":\"revoke\",\"reason\":\"keyCompromise\"," + "\"serials\":[\"ab\",\"ab\"]}"),
                400,
                "approval.duplicate-serial");
        assertProblem(
                ra.json(first, "POST", "/revocations", "{\"action\":\"revoke\",\"serials\":[\"ab\"]}"),
                400,
                "request.missing-field");
        assertProblem(
                ra.json(first, "POST", "/revocations", "{\"action\":\"erase\",\"serials\":[\"ab\"]}"),
                400,
                "request.unknown-action");
        // a rejection does nothing
        String other = ra.issuedCertificate().serialHex();
        long rejectedId = json(ra.json(
                        first,
                        "POST",
                        "/revocations",
                        "{\"action\":\"revoke\",\"reason\":\"superseded\"," + "\"serials\":[\"" + other + "\"]}"))
                .get("id")
                .asLong();
        Reply rejected = ra.call(second, "POST", "/approvals/" + rejectedId + "/reject");
        assertThat(json(rejected).get("status").asText()).isEqualTo("rejected");
        assertThat(json(ra.call(ra.role(OperatorRole.OFFICER), "GET", "/certificates/" + other))
                        .get("status")
                        .asText())
                .isEqualTo("good");
    }

    @Test
    void theAuditorReadsTheLedgerAPageAtATime() throws Exception {
        var auditor = ra.role(OperatorRole.AUDITOR);
        IssuedCertificate c = ra.issuedCertificate();
        assertThat(ra.call(ra.role(OperatorRole.OFFICER), "POST", "/certificates/" + c.serialHex() + "/suspend")
                        .status())
                .isEqualTo(200);
        Reply page = ra.call(auditor, "GET", "/audit?action=certificate.suspend&actor=officer-1&limit=1000");
        assertThat(page.status()).as(page.text()).isEqualTo(200);
        JsonNode events = json(page).get("events");
        assertThat(events.findValuesAsText("target")).contains("citizen-ca/" + c.serialHex());
        assertThat(events.get(0).get("result").asText()).isEqualTo("success");
        Reply first = ra.call(auditor, "GET", "/audit?limit=1");
        long next = json(first).get("nextAfter").asLong();
        Reply second = ra.call(auditor, "GET", "/audit?limit=1&after=" + next);
        assertThat(json(second).get("events").get(0).get("seq").asLong()).isGreaterThan(next);
        assertProblem(ra.call(auditor, "GET", "/audit?limit=0"), 400, "audit.invalid-query");
        assertProblem(ra.call(auditor, "GET", "/audit?from=yesterday"), 400, "audit.invalid-query");
        assertProblem(
                ra.call(auditor, "GET", "/audit?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z"),
                400,
                "audit.invalid-query");
        Reply none = ra.call(auditor, "GET", "/audit?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z");
        assertThat(json(none).get("events")).isEmpty();
        assertThat(json(none).has("nextAfter")).isFalse();
    }

    @Test
    void curlWithPemFilesFetchesACertificate() throws Exception {
        IssuedCertificate issued = ra.issuedCertificate();
        String out = ra.curl(
                ra.role(OperatorRole.OFFICER),
                "-H",
                "Accept: application/x-pem-file",
                ra.uri("/certificates/" + issued.serialHex()).toString());
        assertThat(out).startsWith("0 -----BEGIN CERTIFICATE-----");
        String status = ra.curl(
                ra.role(OperatorRole.AUDITOR),
                ra.uri("/certificates/" + issued.serialHex()).toString());
        assertThat(status).startsWith("0 {").contains("\"status\":\"good\"");
    }

    /**
     * Issue 25's card validity over the real RA (MariaDB, SoftHSM2, TLS): the printed issue data at
     * registration, the loss report and its withdrawal, the 409s for a lost or replaced card, and the
     * replacement by a successor card. Nested here to share this class's RA (a fixture of its own
     * costs about a minute).
     */
    @Nested
    class CardValidity {
        static CertificateReader store() {
            return SqlCertificateStore.over(db.database());
        }

        /** What a refused request must leave as it was: cards, their validity, certificates, statuses, the audit. */
        private static final String STATE = "SELECT CONCAT_WS('/', (SELECT COUNT(*) FROM card),"
                + " (SELECT COUNT(*) FROM card WHERE validity <> 'CURRENT'), (SELECT COUNT(*) FROM certificate),"
                + " (SELECT COUNT(*) FROM status_change), (SELECT COUNT(*) FROM card_loss_report),"
                + " (SELECT COUNT(*) FROM card_loss_report WHERE withdrawn_at IS NULL), (SELECT COUNT(*) FROM card_sod),"
                + " (SELECT COUNT(*) FROM audit_event))";

        static String state() {
            return db.database().inTransaction(c -> {
                try (var st = c.createStatement();
                        var rs = st.executeQuery(STATE)) {
                    rs.next();
                    return rs.getString(1);
                }
            });
        }

        static String card(String number, String nationalId, String extra) {
            return "{\"cardNumber\":\"" + number + "\",\"chipUid\":\"04a1b2c3d4e5f6a7\",\"nationalId\":\"" + nationalId
                    + "\",\"holderName\":\"王小明\"" + extra + "}";
        }

        @Test
        void registrationTakesThePrintedIssueDataAndRefusesBadIssueDataWithoutAChange() throws Exception {
            var officer = ra.role(OperatorRole.OFFICER);
            String today = ra.reissues.today().toString();
            String n = ra.newCardNumber();
            Reply created = ra.json(
                    officer,
                    "POST",
                    "/cards",
                    card(
                            n,
                            "F131104093",
                            ",\"issueDate\":\"" + today + "\",\"issuePlace\":\"63000\",\"issueType\":\"reissue\","
                                    + "\"expiryDate\":\"" + ra.reissues.today().plusYears(10) + "\""));
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            JsonNode shown = json(ra.call(ra.role(OperatorRole.AUDITOR), "GET", "/cards/" + n));
            assertThat(shown.get("validity").asText()).isEqualTo("current");
            assertThat(shown.get("expired").asBoolean()).isFalse();
            assertThat(shown.get("issueDate").asText()).isEqualTo(today);
            assertThat(shown.get("issuePlace").asText()).isEqualTo("63000");
            assertThat(shown.get("issueType").asText()).isEqualTo("reissue");
            // A card registered without issue data is still current (the query will never match it).
            assertThat(json(ra.call(officer, "GET", "/cards/" + ra.registeredCard()))
                            .get("validity")
                            .asText())
                    .isEqualTo("current");

            String tomorrow = ra.reissues.today().plusDays(1).toString();
            Map<String, String[]> bad = new java.util.LinkedHashMap<>();
            bad.put(
                    ",\"issueDate\":\"" + today + "\",\"issuePlace\":\"99999\",\"issueType\":\"initial\"",
                    new String[] {"400", "card.invalid-issue-place"});
            bad.put(
                    ",\"issueDate\":\"" + today + "\",\"issuePlace\":\"北市\",\"issueType\":\"initial\"",
                    new String[] {"400", "card.invalid-issue-place"});
            bad.put(
                    ",\"issueDate\":\"" + today + "\",\"issuePlace\":\"63000\",\"issueType\":\"new\"",
                    new String[] {"400", "card.invalid-issue-type"});
            bad.put(
                    ",\"issueDate\":\"" + today + "\",\"issuePlace\":\"63000\",\"issueType\":\"Initial\"",
                    new String[] {"400", "card.invalid-issue-type"});
            bad.put(
                    ",\"issueDate\":\"115-03-01\",\"issuePlace\":\"63000\",\"issueType\":\"initial\"",
                    new String[] {"400", "request.bad-date"});
            bad.put(
                    ",\"issueDate\":\"" + tomorrow + "\",\"issuePlace\":\"63000\",\"issueType\":\"initial\"",
                    new String[] {"400", "card.invalid-issue-date"});
            bad.put(",\"issueDate\":\"" + today + "\"", new String[] {"400", "card.incomplete-issue-data"});
            bad.put(",\"expiryDate\":\"" + tomorrow + "\"", new String[] {"400", "card.incomplete-issue-data"});
            bad.put(
                    ",\"issueDate\":\"" + today
                            + "\",\"issuePlace\":\"63000\",\"issueType\":\"initial\",\"expiryDate\":\"" + today + "\"",
                    new String[] {"400", "card.invalid-expiry-date"});
            for (Map.Entry<String, String[]> b : bad.entrySet()) {
                String before = state();
                Reply r = ra.json(officer, "POST", "/cards", card(ra.newCardNumber(), "F131104093", b.getKey()));
                assertProblem(r, Integer.parseInt(b.getValue()[0]), b.getValue()[1]);
                assertThat(state()).as(b.getKey()).isEqualTo(before);
            }
        }

        @Test
        void aLossReportHoldsTheCardsCertificatesStopsEveryActAndItsWithdrawalResumesOnlyWhatItHeld() throws Exception {
            var officer = ra.role(OperatorRole.OFFICER);
            String card = ra.personalizedCard();
            IssuedCertificate held = ra.issuedFor(card);
            IssuedCertificate heldBefore = ra.issuer.issue(
                    RaFixture.SETUP,
                    new tw.eid.pki.ca.issuance.IssueRequest(
                            card,
                            RaFixture.CHIP_UID,
                            tw.eid.pki.ca.profile.CertificateProfile.CITIZEN_ENCRYPTION,
                            ra.chipCsrDer(KeyAlgorithm.EC_P256),
                            null));
            ra.revocations.suspend(RaFixture.SETUP, heldBefore.caName(), heldBefore.serialHex());

            // Registered before the report: a card of the holder registered after it would be a new card,
            // and the report could no longer be withdrawn (the fixture gives every card one national ID).
            String unpersonalized = ra.registeredCard();
            Reply lost = ra.call(officer, "POST", "/cards/" + card + "/report-lost");
            assertThat(lost.status()).as(lost.text()).isEqualTo(200);
            JsonNode report = json(lost);
            assertThat(report.get("report").asText()).matches("LR[0-9]{10}");
            assertThat(report.get("channel").asText()).isEqualTo("officer");
            assertThat(report.get("held")).extracting(JsonNode::asText).containsExactly(held.serialHex());
            // What the OCSP responder and the CRL publisher read: on hold, reason certificateHold (6).
            var statuses = store().revocations(RaFixture.CITIZEN_CA, List.of(held.serialHex(), heldBefore.serialHex()));
            assertThat(statuses.get(held.serialHex()).status()).isEqualTo(CertificateStatus.HOLD);
            assertThat(statuses.get(held.serialHex()).reasonCode()).isEqualTo(RevocationReason.CERTIFICATE_HOLD.code());
            assertThat(json(ra.call(officer, "GET", "/cards/" + card))
                            .get("validity")
                            .asText())
                    .isEqualTo("lost");
            assertThat(ra.count("SELECT COUNT(*) FROM audit_event WHERE action = 'card.report-lost' AND target = '"
                            + card + "' AND details LIKE '%"
                            + report.get("report").asText() + "%'"))
                    .isEqualTo(1);

            // A lost card gets nothing: certificate, SOD, reopen, a second report; none changes anything.
            String before = state();
            assertProblem(
                    ra.json(
                            officer,
                            "POST",
                            "/cards/" + card + "/certificates",
                            "{\"profile\":\"citizen-signature\",\"chipUid\":\"04a1b2c3d4e5f6a7\",\"csr\":"
                                    + JSON.writeValueAsString(ra.chipCsrPem(KeyAlgorithm.EC_P256)) + "}"),
                    409,
                    "card.lost");
            assertProblem(ra.call(officer, "POST", "/cards/" + card + "/personalization/reopen"), 409, "card.lost");
            assertProblem(ra.call(officer, "POST", "/cards/" + card + "/report-lost"), 409, "card.lost");
            assertThat(state()).isEqualTo(before);
            ra.lossReports.report(RaFixture.SETUP, unpersonalized, tw.eid.pki.ca.card.CardLossReports.Channel.OFFICER);
            before = state();
            assertProblem(
                    ra.json(
                            ra.role(OperatorRole.PERSONALIZATION),
                            "POST",
                            "/cards/" + unpersonalized + "/sod",
                            ra.sodJson()),
                    409,
                    "card.lost");
            assertThat(state()).isEqualTo(before);

            // Withdrawal: current again; only the report's hold is resumed, the earlier suspension stays.
            Reply withdrawn = ra.call(officer, "POST", "/cards/" + card + "/report-lost/withdraw");
            assertThat(withdrawn.status()).as(withdrawn.text()).isEqualTo(200);
            assertThat(json(withdrawn).get("report").asText())
                    .isEqualTo(report.get("report").asText());
            assertThat(json(withdrawn).get("resumed"))
                    .extracting(JsonNode::asText)
                    .containsExactly(held.serialHex());
            statuses = store().revocations(RaFixture.CITIZEN_CA, List.of(held.serialHex(), heldBefore.serialHex()));
            assertThat(statuses.get(held.serialHex()).status()).isEqualTo(CertificateStatus.GOOD);
            assertThat(statuses.get(heldBefore.serialHex()).status()).isEqualTo(CertificateStatus.HOLD);
            assertThat(json(ra.call(officer, "GET", "/cards/" + card))
                            .get("validity")
                            .asText())
                    .isEqualTo("current");
            before = state();
            assertProblem(ra.call(officer, "POST", "/cards/" + card + "/report-lost/withdraw"), 409, "card.not-lost");
            assertProblem(ra.call(officer, "POST", "/cards/TWX9999999/report-lost/withdraw"), 404, "card.not-found");
            assertProblem(ra.call(officer, "POST", "/cards/twx9/report-lost/withdraw"), 400, "card.invalid-number");
            assertThat(state()).isEqualTo(before);
            // The card issues again.
            assertThat(ra.call(officer, "POST", "/cards/" + card + "/personalization/reopen")
                            .status())
                    .isEqualTo(204);

            // A certificate held by the report, then revoked by an officer, is not resumed by the withdrawal.
            IssuedCertificate second = ra.issuedFor(card);
            ra.lossReports.report(RaFixture.SETUP, card, tw.eid.pki.ca.card.CardLossReports.Channel.OFFICER);
            ra.revocations.revoke(
                    RaFixture.SETUP, second.caName(), second.serialHex(), RevocationReason.KEY_COMPROMISE);
            assertThat(json(ra.call(officer, "POST", "/cards/" + card + "/report-lost/withdraw"))
                            .get("resumed"))
                    .isEmpty();
        }

        @Test
        void aReportAndAnIssuanceForOneCardNeverBothLeaveAGoodCertificateOnALostCard() throws Exception {
            int pairs = 6;
            ExecutorService pool = Executors.newFixedThreadPool(2 * pairs);
            try {
                List<String> cards = new ArrayList<>();
                List<Future<?>> work = new ArrayList<>();
                for (int i = 0; i < pairs; i++) {
                    String card = ra.registeredCard();
                    cards.add(card);
                    byte[] csr = ra.chipCsrDer(KeyAlgorithm.EC_P256);
                    work.add(pool.submit(() -> {
                        try {
                            ra.issuer.issue(
                                    RaFixture.SETUP,
                                    new tw.eid.pki.ca.issuance.IssueRequest(
                                            card,
                                            RaFixture.CHIP_UID,
                                            tw.eid.pki.ca.profile.CertificateProfile.CITIZEN_SIGNATURE,
                                            csr,
                                            null));
                        } catch (tw.eid.pki.ca.card.CardException refused) {
                            assertThat(refused.code()).isEqualTo(tw.eid.pki.ca.card.CardException.Code.CARD_LOST);
                        }
                        return null;
                    }));
                    work.add(pool.submit(() -> ra.lossReports.report(
                            RaFixture.SETUP, card, tw.eid.pki.ca.card.CardLossReports.Channel.OFFICER)));
                }
                for (Future<?> f : work) {
                    f.get();
                }
                for (String card : cards) {
                    assertThat(ra.count("SELECT COUNT(*) FROM certificate WHERE card_number = '" + card
                                    + "' AND status = 'GOOD'"))
                            .as("a good certificate on lost card " + card)
                            .isZero();
                }
            } finally {
                pool.shutdownNow();
            }
        }

        @Test
        void aSuccessorCardReplacesTheLostOneRevokesItsCertificatesAndEndsTheWithdrawal() throws Exception {
            var officer = ra.role(OperatorRole.OFFICER);
            String old = ra.cardInReissue();
            IssuedCertificate certificate = ra.issuedFor(old);
            ra.lossReports.report(RaFixture.SETUP, old, tw.eid.pki.ca.card.CardLossReports.Channel.OFFICER);
            String successor = ra.newCardNumber();
            Reply created = ra.json(
                    officer, "POST", "/cards", card(successor, RaFixture.NATIONAL_ID, ",\"replaces\":\"" + old + "\""));
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            assertThat(json(ra.call(officer, "GET", "/cards/" + old))
                            .get("validity")
                            .asText())
                    .isEqualTo("replaced");
            var status = store().revocations(RaFixture.CITIZEN_CA, List.of(certificate.serialHex()))
                    .get(certificate.serialHex());
            assertThat(status.status()).isEqualTo(CertificateStatus.REVOKED);
            assertThat(status.reasonCode()).isEqualTo(RevocationReason.KEY_COMPROMISE.code());
            String before = state();
            assertProblem(ra.call(officer, "POST", "/cards/" + old + "/report-lost/withdraw"), 409, "card.replaced");
            assertProblem(ra.call(officer, "POST", "/cards/" + old + "/report-lost"), 409, "card.replaced");
            assertThat(state()).isEqualTo(before);

            // A report cannot be withdrawn once another card of the holder is registered after it.
            String lost = ra.newCardNumber();
            ra.cards.register(
                    RaFixture.SETUP,
                    new CardRegistration(
                            lost, RaFixture.CHIP_UID, NationalId.of("G225138273"), HolderName.of("林美玲", Set.of())));
            ra.lossReports.report(RaFixture.SETUP, lost, tw.eid.pki.ca.card.CardLossReports.Channel.OFFICER);
            ra.cards.register(
                    RaFixture.SETUP,
                    new CardRegistration(
                            ra.newCardNumber(),
                            RaFixture.CHIP_UID,
                            NationalId.of("G225138273"),
                            HolderName.of("林美玲", Set.of())));
            assertProblem(ra.call(officer, "POST", "/cards/" + lost + "/report-lost/withdraw"), 409, "card.replaced");
        }
    }
}
