package tw.eid.pki.hsm;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.teletrust.TeleTrusTObjectIdentifiers;

/** Asymmetric key types generated inside a token, and the digest each signs with by default. */
public enum KeyAlgorithm {
    EC_P256("ec-p256", SECObjectIdentifiers.secp256r1, 0, NISTObjectIdentifiers.id_sha256),
    EC_P384("ec-p384", SECObjectIdentifiers.secp384r1, 0, NISTObjectIdentifiers.id_sha384),
    EC_BRAINPOOL_P384R1(
            "ec-brainpoolp384r1", TeleTrusTObjectIdentifiers.brainpoolP384r1, 0, NISTObjectIdentifiers.id_sha384),
    RSA_2048("rsa-2048", null, 2048, NISTObjectIdentifiers.id_sha256),
    RSA_3072("rsa-3072", null, 3072, NISTObjectIdentifiers.id_sha256),
    // RSA-4096 roots sign with SHA-384, matching the strength of the P-384 option.
    RSA_4096("rsa-4096", null, 4096, NISTObjectIdentifiers.id_sha384);

    private final String id;
    private final ASN1ObjectIdentifier curve;
    private final int modulusBits;
    private final ASN1ObjectIdentifier defaultDigest;

    KeyAlgorithm(String id, ASN1ObjectIdentifier curve, int modulusBits, ASN1ObjectIdentifier defaultDigest) {
        this.id = id;
        this.curve = curve;
        this.modulusBits = modulusBits;
        this.defaultDigest = defaultDigest;
    }

    /** The name used in ceremony files and transcripts, e.g. {@code ec-p384}. */
    public String id() {
        return id;
    }

    public boolean isEc() {
        return curve != null;
    }

    /** The named curve, or null for RSA. */
    public ASN1ObjectIdentifier curve() {
        return curve;
    }

    public int modulusBits() {
        return modulusBits;
    }

    public ASN1ObjectIdentifier defaultDigest() {
        return defaultDigest;
    }

    public static KeyAlgorithm fromId(String id) {
        for (KeyAlgorithm a : values()) {
            if (a.id.equalsIgnoreCase(id)) {
                return a;
            }
        }
        StringBuilder known = new StringBuilder();
        for (KeyAlgorithm a : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(a.id);
        }
        throw new IllegalArgumentException("unknown key algorithm '" + id + "' (known: " + known + ")");
    }
}
