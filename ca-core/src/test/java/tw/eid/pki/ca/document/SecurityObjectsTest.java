package tw.eid.pki.ca.document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** The SOD's bytes without a token: the signature is checked before return, and EF.SOD unwraps. */
class SecurityObjectsTest {
    /** The test DS's start and the SODs' signing time: a fixed day. */
    private static final Instant AT = Instant.parse("2028-02-29T12:00:00Z");

    private static KeyPair p256() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509CertificateHolder certificate(KeyPair key) throws Exception {
        X500Name name = new X500Name("CN=test DS");
        return new X509v3CertificateBuilder(
                        name,
                        BigInteger.TEN,
                        Date.from(AT),
                        Date.from(AT.plusSeconds(86_400)),
                        name,
                        SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()));
    }

    private static SodRequest request() {
        return new SodRequest(
                "TWU0000001",
                HashAlgorithm.SHA_256,
                List.of(new SodRequest.DataGroupHash(1, new byte[32]), new SodRequest.DataGroupHash(2, new byte[32])),
                null);
    }

    @Test
    void aSignatureThatDoesNotVerifyWithTheCertificatesKeyIsNeverReturned() throws Exception {
        KeyPair right = p256();
        KeyPair wrong = p256();
        X509CertificateHolder cert = certificate(right);
        byte[] sod = SecurityObjects.signSod(
                request(),
                new JcaContentSignerBuilder("SHA256withECDSA").build(right.getPrivate()),
                cert,
                SecurityObjects.publicKey(cert.getSubjectPublicKeyInfo()),
                AT);
        assertThat(sod[0]).isEqualTo((byte) 0x77);
        assertThat(SecurityObjects.unwrapSod(sod)[0]).isEqualTo((byte) 0x30);
        assertThatThrownBy(() -> SecurityObjects.signSod(
                        request(),
                        new JcaContentSignerBuilder("SHA256withECDSA").build(wrong.getPrivate()),
                        cert,
                        SecurityObjects.publicKey(cert.getSubjectPublicKeyInfo()),
                        AT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not verify");
        assertThatThrownBy(() -> SecurityObjects.unwrapSod(SecurityObjects.unwrapSod(sod)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
