package tw.eid.pki.ca.profile;

import java.io.IOException;
import java.io.OutputStream;
import java.security.Provider;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.ContentVerifier;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;

/**
 * The second phase shared by certificates and CRLs: sign already-linted TBS bytes with a token's
 * signer, wrap them as SEQUENCE { tbs, signatureAlgorithm, signature } (RFC 5280 §4.1 and §5.1),
 * and check the result before anyone sees it.
 */
final class RealSignature {

  private RealSignature() {}

  /** Signs {@code tbs} and returns the DER of the signed object. */
  static byte[] signAndWrap(ContentSigner signer, byte[] tbs) {
    byte[] signature;
    try (OutputStream out = signer.getOutputStream()) {
      out.write(tbs);
    } catch (IOException | RuntimeException e) {
      throw new IssuanceRefusedException(IssuanceRefusedException.Code.SIGNER_FAILED,
          "the signer failed: " + e.getMessage(), java.util.List.of(), e);
    }
    try {
      signature = signer.getSignature();
    } catch (RuntimeException e) {
      throw new IssuanceRefusedException(IssuanceRefusedException.Code.SIGNER_FAILED,
          "the signer failed: " + e.getMessage(), java.util.List.of(), e);
    }
    try {
      return new DERSequence(new ASN1Encodable[] {
          ASN1Primitive.fromByteArray(tbs), signer.getAlgorithmIdentifier(), new DERBitString(signature)})
          .getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The DER of the first element (the TBS) of a signed object, as it is in {@code signed}. */
  static byte[] tbsOf(byte[] signed) {
    try {
      return ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(signed)).getObjectAt(0).toASN1Primitive()
          .getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether {@code signature} over {@code tbs} verifies with {@code key} under {@code algorithm}. */
  static boolean verifies(Provider provider, SubjectPublicKeyInfo key, AlgorithmIdentifier algorithm, byte[] tbs,
      byte[] signature) {
    try {
      ContentVerifierProvider verifiers = new JcaContentVerifierProviderBuilder().setProvider(provider).build(key);
      ContentVerifier verifier = verifiers.get(algorithm);
      try (OutputStream out = verifier.getOutputStream()) {
        out.write(tbs);
      }
      return verifier.verify(signature);
    } catch (Exception e) {
      return false;
    }
  }
}
