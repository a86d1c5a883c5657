package tw.eid.pki.ca.profile;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;

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
            throw new IssuanceRefusedException(
                    IssuanceRefusedException.Code.SIGNER_FAILED, "the signer failed: " + e.getMessage(), List.of(), e);
        }
        try {
            signature = signer.getSignature();
        } catch (RuntimeException e) {
            throw new IssuanceRefusedException(
                    IssuanceRefusedException.Code.SIGNER_FAILED, "the signer failed: " + e.getMessage(), List.of(), e);
        }
        try {
            return new DERSequence(new ASN1Encodable[] {
                        ASN1Primitive.fromByteArray(tbs), signer.getAlgorithmIdentifier(), new DERBitString(signature)
                    })
                    .getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The DER of the first element (the TBS) of a signed object, as it is in {@code signed}. */
    static byte[] tbsOf(byte[] signed) {
        try {
            return ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(signed))
                    .getObjectAt(0)
                    .toASN1Primitive()
                    .getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether {@code signature} over {@code tbs} verifies with {@code key} under {@code algorithm}
     * (one of {@link SignatureAlgorithms}'), in Bouncy Castle's software implementation.
     *
     * <p>The key object is made once per issuer key and kept ({@link #KEYS}): Bouncy Castle stores
     * its precomputed multiples of an EC public point on the key object, so a key decoded afresh for
     * each signature costs about 2.5x the verification itself (measured: P-384 0.9 ms fresh against
     * 0.35 ms reused). Issuer keys are few and public; the cache is bounded all the same.
     */
    static boolean verifies(SubjectPublicKeyInfo key, AlgorithmIdentifier algorithm, byte[] tbs, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(SignatureAlgorithms.jcaName(algorithm), BC);
            verifier.initVerify(publicKey(key));
            verifier.update(tbs);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            return false;
        }
    }

    private static final Provider BC = new BouncyCastleProvider();
    private static final int MAX_KEYS = 64;
    private static final Map<ByteBuffer, PublicKey> KEYS = new ConcurrentHashMap<>();

    private static PublicKey publicKey(SubjectPublicKeyInfo key) throws GeneralSecurityException, IOException {
        ByteBuffer id = ByteBuffer.wrap(key.getEncoded(ASN1Encoding.DER));
        PublicKey cached = KEYS.get(id);
        if (cached != null) {
            return cached;
        }
        String family =
                X9ObjectIdentifiers.id_ecPublicKey.equals(key.getAlgorithm().getAlgorithm()) ? "EC" : "RSA";
        PublicKey decoded = KeyFactory.getInstance(family, BC).generatePublic(new X509EncodedKeySpec(id.array()));
        if (KEYS.size() >= MAX_KEYS) {
            KEYS.clear();
        }
        KEYS.put(id, decoded);
        return decoded;
    }
}
