package tw.eid.pki.ca.csr;

import java.math.BigInteger;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.math.ec.ECPoint;
import tw.eid.pki.ca.csr.CsrRejectedException.Code;
import tw.eid.pki.ca.profile.PublicKeyType;

/**
 * The keys a chip may have certified (docs/profiles.md, citizen signature and encryption: RSA-2048 or
 * ECDSA P-256; we also take P-384, RSA-3072 and RSA-4096 for later card generations). The checks
 * run in an order that gives each fault its own code; the key's type then comes from
 * {@link PublicKeyType#of}, the same parser the profiles use, so the CSR checks and issuance
 * cannot disagree about what a key is.
 */
final class ChipKeyPolicy {

    /** Types a chip may present; brainpool is for the CSCA's token, not for chips. */
    static final Set<PublicKeyType> CHIP_KEY_TYPES = Set.of(
            PublicKeyType.EC_P256,
            PublicKeyType.EC_P384,
            PublicKeyType.RSA_2048,
            PublicKeyType.RSA_3072,
            PublicKeyType.RSA_4096);

    private static final Set<ASN1ObjectIdentifier> CHIP_CURVES =
            Set.of(SECObjectIdentifiers.secp256r1, SECObjectIdentifiers.secp384r1);
    private static final Set<Integer> RSA_SIZES = Set.of(2048, 3072, 4096);
    private static final BigInteger F4 = BigInteger.valueOf(65537);

    private final int maxNesting;

    ChipKeyPolicy(int maxNesting) {
        this.maxNesting = maxNesting;
    }

    /**
     * The type of an acceptable key.
     *
     * @throws CsrRejectedException with a key code, or a malformed-input code for a broken encoding
     */
    PublicKeyType check(SubjectPublicKeyInfo spki) {
        ASN1ObjectIdentifier algorithm = spki.getAlgorithm().getAlgorithm();
        if (spki.getPublicKeyData().getPadBits() != 0) {
            throw new CsrRejectedException(Code.MALFORMED, "public key BIT STRING with unused bits");
        }
        if (X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm)) {
            checkEc(spki);
        } else if (PKCSObjectIdentifiers.rsaEncryption.equals(algorithm)) {
            checkRsa(spki);
        } else {
            throw new CsrRejectedException(Code.KEY_ALGORITHM, "key algorithm " + algorithm + " not accepted");
        }
        PublicKeyType type;
        try {
            type = PublicKeyType.of(spki);
        } catch (IllegalArgumentException e) {
            // Unreachable while the checks above are at least as strict as PublicKeyType.of.
            throw new CsrRejectedException(Code.KEY_ALGORITHM, "key refused: " + e.getMessage(), e);
        }
        if (!CHIP_KEY_TYPES.contains(type)) {
            throw new CsrRejectedException(Code.KEY_ALGORITHM, type + " is not a chip key type");
        }
        return type;
    }

    private static void checkEc(SubjectPublicKeyInfo spki) {
        ASN1Encodable parameters = spki.getAlgorithm().getParameters();
        // RFC 5480 §2.1.1: "specifiedCurve ... MUST NOT be used", "implicitCurve ... MUST NOT be used".
        if (!(parameters instanceof ASN1ObjectIdentifier curve)) {
            throw new CsrRejectedException(Code.EC_EXPLICIT_PARAMETERS, "EC key without a named curve");
        }
        if (!CHIP_CURVES.contains(curve)) {
            throw new CsrRejectedException(Code.EC_CURVE, "EC curve " + curve + " not accepted");
        }
        X9ECParameters x9 = ECNamedCurveTable.getByOID(curve);
        byte[] encoded = spki.getPublicKeyData().getOctets();
        int fieldBytes = (x9.getCurve().getFieldSize() + 7) / 8;
        // RFC 5480 §2.2 (SEC 1 §2.3.3): 04 || X || Y. We take the uncompressed form only, as
        // PublicKeyType does: it is what RFC 5480 requires everyone to support, and it is what goes
        // into the certificate unchanged. The point at infinity (a single 00) fails here too.
        if (encoded.length != 1 + 2 * fieldBytes || encoded[0] != 0x04) {
            throw new CsrRejectedException(
                    Code.EC_INVALID_POINT, "EC point not in uncompressed form of " + (1 + 2 * fieldBytes) + " octets");
        }
        ECPoint point;
        try {
            point = x9.getCurve().decodePoint(encoded); // validates the coordinates against the curve
        } catch (IllegalArgumentException e) {
            throw new CsrRejectedException(Code.EC_INVALID_POINT, "EC point not on " + curve, e);
        }
        // SEC 1 §3.2.2.1 public key validation; the chip curves have cofactor 1, so a point on the
        // curve other than infinity is in the prime-order subgroup.
        if (point.isInfinity() || !point.isValid()) {
            throw new CsrRejectedException(Code.EC_INVALID_POINT, "EC point not valid on " + curve);
        }
    }

    private void checkRsa(SubjectPublicKeyInfo spki) {
        // RFC 3279 §2.3.1: the parameters field MUST have ASN.1 type NULL.
        if (!DERNull.INSTANCE.equals(spki.getAlgorithm().getParameters())) {
            throw new CsrRejectedException(Code.MALFORMED, "RSA key parameters not NULL (RFC 3279 §2.3.1)");
        }
        byte[] inner = spki.getPublicKeyData().getOctets();
        ASN1Primitive parsed = CsrEncoding.parseStrict(inner, new DerScanner(maxNesting));
        RSAPublicKey rsa;
        try {
            rsa = RSAPublicKey.getInstance(parsed);
        } catch (RuntimeException e) {
            throw new CsrRejectedException(Code.MALFORMED, "bad RSAPublicKey (RFC 3279 §2.3.1)", e);
        }
        // A negative modulus or exponent read as positive would re-encode differently.
        CsrEncoding.requireSameDer(rsa, inner);
        BigInteger n = rsa.getModulus();
        if (!RSA_SIZES.contains(n.bitLength())) {
            throw new CsrRejectedException(Code.RSA_KEY_SIZE, "RSA modulus of " + n.bitLength() + " bits");
        }
        if (!F4.equals(rsa.getPublicExponent())) {
            throw new CsrRejectedException(Code.RSA_EXPONENT, "RSA public exponent other than 65537");
        }
        if (WeakRsaModulus.hasSmallFactor(n)) {
            throw new CsrRejectedException(
                    Code.RSA_SMALL_FACTOR, "RSA modulus has a prime factor below " + WeakRsaModulus.SMALL_PRIME_BOUND);
        }
        if (WeakRsaModulus.hasRocaFingerprint(n)) {
            throw new CsrRejectedException(Code.RSA_ROCA, "RSA modulus has the ROCA fingerprint (CVE-2017-15361)");
        }
        if (WeakRsaModulus.hasClosePrimes(n)) {
            throw new CsrRejectedException(
                    Code.RSA_CLOSE_PRIMES,
                    "RSA modulus factors by Fermat's method in " + WeakRsaModulus.FERMAT_ROUNDS + " rounds");
        }
    }
}
