package tw.eid.pki.ra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.LocalDate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tw.eid.pki.ca.document.seal.SealVerifier;
import tw.eid.pki.ca.profile.OperatorRole;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.ra.RaFixture.Reply;

/**
 * Issue 24 over real mutual TLS, on a real token and store: an officer starts a card's re-issue,
 * issues a temporary certificate whose seal (from the JSON answer) verifies with the CSCA and the
 * signer certificate returned, with the holder's data from the card's sealed record; bad input is a
 * problem with its own code and stores nothing; registering the successor card ends the re-issue and
 * revokes the certificate; an officer revokes one.
 */
class TemporaryCertificateApiTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    static RaFixture ra;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        ra = new RaFixture(db, dir, 5);
    }

    @AfterAll
    static void stop() throws Exception {
        ra.close();
    }

    private static Reply officer(String method, String path, String json) throws Exception {
        return ra.json(ra.role(OperatorRole.OFFICER), method, path, json);
    }

    private static long stored() {
        return ra.count("SELECT COUNT(*) FROM temporary_certificate") * 1_000_000
                + ra.count("SELECT COUNT(*) FROM card_reissue WHERE ended_at IS NULL") * 1_000
                + ra.count("SELECT COUNT(*) FROM card");
    }

    private static long audited() {
        return ra.count("SELECT COUNT(*) FROM audit_event WHERE action LIKE 'temporary-certificate.%'"
                + " OR action LIKE 'card.reissue%' OR action = 'card.register'");
    }

    @Test
    void anOfficerIssuesATemporaryCertificateWhoseSealVerifies() throws Exception {
        String card = ra.newCardNumber();
        Reply registered = officer(
                "POST",
                "/cards",
                "{\"cardNumber\":\"" + card + "\",\"chipUid\":\"04a1b2c3d4e5f6a7\",\"nationalId\":\"A123456789\","
                        + "\"holderName\":\"王小明\",\"birthDate\":\"1957-03-25\"}");
        assertThat(registered.status()).as(registered.text()).isEqualTo(201);
        LocalDate today = ra.reissues.today();
        Reply reissue =
                officer("POST", "/cards/" + card + "/reissue", "{\"expectedDelivery\":\"" + today.plusDays(6) + "\"}");
        assertThat(reissue.status()).as(reissue.text()).isEqualTo(201);

        Reply r = officer("POST", "/cards/" + card + "/temporary-certificates", "{\"officeCode\":\"TPE01\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        JsonNode body = JSON.readTree(r.body());
        String number = body.get("number").asText();
        assertThat(r.header("location")).endsWith("/temporary-certificates/" + number);
        assertThat(body.get("validFrom").asText()).isEqualTo(today.toString());
        assertThat(body.get("validUntil").asText()).isEqualTo(today.plusDays(6).toString());
        assertThat(body.get("printed").toString())
                .contains("姓名", "Name", "王小明", "民國46年3月25日 (1957-03-25)", "A123456789", "TPE01");

        byte[] seal = Base64.getDecoder().decode(body.get("seal").asText());
        X509Certificate signer = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(
                        Base64.getDecoder().decode(body.get("signerCertificate").asText())));
        X509Certificate csca = RaFixture.jdk(ra.documents.csca);
        SealVerifier.Verification v =
                new SealVerifier(List.of(csca), SealVerifier.SignerDirectory.of(List.of(signer))).verify(seal, today);
        assertThat(v.valid()).isTrue();
        assertThat(v.content().name()).isEqualTo("王小明");
        assertThat(v.content().nationalId()).isEqualTo("A123456789");
        assertThat(v.content().birthDate()).isEqualTo(LocalDate.of(1957, 3, 25));
        assertThat(v.content().documentNumber()).isEqualTo(number);
        assertThat(ra.count("SELECT COUNT(*) FROM audit_event WHERE action = 'temporary-certificate.issue'"
                        + " AND target = '" + number + "' AND actor = 'officer-1'"))
                .isEqualTo(1);

        // The PDF: rendered at 300 dpi by pdftoppm (poppler), its DataMatrix read by dmtxread to exactly
        // the seal's bytes; pdftotext finds the printed Chinese and English.
        Path pdf = Files.write(
                dir.resolve(number + ".pdf"),
                Base64.getDecoder().decode(body.get("pdf").asText()));
        RaFixture.run(List.of(
                "pdftoppm",
                "-r",
                "300",
                "-png",
                "-singlefile",
                pdf.toString(),
                dir.resolve(number).toString()));
        Path png = dir.resolve(number + ".png");
        assertThat(exec(List.of("dmtxread", "-N1", png.toString()))).isEqualTo(seal);
        // ZXingReader (zxing-cpp 1.4) reads the same page, as bytes: it finds a DataMatrix only across the
        // image's centre lines (zxing-cpp issue #189), where the PDF puts it.
        assertThat(exec(List.of("ZXingReader", "-format", "DataMatrix", "-bytes", png.toString())))
                .isEqualTo(seal);
        // So does each of them in a grey rendering at 600 dpi (8 pixels a module).
        RaFixture.run(List.of(
                "pdftoppm",
                "-r",
                "600",
                "-gray",
                "-singlefile",
                pdf.toString(),
                dir.resolve(number + "-600").toString()));
        Path grey = dir.resolve(number + "-600.pgm");
        assertThat(exec(List.of("dmtxread", "-N1", grey.toString()))).isEqualTo(seal);
        assertThat(exec(List.of("ZXingReader", "-format", "DataMatrix", "-bytes", grey.toString())))
                .isEqualTo(seal);
        String text = RaFixture.run(List.of("pdftotext", "-enc", "UTF-8", pdf.toString(), "-"));
        assertThat(text).contains("臨時國民身分證證明書", "Temporary National Identification Certificate", "王小明", number);

        Reply revoked = officer("POST", "/temporary-certificates/" + number + "/revoke", "{\"reason\":\"lost\"}");
        assertThat(revoked.status()).as(revoked.text()).isEqualTo(200);
        assertThat(JSON.readTree(revoked.body()).get("status").asText()).isEqualTo("revoked");
        Reply again = officer("POST", "/temporary-certificates/" + number + "/revoke", "{\"reason\":\"lost\"}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(JSON.readTree(again.body()).get("code").asText()).isEqualTo("temporary-certificate.already-revoked");
    }

    /** The raw bytes a tool writes to stdout. */
    static byte[] exec(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + command);
        }
        return out;
    }

    @Test
    void theSuccessorCardEndsTheReissueAndRevokesItsCertificates() throws Exception {
        String old = ra.cardInReissue();
        String number =
                ra.temporary.issue(RaFixture.SETUP, old, "TPE01", null, null).number();
        String successor = ra.newCardNumber();
        Reply r = officer(
                "POST",
                "/cards",
                "{\"cardNumber\":\"" + successor + "\",\"chipUid\":\"04a1b2c3d4e5f6a8\",\"nationalId\":\"A123456789\","
                        + "\"holderName\":\"王小明\",\"birthDate\":\"1957-03-25\",\"replaces\":\"" + old + "\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(ra.temporary.find(number).orElseThrow().revoked()).isTrue();
        assertThat(ra.reissues.of(old))
                .singleElement()
                .satisfies(x -> assertThat(x.successorCard()).isEqualTo(successor));
    }

    @Test
    void badInputIsAProblemWithItsOwnCodeAndStoresNothing() throws Exception {
        String registered = ra.registeredCard(); // no birth date, not in re-issue
        String inReissue = ra.cardInReissue(); // expected in 7 days
        LocalDate today = ra.reissues.today();
        record Case(String name, String path, String json, int status, String code) {}
        List<Case> cases = List.of(
                new Case(
                        "not in re-issue",
                        "/cards/" + registered + "/temporary-certificates",
                        "{\"officeCode\":\"TPE01\"}",
                        409,
                        "card.not-in-reissue"),
                new Case(
                        "validity too long",
                        "/cards/" + inReissue + "/temporary-certificates",
                        "{\"officeCode\":\"TPE01\",\"validUntil\":\"" + today.plusDays(30) + "\"}",
                        422,
                        "temporary-certificate.validity-too-long"),
                new Case(
                        "past the delivery",
                        "/cards/" + inReissue + "/temporary-certificates",
                        "{\"officeCode\":\"TPE01\",\"validUntil\":\"" + today.plusDays(8) + "\"}",
                        422,
                        "temporary-certificate.past-delivery"),
                new Case(
                        "from yesterday",
                        "/cards/" + inReissue + "/temporary-certificates",
                        "{\"officeCode\":\"TPE01\",\"validFrom\":\"" + today.minusDays(1) + "\"}",
                        400,
                        "temporary-certificate.invalid-validity"),
                new Case(
                        "not a date",
                        "/cards/" + inReissue + "/temporary-certificates",
                        "{\"officeCode\":\"TPE01\",\"validUntil\":\"next week\"}",
                        400,
                        "request.bad-date"),
                new Case(
                        "office code outside C40",
                        "/cards/" + inReissue + "/temporary-certificates",
                        "{\"officeCode\":\"台北\"}",
                        400,
                        "seal.unencodable"),
                new Case(
                        "no office code",
                        "/cards/" + inReissue + "/temporary-certificates",
                        "{}",
                        400,
                        "request.missing-field"),
                new Case(
                        "re-issue already open",
                        "/cards/" + inReissue + "/reissue",
                        "{\"expectedDelivery\":\"" + today.plusDays(3) + "\"}",
                        409,
                        "card.reissue-open"),
                new Case(
                        "delivery in the past",
                        "/cards/" + registered + "/reissue",
                        "{\"expectedDelivery\":\"" + today.minusDays(1) + "\"}",
                        400,
                        "card.invalid-delivery-date"),
                new Case(
                        "cancel without a re-issue",
                        "/cards/" + registered + "/reissue/cancel",
                        null,
                        409,
                        "card.not-in-reissue"),
                new Case(
                        "successor of a card not in re-issue",
                        "/cards",
                        "{\"cardNumber\":\"" + ra.newCardNumber() + "\",\"chipUid\":\"04a1b2c3d4e5f6a7\","
                                + "\"nationalId\":\"A123456789\",\"holderName\":\"王小明\",\"replaces\":\"" + registered
                                + "\"}",
                        409,
                        "card.not-in-reissue"),
                new Case(
                        "unknown temporary certificate",
                        "/temporary-certificates/TC9999999999/revoke",
                        "{}",
                        404,
                        "temporary-certificate.not-found"));
        for (Case c : cases) {
            long before = stored();
            long auditBefore = audited();
            Reply r = officer("POST", c.path(), c.json());
            assertThat(r.status()).as(c.name() + ": " + r.text()).isEqualTo(c.status());
            assertThat(r.contentType()).as(c.name()).startsWith("application/problem+json");
            JsonNode problem = JSON.readTree(r.body());
            assertThat(problem.get("code").asText()).as(c.name()).isEqualTo(c.code());
            assertThat(r.text()).as(c.name()).doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(stored()).as(c.name() + ": nothing stored").isEqualTo(before);
            assertThat(audited()).as(c.name() + ": nothing audited").isEqualTo(auditBefore);
        }
        // a card registered without a birth date cannot get one
        ra.reissues.start(RaFixture.SETUP, registered, today.plusDays(5));
        long before = stored();
        Reply r = officer("POST", "/cards/" + registered + "/temporary-certificates", "{\"officeCode\":\"TPE01\"}");
        assertThat(r.status()).isEqualTo(422);
        assertThat(JSON.readTree(r.body()).get("code").asText()).isEqualTo("temporary-certificate.no-birth-date");
        assertThat(stored()).isEqualTo(before);
    }
}
