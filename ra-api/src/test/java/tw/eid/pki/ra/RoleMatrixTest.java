package tw.eid.pki.ra;

import static org.assertj.core.api.Assertions.assertThat;
import static tw.eid.pki.ca.profile.OperatorRole.ADMIN;
import static tw.eid.pki.ca.profile.OperatorRole.AUDITOR;
import static tw.eid.pki.ca.profile.OperatorRole.OFFICER;
import static tw.eid.pki.ca.profile.OperatorRole.PERSONALIZATION;
import static tw.eid.pki.ca.profile.OperatorRole.SUPERVISOR;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tw.eid.pki.ca.card.CardLossReports;
import tw.eid.pki.ca.issuance.IssuedCertificate;
import tw.eid.pki.ca.profile.OperatorRole;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.ra.RaFixture.Reply;

/**
 * docs/api.md's role column, every endpoint × every role: the allowed ones succeed on a real target,
 * the others get 403 {@code auth.role-not-allowed}, change nothing, are audited, and do not lock
 * the source out (the whole matrix runs from 127.0.0.1).
 */
class RoleMatrixTest {
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

    record Req(String method, String path, String contentType, String body) {}

    interface Target {
        Req make(RaFixture ra) throws Exception;
    }

    record Endpoint(String name, Set<OperatorRole> allowed, int success, Target target) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final Set<OperatorRole> ALL = EnumSet.allOf(OperatorRole.class);

    /** The table of docs/api.md, row by row. */
    static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint(
                    "POST /cards",
                    EnumSet.of(OFFICER),
                    201,
                    ra -> new Req(
                            "POST",
                            "/cards",
                            "application/json",
                            "{\"cardNumber\":\"" + ra.newCardNumber() + "\",\"chipUid\":\"04a1b2c3d4e5f6a7\","
                                    + "\"nationalId\":\"A123456789\",\"holderName\":\"王小明\"}")),
            new Endpoint(
                    "GET /cards/{cardNumber}",
                    EnumSet.of(OFFICER, AUDITOR),
                    200,
                    ra -> new Req("GET", "/cards/" + ra.registeredCard(), null, null)),
            new Endpoint(
                    "POST /cards/{cardNumber}/certificates",
                    EnumSet.of(PERSONALIZATION, OFFICER),
                    201,
                    ra -> new Req(
                            "POST",
                            "/cards/" + ra.registeredCard() + "/certificates",
                            "application/json",
                            "{\"profile\":\"citizen-signature\",\"chipUid\":\"04a1b2c3d4e5f6a7\",\"csr\":"
                                    + JSON.writeValueAsString(ra.chipCsrPem(KeyAlgorithm.EC_P256)) + "}")),
            new Endpoint(
                    "GET /certificates/{serial}",
                    EnumSet.of(OFFICER, AUDITOR, PERSONALIZATION),
                    200,
                    ra -> new Req(
                            "GET", "/certificates/" + ra.issuedCertificate().serialHex(), null, null)),
            new Endpoint(
                    "POST /certificates/{serial}/suspend",
                    EnumSet.of(OFFICER),
                    200,
                    ra -> new Req(
                            "POST", "/certificates/" + ra.issuedCertificate().serialHex() + "/suspend", null, null)),
            new Endpoint("POST /certificates/{serial}/resume", EnumSet.of(OFFICER), 200, ra -> {
                IssuedCertificate c = ra.issuedCertificate();
                ra.revocations.suspend(RaFixture.SETUP, c.caName(), c.serialHex());
                return new Req("POST", "/certificates/" + c.serialHex() + "/resume", null, null);
            }),
            new Endpoint(
                    "POST /certificates/{serial}/revoke",
                    EnumSet.of(OFFICER),
                    200,
                    ra -> new Req(
                            "POST",
                            "/certificates/" + ra.issuedCertificate().serialHex() + "/revoke",
                            "application/json",
                            "{\"reason\":\"affiliationChanged\"}")),
            new Endpoint("POST /cards/{cardNumber}/report-lost", EnumSet.of(OFFICER), 200, ra -> {
                String card = ra.registeredCard();
                ra.issuedFor(card);
                return new Req("POST", "/cards/" + card + "/report-lost", null, null);
            }),
            new Endpoint("POST /cards/{cardNumber}/report-lost/withdraw", EnumSet.of(OFFICER), 200, ra -> {
                String card = ra.registeredCard();
                ra.issuedFor(card);
                ra.lossReports.report(RaFixture.SETUP, card, CardLossReports.Channel.OFFICER);
                return new Req("POST", "/cards/" + card + "/report-lost/withdraw", null, null);
            }),
            new Endpoint(
                    "POST /cards/{cardNumber}/sod",
                    EnumSet.of(PERSONALIZATION),
                    201,
                    ra -> new Req("POST", "/cards/" + ra.registeredCard() + "/sod", "application/json", ra.sodJson())),
            new Endpoint(
                    "POST /cards/{cardNumber}/personalization/reopen",
                    EnumSet.of(OFFICER),
                    204,
                    ra -> new Req("POST", "/cards/" + ra.personalizedCard() + "/personalization/reopen", null, null)),
            new Endpoint(
                    "POST /cards/{cardNumber}/reissue",
                    EnumSet.of(OFFICER),
                    201,
                    ra -> new Req(
                            "POST",
                            "/cards/" + ra.registeredCard() + "/reissue",
                            "application/json",
                            "{\"expectedDelivery\":\"" + ra.reissues.today().plusDays(7) + "\"}")),
            new Endpoint(
                    "POST /cards/{cardNumber}/reissue/cancel",
                    EnumSet.of(OFFICER),
                    200,
                    ra -> new Req("POST", "/cards/" + ra.cardInReissue() + "/reissue/cancel", null, null)),
            new Endpoint(
                    "POST /cards/{cardNumber}/temporary-certificates",
                    EnumSet.of(OFFICER),
                    201,
                    ra -> new Req(
                            "POST",
                            "/cards/" + ra.cardInReissue() + "/temporary-certificates",
                            "application/json",
                            "{\"officeCode\":\"TPE01\"}")),
            new Endpoint("POST /temporary-certificates/{number}/revoke", EnumSet.of(OFFICER), 200, ra -> {
                String card = ra.cardInReissue();
                String number = ra.temporary
                        .issue(RaFixture.SETUP, card, "TPE01", null, null)
                        .number();
                return new Req(
                        "POST",
                        "/temporary-certificates/" + number + "/revoke",
                        "application/json",
                        "{\"reason\":\"lost\"}");
            }),
            new Endpoint(
                    "POST /revocations",
                    EnumSet.of(SUPERVISOR),
                    202,
                    ra -> new Req(
                            "POST",
                            "/revocations",
                            "application/json",
                            "{\"action\":\"suspend\",\"serials\":[\""
                                    + ra.issuedCertificate().serialHex() + "\"]}")),
            new Endpoint("GET /approvals", EnumSet.of(SUPERVISOR), 200, ra -> new Req("GET", "/approvals", null, null)),
            new Endpoint(
                    "GET /approvals/{id}",
                    EnumSet.of(SUPERVISOR),
                    200,
                    ra -> new Req("GET", "/approvals/" + pendingApproval(ra), null, null)),
            new Endpoint(
                    "POST /approvals/{id}/approve",
                    EnumSet.of(SUPERVISOR),
                    200,
                    ra -> new Req("POST", "/approvals/" + pendingApproval(ra) + "/approve", null, null)),
            new Endpoint(
                    "POST /approvals/{id}/reject",
                    EnumSet.of(SUPERVISOR),
                    200,
                    ra -> new Req("POST", "/approvals/" + pendingApproval(ra) + "/reject", null, null)),
            new Endpoint("GET /audit", EnumSet.of(AUDITOR), 200, ra -> new Req("GET", "/audit?limit=5", null, null)),
            new Endpoint("GET /health", ALL, 200, ra -> new Req("GET", "/health", null, null)),
            new Endpoint("GET /openapi.yaml", ALL, 200, ra -> new Req("GET", "/openapi.yaml", null, null)));

    /** A bulk suspend asked for by a supervisor other than the one the matrix calls with. */
    static long pendingApproval(RaFixture ra) throws Exception {
        return ra.approvals
                .request(
                        tw.eid.pki.ca.audit.Actor.local("supervisor-9"),
                        tw.eid.pki.ca.approval.BulkStatusChange.suspend(
                                RaFixture.CITIZEN_CA,
                                List.of(ra.issuedCertificate().serialHex())))
                .id();
    }

    static Stream<Arguments> pairs() {
        List<Arguments> out = new ArrayList<>();
        for (Endpoint e : ENDPOINTS) {
            for (OperatorRole r : OperatorRole.values()) {
                out.add(Arguments.of(e, r));
            }
        }
        return out.stream();
    }

    private static final String STATE =
            "SELECT (SELECT COUNT(*) FROM card) * 1000000000 + (SELECT COUNT(*) FROM certificate)"
                    + " * 1000000 + (SELECT COUNT(*) FROM status_change) * 1000"
                    + " + (SELECT COUNT(*) FROM approval WHERE status <> 'PENDING') * 10 + (SELECT COUNT(*) FROM approval) % 10"
                    + " + (SELECT COUNT(*) FROM card_sod) * 100000000000000 + (SELECT COUNT(*) FROM card WHERE status = 'REGISTERED')"
                    + " * 10000000000000000"
                    + " + (SELECT COUNT(*) FROM temporary_certificate WHERE status = 'GOOD') * 100000000000"
                    + " + (SELECT COUNT(*) FROM temporary_certificate) * 10000000000"
                    + " + (SELECT COUNT(*) FROM card_reissue WHERE ended_at IS NULL) * 1000000000000"
                    + " + (SELECT COUNT(*) FROM card WHERE validity <> 'CURRENT') * 10000000000000";
    private static final String REFUSALS =
            "SELECT COUNT(*) FROM audit_event WHERE action = 'ra.authorize' AND error_code = 'auth.role-not-allowed'";

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("pairs")
    void everyRoleOnEveryEndpoint(Endpoint endpoint, OperatorRole role) throws Exception {
        Req req = endpoint.target().make(ra);
        long stateBefore = ra.count(STATE);
        long refusalsBefore = ra.count(REFUSALS);
        Reply reply = ra.call(
                ra.role(role),
                req.method(),
                req.path(),
                req.contentType(),
                req.body() == null ? null : req.body().getBytes(StandardCharsets.UTF_8),
                Map.of());
        if (endpoint.allowed().contains(role)) {
            assertThat(reply.status()).as(reply.text()).isEqualTo(endpoint.success());
        } else {
            assertThat(reply.status()).as(reply.text()).isEqualTo(403);
            assertThat(reply.contentType()).startsWith("application/problem+json");
            assertThat(JSON.readTree(reply.body()).get("code").asText()).isEqualTo("auth.role-not-allowed");
            assertThat(ra.count(STATE)).as("a refused request changes nothing").isEqualTo(stateBefore);
            assertThat(ra.count(REFUSALS)).as("a refusal is audited").isEqualTo(refusalsBefore + 1);
        }
    }

    @Test
    void theTableIsApiMdsAndAdminsOnlyReadHealth() {
        assertThat(ENDPOINTS).hasSize(23);
        for (Endpoint e : ENDPOINTS) {
            if (!e.name().contains("health") && !e.name().contains("openapi")) {
                assertThat(e.allowed()).doesNotContain(ADMIN);
                assertThat(e.allowed().contains(SUPERVISOR))
                        .isEqualTo(e.name().contains("revocations") || e.name().contains("approvals"));
            }
        }
    }
}
