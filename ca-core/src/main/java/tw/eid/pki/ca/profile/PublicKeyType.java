package tw.eid.pki.ca.profile;

import java.io.IOException;
import java.math.BigInteger;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.teletrust.TeleTrusTObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * The public key types a profile may certify. Names match {@code KeyAlgorithm}
 * (the token layer) one to one, so a ceremony file's key type maps straight across.
 */
public enum PublicKeyType {
    EC_P256(SECObjectIdentifiers.secp256r1, 0),
    EC_P384(SECObjectIdentifiers.secp384r1, 0),
    EC_BRAINPOOL_P384R1(TeleTrusTObjectIdentifiers.brainpoolP384r1, 0),
    RSA_2048(null, 2048),
    RSA_3072(null, 3072),
    RSA_4096(null, 4096);

    private static final BigInteger F4 = BigInteger.valueOf(65537);

    private final ASN1ObjectIdentifier curve;
    private final int modulusBits;

    PublicKeyType(ASN1ObjectIdentifier curve, int modulusBits) {
        this.curve = curve;
        this.modulusBits = modulusBits;
    }

    public boolean isEc() {
        return curve != null;
    }

    /** The named curve (RFC 5480 §2.1.1.1), or null for RSA. */
    ASN1ObjectIdentifier curve() {
        return curve;
    }

    int modulusBits() {
        return modulusBits;
    }

    /**
     * The type of a SubjectPublicKeyInfo, after checking its encoding: EC keys must name their
     * curve (RFC 5480 §2.1.1: namedCurve only, no implicit or specified parameters) and carry a
     * point on that curve; RSA keys must have NULL parameters (RFC 3279 §2.3.1), an exact modulus
     * size we support and public exponent 65537.
     *
     * @throws IllegalArgumentException naming what is wrong with the key
     */
    public static PublicKeyType of(SubjectPublicKeyInfo spki) {
        ASN1ObjectIdentifier algorithm = spki.getAlgorithm().getAlgorithm();
        if (X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm)) {
            if (!(spki.getAlgorithm().getParameters() instanceof ASN1ObjectIdentifier named)) {
                throw new IllegalArgumentException("EC key without a named curve (RFC 5480 §2.1.1)");
            }
            for (PublicKeyType t : values()) {
                if (named.equals(t.curve)) {
                    X9ECParameters params = ECNamedCurveTable.getByOID(named);
                    try {
                        // decodePoint checks the point is on the curve; RFC 5480 §2.2: uncompressed form.
                        byte[] point = spki.getPublicKeyData().getOctets();
                        if (point.length == 0 || point[0] != 0x04) {
                            throw new IllegalArgumentException("EC point not in uncompressed form (RFC 5480 §2.2)");
                        }
                        if (!params.getCurve().decodePoint(point).isValid()) {
                            throw new IllegalArgumentException("EC point is not valid on " + t);
                        }
                    } catch (RuntimeException e) {
                        throw new IllegalArgumentException("bad EC public key: " + e.getMessage(), e);
                    }
                    return t;
                }
            }
            throw new IllegalArgumentException("unsupported EC curve " + named);
        }
        if (PKCSObjectIdentifiers.rsaEncryption.equals(algorithm)) {
            if (!DERNull.INSTANCE.equals(spki.getAlgorithm().getParameters())) {
                throw new IllegalArgumentException("RSA key parameters must be NULL (RFC 3279 §2.3.1)");
            }
            RSAPublicKey rsa;
            try {
                rsa = RSAPublicKey.getInstance(
                        ASN1Primitive.fromByteArray(spki.getPublicKeyData().getOctets()));
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("bad RSA public key", e);
            }
            if (!F4.equals(rsa.getPublicExponent())) {
                throw new IllegalArgumentException("RSA public exponent must be 65537");
            }
            int bits = rsa.getModulus().bitLength();
            for (PublicKeyType t : values()) {
                if (!t.isEc() && t.modulusBits == bits) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unsupported RSA modulus size " + bits);
        }
        throw new IllegalArgumentException("unsupported public key algorithm " + algorithm);
    }
}
