package tw.eid.pki.ca.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.function.Consumer;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CertificatePolicies;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.PolicyInformation;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.Test;

/**
 * The lint catches each way a citizen, operator or RA TLS server certificate can miss its profile
 * or its request, and issuance refuses what the lint would never see.
 */
class EndEntityLintTest {

    private static final EndEntityFixture FIXTURE = new EndEntityFixture();
    private static final KeyPair EC_KEY = TestPki.generate(PublicKeyType.EC_P256);
    private static final KeyPair RSA_KEY = TestPki.generate(PublicKeyType.RSA_2048);
    private static final String NAME = "王小明";

    private final TestPki pki = FIXTURE.pki;
    private final ProfileLint lint = new ProfileLint(FIXTURE.settings);

    @Test
    void unchangedRemakesPass() {
        assertThat(citizenFindings(CertificateProfile.CITIZEN_ENCRYPTION, EC_KEY, null, r -> {}))
                .isEmpty();
        assertThat(citizenFindings(CertificateProfile.CITIZEN_ENCRYPTION, RSA_KEY, null, r -> {}))
                .isEmpty();
        assertThat(citizenFindings(CertificateProfile.CITIZEN_SIGNATURE, EC_KEY, null, r -> {}))
                .isEmpty();
    }

    @Test
    void encryptionKeyUsageMustFollowTheKeyType() {
        // EC: keyAgreement, not keyEncipherment; RSA: keyEncipherment, not keyAgreement.
        assertThat(citizenFindings(
                        CertificateProfile.CITIZEN_ENCRYPTION,
                        EC_KEY,
                        null,
                        r -> r.put(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyEncipherment))))
                .extracting(LintFinding::rule)
                .containsExactly("key-usage");
        assertThat(citizenFindings(
                        CertificateProfile.CITIZEN_ENCRYPTION,
                        RSA_KEY,
                        null,
                        r -> r.put(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyAgreement))))
                .extracting(LintFinding::rule)
                .containsExactly("key-usage");
        // A signature certificate without nonRepudiation.
        assertThat(citizenFindings(
                        CertificateProfile.CITIZEN_SIGNATURE,
                        EC_KEY,
                        null,
                        r -> r.put(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))))
                .extracting(LintFinding::rule)
                .containsExactly("key-usage");
    }

    @Test
    void missingSubjectDirectoryAttributes() {
        assertThat(citizenFindings(
                        CertificateProfile.CITIZEN_SIGNATURE,
                        EC_KEY,
                        null,
                        r -> r.remove(Extension.subjectDirectoryAttributes)))
                .extracting(LintFinding::rule)
                .containsExactly("missing-extension");
    }

    @Test
    void subjectDirectoryAttributesWithOtherDigitsOrAnotherStringTypeOrCritical() {
        assertThat(citizenFindings(
                        CertificateProfile.CITIZEN_SIGNATURE,
                        EC_KEY,
                        null,
                        r -> r.put(Extension.subjectDirectoryAttributes, false, sda(new DERPrintableString("1234")))))
                .extracting(LintFinding::rule)
                .containsExactly("subject-directory-attributes");
        assertThat(citizenFindings(
                        CertificateProfile.CITIZEN_SIGNATURE,
                        EC_KEY,
                        null,
                        r -> r.put(
                                Extension.subjectDirectoryAttributes,
                                false,
                                sda(new DERUTF8String(EndEntityFixture.LAST4)))))
                .extracting(LintFinding::rule)
                .containsExactly("subject-directory-attributes");
        assertThat(citizenFindings(
                        CertificateProfile.CITIZEN_SIGNATURE,
                        EC_KEY,
                        null,
                        r -> r.put(
                                Extension.subjectDirectoryAttributes,
                                true,
                                sda(new DERPrintableString(EndEntityFixture.LAST4)))))
                .extracting(LintFinding::rule)
                .containsExactly("subject-directory-attributes");
    }

    @Test
    void theFullNationalIdIsCaughtInTheSubjectAndInExtensions() {
        X500Name withId = new X500Name(new RDN[] {
            new RDN(BCStyle.C, new DERPrintableString("TW")),
            new RDN(BCStyle.CN, new DERUTF8String(NAME)),
            new RDN(BCStyle.SERIALNUMBER, new DERPrintableString(EndEntityFixture.NATIONAL_ID))
        });
        assertThat(citizenFindings(CertificateProfile.CITIZEN_SIGNATURE, EC_KEY, null, r -> r.subject = withId))
                .extracting(LintFinding::rule)
                .containsExactlyInAnyOrder("subject", "national-id");
        // Lower case, inside a longer CN.
        X500Name inCn = new X500Name(new RDN[] {
            new RDN(BCStyle.C, new DERPrintableString("TW")),
            new RDN(BCStyle.CN, new DERUTF8String(NAME + " a123456789")),
            new RDN(BCStyle.SERIALNUMBER, new DERPrintableString(EndEntityFixture.SUBSCRIBER_ID))
        });
        assertThat(citizenFindings(CertificateProfile.CITIZEN_SIGNATURE, EC_KEY, null, r -> r.subject = inCn))
                .extracting(LintFinding::rule)
                .contains("national-id");
        // The whole number instead of its last four digits.
        assertThat(citizenFindings(
                        CertificateProfile.CITIZEN_SIGNATURE,
                        EC_KEY,
                        null,
                        r -> r.put(
                                Extension.subjectDirectoryAttributes,
                                false,
                                sda(new DERPrintableString(EndEntityFixture.NATIONAL_ID)))))
                .extracting(LintFinding::rule)
                .containsExactlyInAnyOrder("subject-directory-attributes", "national-id");
        // As a BMPString (two octets per character), which a byte search alone would miss.
        assertThat(citizenFindings(
                        CertificateProfile.CITIZEN_SIGNATURE,
                        EC_KEY,
                        null,
                        r -> r.put(
                                Extension.subjectDirectoryAttributes,
                                false,
                                sda(new org.bouncycastle.asn1.DERBMPString(EndEntityFixture.NATIONAL_ID)))))
                .extracting(LintFinding::rule)
                .containsExactlyInAnyOrder("subject-directory-attributes", "national-id");
        // In an operator's CN.
        X509CertificateHolder operator =
                FIXTURE.issueByRaOperatorsCa(FIXTURE.operatorRequest(EC_KEY, OperatorRole.OFFICER));
        X500Name operatorWithId = new X500Name(new RDN[] {
            new RDN(BCStyle.C, new DERPrintableString("TW")),
            new RDN(BCStyle.O, new DERUTF8String(pki.settings.names().organization())),
            new RDN(BCStyle.OU, new DERUTF8String("大安區戶政事務所")),
            new RDN(BCStyle.CN, new DERUTF8String(EndEntityFixture.NATIONAL_ID))
        });
        assertThat(lint.check(
                        FIXTURE.operatorRequest(EC_KEY, OperatorRole.OFFICER),
                        ProfileLintTest.Remake.of(operator, pki.raKey)
                                .with(r -> r.subject = operatorWithId)
                                .build(),
                        FIXTURE.raOperatorsCa()))
                .extracting(LintFinding::rule)
                .containsExactlyInAnyOrder("subject", "national-id");
    }

    @Test
    void crlDistributionPointMustBeTheCertificatesOwnPartition() {
        String base = "http://127.0.0.1:8080/crl/citizen-ca";
        for (String wrong : List.of(
                base + ".crl", base + "/8.crl", base + "/7.crl?x", "http://127.0.0.1:8080/crl/citizen-root.crl")) {
            assertThat(citizenFindings(
                            CertificateProfile.CITIZEN_SIGNATURE,
                            EC_KEY,
                            null,
                            r -> r.put(Extension.cRLDistributionPoints, false, crlDp(wrong))))
                    .as(wrong)
                    .extracting(LintFinding::rule)
                    .containsExactly("crl-distribution-points");
        }
        assertThat(citizenFindings(
                        CertificateProfile.CITIZEN_SIGNATURE,
                        EC_KEY,
                        null,
                        r -> r.put(Extension.cRLDistributionPoints, false, crlDp(base + "/7.crl"))))
                .isEmpty();
    }

    @Test
    void authorityInfoAccessNeedsBothOcspAndCaIssuers() {
        assertThat(citizenFindings(
                        CertificateProfile.CITIZEN_SIGNATURE,
                        EC_KEY,
                        null,
                        r -> r.put(
                                Extension.authorityInfoAccess,
                                false,
                                new org.bouncycastle.asn1.x509.AuthorityInformationAccess(
                                        org.bouncycastle.asn1.x509.AccessDescription.id_ad_caIssuers,
                                        new GeneralName(
                                                GeneralName.uniformResourceIdentifier,
                                                "http://127.0.0.1:8080/certs/citizen-ca.crt")))))
                .extracting(LintFinding::rule)
                .containsExactly("authority-info-access");
    }

    @Test
    void validityOverFiveYearsWithoutRenewal() {
        assertThat(citizenFindings(
                        CertificateProfile.CITIZEN_SIGNATURE,
                        EC_KEY,
                        null,
                        r -> r.notAfter = Date.from(r.notAfter.toInstant().plusSeconds(86400))))
                .extracting(LintFinding::rule)
                .containsExactly("validity-period");
    }

    @Test
    void validityOverEightYearsWithRenewal() {
        Instant first = TestPki.T_LEAF.atOffset(ZoneOffset.UTC).minusYears(4).toInstant();
        // Issued correctly, the renewal ends 8 years after the first issuance; stretched to the full
        // 5 years it runs past the cap.
        assertThat(citizenFindings(CertificateProfile.CITIZEN_SIGNATURE, EC_KEY, first, r -> {}))
                .isEmpty();
        Instant fiveYears =
                TestPki.T_LEAF.atOffset(ZoneOffset.UTC).plusYears(5).toInstant().minusSeconds(1);
        assertThat(citizenFindings(
                        CertificateProfile.CITIZEN_SIGNATURE, EC_KEY, first, r -> r.notAfter = Date.from(fiveYears)))
                .extracting(LintFinding::rule)
                .containsExactlyInAnyOrder("validity-period", "validity-renewal-cap");
    }

    @Test
    void renewalsPastEightYearsOrFromTheFutureAreRefusedAtPrepare() {
        Instant tooOld = TestPki.T_LEAF.atOffset(ZoneOffset.UTC).minusYears(8).toInstant();
        Instant future = TestPki.T_LEAF.plusSeconds(60);
        for (Instant first : List.of(tooOld, future)) {
            CertificateRequest request =
                    FIXTURE.citizenRequest(CertificateProfile.CITIZEN_SIGNATURE, EC_KEY, NAME, first);
            assertThatThrownBy(() -> FIXTURE.issuance(TestPki.T_LEAF).prepare(request, FIXTURE.citizenCa()))
                    .as(first.toString())
                    .isInstanceOfSatisfying(
                            IssuanceRefusedException.class,
                            e -> assertThat(e.code()).isEqualTo(IssuanceRefusedException.Code.BAD_REQUEST));
        }
    }

    @Test
    void commonNameMustBeTheNfcNameByteForByte() {
        // NFD in the certificate: the string compares equal after normalisation, the bytes do not.
        String nfc = "Yü-Ching 林";
        String nfd = "Yu\u0308-Ching 林";
        X509CertificateHolder good =
                FIXTURE.issueCitizen(FIXTURE.citizenRequest(CertificateProfile.CITIZEN_SIGNATURE, EC_KEY, nfc, null));
        X500Name nfdSubject = new X500Name(new RDN[] {
            new RDN(BCStyle.C, new DERPrintableString("TW")),
            new RDN(BCStyle.CN, new DERUTF8String(nfd)),
            new RDN(BCStyle.SERIALNUMBER, new DERPrintableString(EndEntityFixture.SUBSCRIBER_ID))
        });
        List<LintFinding> findings = lint.check(
                FIXTURE.citizenRequest(CertificateProfile.CITIZEN_SIGNATURE, EC_KEY, nfc, null),
                ProfileLintTest.Remake.of(good, pki.citizenCaKey)
                        .with(r -> r.subject = nfdSubject)
                        .build(),
                FIXTURE.citizenCa());
        assertThat(findings).extracting(LintFinding::rule).contains("holder-name", "subject");
        assertThat(findings)
                .extracting(LintFinding::detail)
                .anyMatch(d -> d.contains("byte for byte"))
                .anyMatch(d -> d.contains("NFC"));
        // The CN as a PrintableString-free BMPString: same characters, wrong type.
        X500Name bmp = new X500Name(new RDN[] {
            new RDN(BCStyle.C, new DERPrintableString("TW")),
            new RDN(BCStyle.CN, new org.bouncycastle.asn1.DERBMPString(nfc)),
            new RDN(BCStyle.SERIALNUMBER, new DERPrintableString(EndEntityFixture.SUBSCRIBER_ID))
        });
        assertThat(lint.check(
                        FIXTURE.citizenRequest(CertificateProfile.CITIZEN_SIGNATURE, EC_KEY, nfc, null),
                        ProfileLintTest.Remake.of(good, pki.citizenCaKey)
                                .with(r -> r.subject = bmp)
                                .build(),
                        FIXTURE.citizenCa()))
                .extracting(LintFinding::rule)
                .contains("holder-name", "subject");
    }

    @Test
    void operatorWithTwoRolesOrNone() {
        X509CertificateHolder operator =
                FIXTURE.issueByRaOperatorsCa(FIXTURE.operatorRequest(EC_KEY, OperatorRole.AUDITOR));
        CertificatePolicies two = new CertificatePolicies(new PolicyInformation[] {
            new PolicyInformation(new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.3.6.1.5.5.7.13.4")),
            new PolicyInformation(new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.3.6.1.5.5.7.13.5"))
        });
        assertThat(lint.check(
                        FIXTURE.operatorRequest(EC_KEY, OperatorRole.AUDITOR),
                        ProfileLintTest.Remake.of(operator, pki.raKey)
                                .with(r -> r.put(Extension.certificatePolicies, false, two))
                                .build(),
                        FIXTURE.raOperatorsCa()))
                .extracting(LintFinding::rule)
                .containsExactly("certificate-policies", "certificate-policies");
        assertThat(lint.check(
                        FIXTURE.operatorRequest(EC_KEY, OperatorRole.AUDITOR),
                        ProfileLintTest.Remake.of(operator, pki.raKey)
                                .with(r -> r.remove(Extension.certificatePolicies))
                                .build(),
                        FIXTURE.raOperatorsCa()))
                .extracting(LintFinding::rule)
                .containsExactly("missing-extension");
    }

    @Test
    void tlsServerWithAnotherHostOrACriticalSan() {
        KeyPair key = TestPki.generate(PublicKeyType.EC_P384);
        X509CertificateHolder tls = FIXTURE.issueByRaOperatorsCa(FIXTURE.tlsRequest(key));
        GeneralNames extra = new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
            new GeneralName(GeneralName.iPAddress, "::1"), new GeneralName(GeneralName.dNSName, "evil.example")
        });
        assertThat(lint.check(
                        FIXTURE.tlsRequest(key),
                        ProfileLintTest.Remake.of(tls, pki.raKey)
                                .with(r -> r.put(Extension.subjectAlternativeName, false, extra))
                                .build(),
                        FIXTURE.raOperatorsCa()))
                .extracting(LintFinding::rule)
                .containsExactly("subject-alt-name");
        GeneralNames same = GeneralNames.getInstance(
                tls.getExtension(Extension.subjectAlternativeName).getParsedValue());
        assertThat(lint.check(
                        FIXTURE.tlsRequest(key),
                        ProfileLintTest.Remake.of(tls, pki.raKey)
                                .with(r -> r.put(Extension.subjectAlternativeName, true, same))
                                .build(),
                        FIXTURE.raOperatorsCa()))
                .extracting(LintFinding::rule)
                .containsExactly("subject-alt-name");
    }

    @Test
    void requestsOutsideTheProfileAreRefusedBeforeAnythingIsSigned() {
        X500Name subject = PkiNames.citizen(FIXTURE.name(NAME), EndEntityFixture.SUBSCRIBER_ID);
        // Registration data is required, and must be of the profile's kind.
        assertThatThrownBy(() ->
                        new CertificateRequest(CertificateProfile.CITIZEN_SIGNATURE, subject, TestPki.spki(EC_KEY)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("registration data");
        assertThatThrownBy(() -> new CertificateRequest(
                        CertificateProfile.OPERATOR, subject, TestPki.spki(EC_KEY), FIXTURE.citizen(NAME, null)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CertificateRequest(
                        CertificateProfile.CITIZEN_CA, subject, TestPki.spki(EC_KEY), FIXTURE.citizen(NAME, null)))
                .isInstanceOf(IllegalArgumentException.class);
        // Chip keys are RSA-2048 or P-256; the TLS server key is EC.
        assertThatThrownBy(() -> FIXTURE.citizenRequest(
                        CertificateProfile.CITIZEN_SIGNATURE, TestPki.generate(PublicKeyType.EC_P384), NAME, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FIXTURE.tlsRequest(RSA_KEY)).isInstanceOf(IllegalArgumentException.class);
        // Registration data checks.
        HolderName name = FIXTURE.name(NAME);
        assertThatThrownBy(() -> new CertificateRequest.Citizen(
                        name, EndEntityFixture.NATIONAL_ID + "XYZ123", EndEntityFixture.LAST4, 1, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CertificateRequest.Citizen(name, EndEntityFixture.SUBSCRIBER_ID, "678", 1, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CertificateRequest.Citizen(name, EndEntityFixture.SUBSCRIBER_ID, "６７８９", 1, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CertificateRequest.Citizen(
                        name, EndEntityFixture.SUBSCRIBER_ID, EndEntityFixture.LAST4, 0, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() ->
                        new CertificateRequest.Operator(EndEntityFixture.NATIONAL_ID, "office", OperatorRole.ADMIN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("national ID");
        for (List<String> hosts : List.of(
                List.<String>of(),
                List.of("*.example.tw"),
                List.of("Upper.example"),
                List.of("localhost", "localhost"),
                List.of("fe80::1%eth0"),
                List.of("256.1.1.1"),
                List.of("localhost."))) {
            assertThatThrownBy(() -> new CertificateRequest.RaTlsServer(hosts))
                    .as(hosts.toString())
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(FIXTURE.citizen(NAME, null).toString()).doesNotContain(NAME).doesNotContain(EndEntityFixture.LAST4);
        // An operator certificate from the Citizen CA, a citizen certificate from the RA Operators CA.
        assertThatThrownBy(() -> FIXTURE.issuance(TestPki.T_LEAF)
                        .prepare(FIXTURE.operatorRequest(EC_KEY, OperatorRole.OFFICER), FIXTURE.citizenCa()))
                .isInstanceOfSatisfying(
                        IssuanceRefusedException.class,
                        e -> assertThat(e.code()).isEqualTo(IssuanceRefusedException.Code.BAD_REQUEST));
        assertThatThrownBy(() -> FIXTURE.issuance(TestPki.T_LEAF)
                        .prepare(
                                FIXTURE.citizenRequest(CertificateProfile.CITIZEN_SIGNATURE, EC_KEY, NAME, null),
                                FIXTURE.raOperatorsCa()))
                .isInstanceOf(IssuanceRefusedException.class);
    }

    @Test
    void aCitizenCertificateOutlivingItsCaIsRefusedByTheLint() {
        Instant nearCaExpiry = pki.citizenCa.getNotAfter().toInstant().minusSeconds(86400L * 365);
        CertificateRequest request = FIXTURE.citizenRequest(CertificateProfile.CITIZEN_SIGNATURE, EC_KEY, NAME, null);
        assertThatThrownBy(() -> FIXTURE.issuance(nearCaExpiry).prepare(request, FIXTURE.citizenCa()))
                .isInstanceOfSatisfying(IssuanceRefusedException.class, e -> {
                    assertThat(e.code()).isEqualTo(IssuanceRefusedException.Code.LINT_FAILED);
                    assertThat(e.findings()).extracting(LintFinding::rule).containsExactly("validity-nesting");
                });
    }

    // --- helpers -------------------------------------------------------------------------------

    private List<LintFinding> citizenFindings(
            CertificateProfile profile, KeyPair key, Instant firstIssuance, Consumer<ProfileLintTest.Remake> edit) {
        CertificateRequest request = FIXTURE.citizenRequest(profile, key, NAME, firstIssuance);
        X509CertificateHolder good = FIXTURE.issueCitizen(request);
        X509CertificateHolder bad =
                ProfileLintTest.Remake.of(good, pki.citizenCaKey).with(edit).build();
        return lint.check(request, bad, FIXTURE.citizenCa());
    }

    private static ASN1Encodable sda(ASN1Encodable value) {
        return new DERSequence(new DERSequence(new ASN1Encodable[] {
            new org.bouncycastle.asn1.ASN1ObjectIdentifier("2.16.886.1.100.2.51"), new DERSet(value)
        }));
    }

    private static CRLDistPoint crlDp(String url) {
        return new CRLDistPoint(new DistributionPoint[] {
            new DistributionPoint(
                    new DistributionPointName(
                            new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, url))),
                    null,
                    null)
        });
    }
}
