package tw.eid.pki.ca.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** Settings fail fast; names, serials and algorithm choices. */
class ProfileSettingsTest {

    private final ProfileSettings d = ProfileSettings.defaults();

    @Test
    void defaultUrls() {
        assertThat(d.caCertificateUrl(CertificateProfile.CITIZEN_ROOT))
                .hasToString("http://127.0.0.1:8080/certs/citizen-root.crt");
        assertThat(d.crlUrl(CertificateProfile.CITIZEN_CA)).hasToString("http://127.0.0.1:8080/crl/citizen-ca.crl");
        assertThat(d.crlUrl(CertificateProfile.RA_OPERATORS_CA))
                .hasToString("http://127.0.0.1:8080/crl/ra-operators-ca.crl");
        assertThat(d.crlUrl(CertificateProfile.CSCA)).hasToString("http://127.0.0.1:8080/crl/csca.crl");
        assertThat(d.withPublicationBase(URI.create("http://pki.example.tw/eid/"))
                        .crlUrl(CertificateProfile.CSCA))
                .hasToString("http://pki.example.tw/eid/crl/csca.crl");
        assertThatThrownBy(() -> d.crlUrl(CertificateProfile.OCSP_SIGNER)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void publicationBaseMustBeAbsoluteHttp() {
        for (String bad :
                List.of("https://pki.example.tw", "/relative", "ldap://x", "http://x/?q=1", "http:///nohost")) {
            assertThatThrownBy(() -> d.withPublicationBase(URI.create(bad)))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void limitsFromProfilesMd() {
        assertThatThrownBy(() ->
                        with(Duration.ofDays(91), 5, Duration.ofDays(90), Duration.ofDays(365), Duration.ofDays(90)))
                .hasMessageContaining("ocspSignerValidity");
        assertThatThrownBy(() ->
                        with(Duration.ofDays(30), 6, Duration.ofDays(90), Duration.ofDays(365), Duration.ofDays(90)))
                .hasMessageContaining("cscaKeyUsageYears");
        assertThatThrownBy(() ->
                        with(Duration.ofDays(30), 2, Duration.ofDays(90), Duration.ofDays(365), Duration.ofDays(90)))
                .hasMessageContaining("cscaKeyUsageYears");
        assertThatThrownBy(() ->
                        with(Duration.ofDays(30), 5, Duration.ofDays(91), Duration.ofDays(365), Duration.ofDays(90)))
                .hasMessageContaining("documentSignerKeyUsage");
        assertThatThrownBy(() ->
                        with(Duration.ofDays(30), 5, Duration.ofDays(90), Duration.ofDays(367), Duration.ofDays(90)))
                .hasMessageContaining("rootArlLifetime");
        assertThatThrownBy(() ->
                        with(Duration.ofDays(30), 5, Duration.ofDays(90), Duration.ofDays(365), Duration.ofDays(91)))
                .hasMessageContaining("cscaCrlLifetime");
        assertThat(with(Duration.ofDays(90), 3, Duration.ofDays(30), Duration.ofDays(366), Duration.ofDays(90)))
                .isNotNull();
    }

    @Test
    void policies() {
        assertThat(d.citizenCaPolicies()).containsExactly("1.3.6.1.5.5.7.13.1");
        for (List<String> bad :
                List.of(List.<String>of(), List.of("not.an.oid"), List.of("2.5.29.32.0"), List.of("1.2.3", "1.2.3"))) {
            assertThatThrownBy(() -> new ProfileSettings(
                            d.names(),
                            d.publicationBase(),
                            bad,
                            d.ocspSignerValidity(),
                            d.cscaKeyUsageYears(),
                            d.documentSignerKeyUsage(),
                            d.cardLifetimeYears(),
                            d.rootArlLifetime(),
                            d.cscaCrlLifetime()))
                    .as(bad.toString())
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void endEntityDefaults() {
        assertThat(d.citizenPolicies()).containsExactly(ProfileSettings.PLACEHOLDER_POLICY);
        assertThat(d.citizenSignatureExtendedKeyUsages()).containsExactly("1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.4");
        assertThat(d.holderNamePrivateUse()).isEmpty();
        assertThat(d.operatorRolePolicies())
                .containsOnly(
                        java.util.Map.entry(OperatorRole.OFFICER, "1.3.6.1.5.5.7.13.2"),
                        java.util.Map.entry(OperatorRole.SUPERVISOR, "1.3.6.1.5.5.7.13.3"),
                        java.util.Map.entry(OperatorRole.AUDITOR, "1.3.6.1.5.5.7.13.4"),
                        java.util.Map.entry(OperatorRole.ADMIN, "1.3.6.1.5.5.7.13.5"),
                        java.util.Map.entry(OperatorRole.PERSONALIZATION, "1.3.6.1.5.5.7.13.6"));
        assertThat(d.operatorRole("1.3.6.1.5.5.7.13.6")).contains(OperatorRole.PERSONALIZATION);
        assertThat(d.operatorRole(ProfileSettings.PLACEHOLDER_POLICY)).isEmpty();
        assertThat(d.operatorValidity()).isEqualTo(Duration.ofDays(730));
        assertThat(d.raTlsServerValidity()).isEqualTo(Duration.ofDays(397));
        assertThat(d.ocspUrl()).hasToString("http://127.0.0.1:8080/ocsp");
        assertThat(d.crlPartitionUrl(CertificateProfile.CITIZEN_CA, 12))
                .hasToString("http://127.0.0.1:8080/crl/citizen-ca/12.crl");
        assertThatThrownBy(() -> d.crlPartitionUrl(CertificateProfile.CITIZEN_CA, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(OperatorRole.fromId("personalization")).isEqualTo(OperatorRole.PERSONALIZATION);
    }

    @Test
    void endEntityLimits() {
        // EKUs a citizen key must never have.
        for (String bad : List.of(
                "1.3.6.1.5.5.7.3.1",
                "1.3.6.1.5.5.7.3.3",
                "1.3.6.1.5.5.7.3.8",
                "1.3.6.1.5.5.7.3.9",
                "2.5.29.37.0",
                "x")) {
            assertThatThrownBy(() -> d.withCitizenSignatureExtendedKeyUsages(List.of("1.3.6.1.5.5.7.3.4", bad)))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> d.withCitizenSignatureExtendedKeyUsages(List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(d.withCitizenSignatureExtendedKeyUsages(List.of("1.3.6.1.5.5.7.3.4"))
                        .citizenSignatureExtendedKeyUsages())
                .containsExactly("1.3.6.1.5.5.7.3.4");
        // Only Private Use Area code points may be allow-listed.
        assertThat(d.withHolderNamePrivateUse(Set.of(0xE000, 0xF8FF, 0xF0000, 0x10FFFD))
                        .holderNamePrivateUse())
                .hasSize(4);
        for (int bad : List.of(0x4E00, 0xFFFF, 0x10FFFF, 0xDFFF)) {
            assertThatThrownBy(() -> d.withHolderNamePrivateUse(Set.of(bad)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        // Every role mapped, to distinct OIDs other than the citizen policies.
        java.util.Map<OperatorRole, String> roles = new java.util.EnumMap<>(d.operatorRolePolicies());
        roles.remove(OperatorRole.ADMIN);
        assertThatThrownBy(() -> d.withOperatorRolePolicies(roles)).hasMessageContaining("admin");
        roles.put(OperatorRole.ADMIN, "1.3.6.1.5.5.7.13.2");
        assertThatThrownBy(() -> d.withOperatorRolePolicies(roles)).hasMessageContaining("twice");
        roles.put(OperatorRole.ADMIN, ProfileSettings.PLACEHOLDER_POLICY);
        assertThatThrownBy(() -> d.withOperatorRolePolicies(roles)).hasMessageContaining("twice");
        assertThatThrownBy(() -> d.withOperatorValidities(Duration.ofDays(732), Duration.ofDays(397)))
                .hasMessageContaining("operatorValidity");
        assertThatThrownBy(() -> d.withOperatorValidities(Duration.ofDays(730), Duration.ofDays(398)))
                .hasMessageContaining("raTlsServerValidity");
        // Citizen policies must be among the Citizen CA's.
        assertThatThrownBy(() -> new ProfileSettings(
                        d.names(),
                        d.publicationBase(),
                        d.citizenCaPolicies(),
                        d.ocspSignerValidity(),
                        d.cscaKeyUsageYears(),
                        d.documentSignerKeyUsage(),
                        d.cardLifetimeYears(),
                        d.rootArlLifetime(),
                        d.cscaCrlLifetime(),
                        List.of("1.2.3.4"),
                        d.citizenSignatureExtendedKeyUsages(),
                        d.holderNamePrivateUse(),
                        d.operatorRolePolicies(),
                        d.operatorValidity(),
                        d.raTlsServerValidity()))
                .hasMessageContaining("citizenCaPolicies");
    }

    @Test
    void namesAreCheckedAndEncoded() {
        PkiNames n = PkiNames.defaults();
        assertThat(n.citizenCa().toString())
                .isEqualTo("C=TW,O=Ministry of the Interior,OU=Certificate Management Center,CN=Citizen CA");
        assertThat(n.documentSigner(1).toString()).endsWith("CN=Document Signer 001");
        assertThat(n.ocspResponder(CertificateProfile.RA_OPERATORS_CA).toString())
                .endsWith("CN=RA Operators CA OCSP Responder");
        assertThat(new PkiNames("內政部", "國民憑證根CA", "憑證管理中心", "國民憑證CA", "RA", "CSCA", "DS")
                        .citizenRoot()
                        .toString())
                .contains("O=內政部");
        assertThatThrownBy(() -> n.documentSigner(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> n.ocspResponder(CertificateProfile.CITIZEN_ROOT))
                .isInstanceOf(IllegalArgumentException.class);
        for (String bad :
                List.of("", " ", " padded", "bell\u0007", "rtl\u202eoverride", "e\u0301 (not NFC)", "x".repeat(65))) {
            assertThatThrownBy(() -> new PkiNames(bad, "a", "b", "c", "d", "e", "f"))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void profileIdsAreUniqueAndVersioned() {
        Set<String> ids = new HashSet<>();
        for (CertificateProfile p : CertificateProfile.values()) {
            assertThat(p.id()).matches("[a-z-]+/[0-9]+");
            assertThat(ids.add(p.id())).isTrue();
        }
        assertThat(CertificateProfile.CITIZEN_ROOT.id()).isEqualTo("citizen-root/1");
        assertThat(CrlProfile.CSCA_CRL.id()).isEqualTo("csca-crl/1");
        assertThat(CertificateProfile.CITIZEN_SIGNATURE.id()).isEqualTo("citizen-signature/1");
        assertThat(CertificateProfile.CITIZEN_ENCRYPTION.id()).isEqualTo("citizen-encryption/1");
        assertThat(CertificateProfile.OPERATOR.id()).isEqualTo("operator/1");
        assertThat(CertificateProfile.RA_TLS_SERVER.id()).isEqualTo("ra-tls-server/1");
        assertThat(CertificateProfile.CITIZEN_SIGNATURE.isCertificateAuthority())
                .isFalse();
    }

    @Test
    void serialsArePositive128BitAndAtMost17Octets() {
        SerialNumbers serials = new SerialNumbers(new SecureRandom());
        for (int i = 0; i < 2000; i++) {
            BigInteger s = serials.next();
            assertThat(s.signum()).isPositive();
            assertThat(s.bitLength()).isBetween(64, 128);
            assertThat(s.toByteArray().length).isLessThanOrEqualTo(17);
        }
        // All-ones: the top bit is set, so DER needs a leading zero octet: 17 octets, still positive.
        assertThat(new SerialNumbers(fixed(0xff)).next().toByteArray()).hasSize(17);
        // A too-short draw (here zero) is drawn again.
        assertThat(new SerialNumbers(zeroThen(0x7f)).next().bitLength()).isEqualTo(127);
    }

    @Test
    void signatureAlgorithmsMatchWhatAJcaTokenSignerReports() throws Exception {
        assertThat(SignatureAlgorithms.forKeyType(PublicKeyType.EC_P256))
                .isEqualTo(jca("SHA256withECDSA", PublicKeyType.EC_P256));
        assertThat(SignatureAlgorithms.forKeyType(PublicKeyType.EC_P384))
                .isEqualTo(jca("SHA384withECDSA", PublicKeyType.EC_P384));
        assertThat(SignatureAlgorithms.forKeyType(PublicKeyType.EC_BRAINPOOL_P384R1))
                .isEqualTo(jca("SHA384withECDSA", PublicKeyType.EC_BRAINPOOL_P384R1));
        assertThat(SignatureAlgorithms.forKeyType(PublicKeyType.RSA_2048))
                .isEqualTo(jca("SHA256withRSA", PublicKeyType.RSA_2048));
        assertThat(SignatureAlgorithms.forKeyType(PublicKeyType.RSA_4096)
                        .getAlgorithm()
                        .getId())
                .isEqualTo("1.2.840.113549.1.1.12");
        assertThat(SignatureAlgorithms.ECDSA_SHA384.getParameters()).isNull();
    }

    private static AlgorithmIdentifier jca(String name, PublicKeyType type) throws Exception {
        return new JcaContentSignerBuilder(name)
                .setProvider(TestPki.BC)
                .build(TestPki.generate(type).getPrivate())
                .getAlgorithmIdentifier();
    }

    private ProfileSettings with(Duration ocsp, int cscaYears, Duration ds, Duration arl, Duration cscaCrl) {
        return new ProfileSettings(
                d.names(),
                d.publicationBase(),
                d.citizenCaPolicies(),
                ocsp,
                cscaYears,
                ds,
                d.cardLifetimeYears(),
                arl,
                cscaCrl);
    }

    private static SecureRandom fixed(int b) {
        return new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                Arrays.fill(bytes, (byte) b);
            }
        };
    }

    private static SecureRandom zeroThen(int b) {
        return new SecureRandom() {
            private boolean first = true;

            @Override
            public void nextBytes(byte[] bytes) {
                Arrays.fill(bytes, first ? 0 : (byte) b);
                first = false;
            }
        };
    }
}
