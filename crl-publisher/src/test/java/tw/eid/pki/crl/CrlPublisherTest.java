package tw.eid.pki.crl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tw.eid.pki.ca.profile.CertificateProfile;
import tw.eid.pki.ca.profile.RevocationReason;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.MutableClock;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/**
 * The publisher on a real token and store, judged by independent tools: openssl (crl -verify,
 * verify -crl_check -use_deltas), GnuTLS certtool, Java's CertPathValidator, and Bouncy Castle's
 * and the JDK's CRL parsers.
 */
class CrlPublisherTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();
    static final MutableClock CLOCK = new MutableClock(Instant.now());
    @TempDir
    static Path dir;
    static Token token;
    static CrlFixture pki;
    static Path caPem;
    static Path chainPem;

    @BeforeAll
    static void setUp() throws Exception {
        token = SoftHsmTestTokens.create("crl").open(Clock.systemUTC());
        pki = new CrlFixture(db.database(), token, CLOCK);
        caPem = CrlFixture.pem(dir.resolve("citizen-ca.pem"), pki.ca);
        Path rootPem = CrlFixture.pem(dir.resolve("root.pem"), pki.root);
        chainPem = dir.resolve("chain.pem");
        Files.writeString(chainPem, Files.readString(caPem) + Files.readString(rootPem));
    }

    @AfterAll
    static void tearDown() {
        token.close();
    }

    static CrlPublisher publisher(String owner) {
        return publisher(owner, CrlConfig.defaults().withDirectory(dir.resolve("pub")));
    }

    static CrlPublisher publisher(String owner, CrlConfig config) {
        return new CrlPublisher(db.database(), token, pki.settings, config, owner, CLOCK);
    }

    static byte[] latest(int partition, boolean delta) {
        CrlStore store = new CrlStore(db.database());
        return store.der(store.latest("citizen-ca", partition, delta).orElseThrow().id());
    }

    static X509CRL jdk(byte[] der) throws Exception {
        return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
    }

    static X509Certificate jdk(X509CertificateHolder cert) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(cert.getEncoded()));
    }

    static Integer reason(X509CRL crl, X509CertificateHolder cert) {
        X509CRLEntry e = crl.getRevokedCertificate(cert.getSerialNumber());
        if (e == null) {
            return null;
        }
        byte[] ext = e.getExtensionValue(Extension.reasonCode.getId());
        if (ext == null) {
            return -1;
        }
        try {
            return ASN1Enumerated.getInstance(ASN1Primitive.fromByteArray(
                    org.bouncycastle.asn1.ASN1OctetString.getInstance(ext).getOctets())).intValueExact();
        } catch (java.io.IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    static Tool.Result opensslVerify(Path cert, byte[]... crls) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl", "verify", "-crl_check", "-use_deltas", "-CAfile",
                chainPem.toString()));
        for (byte[] crl : crls) {
            cmd.add("-CRLfile");
            cmd.add(Tool.crlPem(Files.createTempFile(dir, "crl", ".pem"), crl).toString());
        }
        cmd.add(cert.toString());
        return Tool.run(cmd.toArray(String[]::new));
    }

    @Test
    void partitionedFullAndDeltaCrlsPassOpensslCerttoolAndJava() throws Exception {
        X509CertificateHolder good = pki.citizen(1);
        X509CertificateHolder held = pki.citizen(1);
        X509CertificateHolder revoked = pki.citizen(1);
        X509CertificateHolder later = pki.citizen(1);
        X509CertificateHolder other = pki.citizen(2);
        X509CertificateHolder otherRevoked = pki.citizen(2);
        pki.suspend(held);
        pki.revoke(revoked, RevocationReason.KEY_COMPROMISE);
        pki.revoke(otherRevoked, RevocationReason.SUPERSEDED);
        CLOCK.advance(Duration.ofSeconds(2));
        try (CrlPublisher publisher = publisher("node-a")) {
            publisher.publishAll();
            byte[] full1 = latest(1, false);
            byte[] full2 = latest(2, false);

            // The full CRL of partition 1: profile, scope and entries.
            X509CRLHolder bc = new X509CRLHolder(full1);
            Extension idp = bc.getExtension(Extension.issuingDistributionPoint);
            assertThat(idp.isCritical()).isTrue();
            String partitionUrl = pki.settings.crlPartitionUrl(CertificateProfile.CITIZEN_CA, 1).toString();
            assertThat(idpUri(full1)).isEqualTo(partitionUrl);
            assertThat(certificateCrlDp(held)).isEqualTo(partitionUrl);
            Extension freshest = bc.getExtension(Extension.freshestCRL);
            assertThat(freshest.isCritical()).isFalse();
            assertThat(CRLDistPoint.getInstance(freshest.getParsedValue()).getDistributionPoints()[0]
                    .getDistributionPoint().getName().toString()).contains(partitionUrl.replace(".crl", "-delta.crl"));
            assertThat(bc.getExtension(Extension.authorityKeyIdentifier).isCritical()).isFalse();
            assertThat(bc.getExtension(Extension.deltaCRLIndicator)).isNull();
            X509CRL crl1 = jdk(full1);
            assertThat(crl1.getIssuerX500Principal().getEncoded()).isEqualTo(jdk(pki.ca).getSubjectX500Principal().getEncoded());
            assertThat(Duration.between(crl1.getThisUpdate().toInstant(), crl1.getNextUpdate().toInstant()))
                    .isLessThanOrEqualTo(Duration.ofDays(10));
            crl1.verify(jdk(pki.ca).getPublicKey());
            assertThat(reason(crl1, held)).isEqualTo(CRLReason.certificateHold);
            assertThat(reason(crl1, revoked)).isEqualTo(CRLReason.keyCompromise);
            assertThat(reason(crl1, good)).isNull();
            assertThat(reason(crl1, otherRevoked)).as("another partition's certificate").isNull();
            assertThat(reason(jdk(full2), otherRevoked)).isEqualTo(CRLReason.superseded);
            assertThat(crl1.getRevokedCertificates()).allSatisfy(e -> assertThat(reason(crl1, e)).isNotIn(0, -1));

            // A change after the full CRL: the next round issues a delta for partition 1 only.
            CLOCK.advance(Duration.ofSeconds(30));
            pki.suspend(later);
            List<CrlPublisher.Published> round = publisher.runOnce();
            assertThat(round).extracting(CrlPublisher.Published::partition, CrlPublisher.Published::delta)
                    .contains(org.assertj.core.groups.Tuple.tuple(1, true))
                    .doesNotContain(org.assertj.core.groups.Tuple.tuple(2, true), org.assertj.core.groups.Tuple.tuple(1, false));
            byte[] delta1 = latest(1, true);
            X509CRLHolder d = new X509CRLHolder(delta1);
            assertThat(d.getExtension(Extension.deltaCRLIndicator).isCritical()).isTrue();
            BigInteger fullNumber = new CrlStore(db.database()).latest("citizen-ca", 1, false).map(s -> BigInteger.valueOf(s.number())).orElseThrow();
            assertThat(org.bouncycastle.asn1.x509.CRLNumber.getInstance(d.getExtension(Extension.deltaCRLIndicator)
                    .getParsedValue()).getCRLNumber()).isEqualTo(fullNumber);
            assertThat(number(delta1)).isGreaterThan(fullNumber);
            assertThat(idpUri(delta1)).isEqualTo(partitionUrl);
            assertThat(d.getExtension(Extension.freshestCRL)).as("RFC 5280 §5.2.6: not in a delta").isNull();
            assertThat(reason(jdk(delta1), later)).isEqualTo(CRLReason.certificateHold);

            // openssl: the signatures, then each certificate against full + delta.
            for (byte[] c : List.of(full1, full2, delta1)) {
                Path f = Files.write(Files.createTempFile(dir, "crl", ".der"), c);
                Tool.Result r = Tool.run("openssl", "crl", "-inform", "DER", "-in", f.toString(), "-CAfile", caPem.toString(),
                        "-verify", "-noout");
                assertThat(r.output()).contains("verify OK");
                Tool.Result t = Tool.run("certtool", "--crl-info", "--inder", "--infile", f.toString());
                assertThat(t.exit()).as(t.output()).isZero();
                assertThat(t.output()).contains("Issuer:");
            }
            Map<String, X509CertificateHolder> certs = Map.of("good", good, "held", held, "revoked", revoked, "later", later,
                    "other", other, "otherRevoked", otherRevoked);
            Map<String, String> expected = Map.of("good", "OK", "held", "certificate revoked", "revoked", "certificate revoked",
                    "later", "certificate revoked", "other", "OK", "otherRevoked", "certificate revoked");
            for (var e : certs.entrySet()) {
                Path pem = CrlFixture.pem(dir.resolve(e.getKey() + ".pem"), e.getValue());
                boolean inTwo = e.getValue() == other || e.getValue() == otherRevoked;
                Tool.Result r = inTwo ? opensslVerify(pem, full2, latest(2, true)) : opensslVerify(pem, full1, delta1);
                assertThat(r.output()).as(e.getKey()).contains(expected.get(e.getKey()));
                assertThat(r.exit() == 0).as(e.getKey() + ": " + r.output()).isEqualTo("OK".equals(expected.get(e.getKey())));
            }
            // Without the delta, openssl does not know of the later hold: the delta is what carries it.
            assertThat(opensslVerify(dir.resolve("later.pem"), full1).exit()).isZero();

            // Java's PKIX with the full CRLs only (it refuses a delta's critical deltaCRLIndicator):
            // it agrees on everything the full CRLs already say.
            assertThat(pkix(good, full1)).isNull();
            assertThat(pkix(held, full1)).isEqualTo("REVOKED");
            assertThat(pkix(revoked, full1)).isEqualTo("REVOKED");
            assertThat(pkix(other, full2)).isNull();
            assertThat(pkix(otherRevoked, full2)).isEqualTo("REVOKED");
        }
    }

    /** The BasicReason of Java's PKIX validation with revocation on over {@code crls} and the root's ARL, or null if valid. */
    static String pkix(X509CertificateHolder cert, byte[]... crls) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<Object> store = new ArrayList<>();
        for (byte[] c : crls) {
            store.add(jdk(c));
        }
        store.add(jdk(new CrlStore(db.database()).der(new CrlStore(db.database()).latest("citizen-root", 0, false).orElseThrow().id())));
        store.add(jdk(pki.ca));
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(jdk(pki.root), null)));
        params.setRevocationEnabled(true);
        params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(store)));
        params.setDate(Date.from(CLOCK.instant()));
        try {
            CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(List.of(jdk(cert), jdk(pki.ca))), params);
            return null;
        } catch (CertPathValidatorException e) {
            return e.getReason().toString();
        }
    }

    static String idpUri(byte[] der) throws Exception {
        IssuingDistributionPoint idp = IssuingDistributionPoint.getInstance(
                new X509CRLHolder(der).getExtension(Extension.issuingDistributionPoint).getParsedValue());
        GeneralName n = org.bouncycastle.asn1.x509.GeneralNames.getInstance(idp.getDistributionPoint().getName()).getNames()[0];
        return n.getName().toString();
    }

    static String certificateCrlDp(X509CertificateHolder cert) {
        CRLDistPoint dp = CRLDistPoint.getInstance(cert.getExtension(Extension.cRLDistributionPoints).getParsedValue());
        return org.bouncycastle.asn1.x509.GeneralNames.getInstance(dp.getDistributionPoints()[0].getDistributionPoint()
                .getName()).getNames()[0].getName().toString();
    }

    static BigInteger number(byte[] der) throws Exception {
        return org.bouncycastle.asn1.x509.CRLNumber.getInstance(new X509CRLHolder(der).getExtension(Extension.cRLNumber)
                .getParsedValue()).getCRLNumber();
    }

    static Integer reason(X509CRL crl, X509CRLEntry e) {
        byte[] ext = e.getExtensionValue(Extension.reasonCode.getId());
        if (ext == null) {
            return -1;
        }
        try {
            return ASN1Enumerated.getInstance(ASN1Primitive.fromByteArray(
                    org.bouncycastle.asn1.ASN1OctetString.getInstance(ext).getOctets())).intValueExact();
        } catch (java.io.IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
