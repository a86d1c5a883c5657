package tw.eid.pki.ca.document.seal;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;

/**
 * ECDSA signatures between X9.62's DER SEQUENCE { r, s } (what PKCS#11 signers hand back through
 * Bouncy Castle, and what openssl verifies) and the plain r||s of BSI TR-03111 §5.2.1 that a seal
 * carries (ICAO Doc 9303-13 Annex B; TR-03137 Part 1 Annex A): r and s each unsigned, big-endian,
 * left-padded to the curve's field size.
 */
public final class EcdsaSignatures {
    private EcdsaSignatures() {}

    /** Plain r||s of {@code der}, each half {@code fieldBytes} long (32 for P-256). */
    public static byte[] derToPlain(byte[] der, int fieldBytes) {
        ASN1Sequence seq;
        try {
            ASN1Primitive p = ASN1Primitive.fromByteArray(der);
            seq = ASN1Sequence.getInstance(p);
            if (seq.size() != 2 || !Arrays.equals(p.getEncoded(ASN1Encoding.DER), der)) {
                throw new IllegalArgumentException("not a DER ECDSA signature");
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a DER ECDSA signature", e);
        }
        byte[] out = new byte[2 * fieldBytes];
        put(ASN1Integer.getInstance(seq.getObjectAt(0)).getPositiveValue(), out, 0, fieldBytes);
        put(ASN1Integer.getInstance(seq.getObjectAt(1)).getPositiveValue(), out, fieldBytes, fieldBytes);
        return out;
    }

    /** DER SEQUENCE { r, s } of plain r||s (even length). */
    public static byte[] plainToDer(byte[] plain) {
        if (plain.length == 0 || plain.length % 2 != 0) {
            throw new SealException(SealException.Code.MALFORMED, "a plain ECDSA signature has two equal halves");
        }
        int half = plain.length / 2;
        ASN1EncodableVector v = new ASN1EncodableVector(2);
        v.add(new ASN1Integer(new BigInteger(1, Arrays.copyOfRange(plain, 0, half))));
        v.add(new ASN1Integer(new BigInteger(1, Arrays.copyOfRange(plain, half, plain.length))));
        try {
            return new DERSequence(v).getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void put(BigInteger value, byte[] out, int offset, int length) {
        byte[] b = value.toByteArray();
        int start = (b.length > length && b[0] == 0) ? 1 : 0;
        int n = b.length - start;
        if (n > length) {
            throw new IllegalArgumentException("signature component longer than the field");
        }
        System.arraycopy(b, start, out, offset + length - n, n);
    }
}
