package tw.eid.pki.ca.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.function.Consumer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.junit.jupiter.api.Test;

/** The lint catches each way a certificate can miss its profile. */
class ProfileLintTest {

    private final TestPki pki = TestPki.ec();
    private final ProfileLint lint = new ProfileLint(pki.settings);

    @Test
    void anUnchangedRemakePasses() {
        // Control: the remaking itself introduces no finding.
        assertThat(citizenCaFindings(r -> {})).isEmpty();
        assertThat(lint.checkSelfSigned(
                        CertificateProfile.CITIZEN_ROOT,
                        Remake.of(pki.root, pki.rootKey).build()))
                .isEmpty();
    }

    @Test
    void missingKeyUsage() {
        assertThat(citizenCaFindings(r -> r.remove(Extension.keyUsage)))
                .extracting(LintFinding::rule)
                .containsExactly("missing-extension");
    }

    @Test
    void wrongPathLen() {
        assertThat(citizenCaFindings(r -> r.put(Extension.basicConstraints, true, new BasicConstraints(1))))
                .extracting(LintFinding::rule)
                .containsExactly("basic-constraints");
    }

    @Test
    void basicConstraintsNotCritical() {
        assertThat(citizenCaFindings(r -> r.put(Extension.basicConstraints, false, new BasicConstraints(0))))
                .extracting(LintFinding::rule)
                .containsExactly("basic-constraints");
    }

    @Test
    void extraKeyUsageBitOrNotCritical() {
        assertThat(citizenCaFindings(r -> r.put(
                        Extension.keyUsage,
                        true,
                        new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))))
                .extracting(LintFinding::rule)
                .containsExactly("key-usage");
        assertThat(citizenCaFindings(
                        r -> r.put(Extension.keyUsage, false, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))))
                .extracting(LintFinding::rule)
                .containsExactly("key-usage");
    }

    @Test
    void unexpectedExtendedKeyUsageOnACa() {
        assertThat(citizenCaFindings(r ->
                        r.put(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_OCSPSigning))))
                .extracting(LintFinding::rule)
                .containsExactly("unexpected-extension");
    }

    @Test
    void wrongAuthorityKeyIdentifier() {
        assertThat(citizenCaFindings(
                        r -> r.put(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(new byte[20]))))
                .extracting(LintFinding::rule)
                .containsExactly("authority-key-identifier");
    }

    @Test
    void issuerNameNotByteIdentical() {
        // Same words, but C as UTF8String: a string compare would pass, the byte compare must not.
        X500Name reEncoded = new X500Name(new RDN[] {
            new RDN(BCStyle.C, new DERUTF8String("TW")),
            new RDN(BCStyle.O, new DERUTF8String(pki.settings.names().organization())),
            new RDN(BCStyle.CN, new DERUTF8String(pki.settings.names().citizenRootCn()))
        });
        assertThat(citizenCaFindings(r -> r.issuer = reEncoded))
                .extracting(LintFinding::rule)
                .containsExactly("issuer-name");
    }

    @Test
    void signatureAlgorithmDoesNotMatchTheIssuerKey() {
        // SHA-256 with the P-384 root key: a valid signature, but not our algorithm for that key.
        assertThat(citizenCaFindings(r -> r.algorithm = SignatureAlgorithms.ECDSA_SHA256))
                .extracting(LintFinding::rule)
                .containsExactly("signature-algorithm");
    }

    @Test
    void validityTooLong() {
        assertThat(citizenCaFindings(
                        r -> r.notAfter = Date.from(r.notAfter.toInstant().plusSeconds(86400))))
                .extracting(LintFinding::rule)
                .containsExactly("validity-period");
    }

    @Test
    void shortOrNegativeSerial() {
        assertThat(citizenCaFindings(r -> r.serial = BigInteger.valueOf(12345)))
                .extracting(LintFinding::rule)
                .containsExactly("serial");
        assertThat(citizenCaFindings(
                        r -> r.serial = BigInteger.ONE.shiftLeft(100).negate()))
                .extracting(LintFinding::rule)
                .containsExactly("serial");
    }

    @Test
    void subjectFromSomewhereElse() {
        X500Name fromCsr = new X500Name("C=TW,O=Ministry of the Interior,CN=Citizen CA");
        assertThat(citizenCaFindings(r -> r.subject = fromCsr))
                .extracting(LintFinding::rule)
                .contains("subject");
    }

    @Test
    void ocspSignerWithAP384KeyAndBasicConstraints() {
        KeyPair p384 = TestPki.generate(PublicKeyType.EC_P384);
        X509CertificateHolder bad = Remake.of(pki.ocsp, pki.citizenCaKey)
                .with(r -> r.publicKey = TestPki.spki(p384))
                .with(r -> r.put(Extension.basicConstraints, true, new BasicConstraints(false)))
                .build();
        assertThat(lint.check(CertificateProfile.OCSP_SIGNER, bad, pki.citizenCaCa()))
                .extracting(LintFinding::rule)
                .containsExactlyInAnyOrder("key-type", "unexpected-extension");
    }

    @Test
    void ocspSignerWithoutNoCheckOrWithEmptyNoCheck() {
        X509CertificateHolder without = Remake.of(pki.ocsp, pki.citizenCaKey)
                .with(r -> r.remove(org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers.id_pkix_ocsp_nocheck))
                .build();
        assertThat(lint.check(CertificateProfile.OCSP_SIGNER, without, pki.citizenCaCa()))
                .extracting(LintFinding::rule)
                .containsExactly("missing-extension");
        // The JDK writes an empty value; RFC 6960 §4.2.2.2.1 says NULL.
        X509CertificateHolder empty = Remake.of(pki.ocsp, pki.citizenCaKey)
                .with(r -> r.putRaw(new Extension(
                        org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers.id_pkix_ocsp_nocheck, false, new byte[0])))
                .build();
        assertThat(lint.check(CertificateProfile.OCSP_SIGNER, empty, pki.citizenCaCa()))
                .extracting(LintFinding::rule)
                .containsExactly("ocsp-nocheck");
    }

    @Test
    void wrongIssuerProfile() {
        assertThat(lint.check(CertificateProfile.DOCUMENT_SIGNER, pki.documentSigner, pki.rootCa()))
                .extracting(LintFinding::rule)
                .contains("issuer-profile");
    }

    @Test
    void documentSignerWithTooLongPrivateKeyUsagePeriod() {
        Instant nb = pki.documentSigner.getNotBefore().toInstant();
        X509CertificateHolder bad = Remake.of(pki.documentSigner, pki.cscaKey)
                .with(r -> r.put(
                        Extension.privateKeyUsagePeriod,
                        false,
                        ProfileExtensions.privateKeyUsagePeriod(nb, nb.plusSeconds(200L * 86400))))
                .build();
        assertThat(lint.check(CertificateProfile.DOCUMENT_SIGNER, bad, pki.cscaCa()))
                .extracting(LintFinding::rule)
                .containsExactly("private-key-usage-period");
    }

    private List<LintFinding> citizenCaFindings(Consumer<Remake> edit) {
        return lint.check(
                CertificateProfile.CITIZEN_CA,
                Remake.of(pki.citizenCa, pki.rootKey).with(edit).build(),
                pki.rootCa());
    }

    /** A certificate rebuilt from a good one with one thing changed, signed by a real issuer key. */
    static final class Remake {
        X500Name issuer;
        BigInteger serial;
        Date notBefore;
        Date notAfter;
        X500Name subject;
        SubjectPublicKeyInfo publicKey;
        final List<Extension> extensions = new ArrayList<>();
        AlgorithmIdentifier algorithm;
        KeyPair signingKey;

        static Remake of(X509CertificateHolder c, KeyPair signingKey) {
            Remake r = new Remake();
            r.issuer = c.getIssuer();
            r.serial = c.getSerialNumber();
            r.notBefore = c.getNotBefore();
            r.notAfter = c.getNotAfter();
            r.subject = c.getSubject();
            r.publicKey = c.getSubjectPublicKeyInfo();
            for (ASN1ObjectIdentifier oid : c.getExtensions().getExtensionOIDs()) {
                r.extensions.add(c.getExtension(oid));
            }
            r.algorithm = c.getSignatureAlgorithm();
            r.signingKey = signingKey;
            return r;
        }

        Remake with(Consumer<Remake> edit) {
            edit.accept(this);
            return this;
        }

        void remove(ASN1ObjectIdentifier oid) {
            extensions.removeIf(e -> e.getExtnId().equals(oid));
        }

        void put(ASN1ObjectIdentifier oid, boolean critical, org.bouncycastle.asn1.ASN1Encodable value) {
            try {
                putRaw(new Extension(oid, critical, value.toASN1Primitive().getEncoded("DER")));
            } catch (java.io.IOException ex) {
                throw new IllegalStateException(ex);
            }
        }

        void putRaw(Extension e) {
            for (int i = 0; i < extensions.size(); i++) {
                if (extensions.get(i).getExtnId().equals(e.getExtnId())) {
                    extensions.set(i, e);
                    return;
                }
            }
            extensions.add(e);
        }

        X509CertificateHolder build() {
            X509v3CertificateBuilder b =
                    new X509v3CertificateBuilder(issuer, serial, notBefore, notAfter, subject, publicKey);
            try {
                for (Extension e : extensions) {
                    b.addExtension(e);
                }
            } catch (org.bouncycastle.cert.CertIOException ex) {
                throw new IllegalStateException(ex);
            }
            return b.build(TestPki.signer(signingKey, algorithm));
        }
    }
}
