package tw.eid.pki.ca.csr;

import java.util.Objects;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import tw.eid.pki.ca.profile.PublicKeyType;

/**
 * A request that passed every check: strict DER, an accepted signature algorithm, a key the chip
 * policy allows, and a signature that verifies with that key (proof of possession). Only the key
 * is carried forward; the request's subject and attributes are ignored by design, because the
 * certificate's subject comes from the RA's registration data (docs/profiles.md).
 *
 * @param publicKey the SubjectPublicKeyInfo exactly as the chip encoded it
 * @param keyType its type, one of EC_P256, EC_P384, RSA_2048, RSA_3072, RSA_4096
 */
public record VerifiedCsr(SubjectPublicKeyInfo publicKey, PublicKeyType keyType) {

    public VerifiedCsr {
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(keyType, "keyType");
    }
}
