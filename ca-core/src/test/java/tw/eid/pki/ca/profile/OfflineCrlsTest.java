package tw.eid.pki.ca.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.cert.CRLReason;
import java.security.cert.X509CRL;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Citizen Root ARL and the CSCA CRL, judged by the JDK and openssl. */
class OfflineCrlsTest {

    private static final Instant T_CRL = TestPki.T0.plus(Duration.ofDays(3));

    private final TestPki pki = TestPki.ec();
    private final OfflineCrls crls = new OfflineCrls(pki.settings, Clock.fixed(T_CRL, ZoneOffset.UTC), TestPki.RANDOM);

    @TempDir
    Path dir;

    @Test
    void citizenRootArl() throws Exception {
        BigInteger revokedCa = pki.citizenCa.getSerialNumber();
        BigInteger revokedRa = pki.raOperatorsCa.getSerialNumber();
        X509CRLHolder arl = crls.sign(
                crls.prepare(
                        CrlProfile.CITIZEN_ROOT_ARL,
                        pki.rootCa(),
                        BigInteger.valueOf(7),
                        List.of(
                                new RevokedEntry(revokedCa, T_CRL.minusSeconds(3600), RevocationReason.CA_COMPROMISE),
                                new RevokedEntry(revokedRa, T_CRL.minusSeconds(60), RevocationReason.SUPERSEDED))),
                TestPki.signer(pki.rootKey));

        X509CRL crl = TestPki.jdkCrl(arl.getEncoded());
        crl.verify(TestPki.jdk(pki.root).getPublicKey());
        assertThat(crl.getVersion()).isEqualTo(2);
        assertThat(crl.getSigAlgOID()).isEqualTo("1.2.840.10045.4.3.3");
        assertThat(crl.getIssuerX500Principal().getEncoded())
                .isEqualTo(TestPki.jdk(pki.root).getSubjectX500Principal().getEncoded());
        assertThat(crl.getThisUpdate().toInstant()).isEqualTo(T_CRL);
        assertThat(crl.getNextUpdate().toInstant()).isEqualTo(T_CRL.plus(Duration.ofDays(365)));
        assertThat(Duration.between(T_CRL, crl.getNextUpdate().toInstant())).isLessThanOrEqualTo(Duration.ofDays(366));
        assertCrlExtensions(crl, TestPki.jdk(pki.root).getExtensionValue("2.5.29.14"), 7);
        assertThat(crl.getRevokedCertificates()).hasSize(2);
        assertThat(crl.getRevokedCertificate(revokedCa).getRevocationReason()).isEqualTo(CRLReason.CA_COMPROMISE);
        assertThat(crl.getRevokedCertificate(revokedCa).getRevocationDate().toInstant())
                .isEqualTo(T_CRL.minusSeconds(3600));
        assertThat(crl.getRevokedCertificate(revokedRa).getRevocationReason()).isEqualTo(CRLReason.SUPERSEDED);
        for (var entry : crl.getRevokedCertificates()) {
            assertThat(entry.getNonCriticalExtensionOIDs()).containsExactly("2.5.29.21");
            assertThat(entry.getCriticalExtensionOIDs()).isNullOrEmpty();
        }

        String root = OpenSslCli.writePem(dir, "root.pem", "CERTIFICATE", TestPki.der(pki.root))
                .toString();
        String file = OpenSslCli.writePem(dir, "arl.pem", "X509 CRL", arl.getEncoded())
                .toString();
        OpenSslCli.Result verify = OpenSslCli.openssl(dir, "crl", "-in", file, "-CAfile", root, "-noout", "-verify");
        assertThat(verify.exitCode()).as(verify.output()).isZero();
        assertThat(verify.output()).contains("verify OK");
        OpenSslCli.Result text = OpenSslCli.openssl(dir, "crl", "-in", file, "-noout", "-text");
        assertThat(text.output())
                .contains("CA Compromise")
                .contains("Superseded")
                .doesNotContain("Unspecified")
                .contains("X509v3 CRL Number")
                .contains("X509v3 Authority Key Identifier")
                .doesNotContain("Issuing Distribution Point")
                .doesNotContain("Delta CRL");
        OpenSslCli.Result gnutls = OpenSslCli.certtool(dir, "--crl-info", "--infile", file);
        assertThat(gnutls.exitCode()).as(gnutls.output()).isZero();
        // And the other CA's key does not verify it.
        String csca = OpenSslCli.writePem(dir, "csca.pem", "CERTIFICATE", TestPki.der(pki.csca))
                .toString();
        assertThat(OpenSslCli.openssl(dir, "crl", "-in", file, "-CAfile", csca, "-noout", "-verify")
                        .output())
                .doesNotContain("verify OK");
    }

    @Test
    void emptyCscaCrl() throws Exception {
        X509CRLHolder signed = crls.sign(
                crls.prepare(CrlProfile.CSCA_CRL, pki.cscaCa(), BigInteger.ONE, List.of()),
                TestPki.signer(pki.cscaKey));
        X509CRL crl = TestPki.jdkCrl(signed.getEncoded());
        var cscaKey = KeyFactory.getInstance("EC", TestPki.BC)
                .generatePublic(new X509EncodedKeySpec(
                        TestPki.jdk(pki.csca).getPublicKey().getEncoded()));
        crl.verify(cscaKey, TestPki.BC);
        assertThat(crl.getVersion()).isEqualTo(2);
        assertThat(crl.getRevokedCertificates()).isNull();
        assertThat(Duration.between(
                        crl.getThisUpdate().toInstant(), crl.getNextUpdate().toInstant()))
                .isEqualTo(Duration.ofDays(90));
        assertThat(crl.getIssuerX500Principal().getEncoded())
                .isEqualTo(TestPki.jdk(pki.csca).getSubjectX500Principal().getEncoded());
        assertCrlExtensions(crl, TestPki.jdk(pki.csca).getExtensionValue("2.5.29.14"), 1);

        String csca = OpenSslCli.writePem(dir, "csca.pem", "CERTIFICATE", TestPki.der(pki.csca))
                .toString();
        String file = OpenSslCli.writePem(dir, "csca-crl.pem", "X509 CRL", signed.getEncoded())
                .toString();
        OpenSslCli.Result verify = OpenSslCli.openssl(dir, "crl", "-in", file, "-CAfile", csca, "-noout", "-verify");
        assertThat(verify.output()).contains("verify OK");
        assertThat(OpenSslCli.openssl(dir, "crl", "-in", file, "-noout", "-text")
                        .output())
                .contains("No Revoked Certificates");
    }

    @Test
    void refusesTheWrongCaAndTheWrongSigner() {
        assertThatThrownBy(() -> crls.prepare(CrlProfile.CSCA_CRL, pki.rootCa(), BigInteger.ONE, List.of()))
                .isInstanceOfSatisfying(
                        IssuanceRefusedException.class,
                        e -> assertThat(e.code()).isEqualTo(IssuanceRefusedException.Code.BAD_REQUEST));
        PreparedCrl prepared = crls.prepare(CrlProfile.CITIZEN_ROOT_ARL, pki.rootCa(), BigInteger.TWO, List.of());
        // Another algorithm would change the TBS the lint saw.
        assertThatThrownBy(() -> crls.sign(prepared, TestPki.signer(pki.rootKey, SignatureAlgorithms.ECDSA_SHA256)))
                .isInstanceOfSatisfying(
                        IssuanceRefusedException.class,
                        e -> assertThat(e.code()).isEqualTo(IssuanceRefusedException.Code.TBS_MISMATCH));
        // The right algorithm on the wrong key (the Citizen CA's P-384 key, not the root's).
        assertThatThrownBy(() -> crls.sign(prepared, TestPki.signer(pki.citizenCaKey)))
                .isInstanceOfSatisfying(
                        IssuanceRefusedException.class,
                        e -> assertThat(e.code()).isEqualTo(IssuanceRefusedException.Code.BAD_SIGNATURE));
        // The same serial twice.
        RevokedEntry e = new RevokedEntry(BigInteger.TEN, T_CRL, RevocationReason.KEY_COMPROMISE);
        assertThatThrownBy(() -> crls.prepare(CrlProfile.CITIZEN_ROOT_ARL, pki.rootCa(), BigInteger.TWO, List.of(e, e)))
                .isInstanceOf(IssuanceRefusedException.class);
        // A revocation in the future of thisUpdate is refused by the lint.
        RevokedEntry future = new RevokedEntry(BigInteger.TEN, T_CRL.plusSeconds(5), RevocationReason.KEY_COMPROMISE);
        assertThatThrownBy(
                        () -> crls.prepare(CrlProfile.CITIZEN_ROOT_ARL, pki.rootCa(), BigInteger.TWO, List.of(future)))
                .isInstanceOfSatisfying(
                        IssuanceRefusedException.class,
                        ex -> assertThat(ex.findings())
                                .extracting(LintFinding::rule)
                                .contains("revocation-date"));
    }

    @Test
    void lintCatchesUnspecifiedReasonIdpDeltaAndLongLifetime() throws Exception {
        X509v2CRLBuilder b = new X509v2CRLBuilder(pki.root.getSubject(), Date.from(T_CRL));
        b.setNextUpdate(Date.from(T_CRL.plus(Duration.ofDays(400))));
        b.addCRLEntry(BigInteger.valueOf(1000), Date.from(T_CRL), org.bouncycastle.asn1.x509.CRLReason.unspecified);
        b.addCRLEntry(BigInteger.valueOf(1001), Date.from(T_CRL), org.bouncycastle.asn1.x509.CRLReason.removeFromCRL);
        b.addExtension(
                Extension.authorityKeyIdentifier,
                false,
                new AuthorityKeyIdentifier(SubjectKeyIdentifier.fromExtensions(pki.root.getExtensions())
                        .getKeyIdentifier()));
        b.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.ONE));
        b.addExtension(
                Extension.issuingDistributionPoint,
                true,
                new IssuingDistributionPoint(
                        new DistributionPointName(new GeneralNames(new GeneralName(
                                GeneralName.uniformResourceIdentifier, "http://127.0.0.1:8080/crl/citizen-root.crl"))),
                        false,
                        false));
        b.addExtension(Extension.deltaCRLIndicator, true, new CRLNumber(BigInteger.ONE));
        X509CRLHolder bad = b.build(TestPki.signer(pki.rootKey));

        List<LintFinding> findings = new CrlLint(pki.settings).check(CrlProfile.CITIZEN_ROOT_ARL, bad, pki.rootCa());
        assertThat(findings)
                .extracting(LintFinding::rule)
                .contains("reason-code", "unexpected-extension", "next-update");
        assertThat(findings.stream().filter(f -> f.rule().equals("reason-code")))
                .hasSize(2);
        assertThat(findings.stream().filter(f -> f.rule().equals("unexpected-extension")))
                .hasSize(2);
    }

    @Test
    void theSignedCrlsPassTheirLint() {
        CrlLint lint = new CrlLint(pki.settings);
        X509CRLHolder arl = crls.sign(
                crls.prepare(
                        CrlProfile.CITIZEN_ROOT_ARL,
                        pki.rootCa(),
                        BigInteger.ONE,
                        List.of(new RevokedEntry(BigInteger.valueOf(12345), T_CRL, RevocationReason.CERTIFICATE_HOLD))),
                TestPki.signer(pki.rootKey));
        assertThat(lint.check(CrlProfile.CITIZEN_ROOT_ARL, arl, pki.rootCa())).isEmpty();
        assertThat(lint.check(CrlProfile.CSCA_CRL, arl, pki.rootCa()))
                .extracting(LintFinding::rule)
                .contains("issuer-profile");
    }

    private static void assertCrlExtensions(X509CRL crl, byte[] issuerSkiExtension, int number) throws Exception {
        assertThat(crl.getCriticalExtensionOIDs()).isNullOrEmpty();
        assertThat(crl.getNonCriticalExtensionOIDs()).containsExactlyInAnyOrder("2.5.29.35", "2.5.29.20");
        byte[] aki =
                ASN1OctetString.getInstance(crl.getExtensionValue("2.5.29.35")).getOctets();
        byte[] ski = ASN1OctetString.getInstance(issuerSkiExtension).getOctets();
        assertThat(AuthorityKeyIdentifier.getInstance(aki).getKeyIdentifierOctets())
                .isEqualTo(SubjectKeyIdentifier.getInstance(ski).getKeyIdentifier());
        byte[] crlNumber =
                ASN1OctetString.getInstance(crl.getExtensionValue("2.5.29.20")).getOctets();
        assertThat(CRLNumber.getInstance(crlNumber).getCRLNumber()).isEqualTo(BigInteger.valueOf(number));
    }
}
