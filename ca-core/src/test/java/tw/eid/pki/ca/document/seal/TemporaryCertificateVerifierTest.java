package tw.eid.pki.ca.document.seal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Set;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
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
import tw.eid.pki.ca.profile.HolderName;
import tw.eid.pki.ca.profile.RevocationReason;
import tw.eid.pki.ca.revocation.RevocationService;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.MutableClock;
import tw.eid.pki.hsm.SecretKeyType;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/**
 * The relying party's verdict from the store (issue 24), on a real SoftHSM2 token and MariaDB: a
 * seal just issued is valid; one revoked by an officer, one past its last day, one whose signer
 * certificate the CSCA revoked, one with a byte flipped, and one not in the store are each reported
 * as such; the seal's bytes are read back from PNG and JPEG pictures of its DataMatrix (a whole
 * page too); images over the limits are refused from their header, before any pixel is decoded.
 * The clock is pinned (29 February 2028, 09:30 in Taiwan) and moved by the test.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TemporaryCertificateVerifierTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Instant NOW = Instant.parse("2028-02-29T01:30:00Z");
    private static final LocalDate TODAY = LocalDate.of(2028, 2, 29);
    private static final Actor OFFICER = Actor.local("officer-1");
    private static final Path DIR = TestDatabase.workDirectory().resolve("tc-verify-" + System.nanoTime());
    private static int cardCounter;
    private static Token offline;
    private static Token online;
    private static MutableClock clock;
    private static DocumentSignerFixture fixture;
    private static CardRegistry cards;
    private static CardReissues reissues;
    private static TemporaryCertificates temporary;
    private static TemporaryCertificateVerifier verifier;

    @BeforeAll
    static void setUp() throws Exception {
        Files.createDirectories(DIR);
        // Both tokens exist before either is opened: SoftHSM2 shows a process the tokens of its first load.
        SoftHsmTestTokens.TestToken off = SoftHsmTestTokens.create("tcv-csca");
        SoftHsmTestTokens.TestToken on = SoftHsmTestTokens.create("tcv-online");
        offline = off.open(Clock.systemUTC());
        online = on.open(Clock.systemUTC());
        online.generateSecretKey("pii-hmac-1", SecretKeyType.HMAC_SHA256);
        online.generateSecretKey("pii-aes-1", SecretKeyType.AES_256);
        clock = new MutableClock(NOW);
        fixture = new DocumentSignerFixture(db.database(), offline, online, clock, NOW.minus(Duration.ofDays(30)), DIR);
        AuditLedger audit = AuditLedger.hashChained(clock);
        DocumentSignerPool seals = new DocumentSignerPool(
                db.database(),
                audit,
                clock,
                0,
                DocumentSignerPool.Settings.defaults(),
                System::nanoTime,
                SignerPurpose.SEAL);
        seals.generate(DocumentSignerFixture.CUSTODIANS, online, 2, KeyAlgorithm.EC_P256, 1000);
        fixture.ceremony()
                .certify(
                        DocumentSignerFixture.CUSTODIANS,
                        offline,
                        DocumentSignerFixture.CSCA,
                        2,
                        null,
                        SignerPurpose.SEAL);
        cards = new CardRegistry(db.database(), new PersonalDataKeys(online, "pii-hmac-1", "pii-aes-1"), audit, clock);
        reissues = new CardReissues(db.database(), cards, audit, clock);
        temporary = new TemporaryCertificates(db.database(), cards, reissues, seals, online, audit, clock, "HR");
        verifier = new TemporaryCertificateVerifier(db.database(), clock);
    }

    @AfterAll
    static void tearDown() {
        online.close();
        offline.close();
    }

    @BeforeEach
    void backToToday() {
        clock.set(NOW);
    }

    private static TemporaryCertificates.Issued issue() {
        String number = String.format("TW%08d", 500 + ++cardCounter);
        cards.register(
                OFFICER,
                new CardRegistration(
                        number,
                        new byte[] {1, 2, 3, 4},
                        NationalId.of("A123456789"),
                        HolderName.of("林美華", Set.of()),
                        LocalDate.of(1990, 1, 2)));
        reissues.start(OFFICER, number, TODAY.plusDays(7));
        return temporary.issue(OFFICER, number, "TPE01", null, null);
    }

    @Test
    void aSealJustIssuedIsValidAndItsFieldsAreDecoded() {
        TemporaryCertificates.Issued issued = issue();
        TemporaryCertificateVerifier.Verdict v = verifier.verify(issued.seal());
        assertThat(v.verification().signatureValid()).isTrue();
        assertThat(v.verification().signer()).isPresent();
        assertThat(v.verification().signerIssuedByCsca()).isTrue();
        assertThat(v.verification().signerValidAtSignature()).isTrue();
        assertThat(v.record()).isPresent();
        assertThat(v.valid()).isTrue();
        assertThat(v.verification().withinValidity()).isTrue();
        assertThat(v.signerStatus()).isEqualTo(TemporaryCertificateVerifier.SignerStatus.GOOD);
        assertThat(v.revoked()).isFalse();
        assertThat(v.sealMatchesRecord()).isTrue();
        assertThat(v.checkedOn()).isEqualTo(TODAY);
        assertThat(v.verification().content()).isEqualTo(issued.content());
        assertThat(v.verification().content().name()).isEqualTo("林美華");
    }

    @Test
    void revokedAndExpiredCertificatesAreReportedAsSuch() {
        TemporaryCertificates.Issued revoked = issue();
        temporary.revoke(OFFICER, revoked.number(), "lost");
        TemporaryCertificateVerifier.Verdict r = verifier.verify(revoked.seal());
        assertThat(r.verification().signatureValid()).isTrue();
        assertThat(r.revoked()).isTrue();
        assertThat(r.record().orElseThrow().revocationReason()).isEqualTo("lost");
        assertThat(r.valid()).isFalse();

        TemporaryCertificates.Issued expiring = issue();
        LocalDate last = expiring.content().validUntil();
        // On its last day (23:59 in Taiwan) it is still valid; the next day it is not.
        clock.set(last.plusDays(1).atStartOfDay(SealSigner.ZONE).toInstant().minusSeconds(60));
        assertThat(verifier.verify(expiring.seal()).valid()).isTrue();
        clock.set(last.plusDays(1).atStartOfDay(SealSigner.ZONE).toInstant());
        TemporaryCertificateVerifier.Verdict e = verifier.verify(expiring.seal());
        assertThat(e.verification().withinValidity()).isFalse();
        assertThat(e.verification().signatureValid()).isTrue();
        assertThat(e.revoked()).isFalse();
        assertThat(e.valid()).isFalse();
    }

    @Test
    void everyFlippedByteAndAnUnknownSealAreInvalidOrRefused() {
        TemporaryCertificates.Issued issued = issue();
        byte[] seal = issued.seal();
        for (int i = 0; i < seal.length; i++) {
            byte[] t = seal.clone();
            t[i] ^= 0x01;
            try {
                assertThat(verifier.verify(t).valid()).as("byte " + i).isFalse();
            } catch (SealException refused) {
                assertThat(refused.code())
                        .as("byte " + i)
                        .isIn(SealException.Code.MALFORMED, SealException.Code.WRONG_PROFILE);
            }
        }
        assertThatThrownBy(() -> verifier.verify(new byte[] {(byte) 0xDC, 3, 0}))
                .isInstanceOf(SealException.class)
                .extracting(x -> ((SealException) x).code())
                .isEqualTo(SealException.Code.MALFORMED);
    }

    /** Last: the pool may go on signing with the revoked signer for up to its recheck interval (a second). */
    @Test
    @Order(Integer.MAX_VALUE)
    void aSealWhoseSignerCertificateWasRevokedIsInvalid() {
        TemporaryCertificates.Issued issued = issue();
        String serial = issued.signerCertificate().getSerialNumber().toString(16);
        new RevocationService(db.database(), AuditLedger.hashChained(clock), clock)
                .revoke(
                        DocumentSignerFixture.CUSTODIANS,
                        DocumentSignerFixture.CSCA,
                        serial,
                        RevocationReason.KEY_COMPROMISE);
        TemporaryCertificateVerifier.Verdict v = verifier.verify(issued.seal());
        assertThat(v.verification().signatureValid()).isTrue();
        assertThat(v.signerStatus()).isEqualTo(TemporaryCertificateVerifier.SignerStatus.REVOKED);
        assertThat(v.valid()).isFalse();
    }

    @Test
    void theSealIsReadFromPngAndJpegPicturesOfItsBarcode() throws Exception {
        byte[] seal = issue().seal();
        byte[] png = SealBarcode.png(seal, 4);
        assertThat(SealImages.read(png)).isEqualTo(seal);
        BufferedImage symbol = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(SealImages.read(jpeg(symbol))).isEqualTo(seal);
        // off centre on a larger white page (the reader's detector starts at the centre)
        BufferedImage page = new BufferedImage(1200, 1700, BufferedImage.TYPE_INT_RGB);
        var g = page.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, 1200, 1700);
        g.drawImage(symbol, 900, 1350, null);
        g.dispose();
        assertThat(SealImages.read(png(page))).isEqualTo(seal);
        assertThat(verifier.verify(SealImages.read(png(page))).valid()).isTrue();
    }

    @Test
    void imagesOverTheLimitsOrUnreadableAreRefused() throws Exception {
        assertThat(code(() -> SealImages.read(new byte[SealImages.MAX_BYTES + 1])))
                .isEqualTo(SealException.Code.IMAGE_TOO_LARGE);
        // A PNG whose header claims 4,001 x 10 pixels and that has no pixel data at all: refused from
        // the header (had it been decoded, it would be unreadable).
        assertThat(code(() -> SealImages.read(pngHeaderOnly(4001, 10)))).isEqualTo(SealException.Code.IMAGE_TOO_LARGE);
        assertThat(code(() -> SealImages.read(pngHeaderOnly(10, 100_000))))
                .isEqualTo(SealException.Code.IMAGE_TOO_LARGE);
        assertThat(code(() -> SealImages.read(pngHeaderOnly(4000, 10)))).isEqualTo(SealException.Code.IMAGE_UNREADABLE);
        assertThat(code(() -> SealImages.read("not an image".getBytes())))
                .isEqualTo(SealException.Code.IMAGE_UNREADABLE);
        BufferedImage gif = new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(gif, "gif", out);
        assertThat(code(() -> SealImages.read(out.toByteArray()))).isEqualTo(SealException.Code.IMAGE_UNREADABLE);
        BufferedImage white = new BufferedImage(300, 300, BufferedImage.TYPE_INT_RGB);
        assertThat(code(() -> SealImages.read(png(white)))).isEqualTo(SealException.Code.NO_BARCODE);
        // Truncated: the first half of a real picture.
        byte[] png = SealBarcode.png(issue().seal(), 4);
        assertThat(code(() -> SealImages.read(Arrays.copyOf(png, png.length / 2))))
                .isEqualTo(SealException.Code.IMAGE_UNREADABLE);
        // None of it was written anywhere: verification reads only.
        assertThat(count("SELECT COUNT(*) FROM audit_event WHERE action LIKE 'temporary-certificate.verify%'"))
                .isZero();
    }

    private static Object code(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        try {
            call.call();
        } catch (SealException e) {
            return e.code();
        } catch (Throwable t) {
            return t;
        }
        return "no refusal";
    }

    private static byte[] png(BufferedImage image) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static byte[] jpeg(BufferedImage image) throws Exception {
        BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        rgb.getGraphics().drawImage(image, 0, 0, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(rgb, "jpeg", out);
        return out.toByteArray();
    }

    /** The PNG signature and an IHDR chunk (8-bit greyscale, with its CRC), then nothing: a header without pixels. */
    private static byte[] pngHeaderOnly(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        byte[] chunk = new byte[4 + 13];
        System.arraycopy("IHDR".getBytes(), 0, chunk, 0, 4);
        byte[] w = BigInteger.valueOf(width).toByteArray();
        byte[] h = BigInteger.valueOf(height).toByteArray();
        System.arraycopy(w, 0, chunk, 8 - w.length, w.length);
        System.arraycopy(h, 0, chunk, 12 - h.length, h.length);
        chunk[12] = 8; // bit depth
        chunk[13] = 0; // greyscale
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
