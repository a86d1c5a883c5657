package tw.eid.pki.ca.document;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.SignedData;
import org.bouncycastle.asn1.icao.CscaMasterList;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.profile.CaCertificate;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.profile.ProfileLint;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/**
 * CSCA rollover and the master list on a real offline token and store: the link certificate old →
 * new passes its lint and openssl, lets Java PKIX reach a DS of the new CSCA from the old CSCA as
 * the only trust anchor; the master list is CMS that openssl verifies up to the CSCA and whose
 * content lists the CSCAs and the link.
 */
class CscaRolloverAndMasterListTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Actor CUSTODIANS = Actor.local("ceremony:test");
    private static final Path DIR = TestDatabase.workDirectory().resolve("rollover-" + System.nanoTime());
    private static Token offline;
    private static Token online;
    private static DocumentSignerFixture fixture;
    private static final Clock CLOCK = Clock.systemUTC();

    @BeforeAll
    static void setUp() throws Exception {
        Files.createDirectories(DIR);
        SoftHsmTestTokens.TestToken off = SoftHsmTestTokens.create("csca");
        SoftHsmTestTokens.TestToken on = SoftHsmTestTokens.create("online");
        offline = off.open(CLOCK);
        online = on.open(CLOCK);
        fixture = new DocumentSignerFixture(
                db.database(),
                offline,
                online,
                CLOCK,
                Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofDays(1)),
                DIR);
    }

    @AfterAll
    static void tearDown() {
        online.close();
        offline.close();
    }

    @Test
    void linkCertificateOldToNewAndAMasterListOfEveryCsca() throws Exception {
        CscaRollover.Result r = new CscaRollover(
                        db.database(), fixture.settings, AuditLedger.hashChained(CLOCK), CLOCK, new SecureRandom())
                .rollover(
                        CUSTODIANS, offline, DocumentSignerFixture.CSCA, "csca-2", "csca-2-key", KeyAlgorithm.EC_P384);
        X509CertificateHolder oldCsca = fixture.csca;
        X509CertificateHolder link = r.link();
        // Old key certifies the new key, under the CSCA's name: AKI = old SKI, SKI = new SKI.
        assertThat(link.getSubjectPublicKeyInfo()).isEqualTo(r.selfSigned().getSubjectPublicKeyInfo());
        assertThat(link.getIssuer()).isEqualTo(oldCsca.getSubject());
        assertThat(AuthorityKeyIdentifier.fromExtensions(link.getExtensions()).getKeyIdentifier())
                .isEqualTo(SubjectKeyIdentifier.fromExtensions(oldCsca.getExtensions())
                        .getKeyIdentifier());
        assertThat(SubjectKeyIdentifier.fromExtensions(link.getExtensions()).getKeyIdentifier())
                .isEqualTo(SubjectKeyIdentifier.fromExtensions(r.selfSigned().getExtensions())
                        .getKeyIdentifier());
        assertThat(link.getNotAfter()).isBeforeOrEqualTo(oldCsca.getNotAfter());
        ProfileLint lint = new ProfileLint(fixture.settings);
        assertThat(lint.check(CertificateProfile.CSCA_LINK, link, new CaCertificate(CertificateProfile.CSCA, oldCsca)))
                .isEmpty();
        assertThat(lint.checkSelfSigned(CertificateProfile.CSCA, r.selfSigned()))
                .isEmpty();
        Path oldPem = fixture.cscaPem;
        Path newPem = DocumentSignerFixture.pem(DIR.resolve("csca-2.pem"), r.selfSigned());
        Path linkPem = DocumentSignerFixture.pem(DIR.resolve("link.pem"), link);
        assertThat(run("openssl", "verify", "-x509_strict", "-CAfile", oldPem.toString(), linkPem.toString()))
                .startsWith("0 ");
        // The link does not verify under the new CSCA (it is old → new, never the other way).
        assertThat(run(
                        "openssl",
                        "verify",
                        "-x509_strict",
                        "-partial_chain",
                        "-CAfile",
                        newPem.toString(),
                        linkPem.toString()))
                .doesNotStartWith("0 ");

        // The old CSCA is superseded; a new DS batch is certified by the new CSCA.
        DocumentSignerCeremony ceremony = fixture.ceremony();
        fixture.pool.generate(CUSTODIANS, online, 1, KeyAlgorithm.EC_P256, 100);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> ceremony.certify(CUSTODIANS, offline, DocumentSignerFixture.CSCA, 1, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SUPERSEDED");
        List<DocumentSignerCeremony.Certified> batch = ceremony.certify(CUSTODIANS, offline, "csca-2", 1, null);
        X509CertificateHolder ds = batch.get(0).certificate();
        assertThat(ds.getIssuer()).isEqualTo(r.selfSigned().getSubject());
        // A verifier that trusts only the old CSCA reaches the new DS through the link.
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(jdk(oldCsca), null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(List.of(jdk(ds), jdk(link))), params);
        SodChecks.pkixValidates(jdk(ds), r.selfSigned(), Instant.now());

        // The master list, signed by a master-list signer of the new CSCA.
        MasterLists lists = new MasterLists(
                db.database(), fixture.settings, AuditLedger.hashChained(CLOCK), CLOCK, new SecureRandom());
        MasterLists.Signed ml = lists.sign(CUSTODIANS, offline, "csca-2", "ml-signer-1");
        assertThat(ml.cscaCount()).isEqualTo(3);
        assertThat(lists.latest().orElseThrow().der()).isEqualTo(ml.der());
        X509Certificate signer = jdk(ml.signer());
        assertThat(signer.getExtendedKeyUsage()).containsExactly("2.23.136.1.1.3");
        assertThat(signer.getCriticalExtensionOIDs()).contains("2.5.29.37");
        assertThat(lint.check(
                        CertificateProfile.MASTER_LIST_SIGNER,
                        ml.signer(),
                        new CaCertificate(CertificateProfile.CSCA, r.selfSigned())))
                .isEmpty();
        Path mlFile = Files.write(DIR.resolve("csca-masterlist.ml"), ml.der());
        Path content = DIR.resolve("ml-content.der");
        assertThat(run(
                        "openssl",
                        "cms",
                        "-verify",
                        "-inform",
                        "DER",
                        "-in",
                        mlFile.toString(),
                        "-CAfile",
                        newPem.toString(),
                        "-purpose",
                        "any",
                        "-out",
                        content.toString()))
                .startsWith("0 ")
                .contains("Verification successful");
        CscaMasterList parsed = CscaMasterList.getInstance(Files.readAllBytes(content));
        assertThat(Arrays.stream(parsed.getCertStructs())
                        .map(c -> new X509CertificateHolder(c))
                        .toList())
                .containsExactlyInAnyOrder(oldCsca, r.selfSigned(), link);
        // eContentType id-icao-cscaMasterList.
        SignedData sd = SignedData.getInstance(ContentInfo.getInstance(ml.der()).getContent());
        assertThat(sd.getEncapContentInfo().getContentType().getId()).isEqualTo("2.23.136.1.1.2");
        assertThat(ASN1OctetString.getInstance(sd.getEncapContentInfo().getContent())
                        .getOctets())
                .isEqualTo(Files.readAllBytes(content));
    }

    private static X509Certificate jdk(X509CertificateHolder h) throws Exception {
        return (X509Certificate)
                CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(h.getEncoded()));
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() + " " + out.strip();
    }
}
