package tw.eid.pki.ca.cvc;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.function.Supplier;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.util.BigIntegers;

/**
 * id-TA-ECDSA-SHA-256 signatures as TR-03110 Part 3 D.3.2 wants them: plain r ‖ s, each the size of
 * the field (64 octets on a 256-bit curve), not X.509's DER Ecdsa-Sig-Value.
 */
final class CvSignatures {
    private CvSignatures() {}

    /** Signs {@code data} with the token's signer (SHA-256; its DER signature converted to r ‖ s). */
    static byte[] sign(Supplier<ContentSigner> signer, byte[] data, int fieldBytes) {
        ContentSigner s = signer.get();
        try (OutputStream out = s.getOutputStream()) {
            out.write(data);
        } catch (IOException e) {
            throw new IllegalStateException("cannot feed the signer", e);
        }
        return plain(s.getSignature(), fieldBytes);
    }

    /** DER SEQUENCE { r INTEGER, s INTEGER } → r ‖ s, each left-padded to {@code fieldBytes}. */
    static byte[] plain(byte[] der, int fieldBytes) {
        ASN1Sequence seq = ASN1Sequence.getInstance(der);
        if (seq.size() != 2) {
            throw new IllegalStateException("an ECDSA signature is two integers");
        }
        BigInteger r = ASN1Integer.getInstance(seq.getObjectAt(0)).getPositiveValue();
        BigInteger s = ASN1Integer.getInstance(seq.getObjectAt(1)).getPositiveValue();
        byte[] out = new byte[2 * fieldBytes];
        System.arraycopy(BigIntegers.asUnsignedByteArray(fieldBytes, r), 0, out, 0, fieldBytes);
        System.arraycopy(BigIntegers.asUnsignedByteArray(fieldBytes, s), 0, out, fieldBytes, fieldBytes);
        return out;
    }

    /** True when {@code signature} (r ‖ s) is {@code key}'s ECDSA-SHA-256 signature of {@code data}. */
    static boolean verify(CvPublicKey key, byte[] data, byte[] signature) {
        int n = key.fieldBytes();
        if (signature.length != 2 * n) {
            return false;
        }
        X9ECParameters x9 = CvPublicKey.parameters(key.curve());
        ECDomainParameters domain = new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH());
        ECDSASigner verifier = new ECDSASigner();
        verifier.init(false, new ECPublicKeyParameters(key.ecPoint(), domain));
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, n));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, n, 2 * n));
        return verifier.verifySignature(sha256(data), r, s);
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
