package tw.eid.pki.ca.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1UTCTime;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole ceremony's certificates and offline CRLs made on an injected clock at the calendar's
 * edges: 28 and 29 February and 1 March of a leap year, 31 December, the first of a month, the
 * 32-bit time_t limit of 2038, the last second of UTCTime (2049) and dates past 2050 (RFC 5280
 * §4.1.2.5: GeneralizedTime from 2050; the 25-year Citizen Root made today already ends after
 * 2050). Each date is taken twice: with the root and CSCA made on it, and with the OCSP signer
 * and Document Signer made on it (the root two days earlier).
 *
 * <p>On each: every certificate passes its own lint, every time is UTCTime exactly when its year
 * is before 2050, openssl verifies every chain strictly at the leaves' issuance and at the last
 * second of the Document Signer's validity, and both offline CRLs verify with openssl and keep
 * their lifetimes.
 */
class CalendarEdgeDatesTest {

    private static final List<String> EDGES = List.of(
            "2026-12-07T00:00:00Z",
            "2027-12-31T23:59:59Z",
            "2028-02-28T23:59:59Z",
            "2028-02-29T00:00:00Z",
            "2028-02-29T23:59:59Z",
            "2028-03-01T00:00:00Z",
            "2031-12-07T00:00:00Z",
            "2032-02-29T12:00:00Z",
            "2038-01-19T03:14:08Z",
            "2049-12-31T23:59:59Z",
            "2050-01-01T00:00:00Z",
            "2052-02-29T12:00:00Z",
            "2061-06-01T00:00:00Z");

    @TempDir
    Path dir;

    static Stream<Arguments> edges() {
        List<Arguments> all = new ArrayList<>();
        for (String edge : EDGES) {
            Instant at = Instant.parse(edge);
            all.add(Arguments.of(edge + " (root and CSCA)", at));
            all.add(Arguments.of(edge + " (OCSP signer and DS)", at.minus(Duration.ofDays(2))));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("edges")
    void theCeremonysCertificatesHoldOnTheEdge(String name, Instant t0) throws Exception {
        ProfileSettings settings = ProfileSettings.defaults();
        TestPki pki = new TestPki(settings, PublicKeyType.EC_P384, PublicKeyType.EC_P384, t0);

        assertThat(pki.lintFindings()).isEmpty();

        for (X509CertificateHolder h :
                List.of(pki.root, pki.citizenCa, pki.raOperatorsCa, pki.ocsp, pki.csca, pki.documentSigner)) {
            assertTimeType(h.toASN1Structure().getStartDate(), h.getSubject() + " notBefore");
            assertTimeType(h.toASN1Structure().getEndDate(), h.getSubject() + " notAfter");
            X509Certificate jdk = TestPki.jdk(h);
            assertThat(jdk.getNotBefore().toInstant()).isIn(t0, pki.tCa(), pki.tLeaf());
            assertThat(jdk.getNotAfter()).isAfter(jdk.getNotBefore());
        }
        // The root's 25 years from 2026 on end after 2050: GeneralizedTime, which openssl reads back.
        if (t0.atZone(ZoneOffset.UTC).getYear() + 25 >= 2050) {
            assertThat(pki.root.toASN1Structure().getEndDate().toASN1Primitive())
                    .isInstanceOf(ASN1GeneralizedTime.class);
        }

        String root = pem("root.pem", pki.root);
        String ca = pem("ca.pem", pki.citizenCa);
        String csca = pem("csca.pem", pki.csca);
        String ds = pem("ds.pem", pki.documentSigner);
        String atLeaves = Long.toString(pki.tLeaf().plus(Duration.ofHours(1)).getEpochSecond());
        assertVerified(OpenSslCli.openssl(
                dir,
                "verify",
                "-x509_strict",
                "-attime",
                atLeaves,
                "-CAfile",
                root,
                "-untrusted",
                ca,
                pem("ocsp.pem", pki.ocsp)));
        assertVerified(OpenSslCli.openssl(
                dir, "verify", "-x509_strict", "-attime", atLeaves, "-CAfile", root, pem("ra.pem", pki.raOperatorsCa)));
        assertVerified(OpenSslCli.openssl(dir, "verify", "-x509_strict", "-attime", atLeaves, "-CAfile", csca, ds));
        // The last seconds of the DS (the last card it signed is still being read): the CSCA holds.
        // (openssl's X509_cmp_time counts notAfter itself as expired, though RFC 5280 includes it.)
        String dsLast = Long.toString(
                TestPki.jdk(pki.documentSigner).getNotAfter().toInstant().getEpochSecond() - 1);
        assertVerified(OpenSslCli.openssl(dir, "verify", "-x509_strict", "-attime", dsLast, "-CAfile", csca, ds));
        // And a second later it has expired: the check above is not vacuous.
        String dsAfter = Long.toString(
                TestPki.jdk(pki.documentSigner).getNotAfter().toInstant().getEpochSecond() + 1);
        assertThat(OpenSslCli.openssl(dir, "verify", "-attime", dsAfter, "-CAfile", csca, ds)
                        .output())
                .contains("certificate has expired");

        // The RA's end-entity certificates on the same day: a citizen signature certificate, a
        // renewal whose 8-year cap from a first issuance on the edge decides its end, and an operator.
        CertificateIssuance atLeaf = pki.issuance(pki.tLeaf());
        CertificateRequest citizen = CertificateRequest.citizen(
                CertificateProfile.CITIZEN_SIGNATURE,
                new CertificateRequest.Citizen(
                        HolderName.of("王小明", settings.holderNamePrivateUse()), "7K3M9XQ2HV4TN8RW", "6789", 1, null),
                TestPki.spki(TestPki.generate(PublicKeyType.EC_P256)));
        X509CertificateHolder citizenCert =
                atLeaf.issue(atLeaf.prepare(citizen, pki.citizenCaCa()), TestPki.signer(pki.citizenCaKey));
        Instant firstIssuance = pki.tLeaf().atZone(ZoneOffset.UTC).minusYears(4).toInstant();
        CertificateRequest renewal = CertificateRequest.citizen(
                CertificateProfile.CITIZEN_SIGNATURE,
                new CertificateRequest.Citizen(
                        HolderName.of("王小明", settings.holderNamePrivateUse()),
                        "7K3M9XQ2HV4TN8RW",
                        "6789",
                        1,
                        firstIssuance),
                TestPki.spki(TestPki.generate(PublicKeyType.EC_P256)));
        X509CertificateHolder renewed =
                atLeaf.issue(atLeaf.prepare(renewal, pki.citizenCaCa()), TestPki.signer(pki.citizenCaKey));
        CaCertificate operatorsCa = new CaCertificate(CertificateProfile.RA_OPERATORS_CA, pki.raOperatorsCa);
        X509CertificateHolder operator = atLeaf.issue(
                atLeaf.prepare(
                        CertificateRequest.operator(
                                settings.names(),
                                new CertificateRequest.Operator("officer-0042", "大安區戶政事務所", OperatorRole.OFFICER),
                                TestPki.spki(TestPki.generate(PublicKeyType.EC_P256))),
                        operatorsCa),
                TestPki.signer(pki.raKey));
        for (X509CertificateHolder h : List.of(citizenCert, renewed, operator)) {
            assertTimeType(h.toASN1Structure().getStartDate(), h.getSubject() + " notBefore");
            assertTimeType(h.toASN1Structure().getEndDate(), h.getSubject() + " notAfter");
        }
        // The renewal ends at the cap: 8 calendar years after the first issuance, whatever 29 Februaries lie between.
        assertThat(TestPki.jdk(renewed).getNotAfter().toInstant())
                .isEqualTo(firstIssuance
                        .atZone(ZoneOffset.UTC)
                        .plusYears(8)
                        .toInstant()
                        .minusSeconds(1));
        assertVerified(OpenSslCli.openssl(
                dir,
                "verify",
                "-x509_strict",
                "-attime",
                atLeaves,
                "-CAfile",
                root,
                "-untrusted",
                ca,
                pem("citizen.pem", citizenCert)));
        assertVerified(OpenSslCli.openssl(
                dir,
                "verify",
                "-x509_strict",
                "-attime",
                atLeaves,
                "-CAfile",
                root,
                "-untrusted",
                pem("ra.pem", pki.raOperatorsCa),
                pem("operator.pem", operator)));

        Instant tCrl = pki.tLeaf();
        OfflineCrls crls = new OfflineCrls(settings, Clock.fixed(tCrl, ZoneOffset.UTC), TestPki.RANDOM);
        X509CRLHolder arl = crls.sign(
                crls.prepare(
                        CrlProfile.CITIZEN_ROOT_ARL,
                        pki.rootCa(),
                        BigInteger.TWO,
                        List.of(new RevokedEntry(
                                pki.raOperatorsCa.getSerialNumber(),
                                tCrl.minusSeconds(1),
                                RevocationReason.SUPERSEDED))),
                TestPki.signer(pki.rootKey));
        X509CRLHolder cscaCrl = crls.sign(
                crls.prepare(CrlProfile.CSCA_CRL, pki.cscaCa(), BigInteger.ONE, List.of()),
                TestPki.signer(pki.cscaKey));
        assertCrl(arl, root, settings.rootArlLifetime(), "arl.pem");
        assertCrl(cscaCrl, csca, settings.cscaCrlLifetime(), "csca-crl.pem");
    }

    private void assertCrl(X509CRLHolder crl, String issuerPem, Duration lifetime, String file) throws Exception {
        assertTimeType(crl.toASN1Structure().getThisUpdate(), file + " thisUpdate");
        assertTimeType(crl.toASN1Structure().getNextUpdate(), file + " nextUpdate");
        X509CRL jdk = TestPki.jdkCrl(crl.getEncoded());
        assertThat(Duration.between(
                        jdk.getThisUpdate().toInstant(), jdk.getNextUpdate().toInstant()))
                .isEqualTo(lifetime);
        String path =
                OpenSslCli.writePem(dir, file, "X509 CRL", crl.getEncoded()).toString();
        OpenSslCli.Result verify =
                OpenSslCli.openssl(dir, "crl", "-in", path, "-CAfile", issuerPem, "-noout", "-verify");
        assertThat(verify.output()).contains("verify OK");
    }

    /** RFC 5280 §4.1.2.5 / §5.1.2.4: UTCTime for years through 2049, GeneralizedTime from 2050. */
    private static void assertTimeType(Time time, String what) {
        ASN1Primitive p = time.toASN1Primitive();
        int year = time.getDate().toInstant().atZone(ZoneOffset.UTC).getYear();
        assertThat(p)
                .as(what + " in " + year)
                .isInstanceOf(year < 2050 ? ASN1UTCTime.class : ASN1GeneralizedTime.class);
        assertThat(Asn1Times.problem(time)).as(what).isNull();
    }

    private String pem(String name, X509CertificateHolder h) {
        return OpenSslCli.writePem(dir, name, "CERTIFICATE", TestPki.der(h)).toString();
    }

    private static void assertVerified(OpenSslCli.Result r) {
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains(": OK");
    }
}
