package tw.eid.pki.ca.profile;

import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * Which signature algorithm an issuer key signs with. There is exactly one answer per key type,
 * and the token layer's {@code ContentSigner.getAlgorithmIdentifier()} must return exactly this
 * value (issuance refuses otherwise), because the algorithm is written into the to-be-signed
 * bytes that the lint has seen.
 *
 * <ul>
 *   <li>P-256: ecdsa-with-SHA256; P-384 and brainpoolP384r1: ecdsa-with-SHA384. The hash matches
 *       the curve's strength (RFC 5480 §4); parameters absent (RFC 5758 §3.2).
 *   <li>RSA-2048 and RSA-3072: sha256WithRSAEncryption. RSA-4096 (the root's RSA option):
 *       sha384WithRSAEncryption, matching the strength of the P-384 option and the token layer's
 *       {@code KeyAlgorithm.RSA_4096} default digest. Parameters NULL (RFC 4055 §5).
 * </ul>
 */
public final class SignatureAlgorithms {

    static final AlgorithmIdentifier ECDSA_SHA256 = new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);
    static final AlgorithmIdentifier ECDSA_SHA384 = new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA384);
    static final AlgorithmIdentifier RSA_SHA256 =
            new AlgorithmIdentifier(PKCSObjectIdentifiers.sha256WithRSAEncryption, DERNull.INSTANCE);
    static final AlgorithmIdentifier RSA_SHA384 =
            new AlgorithmIdentifier(PKCSObjectIdentifiers.sha384WithRSAEncryption, DERNull.INSTANCE);

    private SignatureAlgorithms() {}

    /** The signature algorithm for certificates and CRLs signed by the key {@code issuerKey}. */
    public static AlgorithmIdentifier forIssuer(SubjectPublicKeyInfo issuerKey) {
        return forKeyType(PublicKeyType.of(issuerKey));
    }

    /** The signature algorithm for an issuer key of type {@code type}. */
    public static AlgorithmIdentifier forKeyType(PublicKeyType type) {
        return switch (type) {
            case EC_P256 -> ECDSA_SHA256;
            case EC_P384, EC_BRAINPOOL_P384R1 -> ECDSA_SHA384;
            case RSA_2048, RSA_3072 -> RSA_SHA256;
            case RSA_4096 -> RSA_SHA384;
        };
    }

    /** The JCA name of one of our algorithm identifiers, for software (lint) signers and verifiers. */
    static String jcaName(AlgorithmIdentifier id) {
        if (id.equals(ECDSA_SHA256)) {
            return "SHA256withECDSA";
        }
        if (id.equals(ECDSA_SHA384)) {
            return "SHA384withECDSA";
        }
        if (id.equals(RSA_SHA256)) {
            return "SHA256withRSA";
        }
        if (id.equals(RSA_SHA384)) {
            return "SHA384withRSA";
        }
        throw new IllegalArgumentException("not one of our signature algorithms: " + id.getAlgorithm());
    }
}
