package tw.eid.pki.ca.profile;

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
 * Throwaway software signers for the lint phase (Boulder's issuance/cert.go signs the
 * precertificate-to-lint with a throwaway key of the issuer's type, so the lint sees a complete,
 * parsable certificate while the real key signs only what passed). One key per key family, made
 * on first use and never written anywhere; it signs nothing that leaves this package.
 */
final class LintSigners {

  private final Provider provider = new BouncyCastleProvider();
  private final SecureRandom random;
  private final Map<PublicKeyType, KeyPair> keys = new ConcurrentHashMap<>();

  LintSigners(SecureRandom random) {
    this.random = random;
  }

  /** A signer whose AlgorithmIdentifier is exactly {@code algorithm}, for an issuer key of type {@code issuerType}. */
  ContentSigner signer(AlgorithmIdentifier algorithm, PublicKeyType issuerType) {
    // Same family and curve as the issuer; any RSA size gives the same AlgorithmIdentifier, so
    // RSA issuers share one RSA-2048 lint key (an RSA-4096 key would cost seconds per start).
    PublicKeyType lintType = issuerType.isEc() ? issuerType : PublicKeyType.RSA_2048;
    KeyPair key = keys.computeIfAbsent(lintType, this::generate);
    try {
      ContentSigner signer = new JcaContentSignerBuilder(SignatureAlgorithms.jcaName(algorithm))
          .setProvider(provider).setSecureRandom(random).build(key.getPrivate());
      if (!signer.getAlgorithmIdentifier().equals(algorithm)) {
        throw new IllegalStateException("lint signer's AlgorithmIdentifier differs from " + algorithm.getAlgorithm());
      }
      return signer;
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot make a lint signer", e);
    }
  }

  Provider provider() {
    return provider;
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
