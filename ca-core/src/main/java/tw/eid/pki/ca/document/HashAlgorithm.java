package tw.eid.pki.ca.document;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;

/** The data-group hash algorithms an SOD may use (SHA-256 by default, docs/profiles.md). */
public enum HashAlgorithm {
    SHA_256("SHA-256", NISTObjectIdentifiers.id_sha256, 32),
    SHA_384("SHA-384", NISTObjectIdentifiers.id_sha384, 48),
    SHA_512("SHA-512", NISTObjectIdentifiers.id_sha512, 64);

    private final String jcaName;
    private final ASN1ObjectIdentifier oid;
    private final int length;

    HashAlgorithm(String jcaName, ASN1ObjectIdentifier oid, int length) {
        this.jcaName = jcaName;
        this.oid = oid;
        this.length = length;
    }

    public String jcaName() {
        return jcaName;
    }

    public ASN1ObjectIdentifier oid() {
        return oid;
    }

    /** Digest length in bytes. */
    public int length() {
        return length;
    }

    /** By name ("SHA-256", "sha-384", …); null gives the default SHA-256. */
    public static HashAlgorithm of(String name) {
        if (name == null) {
            return SHA_256;
        }
        for (HashAlgorithm a : values()) {
            if (a.jcaName.equalsIgnoreCase(name)) {
                return a;
            }
        }
        throw new SodException(
                SodException.Code.UNKNOWN_HASH_ALGORITHM, "hash algorithm must be SHA-256, SHA-384 or SHA-512");
    }
}
