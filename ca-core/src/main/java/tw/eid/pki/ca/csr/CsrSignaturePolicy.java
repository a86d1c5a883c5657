package tw.eid.pki.ca.csr;

import java.math.BigInteger;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import tw.eid.pki.ca.csr.CsrRejectedException.Code;
import tw.eid.pki.ca.profile.PublicKeyType;

/**
 * The signature algorithms a chip may sign its request with: SHA-2 only (no MD5, no SHA-1), in the
 * exact encodings the RFCs give, and of the key's own family.
 */
final class CsrSignaturePolicy {

    /** ECDSA with SHA-2 (RFC 5758 §3.2): the parameters field MUST be absent. */
    private static final Map<ASN1ObjectIdentifier, String> ECDSA = Map.of(
            X9ObjectIdentifiers.ecdsa_with_SHA256, "ecdsa-with-SHA256",
            X9ObjectIdentifiers.ecdsa_with_SHA384, "ecdsa-with-SHA384",
            X9ObjectIdentifiers.ecdsa_with_SHA512, "ecdsa-with-SHA512");

    /** RSA PKCS #1 v1.5 with SHA-2 (RFC 4055 §5): parameters NULL, and absent MUST be accepted. */
    private static final Map<ASN1ObjectIdentifier, String> RSA_PKCS1 = Map.of(
            PKCSObjectIdentifiers.sha256WithRSAEncryption, "sha256WithRSAEncryption",
            PKCSObjectIdentifiers.sha384WithRSAEncryption, "sha384WithRSAEncryption",
            PKCSObjectIdentifiers.sha512WithRSAEncryption, "sha512WithRSAEncryption");

    /** RSASSA-PSS hashes and their output lengths (the salt length we require, RFC 8017 §9.1). */
    private static final Map<ASN1ObjectIdentifier, Integer> PSS_HASHES = Map.of(
            NISTObjectIdentifiers.id_sha256, 32,
            NISTObjectIdentifiers.id_sha384, 48,
            NISTObjectIdentifiers.id_sha512, 64);

    private CsrSignaturePolicy() {}

    /**
     * Checks the algorithm on its own (before the key is looked at).
     *
     * @return true for an ECDSA algorithm, false for an RSA one
     */
    static boolean checkAlgorithm(AlgorithmIdentifier signature) {
        ASN1ObjectIdentifier oid = signature.getAlgorithm();
        ASN1Encodable parameters = signature.getParameters();
        if (ECDSA.containsKey(oid)) {
            if (parameters != null) {
                throw refuse(ECDSA.get(oid) + " with parameters (RFC 5758 §3.2)");
            }
            return true;
        }
        if (RSA_PKCS1.containsKey(oid)) {
            if (parameters != null && !DERNull.INSTANCE.equals(parameters)) {
                throw refuse(RSA_PKCS1.get(oid) + " with parameters other than NULL (RFC 4055 §5)");
            }
            return false;
        }
        if (PKCSObjectIdentifiers.id_RSASSA_PSS.equals(oid)) {
            checkPss(parameters);
            return false;
        }
        throw refuse("signature algorithm " + oid + " not accepted (SHA-2 with ECDSA, RSA or RSASSA-PSS only)");
    }

    /** The algorithm must be of the key's family: ECDSA for EC keys, RSA for RSA keys. */
    static void checkFitsKey(boolean ecdsa, PublicKeyType keyType) {
        if (ecdsa != keyType.isEc()) {
            throw refuse("signature algorithm does not fit a " + keyType + " key");
        }
    }

    /**
     * RFC 4055 §3.1: the hash, and MGF1 with the same hash; we also require the salt to be as long
     * as the hash (RFC 8017 §9.1 note 4, and the CA/Browser Forum's encodings) and trailerField 1.
     */
    private static void checkPss(ASN1Encodable parameters) {
        RSASSAPSSparams pss;
        try {
            pss = RSASSAPSSparams.getInstance(parameters);
        } catch (RuntimeException e) {
            throw refuse("RSASSA-PSS with unreadable parameters");
        }
        if (pss == null) {
            throw refuse("RSASSA-PSS without parameters (the SHA-1 defaults)");
        }
        AlgorithmIdentifier hash = pss.getHashAlgorithm();
        Integer hashLength = PSS_HASHES.get(hash.getAlgorithm());
        if (hashLength == null || !nullOrAbsent(hash.getParameters())) {
            throw refuse("RSASSA-PSS with hash " + hash.getAlgorithm() + " (SHA-256, -384, -512 only)");
        }
        AlgorithmIdentifier mgf = pss.getMaskGenAlgorithm();
        AlgorithmIdentifier mgfHash;
        try {
            mgfHash = AlgorithmIdentifier.getInstance(mgf.getParameters());
        } catch (RuntimeException e) {
            throw refuse("RSASSA-PSS with unreadable mask generation parameters");
        }
        if (!PKCSObjectIdentifiers.id_mgf1.equals(mgf.getAlgorithm())
                || mgfHash == null
                || !hash.getAlgorithm().equals(mgfHash.getAlgorithm())
                || !nullOrAbsent(mgfHash.getParameters())) {
            throw refuse("RSASSA-PSS mask generation other than MGF1 with the same hash");
        }
        if (!BigInteger.valueOf(hashLength).equals(pss.getSaltLength())
                || !BigInteger.ONE.equals(pss.getTrailerField())) {
            throw refuse("RSASSA-PSS salt length other than the hash length, or trailer field other than 1");
        }
    }

    private static boolean nullOrAbsent(ASN1Encodable parameters) {
        return parameters == null || DERNull.INSTANCE.equals(parameters);
    }

    private static CsrRejectedException refuse(String message) {
        return new CsrRejectedException(Code.SIGNATURE_ALGORITHM, message);
    }
}
