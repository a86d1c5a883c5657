package tw.eid.pki.ca.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.operator.ContentSigner;
import org.junit.jupiter.api.Test;

/** Two-phase issuance refuses rather than hand out anything the lint has not seen. */
class CertificateIssuanceTest {

    private final TestPki pki = TestPki.ec();
    private final PkiNames names = pki.settings.names();
    private final KeyPair caKey = TestPki.generate(PublicKeyType.EC_P384);

    private CertificateRequest citizenCaRequest() {
        return new CertificateRequest(CertificateProfile.CITIZEN_CA, names.citizenCa(), TestPki.spki(caKey));
    }

    @Test
    void theIssuedTbsIsTheLintedTbs() throws Exception {
        CertificateIssuance issuance = pki.issuance(TestPki.T_CA);
        PreparedCertificate prepared = issuance.prepare(citizenCaRequest(), pki.rootCa());
        X509CertificateHolder issued = issuance.issue(prepared, TestPki.signer(pki.rootKey));
        assertThat(issued.toASN1Structure().getTBSCertificate().getEncoded("DER"))
                .isEqualTo(prepared.tbsCertificate());
        assertThat(issued.getSerialNumber()).isEqualTo(prepared.serialNumber());
        assertThat(issued.getNotBefore().toInstant()).isEqualTo(prepared.notBefore());
        assertThat(prepared.profile().id()).isEqualTo("citizen-ca/1");
    }

    @Test
    void aSignerWithAnotherAlgorithmIsATbsMismatch() {
        CertificateIssuance issuance = pki.issuance(TestPki.T_CA);
        PreparedCertificate prepared = issuance.prepare(citizenCaRequest(), pki.rootCa());
        // The root is P-384 (ecdsa-with-SHA384); a token signer set up for SHA-256 would put another
        // AlgorithmIdentifier into the TBS.
        ContentSigner sha256 = TestPki.signer(pki.rootKey, SignatureAlgorithms.ECDSA_SHA256);
        assertThatThrownBy(() -> issuance.issue(prepared, sha256))
                .isInstanceOfSatisfying(
                        IssuanceRefusedException.class,
                        e -> assertThat(e.code()).isEqualTo(IssuanceRefusedException.Code.TBS_MISMATCH));
    }

    @Test
    void aSignerThatLiesAboutItsAlgorithmIsCaught() {
        CertificateIssuance issuance = pki.issuance(TestPki.T_CA);
        PreparedCertificate prepared = issuance.prepare(citizenCaRequest(), pki.rootCa());
        ContentSigner real = TestPki.signer(pki.rootKey, SignatureAlgorithms.ECDSA_SHA256);
        // Claims SHA-384 (so the TBS matches) but signs with SHA-256: the signature check refuses it.
        ContentSigner liar = new ContentSigner() {
            @Override
            public AlgorithmIdentifier getAlgorithmIdentifier() {
                return SignatureAlgorithms.ECDSA_SHA384;
            }

            @Override
            public java.io.OutputStream getOutputStream() {
                return real.getOutputStream();
            }

            @Override
            public byte[] getSignature() {
                return real.getSignature();
            }
        };
        assertThatThrownBy(() -> issuance.issue(prepared, liar))
                .isInstanceOfSatisfying(
                        IssuanceRefusedException.class,
                        e -> assertThat(e.code()).isEqualTo(IssuanceRefusedException.Code.BAD_SIGNATURE));
    }

    @Test
    void theWrongTokenKeyIsCaught() {
        CertificateIssuance issuance = pki.issuance(TestPki.T_CA);
        PreparedCertificate prepared = issuance.prepare(citizenCaRequest(), pki.rootCa());
        assertThatThrownBy(() -> issuance.issue(prepared, TestPki.signer(caKey)))
                .isInstanceOfSatisfying(
                        IssuanceRefusedException.class,
                        e -> assertThat(e.code()).isEqualTo(IssuanceRefusedException.Code.BAD_SIGNATURE));
    }

    @Test
    void anIssuerOutsideTheProfilesIssuerRowIsRefused() {
        CertificateRequest ocsp = new CertificateRequest(
                CertificateProfile.OCSP_SIGNER,
                names.ocspResponder(CertificateProfile.CITIZEN_CA),
                TestPki.spki(TestPki.generate(PublicKeyType.EC_P256)));
        assertThatThrownBy(() -> pki.issuance(TestPki.T_LEAF).prepare(ocsp, pki.rootCa()))
                .isInstanceOfSatisfying(
                        IssuanceRefusedException.class,
                        e -> assertThat(e.code()).isEqualTo(IssuanceRefusedException.Code.BAD_REQUEST));
        assertThatThrownBy(() -> pki.issuance(TestPki.T_LEAF).prepareSelfSigned(citizenCaRequest()))
                .isInstanceOf(IssuanceRefusedException.class);
    }

    @Test
    void theLintRefusesAnOcspSignerOutlivingItsCa() {
        Instant nearCaExpiry = pki.citizenCa.getNotAfter().toInstant().minus(Duration.ofDays(10));
        CertificateRequest ocsp = new CertificateRequest(
                CertificateProfile.OCSP_SIGNER,
                names.ocspResponder(CertificateProfile.CITIZEN_CA),
                TestPki.spki(TestPki.generate(PublicKeyType.EC_P256)));
        assertThatThrownBy(() -> pki.issuance(nearCaExpiry).prepare(ocsp, pki.citizenCaCa()))
                .isInstanceOfSatisfying(IssuanceRefusedException.class, e -> {
                    assertThat(e.code()).isEqualTo(IssuanceRefusedException.Code.LINT_FAILED);
                    assertThat(e.findings()).extracting(LintFinding::rule).containsExactly("validity-nesting");
                });
    }

    @Test
    void theLintRefusesADocumentSignerAfterTheCscaKeyUsagePeriod() {
        Instant afterUsage = TestPki.T0.plus(Duration.ofDays(5 * 366));
        CertificateRequest ds = new CertificateRequest(
                CertificateProfile.DOCUMENT_SIGNER,
                names.documentSigner(2),
                TestPki.spki(TestPki.generate(PublicKeyType.EC_P384)));
        assertThatThrownBy(() -> pki.issuance(afterUsage).prepare(ds, pki.cscaCa()))
                .isInstanceOfSatisfying(
                        IssuanceRefusedException.class,
                        e -> assertThat(e.findings())
                                .extracting(LintFinding::rule)
                                .contains("issuer-key-usage-period"));
    }

    @Test
    void theLintRefusesASubjectNotFromConfiguration() {
        CertificateRequest odd = new CertificateRequest(
                CertificateProfile.CITIZEN_CA,
                new org.bouncycastle.asn1.x500.X500Name("C=TW,O=Somebody Else,CN=Citizen CA"),
                TestPki.spki(caKey));
        assertThatThrownBy(() -> pki.issuance(TestPki.T_CA).prepare(odd, pki.rootCa()))
                .isInstanceOfSatisfying(
                        IssuanceRefusedException.class,
                        e -> assertThat(e.findings())
                                .extracting(LintFinding::rule)
                                .contains("subject"));
    }

    @Test
    void aRequestForAKeyTypeTheProfileDoesNotCertifyIsRefused() {
        assertThatThrownBy(() -> new CertificateRequest(
                        CertificateProfile.OCSP_SIGNER,
                        names.ocspResponder(CertificateProfile.CITIZEN_CA),
                        TestPki.spki(caKey)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("EC_P384");
        assertThatThrownBy(() -> new CertificateRequest(
                        CertificateProfile.RA_OPERATORS_CA,
                        names.raOperatorsCa(),
                        TestPki.spki(TestPki.generate(PublicKeyType.RSA_2048))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCaCertificateMustBeACa() {
        assertThatThrownBy(() -> new CaCertificate(CertificateProfile.CITIZEN_CA, pki.ocsp))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CaCertificate(CertificateProfile.OCSP_SIGNER, pki.citizenCa))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
