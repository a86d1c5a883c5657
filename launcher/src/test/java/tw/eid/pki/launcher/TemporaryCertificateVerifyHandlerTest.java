package tw.eid.pki.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.card.CardRegistration;
import tw.eid.pki.ca.card.CardRegistry;
import tw.eid.pki.ca.card.CardReissues;
import tw.eid.pki.ca.card.NationalId;
import tw.eid.pki.ca.card.PersonalDataKeys;
import tw.eid.pki.ca.document.DocumentSignerFixture;
import tw.eid.pki.ca.document.DocumentSignerPool;
import tw.eid.pki.ca.document.SignerPurpose;
import tw.eid.pki.ca.document.seal.SealBarcode;
import tw.eid.pki.ca.document.seal.SealImages;
import tw.eid.pki.ca.document.seal.TemporaryCertificateVerifier;
import tw.eid.pki.ca.document.seal.TemporaryCertificates;
import tw.eid.pki.ca.profile.HolderName;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.MutableClock;
import tw.eid.pki.hsm.SecretKeyType;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;
import tw.eid.pki.ra.resources.TemporaryCertificatePdf;

/**
 * {@code POST /verify/temporary-certificate} over HTTP on a real store and SoftHSM2 token (issue 24):
 * the seal's bytes, a PNG of its barcode, and pdftoppm's rendering of the whole PDF page each get
 * the verdict with the decoded fields; a revoked certificate and one past its last day are reported
 * as such; bad input (method, media type, sizes, pixel dimensions, unreadable images, malformed
 * seals) gets {@code application/problem+json} with its code and no stack trace, and writes nothing.
 */
class TemporaryCertificateVerifyHandlerTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Instant NOW = Instant.parse("2028-02-29T01:30:00Z");
    private static final LocalDate TODAY = LocalDate.of(2028, 2, 29);
    private static final Actor OFFICER = Actor.local("officer-1");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DIR = TestDatabase.workDirectory().resolve("tc-handler-" + System.nanoTime());
    private static int cards;
    private static Token offline;
    private static Token online;
    private static MutableClock clock;
    private static CardRegistry registry;
    private static CardReissues reissues;
    private static TemporaryCertificates temporary;
    private static Server server;
    private static String url;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(DIR);
        SoftHsmTestTokens.TestToken off = SoftHsmTestTokens.create("tch-csca");
        SoftHsmTestTokens.TestToken on = SoftHsmTestTokens.create("tch-online");
        offline = off.open(Clock.systemUTC());
        online = on.open(Clock.systemUTC());
        online.generateSecretKey("pii-hmac-1", SecretKeyType.HMAC_SHA256);
        online.generateSecretKey("pii-aes-1", SecretKeyType.AES_256);
        clock = new MutableClock(NOW);
        DocumentSignerFixture fixture =
                new DocumentSignerFixture(db.database(), offline, online, clock, NOW.minus(Duration.ofDays(30)), DIR);
        AuditLedger audit = AuditLedger.hashChained(clock);
        DocumentSignerPool seals = new DocumentSignerPool(
                db.database(),
                audit,
                clock,
                0,
                DocumentSignerPool.Settings.defaults(),
                System::nanoTime,
                SignerPurpose.SEAL);
        seals.generate(DocumentSignerFixture.CUSTODIANS, online, 1, KeyAlgorithm.EC_P256, 1000);
        fixture.ceremony()
                .certify(
                        DocumentSignerFixture.CUSTODIANS,
                        offline,
                        DocumentSignerFixture.CSCA,
                        1,
                        null,
                        SignerPurpose.SEAL);
        registry =
                new CardRegistry(db.database(), new PersonalDataKeys(online, "pii-hmac-1", "pii-aes-1"), audit, clock);
        reissues = new CardReissues(db.database(), registry, audit, clock);
        temporary = new TemporaryCertificates(db.database(), registry, reissues, seals, online, audit, clock, "HR");

        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new TemporaryCertificateVerifyHandler(
                new TemporaryCertificateVerifier(db.database(), clock), new Handler.Abstract() {
                    @Override
                    public boolean handle(
                            org.eclipse.jetty.server.Request request,
                            org.eclipse.jetty.server.Response response,
                            Callback callback) {
                        response.setStatus(418);
                        callback.succeeded();
                        return true;
                    }
                }));
        server.start();
        url = "http://127.0.0.1:" + connector.getLocalPort() + TemporaryCertificateVerifyHandler.PATH;
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
        online.close();
        offline.close();
    }

    private static TemporaryCertificates.Issued issue() {
        clock.set(NOW);
        String number = String.format("TW%08d", 700 + ++cards);
        registry.register(
                OFFICER,
                new CardRegistration(
                        number,
                        new byte[] {1, 2, 3, 4},
                        NationalId.of("A123456789"),
                        HolderName.of("王小明", Set.of()),
                        LocalDate.of(1985, 7, 14)));
        reissues.start(OFFICER, number, TODAY.plusDays(7));
        return temporary.issue(OFFICER, number, "TPE01", null, null);
    }

    private static HttpResponse<String> post(String type, byte[] body) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theSealBytesAPngOfTheBarcodeAndTheRenderedPageGetTheVerdict() throws Exception {
        clock.set(NOW);
        TemporaryCertificates.Issued issued = issue();
        HttpResponse<String> r = post("application/octet-stream", issued.seal());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode v = JSON.readTree(r.body());
        assertThat(v.get("valid").asBoolean()).isTrue();
        assertThat(v.get("signatureValid").asBoolean()).isTrue();
        assertThat(v.get("withinValidity").asBoolean()).isTrue();
        assertThat(v.get("revoked").asBoolean()).isFalse();
        assertThat(v.at("/signer/status").asText()).isEqualTo("good");
        assertThat(v.at("/signer/issuedByCsca").asBoolean()).isTrue();
        assertThat(v.at("/signer/certificateReference").asText())
                .isEqualToIgnoringCase(
                        issued.signerCertificate().getSerialNumber().toString(16));
        assertThat(v.at("/fields/documentNumber").asText()).isEqualTo(issued.number());
        assertThat(v.at("/fields/name").asText()).isEqualTo("王小明");
        assertThat(v.at("/fields/nationalId").asText()).isEqualTo("A123456789");
        assertThat(v.at("/fields/birthDate").asText()).isEqualTo("1985-07-14");
        assertThat(v.at("/fields/validFrom").asText()).isEqualTo(TODAY.toString());
        assertThat(v.at("/fields/validUntil").asText())
                .isEqualTo(TODAY.plusDays(7).toString());
        assertThat(v.at("/record/found").asBoolean()).isTrue();
        assertThat(v.at("/record/sealMatches").asBoolean()).isTrue();

        HttpResponse<String> png = post("image/png", SealBarcode.png(issued.seal(), 4));
        assertThat(png.statusCode()).as(png.body()).isEqualTo(200);
        assertThat(JSON.readTree(png.body())).isEqualTo(v);

        // The printed certificate: the PDF rendered at 300 dpi by pdftoppm (poppler), the whole page sent.
        Path pdf = Files.write(
                DIR.resolve(issued.number() + ".pdf"),
                new TemporaryCertificatePdf(TemporaryCertificatePdf.DEFAULT_FONT)
                        .render(issued.content(), issued.seal()));
        Process p = new ProcessBuilder(
                        "pdftoppm",
                        "-r",
                        "300",
                        "-png",
                        "-singlefile",
                        pdf.toString(),
                        DIR.resolve(issued.number()).toString())
                .redirectErrorStream(true)
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        byte[] page = Files.readAllBytes(DIR.resolve(issued.number() + ".png"));
        HttpResponse<String> fromPage = post("image/png", page);
        assertThat(fromPage.statusCode()).as(fromPage.body()).isEqualTo(200);
        assertThat(JSON.readTree(fromPage.body())).isEqualTo(v);
    }

    @Test
    void revokedAndExpiredCertificatesAreReportedAsSuch() throws Exception {
        TemporaryCertificates.Issued revoked = issue();
        temporary.revoke(OFFICER, revoked.number(), "card-delivered");
        JsonNode r =
                JSON.readTree(post("application/octet-stream", revoked.seal()).body());
        assertThat(r.get("revoked").asBoolean()).isTrue();
        assertThat(r.get("signatureValid").asBoolean()).isTrue();
        assertThat(r.get("valid").asBoolean()).isFalse();
        assertThat(r.at("/record/status").asText()).isEqualTo("revoked");
        assertThat(r.at("/record/revocationReason").asText()).isEqualTo("card-delivered");

        TemporaryCertificates.Issued expired = issue();
        clock.set(TODAY.plusDays(8).atStartOfDay(CardReissues.ZONE).toInstant());
        JsonNode e =
                JSON.readTree(post("application/octet-stream", expired.seal()).body());
        assertThat(e.get("withinValidity").asBoolean()).isFalse();
        assertThat(e.get("revoked").asBoolean()).isFalse();
        assertThat(e.get("valid").asBoolean()).isFalse();
        assertThat(e.get("checkedOn").asText()).isEqualTo(TODAY.plusDays(8).toString());
        clock.set(NOW);
    }

    @Test
    void badInputGetsAProblemAndWritesNothing() throws Exception {
        byte[] seal = issue().seal();
        long audit = count("SELECT COUNT(*) FROM audit_event");
        long certs = count("SELECT COUNT(*) FROM temporary_certificate");
        byte[] tampered = seal.clone();
        tampered[1] = 0x07; // version
        BufferedImage white = new BufferedImage(200, 200, BufferedImage.TYPE_INT_RGB);
        white.getGraphics().fillRect(0, 0, 200, 200);
        ByteArrayOutputStream whitePng = new ByteArrayOutputStream();
        ImageIO.write(white, "png", whitePng);
        record Bad(String type, byte[] body, int status, String code) {}
        for (Bad b : List.of(
                new Bad("text/plain", seal, 415, "unsupported-media-type"),
                new Bad(null, seal, 415, "unsupported-media-type"),
                new Bad("application/octet-stream", new byte[0], 400, "seal.malformed"),
                new Bad("application/octet-stream", "hello".getBytes(), 400, "seal.malformed"),
                new Bad("application/octet-stream", tampered, 400, "seal.malformed"),
                new Bad("application/octet-stream", new byte[5000], 413, "seal.malformed"),
                new Bad("image/png", new byte[SealImages.MAX_BYTES + 1], 413, "seal.image-too-large"),
                new Bad("image/png", pngHeaderOnly(5000, 5000), 413, "seal.image-too-large"),
                new Bad("image/jpeg", "not a picture".getBytes(), 400, "seal.image-unreadable"),
                new Bad("image/png", whitePng.toByteArray(), 422, "seal.no-barcode"))) {
            HttpResponse<String> r = post(b.type(), b.body());
            assertThat(r.statusCode()).as(b.code() + " " + r.body()).isEqualTo(b.status());
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            JsonNode problem = JSON.readTree(r.body());
            assertThat(problem.get("code").asText()).isEqualTo(b.code());
            assertThat(r.body()).doesNotContain("Exception", "\tat ", "tw.eid");
        }
        HttpResponse<String> get =
                HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");
        assertThat(JSON.readTree(get.body()).get("code").asText()).isEqualTo("method-not-allowed");
        HttpResponse<String> other = HTTP.send(
                HttpRequest.newBuilder(URI.create(url.replace("/verify/temporary-certificate", "/verify/other")))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode())
                .as("other paths are the wrapped handler's")
                .isEqualTo(418);
        assertThat(count("SELECT COUNT(*) FROM audit_event")).isEqualTo(audit);
        assertThat(count("SELECT COUNT(*) FROM temporary_certificate")).isEqualTo(certs);
    }

    /** The PNG signature and an IHDR chunk (with its CRC), no pixel data: a header that claims width x height. */
    private static byte[] pngHeaderOnly(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        byte[] chunk = new byte[4 + 13];
        System.arraycopy("IHDR".getBytes(), 0, chunk, 0, 4);
        byte[] w = BigInteger.valueOf(width).toByteArray();
        byte[] h = BigInteger.valueOf(height).toByteArray();
        System.arraycopy(w, 0, chunk, 8 - w.length, w.length);
        System.arraycopy(h, 0, chunk, 12 - h.length, h.length);
        chunk[12] = 8;
        out.writeBytes(new byte[] {0, 0, 0, 13});
        out.writeBytes(chunk);
        CRC32 crc = new CRC32();
        crc.update(chunk);
        long c = crc.getValue();
        out.writeBytes(new byte[] {(byte) (c >>> 24), (byte) (c >>> 16), (byte) (c >>> 8), (byte) c});
        return out.toByteArray();
    }

    private static long count(String sql) {
        return db.database().inTransaction(c -> {
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
