package tw.eid.pki.ca.document.seal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.document.DocumentSignerCeremony;
import tw.eid.pki.ca.document.DocumentSignerFixture;
import tw.eid.pki.ca.document.DocumentSignerPool;
import tw.eid.pki.ca.document.SignerPurpose;
import tw.eid.pki.ca.document.SodException;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.MutableClock;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/**
 * Seal signers (issue 24) on a real SoftHSM2 token and a real MariaDB: generated in the online
 * token, certified by the CSCA at a ceremony under profile seal-signer/1, taken from their own pool
 * (separate from the Document Signers': own ACTIVE signer, own numbering), and signing seals whose
 * plain r||s signature openssl verifies (the test builds the DER itself) with the signer certificate,
 * which openssl verifies to the CSCA. Tampering with any byte of the seal makes the verifier
 * report it invalid. The clock is pinned (29 February 2028, 01:30 UTC: 09:30 in Taiwan); openssl
 * judges at that time ({@code -attime}).
 */
class SealSignerTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Instant NOW = Instant.parse("2028-02-29T01:30:00Z");
    private static final LocalDate TODAY = LocalDate.of(2028, 2, 29);
    private static final Actor OFFICER = Actor.local("officer-1");
    private static final Path DIR = TestDatabase.workDirectory().resolve("seal-" + System.nanoTime());
    private static Token offline;
    private static Token online;
    private static MutableClock clock;
    private static DocumentSignerFixture fixture;
    private static DocumentSignerPool seals;
    private static List<DocumentSignerCeremony.Certified> certified;

    @BeforeAll
    static void setUp() throws Exception {
        Files.createDirectories(DIR);
        SoftHsmTestTokens.TestToken off = SoftHsmTestTokens.create("seal-csca");
        SoftHsmTestTokens.TestToken on = SoftHsmTestTokens.create("seal-online");
        offline = off.open(Clock.systemUTC());
        online = on.open(Clock.systemUTC());
        clock = new MutableClock(NOW);
        fixture = new DocumentSignerFixture(db.database(), offline, online, clock, NOW.minus(Duration.ofDays(30)), DIR);
        fixture.certifiedBatch(1, 1000, null); // a Document Signer, to show the pools stay apart
        seals = new DocumentSignerPool(
                db.database(),
                AuditLedger.hashChained(clock),
                clock,
                DocumentSignerPool.DEFAULT_LOW_WATER_MARK,
                DocumentSignerPool.Settings.defaults(),
                System::nanoTime,
                SignerPurpose.SEAL);
        seals.generate(DocumentSignerFixture.CUSTODIANS, online, 2, KeyAlgorithm.EC_P256, 1000);
        certified = fixture.ceremony()
                .certify(
                        DocumentSignerFixture.CUSTODIANS,
                        offline,
                        DocumentSignerFixture.CSCA,
                        5,
                        null,
                        SignerPurpose.SEAL);
    }

    @AfterAll
    static void tearDown() {
        online.close();
        offline.close();
    }

    private static TemporaryCertificateContent content(LocalDate from, LocalDate until) {
        return new TemporaryCertificateContent(
                "TC2028000001", from, until, "A123456789", "陳大文", LocalDate.of(1957, 3, 25), "TPE01");
    }

    private static SealSigner signer(DocumentSignerPool.Reserved r) {
        return new SealSigner(online, r.keyLabel(), r.certificate(), "HR", clock);
    }

    @Test
    void theCeremonyCertifiesSealSignersApartFromTheDocumentSigners() throws Exception {
        assertThat(certified).hasSize(2); // only the two seal keys, not the DS
        assertThat(certified)
                .extracting(DocumentSignerCeremony.Certified::number)
                .containsExactly(1, 2);
        assertThat(seals.signers()).hasSize(2).allMatch(s -> s.keyLabel().startsWith("seal-"));
        assertThat(fixture.pool.signers()).allMatch(s -> s.keyLabel().startsWith("ds-"));
        DocumentSignerPool.Reserved seal = seals.reserve(OFFICER);
        DocumentSignerPool.Reserved ds = fixture.pool.reserve(OFFICER);
        assertThat(seal.keyLabel()).startsWith("seal-");
        assertThat(ds.keyLabel()).startsWith("ds-"); // one ACTIVE of each purpose at once

        Path pem = DocumentSignerFixture.pem(DIR.resolve("seal-signer-1.pem"), seal.certificate());
        String text = run("openssl", "x509", "-in", pem.toString(), "-noout", "-text", "-nameopt", "RFC2253");
        assertThat(text)
                .contains("Subject: CN=Seal Signer 001,O=Ministry of the Interior,C=TW")
                .contains("ASN1 OID: prime256v1")
                .containsPattern("X509v3 Key Usage: critical\\s+Digital Signature\\s")
                .contains("X509v3 Authority Key Identifier")
                .contains("X509v3 Private Key Usage Period")
                .doesNotContain("Basic Constraints")
                .doesNotContain("Extended Key Usage");
        String verify = run(
                "openssl",
                "verify",
                "-attime",
                Long.toString(NOW.getEpochSecond()),
                "-purpose",
                "any",
                "-CAfile",
                fixture.cscaPem.toString(),
                pem.toString());
        assertThat(verify).contains(": OK");
        // validity: usage period (90 days by default) + 30 days, notAfter inclusive (its last second)
        X509Certificate x = x509(seal.certificate());
        assertThat(Duration.between(
                        x.getNotBefore().toInstant(), x.getNotAfter().toInstant()))
                .isEqualTo(Duration.ofDays(90 + 30).minusSeconds(1));
    }

    @Test
    void opensslVerifiesTheSealSignatureWithTheSignerCertificate() throws Exception {
        DocumentSignerPool.Reserved r = seals.reserve(OFFICER);
        VisibleDigitalSeal seal = signer(r).sign(content(TODAY, TODAY.plusDays(29)), TODAY);
        byte[] bytes = seal.encode();

        assertThat(seal.header().signerIdentifier()).isEqualTo("TWHR");
        assertThat(seal.header().certificateReference())
                .isEqualTo(r.certificate().getSerialNumber().toString(16).toUpperCase());
        assertThat(seal.header().signatureDate()).isEqualTo(TODAY);
        assertThat(seal.signature()).hasSize(64);
        assertThat(TemporaryCertificateContent.of(VisibleDigitalSeal.parse(bytes)))
                .isEqualTo(content(TODAY, TODAY.plusDays(29)));

        assertThat(opensslVerifies(bytes, r.certificate())).isTrue();
        byte[] tampered = bytes.clone();
        tampered[20] ^= 0x01;
        assertThat(opensslVerifies(tampered, r.certificate())).isFalse();
    }

    @Test
    void theVerifierJudgesSignatureSignerAndValidityAndAnyTamperedByteIsInvalid() throws Exception {
        DocumentSignerPool.Reserved r = seals.reserve(OFFICER);
        VisibleDigitalSeal seal = signer(r).sign(content(TODAY, TODAY.plusDays(29)), TODAY);
        byte[] bytes = seal.encode();
        SealVerifier verifier = new SealVerifier(
                List.of(x509(fixture.csca)), SealVerifier.SignerDirectory.of(List.of(x509(r.certificate()))));

        SealVerifier.Verification ok = verifier.verify(bytes, TODAY);
        assertThat(ok.valid()).isTrue();
        assertThat(ok.content().name()).isEqualTo("陳大文");
        assertThat(ok.content().birthDate()).isEqualTo(LocalDate.of(1957, 3, 25));

        // the last day of validity is in, the day after is out
        assertThat(verifier.verify(bytes, TODAY.plusDays(29)).withinValidity()).isTrue();
        SealVerifier.Verification expired = verifier.verify(bytes, TODAY.plusDays(30));
        assertThat(expired.withinValidity()).isFalse();
        assertThat(expired.signatureValid()).isTrue();
        assertThat(expired.valid()).isFalse();

        // every byte of header, message zone and signature, flipped: never valid
        int tamperedInvalid = 0;
        for (int i = 0; i < bytes.length; i++) {
            byte[] t = bytes.clone();
            t[i] ^= 0x01;
            boolean valid;
            try {
                valid = verifier.verify(t, TODAY).valid();
            } catch (SealException e) {
                valid = false;
            }
            assertThat(valid).as("seal with byte %d flipped", i).isFalse();
            tamperedInvalid++;
        }
        assertThat(tamperedInvalid).isEqualTo(bytes.length);

        // a signer the verifier does not know, or one not issued by its CSCA
        SealVerifier unknown =
                new SealVerifier(List.of(x509(fixture.csca)), SealVerifier.SignerDirectory.of(List.of()));
        assertThat(unknown.verify(bytes, TODAY).signer()).isEmpty();
        assertThat(unknown.verify(bytes, TODAY).valid()).isFalse();
        SealVerifier otherCsca =
                new SealVerifier(List.of(), SealVerifier.SignerDirectory.of(List.of(x509(r.certificate()))));
        assertThat(otherCsca.verify(bytes, TODAY).signerIssuedByCsca()).isFalse();
        assertThat(otherCsca.verify(bytes, TODAY).signatureValid()).isTrue();
    }

    @Test
    void aNameLongerThanTheSealAllowsIsRefused() {
        String tooLong = "陳".repeat(TemporaryCertificateContent.MAX_NAME_BYTES / 3 + 1);
        assertThatThrownBy(() -> new TemporaryCertificateContent(
                        "TC1", TODAY, TODAY, "A123456789", tooLong, LocalDate.of(1990, 1, 1), "TPE01"))
                .isInstanceOfSatisfying(
                        SealException.class, e -> assertThat(e.code()).isEqualTo(SealException.Code.NAME_TOO_LONG));
        String fits = "陳".repeat(TemporaryCertificateContent.MAX_NAME_BYTES / 3);
        assertThat(new TemporaryCertificateContent(
                                "TC1", TODAY, TODAY, "A123456789", fits, LocalDate.of(1990, 1, 1), "TPE01")
                        .name())
                .isEqualTo(fits);
    }

    @Test
    void aSealSignerKeyIsP256Only() {
        assertThatThrownBy(() -> seals.generate(OFFICER, online, 1, KeyAlgorithm.EC_P384, 10))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anEmptySealPoolIsPoolEmptyEvenWithDocumentSignersLeft() {
        DocumentSignerPool empty = new DocumentSignerPool(
                db.database(),
                AuditLedger.hashChained(clock),
                Clock.fixed(NOW.plus(Duration.ofDays(200)), ZoneOffset.UTC),
                0,
                DocumentSignerPool.Settings.defaults(),
                System::nanoTime,
                SignerPurpose.SEAL);
        assertThatThrownBy(() -> empty.reserve(OFFICER))
                .isInstanceOfSatisfying(
                        SodException.class, e -> assertThat(e.code()).isEqualTo(SodException.Code.POOL_EMPTY));
    }

    /** openssl dgst -sha256 -verify over header and message zone, with DER built here from r||s. */
    static boolean opensslVerifies(byte[] sealBytes, X509CertificateHolder signer) throws Exception {
        VisibleDigitalSeal seal;
        try {
            seal = VisibleDigitalSeal.parse(sealBytes);
        } catch (SealException e) {
            return false;
        }
        Path data = Files.write(Files.createTempFile(DIR, "tbs", ".bin"), seal.signedBytes());
        Path sig = Files.write(Files.createTempFile(DIR, "sig", ".der"), derFromPlain(seal.signature()));
        Path cert = DocumentSignerFixture.pem(Files.createTempFile(DIR, "signer", ".pem"), signer);
        Path pub = DIR.resolve("pub-" + System.nanoTime() + ".pem");
        run("openssl", "x509", "-in", cert.toString(), "-pubkey", "-noout", "-out", pub.toString());
        String out = run(
                "openssl", "dgst", "-sha256", "-verify", pub.toString(), "-signature", sig.toString(), data.toString());
        return out.contains("Verified OK");
    }

    /**
     * SEQUENCE { INTEGER r, INTEGER s } built by hand (not through our {@link EcdsaSignatures}), so
     * that openssl judges our r||s layout independently: each half unsigned, a 0x00 prepended when
     * its top bit is set, leading zero bytes dropped.
     */
    static byte[] derFromPlain(byte[] plain) {
        int half = plain.length / 2;
        byte[] r = derInteger(Arrays.copyOfRange(plain, 0, half));
        byte[] s = derInteger(Arrays.copyOfRange(plain, half, plain.length));
        byte[] out = new byte[2 + r.length + s.length];
        out[0] = 0x30;
        out[1] = (byte) (r.length + s.length);
        System.arraycopy(r, 0, out, 2, r.length);
        System.arraycopy(s, 0, out, 2 + r.length, s.length);
        return out;
    }

    private static byte[] derInteger(byte[] unsigned) {
        int start = 0;
        while (start < unsigned.length - 1 && unsigned[start] == 0) {
            start++;
        }
        int n = unsigned.length - start;
        boolean pad = (unsigned[start] & 0x80) != 0;
        byte[] out = new byte[2 + n + (pad ? 1 : 0)];
        out[0] = 0x02;
        out[1] = (byte) (n + (pad ? 1 : 0));
        System.arraycopy(unsigned, start, out, 2 + (pad ? 1 : 0), n);
        return out;
    }

    static X509Certificate x509(X509CertificateHolder holder) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(holder.getEncoded()));
    }

    static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + List.of(command));
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
