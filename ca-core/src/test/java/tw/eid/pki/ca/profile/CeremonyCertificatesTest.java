package tw.eid.pki.ca.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every docs/profiles.md row of the ceremony certificates, checked on the issued bytes with the JDK's
 * X.509 parser, openssl and GnuTLS, never with the code that built them.
 */
class CeremonyCertificatesTest {

    private static final String BASIC_CONSTRAINTS = "2.5.29.19";
    private static final String KEY_USAGE = "2.5.29.15";
    private static final String EXT_KEY_USAGE = "2.5.29.37";
    private static final String SKI = "2.5.29.14";
    private static final String AKI = "2.5.29.35";
    private static final String POLICIES = "2.5.29.32";
    private static final String AIA = "1.3.6.1.5.5.7.1.1";
    private static final String CRL_DP = "2.5.29.31";
    private static final String PKUP = "2.5.29.16";
    private static final String OCSP_NOCHECK = "1.3.6.1.5.5.7.48.1.5";
    private static final String ECDSA_SHA256 = "1.2.840.10045.4.3.2";
    private static final String ECDSA_SHA384 = "1.2.840.10045.4.3.3";
    private static final String SHA384_RSA = "1.2.840.113549.1.1.12";

    // keyUsage bit positions (RFC 5280 §4.2.1.3)
    private static final boolean[] KU_CA = {false, false, false, false, false, true, true, false, false};
    private static final boolean[] KU_SIGN = {true, false, false, false, false, false, false, false, false};

    private final TestPki pki = TestPki.ec();
    private final ProfileSettings settings = pki.settings;

    @TempDir
    Path dir;

    @Test
    void citizenRootCa() throws Exception {
        X509Certificate c = TestPki.jdk(pki.root);
        assertCommon(c, c, "C=TW,O=Ministry of the Interior,CN=Citizen Root CA");
        c.verify(c.getPublicKey());
        assertEcKey(c.getPublicKey(), 384);
        assertThat(c.getSigAlgOID()).isEqualTo(ECDSA_SHA384);
        assertValidity(c, TestPki.T0, years(TestPki.T0, 25));
        assertThat(c.getBasicConstraints()).isEqualTo(1);
        assertKeyUsage(c, KU_CA);
        assertThat(c.getExtendedKeyUsage()).isNull();
        assertExtensions(c, Set.of(BASIC_CONSTRAINTS, KEY_USAGE), Set.of(SKI));
        assertSki(c);
        // notAfter in 2051: RFC 5280 §4.1.2.5 wants GeneralizedTime from 2050 on.
        assertThat(openssl("x509", "-in", pem("root.pem", pki.root), "-noout", "-enddate")
                        .output())
                .contains("2051 GMT");
    }

    @Test
    void citizenCa() throws Exception {
        X509Certificate root = TestPki.jdk(pki.root);
        X509Certificate c = TestPki.jdk(pki.citizenCa);
        assertCommon(c, root, "C=TW,O=Ministry of the Interior,OU=Certificate Management Center,CN=Citizen CA");
        c.verify(root.getPublicKey());
        assertEcKey(c.getPublicKey(), 384);
        assertThat(c.getSigAlgOID()).isEqualTo(ECDSA_SHA384);
        assertValidity(c, TestPki.T_CA, years(TestPki.T_CA, 15));
        assertThat(c.getBasicConstraints()).isEqualTo(0);
        assertKeyUsage(c, KU_CA);
        assertThat(c.getExtendedKeyUsage()).isNull();
        assertExtensions(c, Set.of(BASIC_CONSTRAINTS, KEY_USAGE), Set.of(SKI, AKI, POLICIES, AIA, CRL_DP));
        assertSki(c);
        assertAki(c, root);
        String text = text("citizen-ca.pem", pki.citizenCa);
        assertThat(text)
                .contains("CA Issuers - URI:http://127.0.0.1:8080/certs/citizen-root.crt")
                .contains("URI:http://127.0.0.1:8080/crl/citizen-root.crl")
                .contains("Policy: " + ProfileSettings.PLACEHOLDER_POLICY)
                .doesNotContain("OCSP - URI");
    }

    @Test
    void ocspSigner() throws Exception {
        X509Certificate ca = TestPki.jdk(pki.citizenCa);
        X509Certificate c = TestPki.jdk(pki.ocsp);
        assertCommon(c, ca, "C=TW,O=Ministry of the Interior,CN=Citizen CA OCSP Responder");
        c.verify(ca.getPublicKey());
        assertEcKey(c.getPublicKey(), 256);
        assertThat(c.getSigAlgOID()).isEqualTo(ECDSA_SHA384);
        assertValidity(c, TestPki.T_LEAF, TestPki.T_LEAF.plus(settings.ocspSignerValidity()));
        assertThat(Duration.between(
                        c.getNotBefore().toInstant(), c.getNotAfter().toInstant()))
                .isLessThanOrEqualTo(Duration.ofDays(90));
        assertThat(c.getBasicConstraints()).isEqualTo(-1);
        assertKeyUsage(c, KU_SIGN);
        assertThat(c.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.9");
        assertExtensions(c, Set.of(KEY_USAGE), Set.of(EXT_KEY_USAGE, AKI, OCSP_NOCHECK));
        // RFC 6960 §4.2.2.2.1: the extension value is NULL. Read from the raw DER, because the JDK's
        // OCSPNoCheckExtension reports an empty value whatever the certificate says:
        // Extension { extnID 1.3.6.1.5.5.7.48.1.5, extnValue OCTET STRING { NULL } } with no critical flag.
        assertThat(indexOf(c.getEncoded(), new byte[] {
                    0x30, 0x0f, 0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x05, 0x04, 0x02, 0x05, 0x00
                }))
                .isNotNegative();
        assertAki(c, ca);
        assertThat(text("ocsp.pem", pki.ocsp)).contains("OCSP Signing").contains("OCSP No Check");
    }

    @Test
    void raOperatorsCa() throws Exception {
        X509Certificate root = TestPki.jdk(pki.root);
        X509Certificate c = TestPki.jdk(pki.raOperatorsCa);
        assertCommon(c, root, "C=TW,O=Ministry of the Interior,CN=RA Operators CA");
        c.verify(root.getPublicKey());
        assertEcKey(c.getPublicKey(), 384);
        assertValidity(c, TestPki.T_CA, years(TestPki.T_CA, 10));
        assertThat(c.getBasicConstraints()).isEqualTo(0);
        assertKeyUsage(c, KU_CA);
        assertThat(c.getExtendedKeyUsage()).isNull();
        assertExtensions(c, Set.of(BASIC_CONSTRAINTS, KEY_USAGE), Set.of(SKI, AKI, AIA, CRL_DP));
        assertSki(c);
        assertAki(c, root);
        assertThat(text("ra.pem", pki.raOperatorsCa))
                .contains("CA Issuers - URI:http://127.0.0.1:8080/certs/citizen-root.crt")
                .contains("URI:http://127.0.0.1:8080/crl/citizen-root.crl");
    }

    @Test
    void csca() throws Exception {
        X509Certificate c = TestPki.jdk(pki.csca);
        assertCommon(c, c, "C=TW,O=Ministry of the Interior,CN=CSCA Taiwan");
        // SunEC has no brainpool curves since JDK 16: verify with Bouncy Castle, parse with the JDK.
        c.verify(bcKey(c), TestPki.BC);
        assertThat(SubjectPublicKeyInfo.getInstance(c.getPublicKey().getEncoded())
                        .getAlgorithm()
                        .getParameters())
                .hasToString("1.3.36.3.3.2.8.1.1.11"); // brainpoolP384r1
        assertThat(c.getSigAlgOID()).isEqualTo(ECDSA_SHA384);
        Instant usageEnd = years(TestPki.T0, 5);
        Instant longestDs = years(usageEnd.plus(Duration.ofDays(90)), 10);
        assertValidity(c, TestPki.T0, longestDs);
        assertThat(c.getBasicConstraints()).isEqualTo(0);
        assertKeyUsage(c, KU_CA);
        assertThat(c.getExtendedKeyUsage()).isNull();
        assertThat(c.getSubjectAlternativeNames()).isNull();
        assertThat(c.getIssuerAlternativeNames()).isNull();
        assertExtensions(c, Set.of(BASIC_CONSTRAINTS, KEY_USAGE), Set.of(SKI, PKUP));
        assertSki(c);
        assertPrivateKeyUsagePeriod(c, TestPki.T0, usageEnd);
    }

    @Test
    void documentSigner() throws Exception {
        X509Certificate csca = TestPki.jdk(pki.csca);
        X509Certificate c = TestPki.jdk(pki.documentSigner);
        assertCommon(c, csca, "C=TW,O=Ministry of the Interior,CN=Document Signer 001");
        c.verify(bcKey(csca), TestPki.BC);
        assertEcKey(c.getPublicKey(), 256);
        assertThat(c.getSigAlgOID()).isEqualTo(ECDSA_SHA384);
        Instant usageEnd = TestPki.T_LEAF.plus(Duration.ofDays(90));
        assertValidity(c, TestPki.T_LEAF, years(usageEnd, 10));
        assertThat(c.getNotAfter()).isBeforeOrEqualTo(csca.getNotAfter());
        assertThat(c.getBasicConstraints()).isEqualTo(-1);
        assertKeyUsage(c, KU_SIGN);
        assertThat(c.getExtendedKeyUsage()).isNull();
        assertExtensions(c, Set.of(KEY_USAGE), Set.of(AKI, PKUP));
        assertAki(c, csca);
        assertPrivateKeyUsagePeriod(c, TestPki.T_LEAF, usageEnd);
    }

    @Test
    void subjectStringTypesAsOpensslSeesThem() {
        for (X509CertificateHolder h : all()) {
            String subject = openssl(
                            "x509", "-in", pem("s.pem", h), "-noout", "-subject", "-nameopt", "multiline,show_type")
                    .output();
            assertThat(subject)
                    .contains("countryName               = PRINTABLESTRING:TW")
                    .contains("organizationName          = UTF8STRING:Ministry of the Interior")
                    .containsPattern("commonName\\s+= UTF8STRING:")
                    .doesNotContainPattern("= (T61STRING|BMPSTRING|IA5STRING|UNIVERSALSTRING)");
        }
    }

    @Test
    void serialsAreDistinctPositiveAndLong() {
        Set<BigInteger> serials = new HashSet<>();
        for (X509CertificateHolder h : all()) {
            BigInteger s = TestPki.jdk(h).getSerialNumber();
            assertThat(s.signum()).isPositive();
            assertThat(s.bitLength()).isBetween(64, 128);
            assertThat(s.toByteArray().length).isLessThanOrEqualTo(17);
            serials.add(s);
        }
        assertThat(serials).hasSize(all().size());
    }

    @Test
    void everyCertificatePassesItsOwnLint() {
        assertThat(pki.lintFindings()).isEmpty();
    }

    @Test
    void opensslVerifiesEveryChainStrictly() {
        String root = pem("root.pem", pki.root);
        String ca = pem("ca.pem", pki.citizenCa);
        String at = Long.toString(TestPki.T_LEAF.plus(Duration.ofHours(1)).getEpochSecond());
        assertVerified(
                openssl(
                        "verify",
                        "-x509_strict",
                        "-attime",
                        at,
                        "-CAfile",
                        root,
                        "-untrusted",
                        ca,
                        pem("ocsp.pem", pki.ocsp)),
                "ocsp.pem");
        assertVerified(openssl("verify", "-x509_strict", "-attime", at, "-CAfile", root, ca), "ca.pem");
        assertVerified(
                openssl("verify", "-x509_strict", "-attime", at, "-CAfile", root, pem("ra.pem", pki.raOperatorsCa)),
                "ra.pem");
        assertVerified(
                openssl(
                        "verify",
                        "-x509_strict",
                        "-attime",
                        at,
                        "-CAfile",
                        pem("csca.pem", pki.csca),
                        pem("ds.pem", pki.documentSigner)),
                "ds.pem");
        // A leaf does not verify against the wrong root.
        assertThat(openssl("verify", "-attime", at, "-CAfile", pem("csca.pem", pki.csca), ca)
                        .exitCode())
                .isNotZero();
    }

    @Test
    void gnutlsParsesEveryCertificate() {
        int i = 0;
        for (X509CertificateHolder h : all()) {
            OpenSslCli.Result r =
                    OpenSslCli.certtool(dir, "--certificate-info", "--infile", pem("g" + i++ + ".pem", h));
            assertThat(r.exitCode()).as(r.output()).isZero();
            // GnuTLS 3.7 has no brainpool curves: it parses the CSCA but cannot import its key.
            String output = r.output().replace("error importing public key: The curve is unsupported", "");
            assertThat(output).doesNotContainIgnoringCase("error").doesNotContainIgnoringCase("warning");
        }
    }

    @Test
    void rsa4096RootSignsWithSha384AndVerifies() throws Exception {
        TestPki rsa = new TestPki(settings, PublicKeyType.RSA_4096, PublicKeyType.EC_P384);
        X509Certificate root = TestPki.jdk(rsa.root);
        X509Certificate ca = TestPki.jdk(rsa.citizenCa);
        assertThat(((RSAPublicKey) root.getPublicKey()).getModulus().bitLength())
                .isEqualTo(4096);
        assertThat(root.getSigAlgOID()).isEqualTo(SHA384_RSA);
        assertThat(ca.getSigAlgOID()).isEqualTo(SHA384_RSA);
        // RFC 4055 §5: parameters NULL, in the TBS signature field and the outer signatureAlgorithm
        // (read from the raw DER: the JDK hides NULL parameters).
        byte[] sha384WithRsaNull = {
            0x30,
            0x0d,
            0x06,
            0x09,
            0x2a,
            (byte) 0x86,
            0x48,
            (byte) 0x86,
            (byte) 0xf7,
            0x0d,
            0x01,
            0x01,
            0x0c,
            0x05,
            0x00
        };
        byte[] encoded = ca.getEncoded();
        int first = indexOf(encoded, sha384WithRsaNull);
        assertThat(first).isNotNegative();
        assertThat(indexOf(Arrays.copyOfRange(encoded, first + 1, encoded.length), sha384WithRsaNull))
                .isNotNegative();
        ca.verify(root.getPublicKey());
        assertThat(TestPki.jdk(rsa.raOperatorsCa).getSigAlgOID()).isEqualTo(SHA384_RSA);
        assertThat(TestPki.jdk(rsa.ocsp).getSigAlgOID()).isEqualTo(SHA384_RSA);
        // The P-384 CSCA option.
        assertEcKey(TestPki.jdk(rsa.csca).getPublicKey(), 384);
        String at = Long.toString(TestPki.T_LEAF.plus(Duration.ofHours(1)).getEpochSecond());
        assertVerified(
                openssl(
                        "verify",
                        "-x509_strict",
                        "-attime",
                        at,
                        "-CAfile",
                        pem("rroot.pem", rsa.root),
                        "-untrusted",
                        pem("rca.pem", rsa.citizenCa),
                        pem("rocsp.pem", rsa.ocsp)),
                "rocsp.pem");
        assertVerified(
                openssl(
                        "verify",
                        "-x509_strict",
                        "-attime",
                        at,
                        "-CAfile",
                        pem("rcsca.pem", rsa.csca),
                        pem("rds.pem", rsa.documentSigner)),
                "rds.pem");
    }

    // --- helpers -------------------------------------------------------------------------------

    private List<X509CertificateHolder> all() {
        return List.of(pki.root, pki.citizenCa, pki.ocsp, pki.raOperatorsCa, pki.csca, pki.documentSigner);
    }

    private static void assertCommon(X509Certificate c, X509Certificate issuer, String subject) {
        assertThat(c.getVersion()).isEqualTo(3);
        assertThat(c.getSerialNumber().signum()).isPositive();
        assertThat(c.getSerialNumber().bitLength()).isGreaterThanOrEqualTo(64);
        assertThat(c.getSerialNumber().toByteArray().length).isLessThanOrEqualTo(20);
        assertThat(c.getSubjectX500Principal().getName("RFC1779")).isEqualTo(reverse(subject));
        // Issuer byte-identical to the issuer's subject (JDK keeps the original encodings).
        assertThat(c.getIssuerX500Principal().getEncoded())
                .isEqualTo(issuer.getSubjectX500Principal().getEncoded());
        assertThat(c.getIssuerUniqueID()).isNull();
        assertThat(c.getSubjectUniqueID()).isNull();
    }

    /** RFC 1779 prints the most specific RDN first; the table reads C first. */
    private static String reverse(String subject) {
        List<String> parts = Arrays.asList(subject.split(","));
        java.util.Collections.reverse(parts);
        return String.join(", ", parts);
    }

    private static void assertValidity(X509Certificate c, Instant notBefore, Instant endExclusive) {
        assertThat(c.getNotBefore().toInstant()).isEqualTo(notBefore);
        // RFC 5280 §4.1.2.5: inclusive, so the last second is endExclusive − 1 s.
        assertThat(c.getNotAfter().toInstant()).isEqualTo(endExclusive.minusSeconds(1));
    }

    private static Instant years(Instant t, int years) {
        return t.atOffset(ZoneOffset.UTC).plusYears(years).toInstant();
    }

    private static void assertKeyUsage(X509Certificate c, boolean[] expected) {
        assertThat(c.getCriticalExtensionOIDs()).contains(KEY_USAGE);
        boolean[] ku = Arrays.copyOf(c.getKeyUsage(), 9);
        assertThat(ku).containsExactly(expected);
    }

    private static void assertExtensions(X509Certificate c, Set<String> critical, Set<String> nonCritical) {
        assertThat(c.getCriticalExtensionOIDs()).containsExactlyInAnyOrderElementsOf(critical);
        assertThat(c.getNonCriticalExtensionOIDs() == null ? Set.of() : c.getNonCriticalExtensionOIDs())
                .containsExactlyInAnyOrderElementsOf(nonCritical);
    }

    private static void assertEcKey(PublicKey key, int fieldBits) {
        assertThat(key).isInstanceOf(ECPublicKey.class);
        assertThat(((ECPublicKey) key).getParams().getCurve().getField().getFieldSize())
                .isEqualTo(fieldBits);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] extension(X509Certificate c, String oid) throws IOException {
        return ASN1OctetString.getInstance(c.getExtensionValue(oid)).getOctets();
    }

    private static void assertSki(X509Certificate c) throws Exception {
        byte[] bits = SubjectPublicKeyInfo.getInstance(c.getPublicKey().getEncoded())
                .getPublicKeyData()
                .getBytes();
        byte[] method1 = MessageDigest.getInstance("SHA-1").digest(bits);
        assertThat(SubjectKeyIdentifier.getInstance(extension(c, SKI)).getKeyIdentifier())
                .isEqualTo(method1);
    }

    private static void assertAki(X509Certificate c, X509Certificate issuer) throws Exception {
        AuthorityKeyIdentifier aki = AuthorityKeyIdentifier.getInstance(extension(c, AKI));
        assertThat(aki.getKeyIdentifierOctets())
                .isEqualTo(
                        SubjectKeyIdentifier.getInstance(extension(issuer, SKI)).getKeyIdentifier());
        assertThat(aki.getAuthorityCertIssuer()).isNull();
        assertThat(aki.getAuthorityCertSerialNumber()).isNull();
    }

    private static void assertPrivateKeyUsagePeriod(X509Certificate c, Instant notBefore, Instant endExclusive)
            throws Exception {
        byte[] value = extension(c, PKUP);
        // SEQUENCE { [0] IMPLICIT GeneralizedTime, [1] IMPLICIT GeneralizedTime }, each YYYYMMDDHHMMSSZ.
        assertThat(value[0]).isEqualTo((byte) 0x30);
        assertThat(value[2]).isEqualTo((byte) 0x80);
        assertThat(value[3]).isEqualTo((byte) 15);
        assertThat(value[19]).isEqualTo((byte) 0x81);
        assertThat(value[20]).isEqualTo((byte) 15);
        String from = new String(value, 4, 15, java.nio.charset.StandardCharsets.US_ASCII);
        String to = new String(value, 21, 15, java.nio.charset.StandardCharsets.US_ASCII);
        java.time.format.DateTimeFormatter f = java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'")
                .withZone(ZoneOffset.UTC);
        assertThat(from).isEqualTo(f.format(notBefore));
        assertThat(to).isEqualTo(f.format(endExclusive.minusSeconds(1)));
        assertThat(c.getNonCriticalExtensionOIDs()).contains(PKUP);
    }

    private static PublicKey bcKey(X509Certificate c) throws Exception {
        return KeyFactory.getInstance("EC", TestPki.BC)
                .generatePublic(new X509EncodedKeySpec(c.getPublicKey().getEncoded()));
    }

    private String pem(String name, X509CertificateHolder h) {
        return OpenSslCli.writePem(dir, name, "CERTIFICATE", TestPki.der(h))
                .getFileName()
                .toString();
    }

    private String text(String name, X509CertificateHolder h) {
        OpenSslCli.Result r = openssl("x509", "-in", pem(name, h), "-noout", "-text");
        assertThat(r.exitCode()).as(r.output()).isZero();
        return r.output();
    }

    private OpenSslCli.Result openssl(String... args) {
        return OpenSslCli.openssl(dir, args);
    }

    private static void assertVerified(OpenSslCli.Result r, String file) {
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains(file + ": OK");
    }
}
