package tw.eid.pki.ca.profile;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Signers for the lint phase: they give the to-be-linted TBS a signatureAlgorithm and a
 * signature value of the real one's form, so the lint sees a complete, parsable certificate or
 * CRL (Boulder's issuance/cert.go lints a certificate signed with a throwaway key of the issuer's
 * type) while the real key signs only what passed.
 *
 * <p>The value is a <em>placeholder</em>: a real signature by a throwaway software key of the
 * issuer's family and curve, made once per AlgorithmIdentifier over a fixed message, and returned
 * for every TBS. Nothing verifies a lint signature (its key is not the issuer's), so signing each
 * TBS in software bought no check and cost about half a token signature of CPU per issuance
 * (BENCHMARKS.md, issuance). The key and the placeholder are never written anywhere; nothing
 * signed with them leaves this package.
 */
final class LintSigners {

    private static final byte[] PLACEHOLDER_MESSAGE =
            "eidpki lint placeholder: not a signature of this TBS".getBytes(StandardCharsets.US_ASCII);

    private final Provider provider = new BouncyCastleProvider();
    private final SecureRandom random;
    private final Map<PublicKeyType, KeyPair> keys = new ConcurrentHashMap<>();
    private final Map<AlgorithmIdentifier, byte[]> placeholders = new ConcurrentHashMap<>();

    LintSigners(SecureRandom random) {
        this.random = random;
    }

    /** A signer whose AlgorithmIdentifier is exactly {@code algorithm}, for an issuer key of type {@code issuerType}. */
    ContentSigner signer(AlgorithmIdentifier algorithm, PublicKeyType issuerType) {
        // Same family and curve as the issuer; any RSA size gives the same AlgorithmIdentifier, so
        // RSA issuers share one RSA-2048 lint key (an RSA-4096 key would cost seconds per start).
        byte[] placeholder = placeholders.computeIfAbsent(algorithm, a -> placeholder(a, issuerType));
        return new ContentSigner() {
            @Override
            public AlgorithmIdentifier getAlgorithmIdentifier() {
                return algorithm;
            }

            @Override
            public OutputStream getOutputStream() {
                return OutputStream.nullOutputStream();
            }

            @Override
            public byte[] getSignature() {
                return placeholder.clone();
            }
        };
    }

    private byte[] placeholder(AlgorithmIdentifier algorithm, PublicKeyType issuerType) {
        PublicKeyType lintType = issuerType.isEc() ? issuerType : PublicKeyType.RSA_2048;
        KeyPair key = keys.computeIfAbsent(lintType, this::generate);
        try {
            ContentSigner signer = new JcaContentSignerBuilder(SignatureAlgorithms.jcaName(algorithm))
                    .setProvider(provider)
                    .setSecureRandom(random)
                    .build(key.getPrivate());
            if (!signer.getAlgorithmIdentifier().equals(algorithm)) {
                throw new IllegalStateException(
                        "lint signer's AlgorithmIdentifier differs from " + algorithm.getAlgorithm());
            }
            try (OutputStream out = signer.getOutputStream()) {
                out.write(PLACEHOLDER_MESSAGE);
            }
            return signer.getSignature();
        } catch (OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot make a lint signer", e);
        }
    }

    private KeyPair generate(PublicKeyType type) {
        try {
            KeyPairGenerator g;
            if (type.isEc()) {
                g = KeyPairGenerator.getInstance("EC", provider);
                g.initialize(new ECGenParameterSpec(type.curve().getId()), random);
            } else {
                g = KeyPairGenerator.getInstance("RSA", provider);
                g.initialize(new RSAKeyGenParameterSpec(type.modulusBits(), RSAKeyGenParameterSpec.F4), random);
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a lint key of type " + type, e);
        }
    }
}
