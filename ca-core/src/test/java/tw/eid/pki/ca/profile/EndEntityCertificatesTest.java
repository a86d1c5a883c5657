package tw.eid.pki.ca.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every docs/profiles.md row of the certificates the RA API issues (citizen signature and encryption,
 * operator, RA TLS server), checked on the issued bytes with the JDK's X.509 parser, openssl and
 * GnuTLS, never with the code that built them.
 */
class EndEntityCertificatesTest {

    private static final String KEY_USAGE = "2.5.29.15";
    private static final String EXT_KEY_USAGE = "2.5.29.37";
    private static final String SKI = "2.5.29.14";
    private static final String AKI = "2.5.29.35";
    private static final String POLICIES = "2.5.29.32";
    private static final String AIA = "1.3.6.1.5.5.7.1.1";
    private static final String CRL_DP = "2.5.29.31";
    private static final String SAN = "2.5.29.17";
    private static final String SDA = "2.5.29.9";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String EMAIL_PROTECTION = "1.3.6.1.5.5.7.3.4";

    // keyUsage bit positions (RFC 5280 §4.2.1.3): digitalSignature(0), nonRepudiation(1),
    // keyEncipherment(2), dataEncipherment(3), keyAgreement(4), keyCertSign(5), cRLSign(6), …
    private static final boolean[] KU_SIGNATURE = {true, true, false, false, false, false, false, false, false};
    private static final boolean[] KU_KEY_ENCIPHERMENT = {false, false, true, false, false, false, false, false, false};
    private static final boolean[] KU_KEY_AGREEMENT = {false, false, false, false, true, false, false, false, false};
    private static final boolean[] KU_DIGITAL_SIGNATURE = {true, false, false, false, false, false, false, false, false
    };

    /**
     * SubjectDirectoryAttributes: SEQUENCE { SEQUENCE { OID 2.16.886.1.100.2.51, SET { PrintableString
     * "6789" } } }, written out by hand from X.690 rather than by the encoder under test.
     */
    private static final byte[] SDA_6789 = HexFormat.of().parseHex("3013301106076086760164023331061304" + "36373839");

    private static final EndEntityFixture FIXTURE = new EndEntityFixture();
    private static final KeyPair EC_SIGN = TestPki.generate(PublicKeyType.EC_P256);
    private static final KeyPair EC_ENCRYPT = TestPki.generate(PublicKeyType.EC_P256);
    private static final KeyPair RSA_SIGN = TestPki.generate(PublicKeyType.RSA_2048);
    private static final KeyPair RSA_ENCRYPT = TestPki.generate(PublicKeyType.RSA_2048);
    private static final KeyPair OPERATOR_KEY = TestPki.generate(PublicKeyType.EC_P384);
    private static final KeyPair TLS_KEY = TestPki.generate(PublicKeyType.EC_P256);

    private static final String NAME = "王小明";
    private static final X509CertificateHolder EC_SIGNATURE =
            FIXTURE.issueCitizen(FIXTURE.citizenRequest(CertificateProfile.CITIZEN_SIGNATURE, EC_SIGN, NAME, null));
    private static final X509CertificateHolder EC_ENCRYPTION =
            FIXTURE.issueCitizen(FIXTURE.citizenRequest(CertificateProfile.CITIZEN_ENCRYPTION, EC_ENCRYPT, NAME, null));
    private static final X509CertificateHolder RSA_SIGNATURE =
            FIXTURE.issueCitizen(FIXTURE.citizenRequest(CertificateProfile.CITIZEN_SIGNATURE, RSA_SIGN, NAME, null));
    private static final X509CertificateHolder RSA_ENCRYPTION = FIXTURE.issueCitizen(
            FIXTURE.citizenRequest(CertificateProfile.CITIZEN_ENCRYPTION, RSA_ENCRYPT, NAME, null));
    private static final X509CertificateHolder OPERATOR =
            FIXTURE.issueByRaOperatorsCa(FIXTURE.operatorRequest(OPERATOR_KEY, OperatorRole.OFFICER));
    private static final X509CertificateHolder TLS_SERVER = FIXTURE.issueByRaOperatorsCa(FIXTURE.tlsRequest(TLS_KEY));

    private final TestPki pki = FIXTURE.pki;

    @TempDir
    Path dir;

    @Test
    void citizenSignatureEc() throws Exception {
        X509Certificate c = TestPki.jdk(EC_SIGNATURE);
        assertCitizenCommon(c);
        assertThat(((ECPublicKey) c.getPublicKey())
                        .getParams()
                        .getCurve()
                        .getField()
                        .getFieldSize())
                .isEqualTo(256);
        assertKeyUsage(c, KU_SIGNATURE);
        assertThat(c.getExtendedKeyUsage()).containsExactly(CLIENT_AUTH, EMAIL_PROTECTION);
        String text = text("sig.pem", EC_SIGNATURE);
        assertThat(text)
                .containsPattern("X509v3 Key Usage: critical\\s+Digital Signature, Non Repudiation\\n")
                .containsPattern(
                        "X509v3 Extended Key Usage: \\n\\s+TLS Web Client Authentication, E-mail Protection\\n");
    }

    @Test
    void citizenSignatureRsa() throws Exception {
        X509Certificate c = TestPki.jdk(RSA_SIGNATURE);
        assertCitizenCommon(c);
        assertThat(((RSAPublicKey) c.getPublicKey()).getModulus().bitLength()).isEqualTo(2048);
        assertKeyUsage(c, KU_SIGNATURE);
        assertThat(c.getExtendedKeyUsage()).containsExactly(CLIENT_AUTH, EMAIL_PROTECTION);
    }

    @Test
    void citizenEncryptionEcIsKeyAgreement() throws Exception {
        X509Certificate c = TestPki.jdk(EC_ENCRYPTION);
        assertCitizenCommon(c);
        assertKeyUsage(c, KU_KEY_AGREEMENT);
        assertThat(c.getExtendedKeyUsage()).containsExactly(EMAIL_PROTECTION);
        assertThat(text("enc-ec.pem", EC_ENCRYPTION))
                .containsPattern("X509v3 Key Usage: critical\\s+Key Agreement\\n")
                .containsPattern("X509v3 Extended Key Usage: \\n\\s+E-mail Protection\\n");
    }

    @Test
    void citizenEncryptionRsaIsKeyEncipherment() throws Exception {
        X509Certificate c = TestPki.jdk(RSA_ENCRYPTION);
        assertCitizenCommon(c);
        assertKeyUsage(c, KU_KEY_ENCIPHERMENT);
        assertThat(c.getExtendedKeyUsage()).containsExactly(EMAIL_PROTECTION);
        assertThat(text("enc-rsa.pem", RSA_ENCRYPTION))
                .containsPattern("X509v3 Key Usage: critical\\s+Key Encipherment\\n");
    }

    @Test
    void citizenLinksAndPoliciesAsOpensslSeesThem() {
        for (X509CertificateHolder h : List.of(EC_SIGNATURE, EC_ENCRYPTION, RSA_SIGNATURE, RSA_ENCRYPTION)) {
            String text = text("links.pem", h);
            assertThat(text)
                    .contains("OCSP - URI:http://127.0.0.1:8080/ocsp")
                    .contains("CA Issuers - URI:http://127.0.0.1:8080/certs/citizen-ca.crt")
                    .contains("URI:http://127.0.0.1:8080/crl/citizen-ca/7.crl")
                    .doesNotContain("URI:http://127.0.0.1:8080/crl/citizen-ca.crl")
                    .contains("Policy: " + ProfileSettings.PLACEHOLDER_POLICY)
                    .doesNotContain("Basic Constraints")
                    .doesNotContain("Subject Key Identifier")
                    .doesNotContain("Alternative Name");
            // openssl decodes the UTF8String and escapes what is not ASCII: 王小明 is U+738B U+5C0F U+660E.
            String subject = openssl(
                            "x509", "-in", pem("s.pem", h), "-noout", "-subject", "-nameopt", "multiline,show_type")
                    .output();
            assertThat(subject)
                    .contains("countryName               = PRINTABLESTRING:TW")
                    .contains("commonName                = UTF8STRING:\\U738B\\U5C0F\\U660E\n")
                    .contains("serialNumber              = PRINTABLESTRING:" + EndEntityFixture.SUBSCRIBER_ID)
                    .doesNotContain("organizationName");
        }
    }

    @Test
    void operatorCertificate() throws Exception {
        X509Certificate ca = TestPki.jdk(pki.raOperatorsCa);
        X509Certificate c = TestPki.jdk(OPERATOR);
        assertThat(c.getVersion()).isEqualTo(3);
        c.verify(ca.getPublicKey());
        assertThat(c.getIssuerX500Principal().getEncoded())
                .isEqualTo(ca.getSubjectX500Principal().getEncoded());
        assertThat(c.getSubjectX500Principal().getName("RFC1779"))
                .isEqualTo("CN=officer-0042, OU=大安區戶政事務所, O=Ministry of the Interior, C=TW");
        assertValidity(c, TestPki.T_LEAF, TestPki.T_LEAF.plus(Duration.ofDays(730)));
        assertThat(c.getBasicConstraints()).isEqualTo(-1);
        assertKeyUsage(c, KU_DIGITAL_SIGNATURE);
        assertThat(c.getExtendedKeyUsage()).containsExactly(CLIENT_AUTH);
        assertExtensions(c, Set.of(KEY_USAGE), Set.of(EXT_KEY_USAGE, AKI, POLICIES, AIA, CRL_DP));
        assertAki(c, ca);
        String text = text("operator.pem", OPERATOR);
        assertThat(text)
                .contains("Policy: 1.3.6.1.5.5.7.13.2")
                .containsOnlyOnce("Policy: ")
                .contains("CA Issuers - URI:http://127.0.0.1:8080/certs/ra-operators-ca.crt")
                .contains("URI:http://127.0.0.1:8080/crl/ra-operators-ca.crl")
                .doesNotContain("OCSP - URI");
        // The RA API reads the role back from the policy.
        assertThat(FIXTURE.settings.operatorRole("1.3.6.1.5.5.7.13.2")).contains(OperatorRole.OFFICER);
    }

    @Test
    void everyOperatorRoleHasItsOwnPolicyAndEveryOperatorKeyTypeIsAccepted() throws Exception {
        PublicKeyType[] types = {
            PublicKeyType.EC_P256,
            PublicKeyType.EC_P384,
            PublicKeyType.RSA_2048,
            PublicKeyType.RSA_3072,
            PublicKeyType.EC_P256
        };
        OperatorRole[] roles = OperatorRole.values();
        for (int i = 0; i < roles.length; i++) {
            X509CertificateHolder h =
                    FIXTURE.issueByRaOperatorsCa(FIXTURE.operatorRequest(TestPki.generate(types[i]), roles[i]));
            String policy = FIXTURE.settings.operatorRolePolicies().get(roles[i]);
            assertThat(policy).isEqualTo("1.3.6.1.5.5.7.13." + (i + 2));
            org.bouncycastle.asn1.x509.CertificatePolicies cp =
                    org.bouncycastle.asn1.x509.CertificatePolicies.getInstance(extension(TestPki.jdk(h), POLICIES));
            assertThat(cp.getPolicyInformation()).hasSize(1);
            assertThat(cp.getPolicyInformation()[0].getPolicyIdentifier().getId())
                    .isEqualTo(policy);
        }
    }

    @Test
    void raTlsServerCertificate() throws Exception {
        X509Certificate ca = TestPki.jdk(pki.raOperatorsCa);
        X509Certificate c = TestPki.jdk(TLS_SERVER);
        c.verify(ca.getPublicKey());
        assertThat(c.getSubjectX500Principal().getName("RFC1779"))
                .isEqualTo("CN=localhost, O=Ministry of the Interior, C=TW");
        assertValidity(c, TestPki.T_LEAF, TestPki.T_LEAF.plus(Duration.ofDays(397)));
        assertThat(c.getBasicConstraints()).isEqualTo(-1);
        assertKeyUsage(c, KU_DIGITAL_SIGNATURE);
        assertThat(c.getExtendedKeyUsage()).containsExactly(SERVER_AUTH);
        assertExtensions(c, Set.of(KEY_USAGE), Set.of(EXT_KEY_USAGE, AKI, AIA, CRL_DP, SAN));
        assertAki(c, ca);
        assertThat(c.getSubjectAlternativeNames())
                .containsExactly(List.of(2, "localhost"), List.of(7, "127.0.0.1"), List.of(7, "0:0:0:0:0:0:0:1"));
        assertThat(text("tls.pem", TLS_SERVER))
                .contains("DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1")
                .contains("TLS Web Server Authentication")
                .contains("CA Issuers - URI:http://127.0.0.1:8080/certs/ra-operators-ca.crt")
                .contains("URI:http://127.0.0.1:8080/crl/ra-operators-ca.crl")
                .doesNotContain("Policy:");
    }

    @Test
    void nfdInputIsEncodedAsNfc() throws Exception {
        // "Yü-Ching 林" typed with a combining diaeresis (NFD): the CN carries U+00FC (C3 BC).
        String nfd = "Yu\u0308-Ching 林";
        X509CertificateHolder h = FIXTURE.issueCitizen(FIXTURE.citizenRequest(
                CertificateProfile.CITIZEN_SIGNATURE, TestPki.generate(PublicKeyType.EC_P256), nfd, null));
        byte[] subject = TestPki.jdk(h).getSubjectX500Principal().getEncoded();
        byte[] nfc = "Yü-Ching 林".getBytes(StandardCharsets.UTF_8);
        assertThat(indexOf(subject, utf8String(nfc))).isNotNegative();
        assertThat(indexOf(subject, "u\u0308".getBytes(StandardCharsets.UTF_8))).isNegative();
        assertThat(openssl("x509", "-in", pem("nfd.pem", h), "-noout", "-subject", "-nameopt", "multiline,show_type")
                        .output())
                .contains("commonName                = UTF8STRING:Y\\FC-Ching \\U6797\n");
    }

    @Test
    void allowListedPrivateUseCharactersAreEncodedExactly() throws Exception {
        // 陳 (U+9673), U+F0001 (plane 15, a surrogate pair in Java), U+E8A0 (BMP PUA).
        String name = "陳" + new String(Character.toChars(EndEntityFixture.PUA_PLANE15)) + "\uE8A0";
        X509CertificateHolder h = FIXTURE.issueCitizen(FIXTURE.citizenRequest(
                CertificateProfile.CITIZEN_SIGNATURE, TestPki.generate(PublicKeyType.EC_P256), name, null));
        byte[] subject = TestPki.jdk(h).getSubjectX500Principal().getEncoded();
        // UTF8String, 10 octets: E9 99 B3 | F3 B0 80 81 | EE A2 A0 (UTF-8 of the code points, not of
        // the UTF-16 surrogates, which would be ED xx xx ED xx xx, CESU-8).
        byte[] cn = HexFormat.of().parseHex("0c0ae999b3f3b08081eea2a0");
        assertThat(indexOf(subject, cn)).isNotNegative();
        assertThat(TestPki.jdk(h).getSubjectX500Principal().getName("RFC2253")).contains("CN=" + name);
        // The lint with the default (empty) allow-list refuses the same certificate.
        CertificateRequest request = FIXTURE.citizenRequest(
                CertificateProfile.CITIZEN_SIGNATURE, TestPki.generate(PublicKeyType.EC_P256), name, null);
        assertThat(new ProfileLint(pki.settings)
                        .check(
                                new CertificateRequest(
                                        request.profile(),
                                        h.getSubject(),
                                        h.getSubjectPublicKeyInfo(),
                                        request.endEntity()),
                                h,
                                FIXTURE.citizenCa()))
                .extracting(LintFinding::rule)
                .containsExactly("holder-name");
    }

    @Test
    void theFullNationalIdIsNowhereAndOnlyItsLastFourDigitsAre() throws Exception {
        for (X509CertificateHolder h : List.of(EC_SIGNATURE, EC_ENCRYPTION, RSA_SIGNATURE, RSA_ENCRYPTION)) {
            byte[] der = TestPki.der(h);
            assertThat(indexOf(der, EndEntityFixture.NATIONAL_ID.getBytes(StandardCharsets.US_ASCII)))
                    .isNegative();
            assertThat(extension(TestPki.jdk(h), SDA)).isEqualTo(SDA_6789);
        }
    }

    @Test
    void aRenewalIsCappedAtEightYearsFromTheFirstIssuance() {
        Instant first = years(TestPki.T_LEAF, -4);
        X509CertificateHolder h = FIXTURE.issueCitizen(FIXTURE.citizenRequest(
                CertificateProfile.CITIZEN_SIGNATURE, TestPki.generate(PublicKeyType.EC_P256), NAME, first));
        // 4 years left of the 8: notAfter = first + 8 y − 1 s, less than the 5 years of a new certificate.
        assertValidity(TestPki.jdk(h), TestPki.T_LEAF, years(first, 8));
        Instant recent = years(TestPki.T_LEAF, -1);
        X509CertificateHolder early = FIXTURE.issueCitizen(FIXTURE.citizenRequest(
                CertificateProfile.CITIZEN_SIGNATURE, TestPki.generate(PublicKeyType.EC_P256), NAME, recent));
        assertValidity(TestPki.jdk(early), TestPki.T_LEAF, years(TestPki.T_LEAF, 5));
    }

    @Test
    void opensslVerifiesBothChainsStrictlyWithTheRightPurposes() {
        String root = pem("root.pem", pki.root);
        String citizenCa = pem("citizen-ca.pem", pki.citizenCa);
        String raCa = pem("ra-ca.pem", pki.raOperatorsCa);
        String at = Long.toString(TestPki.T_LEAF.plus(Duration.ofHours(1)).getEpochSecond());
        for (String[] c : new String[][] {
            {"sig-ec.pem", "sslclient"},
            {"sig-ec.pem", "smimesign"},
            {"sig-rsa.pem", "smimesign"},
            {"enc-rsa.pem", "smimeencrypt"},
            {"enc-ec.pem", "any"}
        }) {
            assertVerified(
                    openssl(
                            "verify",
                            "-x509_strict",
                            "-purpose",
                            c[1],
                            "-attime",
                            at,
                            "-CAfile",
                            root,
                            "-untrusted",
                            citizenCa,
                            pemOf(c[0])),
                    c[0]);
        }
        assertVerified(
                openssl(
                        "verify",
                        "-x509_strict",
                        "-purpose",
                        "sslclient",
                        "-attime",
                        at,
                        "-CAfile",
                        root,
                        "-untrusted",
                        raCa,
                        pem("operator.pem", OPERATOR)),
                "operator.pem");
        assertVerified(
                openssl(
                        "verify",
                        "-x509_strict",
                        "-purpose",
                        "sslserver",
                        "-attime",
                        at,
                        "-CAfile",
                        root,
                        "-untrusted",
                        raCa,
                        pem("tls.pem", TLS_SERVER)),
                "tls.pem");
        // Cross-checks: a citizen certificate does not chain to the RA Operators CA, and a TLS server
        // certificate is no client certificate, nor an operator certificate a server one.
        assertThat(openssl("verify", "-attime", at, "-CAfile", root, "-untrusted", raCa, pemOf("sig-ec.pem"))
                        .exitCode())
                .isNotZero();
        assertThat(openssl(
                                "verify",
                                "-purpose",
                                "sslclient",
                                "-attime",
                                at,
                                "-CAfile",
                                root,
                                "-untrusted",
                                raCa,
                                pem("tls.pem", TLS_SERVER))
                        .exitCode())
                .isNotZero();
        assertThat(openssl(
                                "verify",
                                "-purpose",
                                "sslserver",
                                "-attime",
                                at,
                                "-CAfile",
                                root,
                                "-untrusted",
                                raCa,
                                pem("operator.pem", OPERATOR))
                        .exitCode())
                .isNotZero();
        // The encryption certificate cannot sign e-mail.
        assertThat(openssl(
                                "verify",
                                "-purpose",
                                "smimesign",
                                "-attime",
                                at,
                                "-CAfile",
                                root,
                                "-untrusted",
                                citizenCa,
                                pemOf("enc-rsa.pem"))
                        .exitCode())
                .isNotZero();
    }

    @Test
    void gnutlsParsesEveryCertificate() {
        int i = 0;
        for (X509CertificateHolder h :
                List.of(EC_SIGNATURE, EC_ENCRYPTION, RSA_SIGNATURE, RSA_ENCRYPTION, OPERATOR, TLS_SERVER)) {
            OpenSslCli.Result r =
                    OpenSslCli.certtool(dir, "--certificate-info", "--infile", pem("g" + i++ + ".pem", h));
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).doesNotContainIgnoringCase("error").doesNotContainIgnoringCase("warning");
        }
    }

    @Test
    void everyCertificatePassesItsOwnLintAndNotWithoutItsRequest() {
        ProfileLint lint = new ProfileLint(FIXTURE.settings);
        assertThat(lint.check(
                        new CertificateRequest(
                                CertificateProfile.CITIZEN_SIGNATURE,
                                EC_SIGNATURE.getSubject(),
                                EC_SIGNATURE.getSubjectPublicKeyInfo(),
                                FIXTURE.citizen(NAME, null)),
                        EC_SIGNATURE,
                        FIXTURE.citizenCa()))
                .isEmpty();
        assertThat(lint.check(
                        FIXTURE.operatorRequest(OPERATOR_KEY, OperatorRole.OFFICER), OPERATOR, FIXTURE.raOperatorsCa()))
                .isEmpty();
        assertThat(lint.check(FIXTURE.tlsRequest(TLS_KEY), TLS_SERVER, FIXTURE.raOperatorsCa()))
                .isEmpty();
        assertThat(lint.check(CertificateProfile.OPERATOR, OPERATOR, FIXTURE.raOperatorsCa()))
                .extracting(LintFinding::rule)
                .containsExactly("request");
        // Another key than the request's.
        assertThat(lint.check(
                        FIXTURE.operatorRequest(TestPki.generate(PublicKeyType.EC_P256), OperatorRole.OFFICER),
                        OPERATOR,
                        FIXTURE.raOperatorsCa()))
                .extracting(LintFinding::rule)
                .containsExactly("subject-key");
        // Another role than the request's.
        assertThat(lint.check(
                        FIXTURE.operatorRequest(OPERATOR_KEY, OperatorRole.ADMIN), OPERATOR, FIXTURE.raOperatorsCa()))
                .extracting(LintFinding::rule)
                .containsExactly("certificate-policies");
    }

    // --- helpers -------------------------------------------------------------------------------

    private void assertCitizenCommon(X509Certificate c) throws Exception {
        X509Certificate ca = TestPki.jdk(pki.citizenCa);
        assertThat(c.getVersion()).isEqualTo(3);
        assertThat(c.getSerialNumber().signum()).isPositive();
        assertThat(c.getSerialNumber().bitLength()).isBetween(64, 128);
        c.verify(ca.getPublicKey());
        assertThat(c.getSigAlgOID()).isEqualTo("1.2.840.10045.4.3.3"); // the P-384 Citizen CA: ecdsa-with-SHA384
        assertThat(c.getIssuerX500Principal().getEncoded())
                .isEqualTo(ca.getSubjectX500Principal().getEncoded());
        assertThat(c.getSubjectX500Principal().getName("RFC1779"))
                .isEqualTo("OID.2.5.4.5=" + EndEntityFixture.SUBSCRIBER_ID + ", CN=" + NAME + ", C=TW");
        assertValidity(c, TestPki.T_LEAF, years(TestPki.T_LEAF, 5));
        assertThat(c.getBasicConstraints()).isEqualTo(-1);
        assertExtensions(c, Set.of(KEY_USAGE), Set.of(EXT_KEY_USAGE, AKI, POLICIES, AIA, CRL_DP, SDA));
        assertThat(c.getNonCriticalExtensionOIDs()).doesNotContain(SKI);
        assertAki(c, ca);
        assertThat(extension(c, SDA)).isEqualTo(SDA_6789);
        assertThat(c.getIssuerUniqueID()).isNull();
        assertThat(c.getSubjectUniqueID()).isNull();
    }

    private static void assertValidity(X509Certificate c, Instant notBefore, Instant endExclusive) {
        assertThat(c.getNotBefore().toInstant()).isEqualTo(notBefore);
        assertThat(c.getNotAfter().toInstant()).isEqualTo(endExclusive.minusSeconds(1));
    }

    private static Instant years(Instant t, int years) {
        return t.atOffset(ZoneOffset.UTC).plusYears(years).toInstant();
    }

    private static void assertKeyUsage(X509Certificate c, boolean[] expected) {
        assertThat(c.getCriticalExtensionOIDs()).contains(KEY_USAGE);
        assertThat(Arrays.copyOf(c.getKeyUsage(), 9)).containsExactly(expected);
    }

    private static void assertExtensions(X509Certificate c, Set<String> critical, Set<String> nonCritical) {
        assertThat(c.getCriticalExtensionOIDs()).containsExactlyInAnyOrderElementsOf(critical);
        assertThat(c.getNonCriticalExtensionOIDs()).containsExactlyInAnyOrderElementsOf(nonCritical);
    }

    private static void assertAki(X509Certificate c, X509Certificate issuer) throws Exception {
        AuthorityKeyIdentifier aki = AuthorityKeyIdentifier.getInstance(extension(c, AKI));
        assertThat(aki.getKeyIdentifierOctets())
                .isEqualTo(
                        SubjectKeyIdentifier.getInstance(extension(issuer, SKI)).getKeyIdentifier());
        assertThat(aki.getAuthorityCertIssuer()).isNull();
    }

    private static byte[] extension(X509Certificate c, String oid) {
        return ASN1OctetString.getInstance(c.getExtensionValue(oid)).getOctets();
    }

    private static byte[] utf8String(byte[] contents) {
        byte[] tlv = new byte[contents.length + 2];
        tlv[0] = 0x0c;
        tlv[1] = (byte) contents.length;
        System.arraycopy(contents, 0, tlv, 2, contents.length);
        return tlv;
    }

    static int indexOf(byte[] haystack, byte[] needle) {
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

    private String pemOf(String name) {
        return switch (name) {
            case "sig-ec.pem" -> pem(name, EC_SIGNATURE);
            case "sig-rsa.pem" -> pem(name, RSA_SIGNATURE);
            case "enc-ec.pem" -> pem(name, EC_ENCRYPTION);
            case "enc-rsa.pem" -> pem(name, RSA_ENCRYPTION);
            default -> throw new IllegalArgumentException(name);
        };
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
        assertThat(r.exitCode()).as(file + ": " + r.output()).isZero();
        assertThat(r.output()).contains(file + ": OK");
    }
}
