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
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CRLReason;
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
    /** A fixed start on a leap day; openssl and PKIX judge at this clock (-attime, setDate). */
    static final MutableClock CLOCK = new MutableClock(Instant.parse("2028-02-29T12:00:00Z"));

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
        return store.der(
                store.latest("citizen-ca", partition, delta).orElseThrow().id());
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
            return ASN1Enumerated.getInstance(
                            ASN1Primitive.fromByteArray(org.bouncycastle.asn1.ASN1OctetString.getInstance(ext)
                                    .getOctets()))
                    .intValueExact();
        } catch (java.io.IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    static Tool.Result opensslVerify(Path cert, byte[]... crls) throws Exception {
        // -attime: the tests' clock runs ahead of the wall clock (tests advance it).
        List<String> cmd = new ArrayList<>(List.of(
                "openssl",
                "verify",
                "-attime",
                Long.toString(CLOCK.instant().getEpochSecond()),
                "-crl_check",
                "-use_deltas",
                "-CAfile",
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
            String partitionUrl = pki.settings
                    .crlPartitionUrl(CertificateProfile.CITIZEN_CA, 1)
                    .toString();
            assertThat(idpUri(full1)).isEqualTo(partitionUrl);
            assertThat(certificateCrlDp(held)).isEqualTo(partitionUrl);
            Extension freshest = bc.getExtension(Extension.freshestCRL);
            assertThat(freshest.isCritical()).isFalse();
            assertThat(CRLDistPoint.getInstance(freshest.getParsedValue())
                            .getDistributionPoints()[0]
                            .getDistributionPoint()
                            .getName()
                            .toString())
                    .contains(partitionUrl.replace(".crl", "-delta.crl"));
            assertThat(bc.getExtension(Extension.authorityKeyIdentifier).isCritical())
                    .isFalse();
            assertThat(bc.getExtension(Extension.deltaCRLIndicator)).isNull();
            X509CRL crl1 = jdk(full1);
            assertThat(crl1.getIssuerX500Principal().getEncoded())
                    .isEqualTo(jdk(pki.ca).getSubjectX500Principal().getEncoded());
            assertThat(Duration.between(
                            crl1.getThisUpdate().toInstant(),
                            crl1.getNextUpdate().toInstant()))
                    .isLessThanOrEqualTo(Duration.ofDays(10));
            crl1.verify(jdk(pki.ca).getPublicKey());
            assertThat(reason(crl1, held)).isEqualTo(CRLReason.certificateHold);
            assertThat(reason(crl1, revoked)).isEqualTo(CRLReason.keyCompromise);
            assertThat(reason(crl1, good)).isNull();
            assertThat(reason(crl1, otherRevoked))
                    .as("another partition's certificate")
                    .isNull();
            assertThat(reason(jdk(full2), otherRevoked)).isEqualTo(CRLReason.superseded);
            assertThat(crl1.getRevokedCertificates())
                    .allSatisfy(e -> assertThat(reason(crl1, e)).isNotIn(0, -1));

            // A change after the full CRL: the next round issues a delta for partition 1 only.
            CLOCK.advance(Duration.ofSeconds(30));
            pki.suspend(later);
            List<CrlPublisher.Published> round = publisher.runOnce();
            assertThat(round)
                    .extracting(CrlPublisher.Published::partition, CrlPublisher.Published::delta)
                    .contains(org.assertj.core.groups.Tuple.tuple(1, true))
                    .doesNotContain(
                            org.assertj.core.groups.Tuple.tuple(2, true),
                            org.assertj.core.groups.Tuple.tuple(1, false));
            byte[] delta1 = latest(1, true);
            X509CRLHolder d = new X509CRLHolder(delta1);
            assertThat(d.getExtension(Extension.deltaCRLIndicator).isCritical()).isTrue();
            BigInteger fullNumber = new CrlStore(db.database())
                    .latest("citizen-ca", 1, false)
                    .map(s -> BigInteger.valueOf(s.number()))
                    .orElseThrow();
            assertThat(org.bouncycastle.asn1.x509.CRLNumber.getInstance(
                                    d.getExtension(Extension.deltaCRLIndicator).getParsedValue())
                            .getCRLNumber())
                    .isEqualTo(fullNumber);
            assertThat(number(delta1)).isGreaterThan(fullNumber);
            assertThat(idpUri(delta1)).isEqualTo(partitionUrl);
            assertThat(d.getExtension(Extension.freshestCRL))
                    .as("RFC 5280 §5.2.6: not in a delta")
                    .isNull();
            assertThat(reason(jdk(delta1), later)).isEqualTo(CRLReason.certificateHold);

            // openssl: the signatures, then each certificate against full + delta.
            for (byte[] c : List.of(full1, full2, delta1)) {
                Path f = Files.write(Files.createTempFile(dir, "crl", ".der"), c);
                Tool.Result r = Tool.run(
                        "openssl",
                        "crl",
                        "-inform",
                        "DER",
                        "-in",
                        f.toString(),
                        "-CAfile",
                        caPem.toString(),
                        "-verify",
                        "-noout");
                assertThat(r.output()).contains("verify OK");
                Tool.Result t = Tool.run("certtool", "--crl-info", "--inder", "--infile", f.toString());
                assertThat(t.exit()).as(t.output()).isZero();
                assertThat(t.output()).contains("Issuer:");
            }
            Map<String, X509CertificateHolder> certs = Map.of(
                    "good",
                    good,
                    "held",
                    held,
                    "revoked",
                    revoked,
                    "later",
                    later,
                    "other",
                    other,
                    "otherRevoked",
                    otherRevoked);
            Map<String, String> expected = Map.of(
                    "good",
                    "OK",
                    "held",
                    "certificate revoked",
                    "revoked",
                    "certificate revoked",
                    "later",
                    "certificate revoked",
                    "other",
                    "OK",
                    "otherRevoked",
                    "certificate revoked");
            for (var e : certs.entrySet()) {
                Path pem = CrlFixture.pem(dir.resolve(e.getKey() + ".pem"), e.getValue());
                boolean inTwo = e.getValue() == other || e.getValue() == otherRevoked;
                Tool.Result r = inTwo ? opensslVerify(pem, full2, latest(2, true)) : opensslVerify(pem, full1, delta1);
                assertThat(r.output()).as(e.getKey()).contains(expected.get(e.getKey()));
                assertThat(r.exit() == 0)
                        .as(e.getKey() + ": " + r.output())
                        .isEqualTo("OK".equals(expected.get(e.getKey())));
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

    @Test
    void resumeGivesRemoveFromCrlAndHoldThenRevokeChangesTheReason() throws Exception {
        X509CertificateHolder resumed = pki.citizen(3);
        X509CertificateHolder revokedLater = pki.citizen(3);
        pki.suspend(resumed);
        pki.suspend(revokedLater);
        CLOCK.advance(Duration.ofSeconds(2));
        try (CrlPublisher publisher = publisher("node-a")) {
            publisher.publishAll();
            X509CRL full = jdk(latest(3, false));
            assertThat(reason(full, resumed)).isEqualTo(CRLReason.certificateHold);
            assertThat(reason(full, revokedLater)).isEqualTo(CRLReason.certificateHold);

            CLOCK.advance(Duration.ofSeconds(30));
            pki.resume(resumed);
            pki.revoke(revokedLater, RevocationReason.KEY_COMPROMISE);
            CLOCK.advance(Duration.ofSeconds(1));
            publisher.runOnce();
            byte[] delta = latest(3, true);
            X509CRL d = jdk(delta);
            assertThat(reason(d, resumed)).isEqualTo(CRLReason.removeFromCRL);
            assertThat(reason(d, revokedLater)).isEqualTo(CRLReason.keyCompromise);
            // openssl applies the delta: the resumed certificate is good again, the other revoked.
            Path resumedPem = CrlFixture.pem(dir.resolve("resumed.pem"), resumed);
            Path revokedPem = CrlFixture.pem(dir.resolve("revoked-later.pem"), revokedLater);
            byte[] fullDer = latest(3, false);
            assertThat(opensslVerify(resumedPem, fullDer).output()).contains("certificate revoked");
            Tool.Result ok = opensslVerify(resumedPem, fullDer, delta);
            assertThat(ok.exit()).as(ok.output()).isZero();
            assertThat(opensslVerify(revokedPem, fullDer, delta).output()).contains("certificate revoked");

            CLOCK.advance(Duration.ofSeconds(1));
            publisher.publishAll();
            X509CRL next = jdk(latest(3, false));
            assertThat(reason(next, resumed)).as("gone from the next full CRL").isNull();
            assertThat(reason(next, revokedLater)).isEqualTo(CRLReason.keyCompromise);
            assertThat(pkix(resumed, latest(3, false))).isNull();
            assertThat(pkix(revokedLater, latest(3, false))).isEqualTo("REVOKED");
        }
    }

    @Test
    void twoPublishersAtOnceNeverDuplicateOrDecreaseANumber() throws Exception {
        pki.revoke(pki.citizen(4), RevocationReason.AFFILIATION_CHANGED);
        pki.citizen(4);
        CLOCK.advance(Duration.ofSeconds(1));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (CrlPublisher a = publisher("node-a");
                CrlPublisher b = publisher("node-b")) {
            List<Future<?>> runs = new ArrayList<>();
            for (CrlPublisher p : List.of(a, b)) {
                runs.add(pool.submit(() -> {
                    for (int i = 0; i < 4; i++) {
                        p.publishAll();
                    }
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        List<long[]> rows = db.database().inTransaction(c -> {
            List<long[]> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, is_delta, crl_number, der FROM crl"
                    + " WHERE ca_name = 'citizen-ca' AND crl_partition = 4 ORDER BY id")) {
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        try {
                            assertThat(number(rs.getBytes(4))).isEqualTo(rs.getLong(3));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        out.add(new long[] {rs.getLong(1), rs.getBoolean(2) ? 1 : 0, rs.getLong(3)});
                    }
                }
            }
            return out;
        });
        assertThat(rows.stream().filter(r -> r[1] == 0).count()).isGreaterThanOrEqualTo(4);
        for (int kind = 0; kind <= 1; kind++) {
            long last = -1;
            for (long[] r : rows) {
                if (r[1] == kind) {
                    assertThat(r[2])
                            .as("stored in order of id, numbers strictly increase")
                            .isGreaterThan(last);
                    last = r[2];
                }
            }
        }
        // What is served is the highest number, in the store and in the directory.
        byte[] file = Files.readAllBytes(dir.resolve("pub/crl/citizen-ca/4.crl"));
        assertThat(number(file)).isEqualTo(number(latest(4, false)));
    }

    @Test
    void aCrashBetweenSigningAndPublishingLeavesThePreviousCrlServed() throws Exception {
        pki.revoke(pki.citizen(5), RevocationReason.KEY_COMPROMISE);
        CLOCK.advance(Duration.ofSeconds(1));
        Path file = dir.resolve("pub/crl/citizen-ca/5.crl");
        String path = "/crl/citizen-ca/5.crl";
        PublishedCrls served = new PublishedCrls(db.database(), pki.settings);
        try (CrlPublisher publisher = publisher("node-a")) {
            publisher.publishAll();
            byte[] before = latest(5, false);
            assertThat(Files.readAllBytes(file)).isEqualTo(before);
            served.refresh(CLOCK.instant());
            assertThat(served.get(path).der()).isEqualTo(before);

            pki.revoke(pki.citizen(5), RevocationReason.SUPERSEDED);
            CLOCK.advance(Duration.ofSeconds(1));
            publisher.afterSigning = () -> {
                throw new IllegalStateException("power cut after signing");
            };
            assertThatThrownBy(publisher::publishAll).hasMessageContaining("power cut");
            // A crash while the file was being written leaves a partial temporary file beside it.
            Files.write(dir.resolve("pub/crl/citizen-ca/.5.crl123.tmp"), Arrays.copyOf(before, before.length / 2));

            assertThat(latest(5, false)).isEqualTo(before);
            assertThat(Files.readAllBytes(file)).isEqualTo(before);
            served.refresh(CLOCK.instant());
            assertThat(served.get(path).der()).isEqualTo(before);
            jdk(Files.readAllBytes(file)).verify(jdk(pki.ca).getPublicKey());

            publisher.afterSigning = () -> {};
            publisher.publishAll();
            assertThat(number(Files.readAllBytes(file))).isGreaterThan(number(before));
            assertThat(jdk(Files.readAllBytes(file)).getRevokedCertificates()).hasSize(2);
        }
    }

    @Test
    void aReplacementMustVerifyRaiseTheNumberAndKeepTheScope() throws Exception {
        pki.citizen(6);
        pki.citizen(60);
        CLOCK.advance(Duration.ofSeconds(1));
        try (CrlPublisher publisher = publisher("node-a")) {
            publisher.publishAll();
            byte[] first = latest(6, false);
            CLOCK.advance(Duration.ofSeconds(1));
            publisher.publishAll();
            byte[] second = latest(6, false);
            CrlAuthority ca = CrlAuthority.byName(CrlAuthority.load(db.database()), "citizen-ca")
                    .orElseThrow();
            CrlFacts f1 = CrlFacts.read(first, ca.publicKey());
            CrlFacts f2 = CrlFacts.read(second, ca.publicKey());
            CrlChecks.replaces(f2, f1, ca, "6.crl");
            assertThatThrownBy(() -> CrlChecks.replaces(f1, f2, ca, "6.crl")).hasMessageContaining("does not exceed");
            CrlFacts otherScope = CrlFacts.read(latest(60, false), ca.publicKey());
            assertThatThrownBy(() -> CrlChecks.replaces(
                            f2,
                            new CrlFacts(
                                    f1.issuer(),
                                    f1.thisUpdate(),
                                    f1.nextUpdate(),
                                    0,
                                    BigInteger.ONE,
                                    null,
                                    otherScope.issuingDistributionPoint(),
                                    true),
                            ca,
                            "6.crl"))
                    .hasMessageContaining("issuingDistributionPoint");
            // A publisher whose publication base changed would change the partition's scope: the store refuses it.
            try (CrlPublisher moved = new CrlPublisher(
                    db.database(),
                    token,
                    pki.settings.withPublicationBase(java.net.URI.create("http://crl.example.invalid")),
                    CrlConfig.defaults(),
                    "node-a",
                    CLOCK)) {
                assertThatThrownBy(() -> moved.publishPartition(6))
                        .isInstanceOf(CrlRefusedException.class)
                        .hasMessageContaining("issuingDistributionPoint");
            }
            assertThat(latest(6, false)).isEqualTo(second);
            byte[] tampered = second.clone();
            tampered[tampered.length - 10] ^= 1;
            assertThatThrownBy(() -> CrlChecks.replaces(CrlFacts.read(tampered, ca.publicKey()), f1, ca, "6.crl"))
                    .hasMessageContaining("signature");
            assertThat(Files.readAllBytes(dir.resolve("pub/crl/citizen-ca/6.crl")))
                    .isEqualTo(second);
        }
    }

    @Test
    void expiredCertificatesLeaveTheCrlUnlessConfiguredToStay() throws Exception {
        X509CertificateHolder old = pki.citizen(7);
        pki.revoke(old, RevocationReason.KEY_COMPROMISE);
        db.database().inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE certificate SET not_before = ?,"
                    + " not_after = ? WHERE ca_name = 'citizen-ca' AND serial_hex = ?")) {
                ps.setObject(
                        1,
                        tw.eid.pki.ca.store.DatabaseTime.toColumn(
                                CLOCK.instant().minus(Duration.ofDays(400))));
                ps.setObject(
                        2,
                        tw.eid.pki.ca.store.DatabaseTime.toColumn(
                                CLOCK.instant().minus(Duration.ofDays(8))));
                ps.setString(3, old.getSerialNumber().toString(16));
                ps.executeUpdate();
            }
            return null;
        });
        CLOCK.advance(Duration.ofSeconds(1));
        try (CrlPublisher publisher = publisher("node-a")) {
            publisher.publishAll();
            assertThat(reason(jdk(latest(7, false)), old))
                    .as("expired 8 days ago, full lifetime 7 days")
                    .isNull();
        }
        CLOCK.advance(Duration.ofSeconds(1));
        try (CrlPublisher keeping = publisher("node-a", CrlConfig.defaults().withKeepExpired(true))) {
            keeping.publishAll();
            assertThat(reason(jdk(latest(7, false)), old)).isEqualTo(CRLReason.keyCompromise);
        }
    }

    @Test
    void oneLeaseHolderWorksANewPartitionGetsItsCrlsAndOfflineCrlsAreWatched() throws Exception {
        try (CrlPublisher a = publisher("node-a");
                CrlPublisher b = publisher(
                        "node-b",
                        CrlConfig.defaults()
                                .withDirectory(dir.resolve("pub"))
                                .withOfflineWarning(Duration.ofDays(400)))) {
            CLOCK.advance(CrlPublisher.LEASE.plusSeconds(1)); // whatever lease an earlier test left lapses
            assertThat(a.runOnce()).isNotNull();
            assertThat(b.runOnce()).as("node-a holds the lease").isNull();
            pki.citizen(8); // a partition that opened since the last round
            CLOCK.advance(Duration.ofSeconds(1));
            assertThat(a.runOnce())
                    .extracting(CrlPublisher.Published::partition, CrlPublisher.Published::delta)
                    .contains(
                            org.assertj.core.groups.Tuple.tuple(8, false),
                            org.assertj.core.groups.Tuple.tuple(8, true));
            assertThat(a.offlineCrls()).singleElement().satisfies(o -> {
                assertThat(o.caName()).isEqualTo("citizen-root");
                assertThat(o.due()).isFalse();
            });
            CLOCK.advance(CrlPublisher.LEASE.plusSeconds(1));
            assertThat(b.runOnce()).as("the lease lapsed: node-b takes over").isNotNull();
            assertThat(b.offlineCrls()).singleElement().satisfies(o -> {
                assertThat(o.due()).as("365-day ARL, warning 400 days ahead").isTrue();
                assertThat(o.expired()).isFalse();
            });
        }
    }

    @Test
    void theRaOperatorsCaHasOneCrlWithoutScopeOrDelta() throws Exception {
        String serial = "7eadbeef01";
        revokedRow("ra-operators-ca", serial, "operator/1", 4, Duration.ofDays(1), Duration.ofDays(700));
        CLOCK.advance(Duration.ofSeconds(1));
        try (CrlPublisher publisher = publisher("node-a")) {
            publisher.publishAll();
        }
        CrlStore store = new CrlStore(db.database());
        byte[] der = store.der(
                store.latest("ra-operators-ca", 0, false).orElseThrow().id());
        X509CRLHolder crl = new X509CRLHolder(der);
        assertThat(crl.getExtension(Extension.issuingDistributionPoint)).isNull();
        assertThat(crl.getExtension(Extension.freshestCRL)).isNull();
        assertThat(store.latest("ra-operators-ca", 0, true)).isEmpty();
        X509CRL jdkCrl = jdk(der);
        jdkCrl.verify(jdk(pki.operators).getPublicKey());
        assertThat(jdkCrl.getRevokedCertificate(new BigInteger(serial, 16))).isNotNull();
        assertThat(Files.readAllBytes(dir.resolve("pub/crl/ra-operators-ca.crl")))
                .isEqualTo(der);
    }

    @Test
    void theCrlDistributionPointUrlItselfServesTheCrl() throws Exception {
        X509CertificateHolder cert = pki.citizen(9);
        pki.suspend(cert);
        CLOCK.advance(Duration.ofSeconds(1));
        try (CrlPublisher publisher = publisher("node-a");
                CrlServer crls = CrlServer.follow(db.database(), pki.settings, CLOCK)) {
            publisher.publishAll();
            crls.crls().refresh(CLOCK.instant());
            org.eclipse.jetty.server.Server server =
                    CrlServer.newServer(crls.handler(publisher, Duration.ofSeconds(60), CLOCK), "127.0.0.1", 0);
            server.start();
            try {
                java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + CrlServer.port(server);
                // The certificate's own CRL DP, pointed at this server.
                java.net.URI dp = java.net.URI.create(certificateCrlDp(cert));
                java.net.http.HttpResponse<byte[]> r = http.send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + dp.getPath()))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue("content-type")).hasValue("application/pkix-crl");
                X509CRL crl = jdk(r.body());
                assertThat(r.body()[0]).as("DER, not PEM").isEqualTo((byte) 0x30);
                assertThat(crl.getIssuerX500Principal().getEncoded())
                        .isEqualTo(jdk(pki.ca).getSubjectX500Principal().getEncoded());
                crl.verify(jdk(pki.ca).getPublicKey());
                assertThat(reason(crl, cert)).isEqualTo(CRLReason.certificateHold);
                String etag = r.headers().firstValue("etag").orElseThrow();
                long maxAge = Long.parseLong(
                        r.headers().firstValue("cache-control").orElseThrow().replaceAll(".*max-age=(\\d+).*", "$1"));
                assertThat(maxAge).isBetween(1L, 60L);
                assertThat(r.headers().firstValue("last-modified")).isPresent();
                java.net.http.HttpResponse<byte[]> again = http.send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + dp.getPath()))
                                .header("If-None-Match", etag)
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                assertThat(again.statusCode()).isEqualTo(304);
                java.net.http.HttpResponse<byte[]> since = http.send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + dp.getPath()))
                                .header(
                                        "If-Modified-Since",
                                        r.headers().firstValue("last-modified").orElseThrow())
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                assertThat(since.statusCode()).isEqualTo(304);
                // Its delta, as the full CRL's freshestCRL names it; the single CRLs; nothing else.
                String freshest = org.bouncycastle.asn1.x509.GeneralNames.getInstance(
                                CRLDistPoint.getInstance(new X509CRLHolder(r.body())
                                                .getExtension(Extension.freshestCRL)
                                                .getParsedValue())
                                        .getDistributionPoints()[0]
                                        .getDistributionPoint()
                                        .getName())
                        .getNames()[0]
                        .getName()
                        .toString();
                String deltaPath = java.net.URI.create(freshest).getPath();
                for (String path : List.of(deltaPath, "/crl/citizen-root.crl", "/crl/ra-operators-ca.crl")) {
                    java.net.http.HttpResponse<byte[]> ok = http.send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                    assertThat(ok.statusCode()).as(path).isEqualTo(200);
                    assertThat(jdk(ok.body())).as(path).isNotNull();
                }
                for (String path :
                        List.of("/crl/citizen-ca/99999.crl", "/crl/csca.crl", "/crl/../etc/passwd", "/other")) {
                    assertThat(http.send(
                                            java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path))
                                                    .build(),
                                            java.net.http.HttpResponse.BodyHandlers.discarding())
                                    .statusCode())
                            .as(path)
                            .isIn(400, 404);
                }
                assertThat(http.send(
                                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + dp.getPath()))
                                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("x"))
                                                .build(),
                                        java.net.http.HttpResponse.BodyHandlers.discarding())
                                .statusCode())
                        .isEqualTo(405);
                java.net.http.HttpResponse<String> health = http.send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/health"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(health.body()).contains("\"offline\":[{\"ca\":\"citizen-root\"");
            } finally {
                server.stop();
            }
        }
    }

    @Test
    void aCeremonySignsTheRootsNextArlAndThePublisherServesIt() throws Exception {
        // A certificate the root issued, revoked (e.g. a retired subordinate CA).
        String serial = "5ca1ab1e";
        revokedRow("citizen-root", serial, "citizen-ca/1", 5, Duration.ofDays(10), Duration.ofDays(3000));
        CLOCK.advance(Duration.ofSeconds(1));
        OfflineCrlCeremony ceremony = new OfflineCrlCeremony(db.database(), pki.settings, CLOCK);
        OfflineCrlCeremony.Signed signed =
                ceremony.sign(token, "citizen-root", Duration.ofDays(365), "custodians:alice+bob");
        assertThat(signed.number()).isGreaterThan(BigInteger.ONE);
        assertThat(signed.path()).isEqualTo("/crl/citizen-root.crl");
        X509CRL arl = jdk(signed.crl().getEncoded());
        arl.verify(jdk(pki.root).getPublicKey());
        assertThat(reason(arl, arl.getRevokedCertificate(new BigInteger(serial, 16))))
                .isEqualTo(CRLReason.cessationOfOperation);
        assertThat(new X509CRLHolder(signed.crl().getEncoded()).getExtension(Extension.issuingDistributionPoint))
                .isNull();
        Path f = Files.write(dir.resolve("arl.der"), signed.crl().getEncoded());
        Path rootPem = dir.resolve("root.pem");
        assertThat(Tool.run(
                                "openssl",
                                "crl",
                                "-inform",
                                "DER",
                                "-in",
                                f.toString(),
                                "-CAfile",
                                rootPem.toString(),
                                "-verify",
                                "-noout")
                        .output())
                .contains("verify OK");
        PublishedCrls served = new PublishedCrls(db.database(), pki.settings);
        served.refresh(CLOCK.instant());
        assertThat(served.get("/crl/citizen-root.crl").der())
                .isEqualTo(signed.crl().getEncoded());
        // Audited in the same transaction.
        int audited = db.database().inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM audit_event WHERE action = 'crl.sign'"
                            + " AND target = 'citizen-root'");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        });
        assertThat(audited).isEqualTo(1);
        // Online CAs are not a ceremony's; an ARL past a year is refused by the profile.
        assertThatThrownBy(() -> ceremony.sign(token, "citizen-ca", Duration.ofDays(7), "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ceremony.sign(token, "citizen-root", Duration.ofDays(400), "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** The BasicReason of Java's PKIX validation with revocation on over {@code crls} and the root's ARL, or null if valid. */
    @Test
    void aCrlOverAMebibyteIsStoredInPiecesReadBackWholeAndNeverServedShort() throws Exception {
        pki.bulkRevoked(70, 30_000, 70); // 30,000 entries: about 1.5 MB of DER
        CLOCK.advance(Duration.ofSeconds(1));
        try (CrlPublisher publisher = publisher("node-a")) {
            publisher.publishPartition(70);
        }
        CrlStore store = new CrlStore(db.database());
        long id = store.latest("citizen-ca", 70, false).orElseThrow().id();
        byte[] der = store.der(id);
        assertThat(der.length).isGreaterThan(CrlStore.FIRST);
        assertThat(der).isEqualTo(Files.readAllBytes(dir.resolve("pub/crl/citizen-ca/70.crl")));
        X509CRL crl = jdk(der);
        crl.verify(jdk(pki.ca).getPublicKey());
        // Read as two serial ranges at once: every entry once (the JDK's set would hide a duplicate; the count would
        // not).
        assertThat(crl.getRevokedCertificates()).hasSize(30_000);
        CrlAuthority ca = CrlAuthority.byName(CrlAuthority.load(db.database()), "citizen-ca")
                .orElseThrow();
        assertThat(CrlFacts.read(der, ca.publicKey()).entries()).isEqualTo(30_000);
        String middle = CrlPublisher.split(store.revokedSerialBounds("citizen-ca", 70));
        assertThat(crl.getRevokedCertificates())
                .as("both ranges hold entries")
                .anySatisfy(e -> assertThat(e.getSerialNumber().toString(16)).isLessThan(middle))
                .anySatisfy(e -> assertThat(e.getSerialNumber().toString(16)).isGreaterThanOrEqualTo(middle));
        assertThat(count("SELECT COUNT(*) FROM crl_der_more WHERE crl_id = " + id))
                .isEqualTo((der.length - CrlStore.FIRST + CrlStore.PIECE - 1) / CrlStore.PIECE);

        // A piece lost (a bad restore, a hand edit): the reader refuses the CRL rather than serve it short.
        db.database().inTransaction(c -> {
            try (var st = c.createStatement()) {
                st.executeUpdate("DELETE FROM crl_der_more WHERE crl_id = " + id);
            }
            return null;
        });
        assertThatThrownBy(() -> store.der(id)).hasMessageContaining("of " + der.length + " bytes");
        PublishedCrls served = new PublishedCrls(db.database(), pki.settings);
        served.refresh(CLOCK.instant());
        assertThat(served.get("/crl/citizen-ca/70.crl"))
                .as("not served at all rather than short")
                .isNull();
    }

    @Test
    void theFullCrlCursorReadsOnlyTheIndexNeverTheCertificateRows() {
        pki.bulkRevoked(71, 5_000, 71);
        db.database().inTransaction(c -> {
            try (var st = c.createStatement()) {
                st.execute("ANALYZE TABLE certificate");
            }
            return null;
        });
        Instant now = CLOCK.instant();
        CrlStore store = new CrlStore(db.database());
        String middle = CrlPublisher.split(store.revokedSerialBounds("citizen-ca", 71));
        assertThat(middle).isNotNull();
        for (String[] range : new String[][] {{null, null}, {null, middle}, {middle, null}}) {
            List<String> plan =
                    store.explainFullEntries("citizen-ca", 71, now, now.minus(Duration.ofDays(7)), range[0], range[1]);
            assertThat(plan)
                    .singleElement()
                    .satisfies(p -> assertThat(p)
                            .contains("key=certificate_crl_entries")
                            .contains("Using index"));
        }
    }

    @Test
    void aChangeStampedAfterThisUpdateWaitsForTheNextDeltaAndIsNotLost() throws Exception {
        X509CertificateHolder early = pki.citizen(72);
        X509CertificateHolder late = pki.citizen(72);
        CLOCK.advance(Duration.ofSeconds(1));
        try (CrlPublisher publisher = publisher("node-a")) {
            publisher.publishAll();
            CLOCK.advance(Duration.ofSeconds(30));
            pki.revoke(early, RevocationReason.KEY_COMPROMISE);
            // A change committed while the round runs, stamped after its thisUpdate's second (here
            // by a clock ahead of the publisher's: an RA host a few seconds fast).
            Instant round = CLOCK.instant();
            CLOCK.set(round.plusSeconds(3));
            pki.revoke(late, RevocationReason.KEY_COMPROMISE);
            CLOCK.set(round);
            publisher.runOnce();
            X509CRL delta = jdk(latest(72, true));
            assertThat(reason(delta, early)).isEqualTo(CRLReason.keyCompromise);
            assertThat(reason(delta, late))
                    .as("not yet: it would be dated after the CRL")
                    .isNull();
            assertThat(delta.getRevokedCertificates())
                    .allSatisfy(e -> assertThat(e.getRevocationDate()).isBeforeOrEqualTo(delta.getThisUpdate()));

            CLOCK.advance(Duration.ofSeconds(5));
            publisher.runOnce();
            X509CRL next = jdk(latest(72, true));
            assertThat(reason(next, late)).as("the next round lists it").isEqualTo(CRLReason.keyCompromise);
            assertThat(next.getRevokedCertificates())
                    .allSatisfy(e -> assertThat(e.getRevocationDate()).isBeforeOrEqualTo(next.getThisUpdate()));
        }
    }

    @Test
    void everyOnlinePublicationIsInTheAuditTrail() throws Exception {
        pki.revoke(pki.citizen(73), RevocationReason.KEY_COMPROMISE);
        CLOCK.advance(Duration.ofSeconds(1));
        try (CrlPublisher publisher = publisher("node-audit")) {
            List<CrlPublisher.Published> out = publisher.publishPartition(73);
            assertThat(out).hasSize(2);
            String url = pki.settings
                    .crlPartitionUrl(CertificateProfile.CITIZEN_CA, 73)
                    .toString();
            assertThat(count("SELECT COUNT(*) FROM audit_event WHERE actor = 'crl-publisher:node-audit'"
                            + " AND action = 'crl.publish' AND target = '" + url
                            + "' AND JSON_VALUE(details, '$.entries') = 1"))
                    .isEqualTo(1);
            assertThat(count("SELECT COUNT(*) FROM audit_event WHERE actor = 'crl-publisher:node-audit'"
                            + " AND action = 'crl.publish-delta' AND target = '" + url.replace(".crl", "-delta.crl")
                            + "'"))
                    .isEqualTo(1);
        }
    }

    @Test
    void theSplitIsBetweenTheBoundsOrNone() {
        assertThat(CrlPublisher.split(null)).isNull();
        assertThat(CrlPublisher.split(new String[] {"8000", "8000"})).isNull();
        String m = CrlPublisher.split(new String[] {"80000001000000011234", "80000001000f423f1234"});
        assertThat(m).isGreaterThan("80000001000000011234").isLessThanOrEqualTo("80000001000f423f1234");
        String n = CrlPublisher.split(new String[] {"1a", "ffffffffffffffffffffffffffffffff"});
        assertThat(n).hasSize(8).isGreaterThan("1a").isLessThan("ffff");
        String k = CrlPublisher.split(new String[] {"8000004700000001aaaa", "800000470000138801bb"});
        assertThat(k)
                .isGreaterThan("8000004700000001aaaa")
                .isLessThan("800000470000138801bb")
                .startsWith("80000047000009");
    }

    /**
     * A certificate row of {@code ca} revoked a minute ago with {@code reason}, valid from {@code
     * issuedAgo} ago for {@code validFor} more (placeholder DER), as a CA's issuance would have left it.
     */
    static void revokedRow(
            String ca, String serial, String profile, int reason, Duration issuedAgo, Duration validFor) {
        db.database().inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO certificate (ca_name, serial_hex, profile, status,"
                            + " revocation_reason, revocation_time, not_before, not_after, tbs_der, der, public_key_sha256,"
                            + " created_at, updated_at) VALUES (?, ?, ?, 'REVOKED', ?, ?, ?, ?, x'00', x'00', x'00', ?, ?)")) {
                Instant now = CLOCK.instant();
                ps.setString(1, ca);
                ps.setString(2, serial);
                ps.setString(3, profile);
                ps.setInt(4, reason);
                ps.setObject(5, tw.eid.pki.ca.store.DatabaseTime.toColumn(now.minusSeconds(60)));
                ps.setObject(6, tw.eid.pki.ca.store.DatabaseTime.toColumn(now.minus(issuedAgo)));
                ps.setObject(7, tw.eid.pki.ca.store.DatabaseTime.toColumn(now.plus(validFor)));
                ps.setObject(8, tw.eid.pki.ca.store.DatabaseTime.toColumn(now));
                ps.setObject(9, tw.eid.pki.ca.store.DatabaseTime.toColumn(now));
                ps.executeUpdate();
            }
            return null;
        });
    }

    static long count(String sql) {
        return db.database().inTransaction(c -> {
            try (var st = c.createStatement();
                    ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    static String pkix(X509CertificateHolder cert, byte[]... crls) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<Object> store = new ArrayList<>();
        for (byte[] c : crls) {
            store.add(jdk(c));
        }
        store.add(jdk(new CrlStore(db.database())
                .der(new CrlStore(db.database())
                        .latest("citizen-root", 0, false)
                        .orElseThrow()
                        .id())));
        store.add(jdk(pki.ca));
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(jdk(pki.root), null)));
        params.setRevocationEnabled(true);
        params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(store)));
        params.setDate(Date.from(CLOCK.instant()));
        try {
            CertPathValidator.getInstance("PKIX")
                    .validate(cf.generateCertPath(List.of(jdk(cert), jdk(pki.ca))), params);
            return null;
        } catch (CertPathValidatorException e) {
            return e.getReason().toString();
        }
    }

    static String idpUri(byte[] der) throws Exception {
        IssuingDistributionPoint idp = IssuingDistributionPoint.getInstance(new X509CRLHolder(der)
                .getExtension(Extension.issuingDistributionPoint)
                .getParsedValue());
        GeneralName n = org.bouncycastle.asn1.x509.GeneralNames.getInstance(
                        idp.getDistributionPoint().getName())
                .getNames()[0];
        return n.getName().toString();
    }

    static String certificateCrlDp(X509CertificateHolder cert) {
        CRLDistPoint dp = CRLDistPoint.getInstance(
                cert.getExtension(Extension.cRLDistributionPoints).getParsedValue());
        return org.bouncycastle.asn1.x509.GeneralNames.getInstance(
                        dp.getDistributionPoints()[0].getDistributionPoint().getName())
                .getNames()[0]
                .getName()
                .toString();
    }

    static BigInteger number(byte[] der) throws Exception {
        return org.bouncycastle.asn1.x509.CRLNumber.getInstance(
                        new X509CRLHolder(der).getExtension(Extension.cRLNumber).getParsedValue())
                .getCRLNumber();
    }

    static Integer reason(X509CRL crl, X509CRLEntry e) {
        byte[] ext = e.getExtensionValue(Extension.reasonCode.getId());
        if (ext == null) {
            return -1;
        }
        try {
            return ASN1Enumerated.getInstance(
                            ASN1Primitive.fromByteArray(org.bouncycastle.asn1.ASN1OctetString.getInstance(ext)
                                    .getOctets()))
                    .intValueExact();
        } catch (java.io.IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
