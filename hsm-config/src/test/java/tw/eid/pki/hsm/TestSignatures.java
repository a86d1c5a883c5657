package tw.eid.pki.hsm;

import java.io.OutputStream;
import java.security.Security;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.ContentVerifier;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;

/** Signs with a token signer and verifies in software (Bouncy Castle), for tests. */
public final class TestSignatures {
    static {
        if (Security.getProvider("BC") == null) {
            Security.addProvider(new BouncyCastleProvider());
        }
    }

    private TestSignatures() {}

    public static byte[] sign(ContentSigner signer, byte[] data) throws Exception {
        try (OutputStream out = signer.getOutputStream()) {
            out.write(data);
        }
        return signer.getSignature();
    }

    public static boolean verify(SubjectPublicKeyInfo key, ContentSigner usedSigner, byte[] data, byte[] signature)
            throws Exception {
        ContentVerifier v = new JcaContentVerifierProviderBuilder()
                .setProvider("BC")
                .build(key)
                .get(usedSigner.getAlgorithmIdentifier());
        try (OutputStream out = v.getOutputStream()) {
            out.write(data);
        }
        return v.verify(signature);
    }

    public static boolean verify(X509CertificateHolder cert, SubjectPublicKeyInfo issuerKey) throws Exception {
        return cert.isSignatureValid(
                new JcaContentVerifierProviderBuilder().setProvider("BC").build(issuerKey));
    }
}
