package tw.eid.pki.ca.cvc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.teletrust.TeleTrusTObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.util.BigIntegers;

/**
 * An EC public key as a CV data object (TR-03110 Part 3 D.3.3, tag 7F49): the algorithm
 * id-TA-ECDSA-SHA-256, the domain parameters (81 prime, 82 a, 83 b, 84 base point, 85 order, 87
 * cofactor) only where they belong (a CVCA or link certificate, or a request), and the public point
 * (86) uncompressed. Curves: brainpoolP256r1 and P-256, 256 bits, so a signature is 64 octets.
 */
public record CvPublicKey(ASN1ObjectIdentifier curve, byte[] point) {
    /** id-TA-ECDSA-SHA-256 (TR-03110 Part 3 A.6.4: bsi-de protocols smartcards ta ecdsa 3). */
    public static final ASN1ObjectIdentifier ID_TA_ECDSA_SHA_256 = new ASN1ObjectIdentifier("0.4.0.127.0.7.2.2.2.2.3");

    /** The curves a chain may use. */
    public static final List<ASN1ObjectIdentifier> CURVES =
            List.of(TeleTrusTObjectIdentifiers.brainpoolP256r1, SECObjectIdentifiers.secp256r1);

    public CvPublicKey {
        Objects.requireNonNull(curve, "curve");
        if (!CURVES.contains(curve)) {
            throw new CvException(CvException.Code.WRONG_CURVE, "curve " + curve + " is not brainpoolP256r1 or P-256");
        }
        point = point.clone();
        try {
            ECPoint p = parameters(curve).getCurve().decodePoint(point);
            if (p.isInfinity() || !p.isValid()) {
                throw new CvException(CvException.Code.WRONG_CURVE, "the public point is not on the curve");
            }
        } catch (IllegalArgumentException e) {
            throw new CvException(CvException.Code.WRONG_CURVE, "the public point is not on the curve");
        }
        if (point[0] != 0x04) {
            point = parameters(curve).getCurve().decodePoint(point).getEncoded(false);
        }
    }

    /** The key of a token's {@code SubjectPublicKeyInfo} (id-ecPublicKey with a named curve). */
    public static CvPublicKey of(SubjectPublicKeyInfo spki) {
        if (!X9ObjectIdentifiers.id_ecPublicKey.equals(spki.getAlgorithm().getAlgorithm())
                || !(spki.getAlgorithm().getParameters() instanceof ASN1ObjectIdentifier curve)) {
            throw new CvException(CvException.Code.WRONG_CURVE, "not an EC key on a named curve");
        }
        return new CvPublicKey(curve, spki.getPublicKeyData().getBytes());
    }

    @Override
    public byte[] point() {
        return point.clone();
    }

    public ECPoint ecPoint() {
        return parameters(curve).getCurve().decodePoint(point);
    }

    static X9ECParameters parameters(ASN1ObjectIdentifier curve) {
        return ECNamedCurveTable.getByOID(curve);
    }

    /** Field size in bytes: each half of a plain signature. */
    int fieldBytes() {
        return (parameters(curve).getCurve().getFieldSize() + 7) / 8;
    }

    Tlv tlv(boolean withDomainParameters) {
        List<Tlv> parts = new ArrayList<>();
        try {
            parts.add(Tlv.parse(ID_TA_ECDSA_SHA_256.getEncoded()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        X9ECParameters x9 = parameters(curve);
        int n = fieldBytes();
        if (withDomainParameters) {
            parts.add(Tlv.of(
                    0x81,
                    BigIntegers.asUnsignedByteArray(n, x9.getCurve().getField().getCharacteristic())));
            parts.add(Tlv.of(
                    0x82,
                    BigIntegers.asUnsignedByteArray(n, x9.getCurve().getA().toBigInteger())));
            parts.add(Tlv.of(
                    0x83,
                    BigIntegers.asUnsignedByteArray(n, x9.getCurve().getB().toBigInteger())));
            parts.add(Tlv.of(0x84, x9.getG().getEncoded(false)));
            parts.add(Tlv.of(0x85, BigIntegers.asUnsignedByteArray(n, x9.getN())));
        }
        parts.add(Tlv.of(0x86, point));
        if (withDomainParameters) {
            parts.add(Tlv.of(0x87, BigIntegers.asUnsignedByteArray(x9.getH())));
        }
        return Tlv.of(Tlv.PUBLIC_KEY, parts);
    }

    /**
     * Reads a 7F49 object. Without domain parameters the key is on {@code inherited} (the chain's
     * curve); with them they must be exactly one of {@link #CURVES} and, when {@code inherited} is
     * given, that one.
     */
    static CvPublicKey decode(Tlv key, ASN1ObjectIdentifier inherited) {
        Tlv oid = key.required(Tlv.OID);
        if (!Arrays.equals(oid.value(), Tlv.parse(encodedOid()).value())) {
            throw new CvException(CvException.Code.WRONG_CURVE, "the key's algorithm is not id-TA-ECDSA-SHA-256");
        }
        byte[] point = key.required(0x86).value();
        boolean hasParameters = key.child(0x81).isPresent();
        ASN1ObjectIdentifier curve = inherited;
        if (hasParameters) {
            curve = null;
            for (ASN1ObjectIdentifier candidate : CURVES) {
                if (sameParameters(key, candidate)) {
                    curve = candidate;
                }
            }
            if (curve == null || (inherited != null && !inherited.equals(curve))) {
                throw new CvException(
                        CvException.Code.WRONG_CURVE, "the key's domain parameters are not the chain's curve");
            }
        }
        if (curve == null) {
            throw new CvException(
                    CvException.Code.WRONG_CURVE,
                    "the key has no domain parameters and no issuer to inherit them from");
        }
        return new CvPublicKey(curve, point);
    }

    static boolean hasDomainParameters(Tlv key) {
        return key.child(0x81).isPresent();
    }

    private static boolean sameParameters(Tlv key, ASN1ObjectIdentifier candidate) {
        Tlv expected = new CvPublicKey(candidate, parameters(candidate).getG().getEncoded(false)).tlv(true);
        for (int tag : new int[] {0x81, 0x82, 0x83, 0x84, 0x85, 0x87}) {
            byte[] want = expected.required(tag).value();
            byte[] got = key.child(tag).map(Tlv::value).orElse(null);
            if (got == null || !new BigInteger(1, want).equals(new BigInteger(1, got)) && tag != 0x84) {
                return false;
            }
            if (tag == 0x84 && !Arrays.equals(want, got)) {
                return false;
            }
        }
        return true;
    }

    private static byte[] encodedOid() {
        try {
            return ID_TA_ECDSA_SHA_256.getEncoded();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CvPublicKey k && curve.equals(k.curve) && Arrays.equals(point, k.point);
    }

    @Override
    public int hashCode() {
        return curve.hashCode() * 31 + Arrays.hashCode(point);
    }

    @Override
    public String toString() {
        return "CvPublicKey[" + curve + "]";
    }
}
