package tw.eid.pki.ca.profile;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A whole ceremony's output with software keys and pinned clocks: the root at {@link #T0}, the
 * CAs a day later, the OCSP signer and Document Signer two days later.
 */
final class TestPki {

    static final Provider BC = new BouncyCastleProvider();
    static final Instant T0 = Instant.parse("2026-03-02T01:02:03Z");
    static final Instant T_CA = T0.plus(Duration.ofDays(1));
    static final Instant T_LEAF = T0.plus(Duration.ofDays(2));
    static final SecureRandom RANDOM = new SecureRandom();

    final ProfileSettings settings;
    final Instant t0;
    final KeyPair rootKey;
    final KeyPair citizenCaKey;
    final KeyPair ocspKey;
    final KeyPair raKey;
    final KeyPair cscaKey;
    final KeyPair dsKey;
    final X509CertificateHolder root;
    final X509CertificateHolder citizenCa;
    final X509CertificateHolder ocsp;
    final X509CertificateHolder raOperatorsCa;
    final X509CertificateHolder csca;
    final X509CertificateHolder documentSigner;

    private static TestPki ecDefault;

    /** The default set: EC P-384 root and CAs, brainpoolP384r1 CSCA. Built once per JVM. */
    static synchronized TestPki ec() {
        if (ecDefault == null) {
            ecDefault =
                    new TestPki(ProfileSettings.defaults(), PublicKeyType.EC_P384, PublicKeyType.EC_BRAINPOOL_P384R1);
        }
        return ecDefault;
    }

    TestPki(ProfileSettings settings, PublicKeyType rootType, PublicKeyType cscaType) {
        this(settings, rootType, cscaType, T0);
    }

    /**
     * The same PKI with the root and CSCA made at {@code t0}, the CAs a day later and the OCSP
     * signer and Document Signer two days later ({@link #tCa()}, {@link #tLeaf()}).
     */
    TestPki(ProfileSettings settings, PublicKeyType rootType, PublicKeyType cscaType, Instant t0) {
        this.settings = settings;
        this.t0 = t0;
        PkiNames names = settings.names();
        rootKey = generate(rootType);
        citizenCaKey = generate(rootType);
        ocspKey = generate(PublicKeyType.EC_P256);
        raKey = generate(PublicKeyType.EC_P384);
        cscaKey = generate(cscaType);
        dsKey = generate(PublicKeyType.EC_P256);

        root = issuance(t0)
                .issue(
                        issuance(t0)
                                .prepareSelfSigned(new CertificateRequest(
                                        CertificateProfile.CITIZEN_ROOT, names.citizenRoot(), spki(rootKey))),
                        signer(rootKey));
        CaCertificate rootCa = new CaCertificate(CertificateProfile.CITIZEN_ROOT, root);
        CertificateIssuance atCa = issuance(tCa());
        citizenCa = atCa.issue(
                atCa.prepare(
                        new CertificateRequest(CertificateProfile.CITIZEN_CA, names.citizenCa(), spki(citizenCaKey)),
                        rootCa),
                signer(rootKey));
        raOperatorsCa = atCa.issue(
                atCa.prepare(
                        new CertificateRequest(CertificateProfile.RA_OPERATORS_CA, names.raOperatorsCa(), spki(raKey)),
                        rootCa),
                signer(rootKey));
        CertificateIssuance atLeaf = issuance(tLeaf());
        ocsp = atLeaf.issue(
                atLeaf.prepare(
                        new CertificateRequest(
                                CertificateProfile.OCSP_SIGNER,
                                names.ocspResponder(CertificateProfile.CITIZEN_CA),
                                spki(ocspKey)),
                        new CaCertificate(CertificateProfile.CITIZEN_CA, citizenCa)),
                signer(citizenCaKey));
        CertificateIssuance atCsca = issuance(t0);
        csca = atCsca.issue(
                atCsca.prepareSelfSigned(new CertificateRequest(CertificateProfile.CSCA, names.csca(), spki(cscaKey))),
                signer(cscaKey));
        documentSigner = atLeaf.issue(
                atLeaf.prepare(
                        new CertificateRequest(
                                CertificateProfile.DOCUMENT_SIGNER, names.documentSigner(1), spki(dsKey)),
                        new CaCertificate(CertificateProfile.CSCA, csca)),
                signer(cscaKey));
    }

    /** What {@link ProfileLint} finds on each of the six certificates, all together (empty when clean). */
    List<LintFinding> lintFindings() {
        ProfileLint lint = new ProfileLint(settings);
        List<LintFinding> all = new ArrayList<>();
        all.addAll(lint.checkSelfSigned(CertificateProfile.CITIZEN_ROOT, root));
        all.addAll(lint.check(CertificateProfile.CITIZEN_CA, citizenCa, rootCa()));
        all.addAll(lint.check(CertificateProfile.RA_OPERATORS_CA, raOperatorsCa, rootCa()));
        all.addAll(lint.check(CertificateProfile.OCSP_SIGNER, ocsp, citizenCaCa()));
        all.addAll(lint.checkSelfSigned(CertificateProfile.CSCA, csca));
        all.addAll(lint.check(CertificateProfile.DOCUMENT_SIGNER, documentSigner, cscaCa()));
        return all;
    }

    Instant tCa() {
        return t0.plus(Duration.ofDays(1));
    }

    Instant tLeaf() {
        return t0.plus(Duration.ofDays(2));
    }

    CertificateIssuance issuance(Instant at) {
        return new CertificateIssuance(settings, Clock.fixed(at, ZoneOffset.UTC), RANDOM);
    }

    CaCertificate rootCa() {
        return new CaCertificate(CertificateProfile.CITIZEN_ROOT, root);
    }

    CaCertificate citizenCaCa() {
        return new CaCertificate(CertificateProfile.CITIZEN_CA, citizenCa);
    }

    CaCertificate cscaCa() {
        return new CaCertificate(CertificateProfile.CSCA, csca);
    }

    static KeyPair generate(PublicKeyType type) {
        try {
            KeyPairGenerator g;
            if (type.isEc()) {
                g = KeyPairGenerator.getInstance("EC", BC);
                g.initialize(new ECGenParameterSpec(type.curve().getId()), RANDOM);
            } else {
                g = KeyPairGenerator.getInstance("RSA", BC);
                g.initialize(new RSAKeyGenParameterSpec(type.modulusBits(), RSAKeyGenParameterSpec.F4), RANDOM);
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static SubjectPublicKeyInfo spki(KeyPair key) {
        return SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded());
    }

    /** The "token" signer of {@code key}, with the algorithm {@link SignatureAlgorithms} names for it. */
    static ContentSigner signer(KeyPair key) {
        return signer(key, SignatureAlgorithms.forIssuer(spki(key)));
    }

    static ContentSigner signer(KeyPair key, AlgorithmIdentifier algorithm) {
        try {
            return new JcaContentSignerBuilder(SignatureAlgorithms.jcaName(algorithm))
                    .setProvider(BC)
                    .build(key.getPrivate());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parsed by the JDK's own X.509 implementation, independent of Bouncy Castle. */
    static X509Certificate jdk(X509CertificateHolder holder) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(holder.getEncoded()));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static X509CRL jdkCrl(byte[] der) {
        try {
            return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] der(X509CertificateHolder holder) {
        try {
            return holder.getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
