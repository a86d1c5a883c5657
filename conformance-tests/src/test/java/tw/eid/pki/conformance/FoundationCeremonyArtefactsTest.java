package tw.eid.pki.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Period;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Acceptance (a): after the foundation ceremony, the chains verify with three independent judges
 * (OpenSSL, GnuTLS, Java PKIX), every docs/profiles.md row holds on the issued bytes, both offline CRLs
 * follow the CRL rules, and the transcript is signed by the root key and names every key.
 */
class FoundationCeremonyArtefactsTest {
    private static final String PUBLICATION = "http://127.0.0.1:8080";
    private static final List<String> NAMES =
            List.of("citizen-root", "citizen-ca", "citizen-ca-ocsp", "ra-operators-ca", "csca", "ds-001");
    /** Which certificate certifies which token key. */
    private static final Map<String, String> KEY_OF = Map.of(
            "citizen-root-key",
            "citizen-root",
            "csca-key",
            "csca",
            "citizen-ca-key",
            "citizen-ca",
            "citizen-ca-ocsp-key",
            "citizen-ca-ocsp",
            "ra-operators-ca-key",
            "ra-operators-ca",
            "ds-001-key",
            "ds-001");

    private static CeremonySpec spec;
    private static Path out;
    private static Path scratch;

    @BeforeAll
    static void runCeremony() throws IOException {
        spec = CeremonySpec.create(Workspace.fresh("artefacts"), "cfa");
        Tools.Result r = spec.run();
        assertThat(r.exitCode()).as(r.describe()).isZero();
        out = spec.output();
        scratch = Files.createDirectories(spec.dataDir.resolve("scratch"));
    }

    private static X509Certificate cert(String name) {
        return Certs.certificate(out.resolve(name + ".crt"));
    }

    private static String pem(String name) {
        return out.resolve(name + ".pem").toString();
    }

    private static String opensslText(String name) {
        Tools.Result r = Tools.openssl("x509", "-in", pem(name), "-noout", "-text");
        assertThat(r.exitCode()).as(r.describe()).isZero();
        return r.stdout();
    }

    // ---- chains -------------------------------------------------------------------------------

    @Test
    void opensslVerifiesEveryChainStrictly() {
        assertOpensslOk(pem("citizen-ca-ocsp"), "-CAfile", pem("citizen-root"), "-untrusted", pem("citizen-ca"));
        assertOpensslOk(pem("ra-operators-ca"), "-CAfile", pem("citizen-root"));
        assertOpensslOk(pem("ds-001"), "-CAfile", pem("csca"));
        assertOpensslOk(pem("citizen-ca"), "-CAfile", pem("citizen-root"));

        // The judge can say no: a Document Signer does not chain to the Citizen Root.
        Tools.Result wrong = Tools.openssl("verify", "-x509_strict", "-CAfile", pem("citizen-root"), pem("ds-001"));
        assertThat(wrong.exitCode()).as(wrong.describe()).isNotZero();
    }

    private static void assertOpensslOk(String leaf, String... trust) {
        List<String> args = new ArrayList<>(List.of("verify", "-x509_strict"));
        args.addAll(List.of(trust));
        args.add(leaf);
        Tools.Result r = Tools.openssl(args.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.stdout().strip()).as(r.describe()).isEqualTo(leaf + ": OK");
    }

    @Test
    void gnutlsCerttoolAgrees() throws IOException {
        assertCerttoolVerified("citizen-ca-ocsp", "citizen-ca", "citizen-root");
        assertCerttoolVerified("ra-operators-ca", "citizen-root");
        assertCerttoolVerified("ds-001", "csca");

        Path wrong = chainFile("ds-001", "citizen-root");
        Tools.Result r = Tools.certtool("--verify-chain", "--infile", wrong.toString());
        assertThat(r.stdout()).as(r.describe()).doesNotContain("Chain verification output: Verified.");
    }

    private static void assertCerttoolVerified(String... leafFirst) throws IOException {
        Path chain = chainFile(leafFirst);
        Tools.Result r = Tools.certtool("--verify-chain", "--infile", chain.toString());
        // certtool exits 0 either way: the verdict is in the text.
        assertThat(r.stdout())
                .as(r.describe())
                .contains("Chain verification output: Verified. The certificate is trusted.");
        assertThat(r.stdout()).as(r.describe()).doesNotContain("Not verified");
    }

    private static Path chainFile(String... leafFirst) throws IOException {
        StringBuilder chain = new StringBuilder();
        for (String n : leafFirst) {
            chain.append(Files.readString(Path.of(pem(n))));
        }
        Path f = scratch.resolve(String.join("+", leafFirst) + ".chain.pem");
        Files.writeString(f, chain);
        return f;
    }

    @Test
    void javaPkixAgrees() throws Exception {
        pkix(cert("citizen-root"), cert("citizen-ca-ocsp"), cert("citizen-ca"));
        pkix(cert("citizen-root"), cert("ra-operators-ca"));
        pkix(cert("csca"), cert("ds-001"));
        assertThatThrownBy(() -> pkix(cert("citizen-root"), cert("ds-001")))
                .isInstanceOf(CertPathValidatorException.class);
    }

    private static void pkix(X509Certificate anchor, X509Certificate... leafFirst) throws Exception {
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
        params.setRevocationEnabled(false);
        params.setDate(Date.from(TestTime.now()));
        CertPathValidator.getInstance("PKIX")
                .validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(leafFirst)), params);
    }

    // ---- rows common to every certificate -----------------------------------------------------

    @Test
    void everyCertificateHasARandomPositiveSerialAndACountryTwPrintableString() throws Exception {
        Set<BigInteger> serials = new HashSet<>();
        for (String name : NAMES) {
            X509Certificate c = cert(name);
            assertThat(c.getVersion()).as(name).isEqualTo(3);
            BigInteger serial = c.getSerialNumber();
            assertThat(serial.signum()).as(name + " serial positive").isPositive();
            // >= 64 bits from a CSPRNG: with 128 random bits, fewer than 64 significant bits has
            // probability 2^-64. At most 20 octets (RFC 5280 §4.1.2.2).
            assertThat(serial.bitLength()).as(name + " serial bits").isBetween(64, 159);
            assertThat(serials.add(serial)).as(name + " serial unique").isTrue();

            List<Der.Attribute> subject = Der.nameAttributes(Der.certificateSubject(c.getEncoded()));
            assertThat(subject.get(0).oid()).as(name + " subject starts with C").isEqualTo(Certs.COUNTRY);
            assertThat(subject.get(0).stringTag())
                    .as(name + " C is a PrintableString")
                    .isEqualTo(Certs.PRINTABLE_STRING);
            assertThat(subject.get(0).value()).isEqualTo("TW");
            assertThat(subject)
                    .filteredOn(a -> a.oid().equals(Certs.ORGANIZATION))
                    .hasSize(1);
            assertThat(subject)
                    .filteredOn(a -> a.oid().equals(Certs.COMMON_NAME))
                    .hasSize(1);

            // openssl sees the same string type.
            Tools.Result r =
                    Tools.openssl("x509", "-in", pem(name), "-noout", "-subject", "-nameopt", "multiline,show_type");
            assertThat(r.stdout()).as(r.describe()).containsPattern("countryName\\s+= PRINTABLESTRING:TW");
        }
    }

    // ---- Citizen side -------------------------------------------------------------------------

    @Test
    void citizenRootProfile() throws Exception {
        X509Certificate c = cert("citizen-root");
        assertEcKey("citizen-root", "secp384r1", 384);
        assertValidity(c, Period.ofYears(25));
        assertCaBasicConstraints(c, 1);
        assertKeyUsage(c, Certs.KEY_CERT_SIGN, Certs.CRL_SIGN);
        assertThat(c.getExtendedKeyUsage()).isNull();
        assertThat(c.getSubjectX500Principal()).isEqualTo(c.getIssuerX500Principal());
        c.verify(c.getPublicKey());
        assertThat(rdnTypes("citizen-root")).containsExactly(Certs.COUNTRY, Certs.ORGANIZATION, Certs.COMMON_NAME);
        // AKI / SKI: SKI only. No AIA, no CRL DP, no policies.
        assertThat(Certs.subjectKeyId(c)).isNotNull();
        assertThat(c.getExtensionValue(Certs.AKI)).isNull();
        assertThat(c.getExtensionValue(Certs.AIA)).isNull();
        assertThat(c.getExtensionValue(Certs.CRL_DISTRIBUTION_POINTS)).isNull();
        assertThat(c.getExtensionValue(Certs.CERTIFICATE_POLICIES)).isNull();
    }

    @Test
    void citizenCaProfile() throws Exception {
        X509Certificate c = cert("citizen-ca");
        X509Certificate root = cert("citizen-root");
        assertEcKey("citizen-ca", "secp384r1", 384);
        assertValidity(c, Period.ofYears(15));
        assertCaBasicConstraints(c, 0);
        assertKeyUsage(c, Certs.KEY_CERT_SIGN, Certs.CRL_SIGN);
        assertThat(c.getExtendedKeyUsage()).isNull();
        assertIssuedBy(c, root);
        assertThat(rdnTypes("citizen-ca"))
                .containsExactly(Certs.COUNTRY, Certs.ORGANIZATION, Certs.ORGANIZATIONAL_UNIT, Certs.COMMON_NAME);
        assertThat(Certs.subjectKeyId(c)).isNotNull();
        assertThat(Certs.policyOids(c)).isNotEmpty().doesNotContain(Certs.ANY_POLICY);
        // AIA caIssuers (no OCSP for a CA certificate); CRL DP = the root's ARL.
        String text = opensslText("citizen-ca");
        assertThat(caIssuers(text)).containsExactly(PUBLICATION + "/certs/citizen-root.crt");
        assertThat(text).doesNotContain("OCSP - URI");
        assertThat(crlDistributionPoint(text)).isEqualTo(PUBLICATION + "/crl/citizen-root.crl");
    }

    @Test
    void ocspSignerProfile() throws Exception {
        X509Certificate c = cert("citizen-ca-ocsp");
        assertEcKey("citizen-ca-ocsp", "prime256v1", 256);
        Duration validity =
                Duration.between(c.getNotBefore().toInstant(), c.getNotAfter().toInstant());
        assertThat(validity).isPositive().isLessThanOrEqualTo(Duration.ofDays(90));
        assertThat(c.getBasicConstraints()).isEqualTo(-1);
        assertThat(c.getExtensionValue(Certs.BASIC_CONSTRAINTS)).isNull();
        assertKeyUsage(c, Certs.DIGITAL_SIGNATURE);
        assertThat(c.getExtendedKeyUsage()).containsExactly(Certs.OCSP_SIGNING);
        // id-pkix-ocsp-nocheck, extnValue NULL (RFC 6960 §4.2.2.2.1), from the raw bytes.
        assertThat(Der.rawExtensionValue(c.getEncoded(), Certs.OCSP_NOCHECK)).containsExactly(0x05, 0x00);
        assertThat(opensslText("citizen-ca-ocsp")).contains("OCSP No Check").contains("OCSP Signing");
        assertIssuedBy(c, cert("citizen-ca"));
        List<Der.Attribute> subject = Der.nameAttributes(Der.certificateSubject(c.getEncoded()));
        assertThat(subject)
                .extracting(Der.Attribute::oid)
                .containsExactly(Certs.COUNTRY, Certs.ORGANIZATION, Certs.COMMON_NAME);
        assertThat(subject.get(2).value()).endsWith("OCSP Responder");
        // AKI only; no AIA, no CRL DP, no policies.
        assertThat(Certs.subjectKeyId(c)).isNull();
        assertThat(c.getExtensionValue(Certs.AIA)).isNull();
        assertThat(c.getExtensionValue(Certs.CRL_DISTRIBUTION_POINTS)).isNull();
        assertThat(c.getExtensionValue(Certs.CERTIFICATE_POLICIES)).isNull();
    }

    @Test
    void raOperatorsCaProfile() throws Exception {
        X509Certificate c = cert("ra-operators-ca");
        assertEcKey("ra-operators-ca", "secp384r1", 384);
        assertValidity(c, Period.ofYears(10));
        assertCaBasicConstraints(c, 0);
        assertKeyUsage(c, Certs.KEY_CERT_SIGN, Certs.CRL_SIGN);
        assertThat(c.getExtendedKeyUsage()).isNull();
        assertIssuedBy(c, cert("citizen-root"));
        List<Der.Attribute> subject = Der.nameAttributes(Der.certificateSubject(c.getEncoded()));
        assertThat(subject)
                .extracting(Der.Attribute::oid)
                .containsExactly(Certs.COUNTRY, Certs.ORGANIZATION, Certs.COMMON_NAME);
        assertThat(subject.get(2).value()).endsWith("RA Operators CA");
        assertThat(Certs.subjectKeyId(c)).isNotNull();
        String text = opensslText("ra-operators-ca");
        assertThat(caIssuers(text)).containsExactly(PUBLICATION + "/certs/citizen-root.crt");
        assertThat(crlDistributionPoint(text)).isEqualTo(PUBLICATION + "/crl/citizen-root.crl");
    }

    // ---- Document side ------------------------------------------------------------------------

    @Test
    void cscaProfile() throws Exception {
        X509Certificate c = cert("csca");
        X509Certificate ds = cert("ds-001");
        String curve = curve("csca");
        assertThat(curve).isIn("secp384r1", "brainpoolP384r1");
        assertThat(((ECPublicKey) c.getPublicKey())
                        .getParams()
                        .getCurve()
                        .getField()
                        .getFieldSize())
                .isEqualTo(384);
        assertCaBasicConstraints(c, 0);
        assertKeyUsage(c, Certs.KEY_CERT_SIGN, Certs.CRL_SIGN);
        assertThat(c.getSubjectX500Principal()).isEqualTo(c.getIssuerX500Principal());
        c.verify(c.getPublicKey());
        // other: SKI; no EKU; no alt names.
        assertThat(Certs.subjectKeyId(c)).isNotNull();
        assertThat(c.getExtendedKeyUsage()).isNull();
        assertThat(c.getExtensionValue(Certs.SAN)).isNull();
        assertThat(c.getExtensionValue(Certs.IAN)).isNull();
        // privateKeyUsagePeriod: 3–5 years of issuing, starting with the validity.
        Certs.UsagePeriod pkup = Certs.privateKeyUsagePeriod(c);
        assertThat(pkup).isNotNull();
        assertThat(opensslText("csca")).contains("Private Key Usage Period");
        ZonedDateTime notBefore = Certs.utc(c.getNotBefore());
        assertThat(Duration.between(notBefore, pkup.notBefore()).abs()).isLessThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(pkup.notAfter())
                .isAfterOrEqualTo(pkup.notBefore().plusYears(3).minusSeconds(1))
                .isBeforeOrEqualTo(pkup.notBefore().plusYears(5));
        // validity = key usage period + the longest Document Signer validity: a DS certified at the
        // last instant of the CSCA's key usage, with this ceremony's DS key usage period and card
        // lifetime (read off ds-001's bytes), still ends within the CSCA's validity. The card
        // lifetime is a calendar period (10 years span two or three 29 Februaries), so the rule is
        // checked as a calendar sum, never as a comparison of two durations.
        Certs.UsagePeriod dsUsage = Certs.privateKeyUsagePeriod(ds);
        Duration dsKeyUsage =
                Duration.between(dsUsage.notBefore(), dsUsage.notAfter()).plusSeconds(1);
        ZonedDateTime lastDsNotAfter =
                pkup.notAfter().plus(dsKeyUsage).plusYears(10).minusSeconds(1);
        assertThat(Certs.utc(ds.getNotAfter()))
                .isEqualTo(dsUsage.notAfter().plusSeconds(1).plusYears(10).minusSeconds(1));
        assertThat(Certs.utc(c.getNotAfter())).isAfterOrEqualTo(lastDsNotAfter);
    }

    @Test
    void documentSignerProfile() throws Exception {
        X509Certificate c = cert("ds-001");
        X509Certificate csca = cert("csca");
        assertThat(curve("ds-001")).isIn("prime256v1", "secp384r1");
        assertThat(c.getBasicConstraints()).isEqualTo(-1);
        assertThat(c.getExtensionValue(Certs.BASIC_CONSTRAINTS)).isNull();
        assertKeyUsage(c, Certs.DIGITAL_SIGNATURE);
        assertThat(c.getExtendedKeyUsage()).isNull();
        assertIssuedBy(c, csca);
        assertThat(Certs.subjectKeyId(c)).isNull();
        // privateKeyUsagePeriod <= 3 months of signing; validity = usage period + card lifetime (10 y).
        Certs.UsagePeriod pkup = Certs.privateKeyUsagePeriod(c);
        assertThat(pkup).isNotNull();
        assertThat(opensslText("ds-001")).contains("Private Key Usage Period");
        assertThat(Duration.between(Certs.utc(c.getNotBefore()), pkup.notBefore())
                        .abs())
                .isLessThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(pkup.notAfter())
                .isAfter(pkup.notBefore())
                .isBeforeOrEqualTo(pkup.notBefore().plusMonths(3));
        assertThat(Duration.between(pkup.notAfter().plusYears(10), Certs.utc(c.getNotAfter()))
                        .abs())
                .isLessThanOrEqualTo(Duration.ofSeconds(1));
        // Signed within the CSCA's own key usage period.
        assertThat(Certs.utc(c.getNotBefore()))
                .isBetween(
                        Certs.privateKeyUsagePeriod(csca).notBefore(),
                        Certs.privateKeyUsagePeriod(csca).notAfter());
    }

    // ---- offline CRLs -------------------------------------------------------------------------

    @Test
    void citizenRootArl() throws Exception {
        X509CRL crl = assertOfflineCrl("citizen-root");
        assertThat(Certs.utc(crl.getNextUpdate()))
                .isAfter(Certs.utc(crl.getThisUpdate()))
                .isBeforeOrEqualTo(Certs.utc(crl.getThisUpdate()).plusMonths(12));
    }

    @Test
    void cscaCrl() throws Exception {
        X509CRL crl = assertOfflineCrl("csca");
        assertThat(Duration.between(
                        crl.getThisUpdate().toInstant(), crl.getNextUpdate().toInstant()))
                .isPositive()
                .isLessThanOrEqualTo(Duration.ofDays(90));
    }

    private static X509CRL assertOfflineCrl(String ca) throws Exception {
        Path der = out.resolve(ca + ".crl");
        X509Certificate issuer = cert(ca);
        X509CRL crl = Certs.crl(der);
        crl.verify(issuer.getPublicKey());
        assertThat(crl.getVersion()).isEqualTo(2);
        assertThat(Certs.authorityKeyId(Certs.extension(crl, Certs.AKI))).isEqualTo(Certs.subjectKeyId(issuer));
        assertThat(Certs.crlNumber(crl)).isNotNull().isPositive();
        assertThat(crl.getExtensionValue(Certs.ISSUING_DISTRIBUTION_POINT))
                .as("no IDP")
                .isNull();
        assertThat(crl.getExtensionValue(Certs.DELTA_CRL_INDICATOR))
                .as("not a delta CRL")
                .isNull();
        // The issuer, byte for byte, is the CA certificate's subject.
        assertThat(Der.crlIssuer(crl.getEncoded()).encoded)
                .isEqualTo(Der.certificateSubject(issuer.getEncoded()).encoded);
        assertThat(crl.getRevokedCertificates()).isNull();

        Tools.Result ossl = Tools.openssl("crl", "-in", der.toString(), "-inform", "DER", "-noout", "-CAfile", pem(ca));
        assertThat(ossl.exitCode()).as(ossl.describe()).isZero();
        assertThat(ossl.stdout() + ossl.stderr()).as(ossl.describe()).contains("verify OK");
        String other = ca.equals("csca") ? "citizen-root" : "csca";
        Tools.Result wrong =
                Tools.openssl("crl", "-in", der.toString(), "-inform", "DER", "-noout", "-CAfile", pem(other));
        assertThat(wrong.stdout() + wrong.stderr()).as(wrong.describe()).doesNotContain("verify OK");

        Tools.Result info = Tools.certtool("--crl-info", "--inder", "--infile", der.toString());
        assertThat(info.exitCode()).as(info.describe()).isZero();
        assertThat(info.stdout())
                .as(info.describe())
                .contains("Version: 2")
                .contains("Authority Key Identifier")
                .contains("CRL Number")
                .doesNotContain("Issuing Distribution Point")
                .doesNotContainIgnoringCase("delta");
        Tools.Result verify = Tools.certtool(
                "--verify-crl",
                "--load-ca-certificate",
                pem(ca),
                "--infile",
                out.resolve(ca + ".crl.pem").toString());
        assertThat(verify.exitCode()).as(verify.describe()).isZero();
        assertThat(verify.stdout()).as(verify.describe()).contains("Verification output: Verified.");
        return crl;
    }

    // ---- transcript ---------------------------------------------------------------------------

    @Test
    void transcriptIsSignedByTheRootKeyAndNamesEveryKey() throws Exception {
        Path rootPub = scratch.resolve("citizen-root.pub.pem");
        Tools.Result pub = Tools.openssl("x509", "-in", pem("citizen-root"), "-pubkey", "-noout");
        assertThat(pub.exitCode()).as(pub.describe()).isZero();
        Files.writeString(rootPub, pub.stdout());
        Path transcript = out.resolve("transcript.json");
        Path signature = out.resolve("transcript.json.sig");
        Tools.Result ok = Tools.openssl(
                "dgst",
                "-sha384",
                "-verify",
                rootPub.toString(),
                "-signature",
                signature.toString(),
                transcript.toString());
        assertThat(ok.exitCode()).as(ok.describe()).isZero();
        assertThat(ok.stdout()).contains("Verified OK");
        // One changed byte and the signature no longer verifies.
        Path altered = scratch.resolve("transcript-altered.json");
        Files.writeString(altered, Files.readString(transcript).replaceFirst("\"initial\"", "\"initiaL\""));
        Tools.Result bad = Tools.openssl(
                "dgst",
                "-sha384",
                "-verify",
                rootPub.toString(),
                "-signature",
                signature.toString(),
                altered.toString());
        assertThat(bad.exitCode()).as(bad.describe()).isNotZero();

        JsonNode t = new ObjectMapper().readTree(transcript.toFile());
        assertThat(t.path("fileSha256").asText())
                .isEqualTo(Certs.sha256Hex(Files.readAllBytes(spec.dataDir.resolve(spec.name + ".yaml"))));
        Map<String, JsonNode> keys = new LinkedHashMap<>();
        t.path("keys").forEach(k -> keys.put(k.path("label").asText(), k));
        Set<String> expected = new HashSet<>(CeremonySpec.OFFLINE_KEYS);
        expected.addAll(CeremonySpec.ONLINE_KEY_PAIRS);
        expected.addAll(CeremonySpec.ONLINE_SECRETS);
        assertThat(keys.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        for (String label : CeremonySpec.OFFLINE_KEYS) {
            assertThat(keys.get(label).path("token").asText()).as(label).isEqualTo("offline");
        }
        for (Map.Entry<String, String> e : KEY_OF.entrySet()) {
            String certified = Certs.sha256Hex(cert(e.getValue()).getPublicKey().getEncoded());
            assertThat(keys.get(e.getKey()).path("publicKeySha256").asText())
                    .as(e.getKey())
                    .isEqualTo(certified);
        }
        // The audit key is certified by no one; its public key is published next to the transcript.
        String auditPem = Files.readString(out.resolve("audit-checkpoint-key.pem"));
        byte[] auditDer = Base64.getMimeDecoder().decode(auditPem.replaceAll("-----[A-Z ]+-----", ""));
        assertThat(keys.get("audit-key").path("publicKeySha256").asText()).isEqualTo(Certs.sha256Hex(auditDer));
        for (String secret : CeremonySpec.ONLINE_SECRETS) {
            assertThat(keys.get(secret).path("token").asText()).isEqualTo("online");
            assertThat(keys.get(secret).path("publicKeySha256").isNull())
                    .as(secret)
                    .isTrue();
        }
        // Certificates and CRLs are pinned by hash.
        Map<String, String> certHashes = new LinkedHashMap<>();
        t.path("certificates")
                .forEach(c ->
                        certHashes.put(c.path("name").asText(), c.path("sha256").asText()));
        assertThat(certHashes.keySet()).containsExactlyInAnyOrderElementsOf(NAMES);
        for (String name : NAMES) {
            assertThat(certHashes.get(name))
                    .as(name)
                    .isEqualTo(Certs.sha256Hex(Files.readAllBytes(out.resolve(name + ".crt"))));
        }
        Map<String, String> crlHashes = new LinkedHashMap<>();
        t.path("crls")
                .forEach(c -> crlHashes.put(
                        c.path("issuer").asText(), c.path("sha256").asText()));
        assertThat(crlHashes).containsOnlyKeys("citizen-root", "csca");
        for (String ca : crlHashes.keySet()) {
            assertThat(crlHashes.get(ca)).isEqualTo(Certs.sha256Hex(Files.readAllBytes(out.resolve(ca + ".crl"))));
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static void assertEcKey(String name, String curve, int bits) {
        X509Certificate c = cert(name);
        assertThat(c.getPublicKey()).isInstanceOf(ECPublicKey.class);
        assertThat(((ECPublicKey) c.getPublicKey())
                        .getParams()
                        .getCurve()
                        .getField()
                        .getFieldSize())
                .as(name)
                .isEqualTo(bits);
        assertThat(curve(name)).as(name).isEqualTo(curve);
    }

    private static String curve(String name) {
        Matcher m = Pattern.compile("ASN1 OID: (\\S+)").matcher(opensslText(name));
        assertThat(m.find()).as(name + " has a named curve").isTrue();
        return m.group(1);
    }

    /** notAfter is notBefore plus the period (RFC 5280 validity is inclusive: one second less is fine). */
    private static void assertValidity(X509Certificate c, Period period) {
        ZonedDateTime expected = Certs.utc(c.getNotBefore()).plus(period);
        assertThat(Duration.between(expected, Certs.utc(c.getNotAfter())).abs())
                .as("validity of " + c.getSubjectX500Principal() + " is " + period)
                .isLessThanOrEqualTo(Duration.ofSeconds(1));
    }

    private static void assertCaBasicConstraints(X509Certificate c, int pathLen) {
        assertThat(c.getBasicConstraints()).as("CA with pathLen").isEqualTo(pathLen);
        assertThat(c.getCriticalExtensionOIDs()).contains(Certs.BASIC_CONSTRAINTS);
    }

    private static void assertKeyUsage(X509Certificate c, Integer... bits) {
        assertThat(Certs.keyUsageBits(c)).containsExactlyInAnyOrder(bits);
        assertThat(c.getCriticalExtensionOIDs()).as("keyUsage critical").contains(Certs.KEY_USAGE);
    }

    private static void assertIssuedBy(X509Certificate c, X509Certificate issuer) throws Exception {
        c.verify(issuer.getPublicKey());
        assertThat(Der.certificateIssuer(c.getEncoded()).encoded)
                .isEqualTo(Der.certificateSubject(issuer.getEncoded()).encoded);
        assertThat(Certs.authorityKeyId(Certs.extension(c, Certs.AKI)))
                .as("AKI = issuer's SKI")
                .isNotNull()
                .isEqualTo(Certs.subjectKeyId(issuer));
    }

    private static List<String> rdnTypes(String name) throws Exception {
        return Der.nameAttributes(Der.certificateSubject(cert(name).getEncoded())).stream()
                .map(Der.Attribute::oid)
                .toList();
    }

    private static List<String> caIssuers(String opensslText) {
        List<String> uris = new ArrayList<>();
        Matcher m = Pattern.compile("CA Issuers - URI:(\\S+)").matcher(opensslText);
        while (m.find()) {
            uris.add(m.group(1));
        }
        return uris;
    }

    private static String crlDistributionPoint(String opensslText) {
        Matcher m = Pattern.compile("X509v3 CRL Distribution Points:\\s*\\n\\s*Full Name:\\s*\\n\\s*URI:(\\S+)")
                .matcher(opensslText);
        assertThat(m.find()).as("CRL DP with a full-name URI").isTrue();
        return m.group(1);
    }
}
