package tw.eid.pki.hsm;

import java.util.Objects;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * What the token says about one of its asymmetric keys: never the private key itself.
 *
 * @param sensitive        CKA_SENSITIVE of the private key
 * @param extractable      CKA_EXTRACTABLE of the private key
 * @param neverExtractable CKA_NEVER_EXTRACTABLE: the key has never been extractable since it was generated
 */
public record KeyInfo(
        String label,
        KeyAlgorithm algorithm,
        SubjectPublicKeyInfo publicKey,
        boolean sensitive,
        boolean extractable,
        boolean neverExtractable) {
    public KeyInfo {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(publicKey, "publicKey");
    }
}
