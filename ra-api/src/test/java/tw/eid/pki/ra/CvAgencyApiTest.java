package tw.eid.pki.ra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tw.eid.pki.ca.cvc.AccessRight;
import tw.eid.pki.ca.cvc.Chat;
import tw.eid.pki.ca.cvc.CvPublicKey;
import tw.eid.pki.ca.cvc.CvRequest;
import tw.eid.pki.ca.cvc.CvRole;
import tw.eid.pki.ca.cvc.HolderReference;
import tw.eid.pki.ca.cvc.TerminalType;
import tw.eid.pki.ca.profile.OperatorRole;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.ra.RaFixture.Reply;

/**
 * Agency records over the RA API (issue 22): an officer records an agency with its terminal's first
 * CV request, a supervisor approves it and gets the terminal certificate, which openpace's cvc-print
 * verifies up to the CVCA; refusals are problem+json with a {@code cv.*} code and change neither the
 * store nor the audit trail; roles are enforced. Reads the system clock (cvc-print judges by it).
 */
class CvAgencyApiTest {
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

    @Test
    void officerRecordsSupervisorApprovesAndTheTerminalCertificateVerifies() throws Exception {
        KeyPair k = keys();
        String body = body("AGENCY1", List.of("read-dg1", "read-dg4"), 30, request(k, "TWAGENCY100001", null));
        // An auditor may not record.
        long[] before = state();
        Reply denied = ra.json(ra.role(OperatorRole.AUDITOR), "POST", "/cv/agencies", body);
        assertThat(denied.status()).isEqualTo(403);
        Reply r = ra.json(ra.role(OperatorRole.OFFICER), "POST", "/cv/agencies", body);
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        JsonNode rec = JSON.readTree(r.body());
        assertThat(rec.get("status").asText()).isEqualTo("REQUESTED");
        long id = rec.get("id").asLong();
        assertThat(state()[0]).isEqualTo(before[0] + 1);

        // The officer cannot approve (role); the supervisor can.
        assertThat(ra.call(ra.role(OperatorRole.OFFICER), "POST", "/cv/agencies/" + id + "/approve")
                        .status())
                .isEqualTo(403);
        Reply a = ra.call(ra.role(OperatorRole.SUPERVISOR), "POST", "/cv/agencies/" + id + "/approve");
        assertThat(a.status()).as(a.text()).isEqualTo(201);
        JsonNode cert = JSON.readTree(a.body());
        assertThat(cert.get("chr").asText()).isEqualTo("TWAGENCY100001");
        assertThat(cert.get("car").asText()).isEqualTo("TWDVMOI00001");
        assertThat(cert.get("rights")).hasSize(2);
        byte[] der = Base64.getDecoder().decode(cert.get("certificate").asText());
        assertThat(ra.count("SELECT COUNT(*) FROM cv_certificate WHERE chr = 'TWAGENCY100001' AND der = X'"
                        + HexFormat.of().formatHex(der) + "'"))
                .isEqualTo(1);
        assertThat(
                        ra.count(
                                "SELECT COUNT(*) FROM audit_event WHERE action = 'cv.agency.approve' AND actor = 'supervisor-1'"))
                .isEqualTo(1);

        // openpace: CVCA → DV → terminal, each found by its CHR.
        Path chain = dir.resolve("cv");
        Files.createDirectories(chain);
        for (byte[] trust : ra.cvAuthority.trustPoints()) {
            Files.write(chain.resolve("TWCVCA00001"), trust);
        }
        Files.write(chain.resolve("TWDVMOI00001"), dvCertificate());
        Files.write(chain.resolve("TWAGENCY100001"), der);
        String out = run(List.of(
                "cvc-print",
                "--cvc-dir",
                chain.toString(),
                "--cvc",
                chain.resolve("TWAGENCY100001").toString()));
        assertThat(out).contains("certificate verified", "Read DG 1", "Read DG 4");

        // A second approval of the same record is a conflict; suspend, then a 409 for approve stays.
        Reply again = ra.call(ra.role(OperatorRole.SUPERVISOR), "POST", "/cv/agencies/" + id + "/approve");
        assertThat(again.status()).isEqualTo(409);
        assertThat(JSON.readTree(again.body()).get("code").asText()).isEqualTo("cv.conflict");
        Reply s = ra.call(ra.role(OperatorRole.SUPERVISOR), "POST", "/cv/agencies/" + id + "/suspend");
        assertThat(s.status()).as(s.text()).isEqualTo(200);
        assertThat(JSON.readTree(s.body()).get("status").asText()).isEqualTo("SUSPENDED");
    }

    @Test
    void refusalsAreProblemsThatChangeNothing() throws Exception {
        KeyPair k = keys();
        long[] before = state();
        // Rights beyond the record, asked in the request's CHAT.
        Chat asked = new Chat(TerminalType.AT, CvRole.TERMINAL, Set.of(AccessRight.READ_DG1, AccessRight.READ_DG2));
        assertProblem(
                ra.json(
                        ra.role(OperatorRole.OFFICER),
                        "POST",
                        "/cv/agencies",
                        body("AGENCY2", List.of("read-dg1"), 30, request(k, "TWAGENCY200001", asked))),
                422,
                "cv.rights");
        // Validity beyond 31 days.
        assertProblem(
                ra.json(
                        ra.role(OperatorRole.OFFICER),
                        "POST",
                        "/cv/agencies",
                        body("AGENCY2", List.of("read-dg1"), 32, request(k, "TWAGENCY200001", null))),
                422,
                "cv.validity");
        // A bad inner signature.
        byte[] bad = CvRequest.create(
                HolderReference.parse("TWDVMOI00001"),
                key(k),
                HolderReference.parse("TWAGENCY200001"),
                null,
                signer(k));
        bad[bad.length - 5] ^= 1;
        assertProblem(
                ra.json(
                        ra.role(OperatorRole.OFFICER),
                        "POST",
                        "/cv/agencies",
                        body(
                                "AGENCY2",
                                List.of("read-dg1"),
                                30,
                                Base64.getEncoder().encodeToString(bad))),
                422,
                "cv.bad-inner-signature");
        // Not a CV request at all.
        assertProblem(
                ra.json(
                        ra.role(OperatorRole.OFFICER),
                        "POST",
                        "/cv/agencies",
                        body(
                                "AGENCY2",
                                List.of("read-dg1"),
                                30,
                                Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}))),
                400,
                "cv.malformed");
        // An unknown right.
        assertProblem(
                ra.json(
                        ra.role(OperatorRole.OFFICER),
                        "POST",
                        "/cv/agencies",
                        body("AGENCY2", List.of("read-everything"), 30, request(k, "TWAGENCY200001", null))),
                422,
                "cv.rights");
        assertThat(state()).containsExactly(before);
    }

    @Test
    void aSupervisorRefusesARequestedRecordAndNothingIsIssued() throws Exception {
        KeyPair k = keys();
        String body = body("AGENCY3", List.of("read-dg1"), 30, request(k, "TWAGENCY300001", null));
        Reply r = ra.json(ra.role(OperatorRole.OFFICER), "POST", "/cv/agencies", body);
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        long id = JSON.readTree(r.body()).get("id").asLong();

        long[] before = state();
        // Roles: neither the officer nor the auditor may refuse; a bad id and an unknown record are problems.
        assertThat(ra.call(ra.role(OperatorRole.OFFICER), "POST", "/cv/agencies/" + id + "/refuse")
                        .status())
                .isEqualTo(403);
        assertThat(ra.call(ra.role(OperatorRole.AUDITOR), "POST", "/cv/agencies/" + id + "/refuse")
                        .status())
                .isEqualTo(403);
        assertProblem(
                ra.call(ra.role(OperatorRole.SUPERVISOR), "POST", "/cv/agencies/x1/refuse"),
                400,
                "request.bad-agency-id");
        assertProblem(
                ra.call(ra.role(OperatorRole.SUPERVISOR), "POST", "/cv/agencies/999999/refuse"), 404, "cv.not-found");
        assertThat(state()).containsExactly(before);

        Reply refused = ra.call(ra.role(OperatorRole.SUPERVISOR), "POST", "/cv/agencies/" + id + "/refuse");
        assertThat(refused.status()).as(refused.text()).isEqualTo(200);
        assertThat(JSON.readTree(refused.body()).get("status").asText()).isEqualTo("REFUSED");
        assertThat(state()).containsExactly(before[0], before[1], before[2] + 1);
        assertThat(ra.count(
                        "SELECT COUNT(*) FROM audit_event WHERE action = 'cv.agency.refuse' AND actor = 'supervisor-1'"
                                + " AND target = 'cv-agency/" + id + "'"))
                .isEqualTo(1);
        assertThat(ra.count("SELECT COUNT(*) FROM cv_agency_record WHERE id = " + id
                        + " AND decided_by = 'supervisor-1' AND decided_at IS NOT NULL"))
                .isEqualTo(1);

        // Refused is final: neither a second refusal nor an approval changes anything.
        long[] after = state();
        assertProblem(
                ra.call(ra.role(OperatorRole.SUPERVISOR), "POST", "/cv/agencies/" + id + "/refuse"),
                409,
                "cv.conflict");
        assertProblem(
                ra.call(ra.role(OperatorRole.SUPERVISOR), "POST", "/cv/agencies/" + id + "/approve"),
                409,
                "cv.conflict");
        assertThat(state()).containsExactly(after);

        // The refused record keeps its mnemonic (a CHR mnemonic names one record): a second record with it is
        // a problem, not the unique index's 500, and changes nothing.
        assertProblem(
                ra.json(
                        ra.role(OperatorRole.OFFICER),
                        "POST",
                        "/cv/agencies",
                        body("AGENCY3", List.of("read-dg1"), 30, request(k, "TWAGENCY300001", null))),
                400,
                "cv.holder-reference");
        assertThat(state()).containsExactly(after);
        // The refused record's key is not "requested before": a corrected application may use it.
        Reply again = ra.json(
                ra.role(OperatorRole.OFFICER),
                "POST",
                "/cv/agencies",
                body("AGENCY4", List.of("read-dg1"), 30, request(k, "TWAGENCY400001", null)));
        assertThat(again.status()).as(again.text()).isEqualTo(201);
    }

    private static void assertProblem(Reply r, int status, String code) throws Exception {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(JSON.readTree(r.body()).get("code").asText()).isEqualTo(code);
        assertThat(r.text()).doesNotContain("at tw.eid");
    }

    /** Records, certificates and the audit events other than the edge's own refusals. */
    private static long[] state() {
        return new long[] {
            ra.count("SELECT COUNT(*) FROM cv_agency_record"),
            ra.count("SELECT COUNT(*) FROM cv_certificate"),
            ra.count("SELECT COUNT(*) FROM audit_event WHERE action LIKE 'cv.%'")
        };
    }

    private static byte[] dvCertificate() {
        return ra.db.database().inTransaction(c -> {
            try (var ps = c.prepareStatement(
                            "SELECT der FROM cv_certificate WHERE kind = 'DV' AND chr = 'TWDVMOI00001'");
                    var rs = ps.executeQuery()) {
                rs.next();
                return rs.getBytes(1);
            }
        });
    }

    private static String body(String mnemonic, List<String> rights, int days, String request) {
        ObjectNode b = JSON.createObjectNode();
        b.put("agency", "Sample Agency");
        b.put("legalBasis", "Act 12 art. 3");
        b.put("terminalType", "AT");
        b.putPOJO("rights", rights);
        b.put("sectorKeyHash", "00".repeat(32));
        ObjectNode d = b.putObject("description");
        d.put("issuerName", "Ministry of the Interior");
        d.put("subjectName", "Sample Agency");
        d.put("termsOfUsage", "Reads name and given names for benefit claims.");
        b.put("maxValidityDays", days);
        b.put("endDate", LocalDate.now(ZoneOffset.UTC).plusMonths(6).toString());
        b.put("holderMnemonic", mnemonic);
        b.put("firstRequest", request);
        return b.toString();
    }

    private static String request(KeyPair k, String chr, Chat asked) {
        return Base64.getEncoder()
                .encodeToString(CvRequest.create(
                        HolderReference.parse("TWDVMOI00001"), key(k), HolderReference.parse(chr), asked, signer(k)));
    }

    private static KeyPair keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static CvPublicKey key(KeyPair k) {
        return CvPublicKey.of(SubjectPublicKeyInfo.getInstance(k.getPublic().getEncoded()));
    }

    private static Supplier<ContentSigner> signer(KeyPair k) {
        return () -> {
            try {
                return new JcaContentSignerBuilder("SHA256withECDSA").build(k.getPrivate());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }
}
