package tw.eid.pki.crl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertList;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/**
 * Pure unit tests of the streaming encoder and the one-pass reader, with a software key (the
 * token is the integration tests' business): what they write, the JDK's and Bouncy Castle's
 * parsers read and verify; what they are given broken, the reader refuses.
 */
class CrlBuilderTest {
    static final Instant T = Instant.parse("2026-11-27T10:00:00Z");

    static KeyPair key() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        return g.generateKeyPair();
    }

    static byte[] issuer() throws IOException {
        return new X500Name("C=TW,O=Test,CN=Test CA").getEncoded("DER");
    }

    static EncodedCrl build(KeyPair key, int entries) throws Exception {
        ContentSigner signer = new JcaContentSignerBuilder("SHA384withECDSA").build(key.getPrivate());
        CrlBuilder b = new CrlBuilder(issuer(), signer.getAlgorithmIdentifier(), T, T.plusSeconds(86400));
        for (int i = 0; i < entries; i++) {
            b.add(
                    BigInteger.valueOf(i * 7919L + 1).shiftLeft(i % 130).toString(16),
                    T.minusSeconds(i),
                    i % 3 == 0 ? 0 : i % 3 == 1 ? 6 : 1);
        }
        ExtensionsGenerator g = new ExtensionsGenerator();
        g.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.valueOf(42)));
        return b.sign(g.generate(), BigInteger.valueOf(42), signer);
    }

    @Test
    void whatItWritesTheJdkAndBouncyCastleParseAndVerify() throws Exception {
        KeyPair key = key();
        for (int n : new int[] {0, 1, 5, 3000}) {
            EncodedCrl crl = build(key, n);
            byte[] der = crl.toByteArray();
            X509CRL jdk = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
            jdk.verify(key.getPublic());
            assertThat(
                            jdk.getRevokedCertificates() == null
                                    ? 0
                                    : jdk.getRevokedCertificates().size())
                    .isEqualTo(n);
            assertThat(jdk.getIssuerX500Principal().getEncoded()).isEqualTo(issuer());
            // Re-encoding by Bouncy Castle gives the same bytes: the encoding is DER.
            assertThat(new X509CRLHolder(der).getEncoded()).isEqualTo(der);
            TBSCertList tbs = new X509CRLHolder(der).toASN1Structure().getTBSCertList();
            if (n == 0) {
                // RFC 5280 §5.1.2.6: no empty revokedCertificates list.
                assertThat(ASN1Sequence.getInstance(tbs.toASN1Primitive()).size())
                        .isEqualTo(6);
            }
            for (TBSCertList.CRLEntry e : tbs.getRevokedCertificates()) {
                assertThat(e.getUserCertificate().getValue().signum()).isPositive();
                if (e.getExtensions() != null) {
                    assertThat(e.getExtensions().getExtension(Extension.reasonCode))
                            .isNotNull();
                }
            }
            CrlFacts facts = CrlFacts.read(
                    crl.inputStream(),
                    SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()));
            assertThat(facts.signatureValid()).isTrue();
            assertThat(facts.entries()).isEqualTo(n);
            assertThat(facts.number()).isEqualTo(42);
            assertThat(facts.issuer()).isEqualTo(issuer());
            assertThat(crl.length()).isEqualTo(der.length);
        }
    }

    @Test
    void theReaderRefusesATruncatedOrTamperedCrlAndAnotherKey() throws Exception {
        KeyPair key = key();
        SubjectPublicKeyInfo spki =
                SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded());
        byte[] der = build(key, 50).toByteArray();
        assertThatThrownBy(() -> CrlFacts.read(Arrays.copyOf(der, der.length - 1), spki))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> CrlFacts.read(Arrays.copyOf(der, der.length / 2), spki))
                .isInstanceOf(IOException.class);
        byte[] tampered = der.clone();
        tampered[200] ^= 1; // inside an entry
        assertThat(CrlFacts.read(tampered, spki).signatureValid()).isFalse();
        SubjectPublicKeyInfo other =
                SubjectPublicKeyInfo.getInstance(key().getPublic().getEncoded());
        assertThat(CrlFacts.read(der, other).signatureValid()).isFalse();
        assertThat(CrlFacts.read(der, spki).signatureValid()).isTrue();
    }

    static byte[] positiveInteger(String hex) {
        byte[] out = new byte[32];
        int n = Der.writePositiveInteger(hex.getBytes(java.nio.charset.StandardCharsets.US_ASCII), out, 0);
        return Arrays.copyOf(out, n);
    }

    @Test
    void serialsAreMinimalPositiveIntegers() throws Exception {
        for (String hex : new String[] {"1", "7f", "80", "ff", "100", "8000000000000000000000000000000000000000"}) {
            byte[] der = positiveInteger(hex);
            assertThat(ASN1Primitive.fromByteArray(der).getEncoded("DER")).isEqualTo(der);
            assertThat(org.bouncycastle.asn1.ASN1Integer.getInstance(ASN1Primitive.fromByteArray(der))
                            .getValue())
                    .isEqualTo(new BigInteger(hex, 16));
        }
    }

    @Test
    void timesAreUtcTimeThrough2049AndGeneralizedTimeFrom2050() throws Exception {
        for (String t : new String[] {
            "1950-01-01T00:00:00Z",
            "2026-11-27T09:05:03Z",
            "2049-12-31T23:59:59Z",
            "2050-01-01T00:00:00Z",
            "2099-06-30T12:00:00Z"
        }) {
            Instant instant = Instant.parse(t);
            byte[] der = Der.time(instant.plusMillis(999));
            org.bouncycastle.asn1.x509.Time parsed =
                    org.bouncycastle.asn1.x509.Time.getInstance(ASN1Primitive.fromByteArray(der));
            assertThat(parsed.getDate().toInstant()).as(t).isEqualTo(instant);
            assertThat(der[0]).as(t).isEqualTo((byte)
                    (instant.isBefore(Instant.parse("2050-01-01T00:00:00Z")) ? 0x17 : 0x18));
            assertThat(der[der.length - 1]).isEqualTo((byte) 'Z');
        }
    }

    @Test
    void reasonUnspecifiedAndUnknownCodesAreRefused() throws Exception {
        CrlBuilder b = new CrlBuilder(
                issuer(),
                new AlgorithmIdentifier(org.bouncycastle.asn1.x9.X9ObjectIdentifiers.ecdsa_with_SHA384),
                T,
                T.plusSeconds(60));
        assertThatThrownBy(() -> b.add("1", T, 7)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.add("1", T, 11)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.add("1", T, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.add("1" + "0".repeat(40), T, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void timesFromEpochSecondsMatchJavaTimeAcrossTheWholeRange() {
        java.time.format.DateTimeFormatter utc =
                java.time.format.DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(java.time.ZoneOffset.UTC);
        java.time.format.DateTimeFormatter generalized = java.time.format.DateTimeFormatter.ofPattern(
                        "yyyyMMddHHmmss'Z'")
                .withZone(java.time.ZoneOffset.UTC);
        java.util.Random random = new java.util.Random(5280);
        long first = Instant.parse("1950-01-01T00:00:00Z").getEpochSecond();
        long last = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        byte[] out = new byte[20];
        for (int i = 0; i < 200_000; i++) {
            // Half anywhere in the range, half near the days that trip calendars (leap days, year ends, 2050).
            long t = i % 2 == 0
                    ? first + Math.floorMod(random.nextLong(), last - first + 1)
                    : Instant.parse(new String[] {
                                                "2000-02-29T00:00:00Z",
                                                "2100-03-01T00:00:00Z",
                                                "2049-12-31T23:59:59Z",
                                                "1969-12-31T23:59:59Z",
                                                "2024-12-31T23:59:59Z",
                                                "1950-01-01T00:00:00Z"
                                            }
                                            [i % 6])
                                    .getEpochSecond()
                            + random.nextInt(4 * 86_400)
                            - 2 * 86_400;
            t = Math.max(first, Math.min(last, t));
            int n = Der.writeTime(t, out, 0);
            Instant instant = Instant.ofEpochSecond(t);
            String expected =
                    (t < Instant.parse("2050-01-01T00:00:00Z").getEpochSecond() ? utc : generalized).format(instant);
            assertThat(new String(out, 2, n - 2, java.nio.charset.StandardCharsets.US_ASCII))
                    .as("%s", instant)
                    .isEqualTo(expected);
            assertThat(n).isEqualTo(Der.timeLength(t));
        }
        assertThatThrownBy(() -> Der.writeTime(first - 1, out, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Der.writeTime(last + 1, out, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void serialsFromAsciiDigitsEncodeAsBouncyCastlesIntegers() throws Exception {
        java.util.Random random = new java.util.Random(4);
        byte[] out = new byte[32];
        for (int i = 0; i < 100_000; i++) {
            String hex =
                    new BigInteger(1 + random.nextInt(159), random).setBit(0).toString(16);
            int n = Der.writePositiveInteger(hex.getBytes(java.nio.charset.StandardCharsets.US_ASCII), out, 3);
            assertThat(java.util.Arrays.copyOfRange(out, 3, 3 + n))
                    .as(hex)
                    .isEqualTo(new org.bouncycastle.asn1.ASN1Integer(new BigInteger(hex, 16)).getEncoded());
        }
        for (String bad : new String[] {"", "0", "01", "12g", "1".repeat(41)}) {
            assertThatThrownBy(() ->
                            Der.writePositiveInteger(bad.getBytes(java.nio.charset.StandardCharsets.US_ASCII), out, 0))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void anEntryNewerThanThisUpdateIsNeverSigned() throws Exception {
        ContentSigner signer = new JcaContentSignerBuilder("SHA384withECDSA").build(key().getPrivate());
        CrlBuilder b = new CrlBuilder(issuer(), signer.getAlgorithmIdentifier(), T, T.plusSeconds(60));
        b.add("1", T.plusMillis(999), 1); // same second: listed
        b.add("2", T.plusSeconds(1), 1);
        ExtensionsGenerator g = new ExtensionsGenerator();
        g.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.ONE));
        assertThatThrownBy(() -> b.sign(g.generate(), BigInteger.ONE, signer))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("after the CRL's thisUpdate");
    }
}
