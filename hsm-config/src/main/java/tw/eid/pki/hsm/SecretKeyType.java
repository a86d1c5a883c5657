package tw.eid.pki.hsm;

/** Secret keys for data protection, generated inside a token. */
public enum SecretKeyType {
    /** AES-256 for encrypting personal data at rest (AES-GCM). */
    AES_256("aes-256"),
    /** A 256-bit HMAC-SHA-256 key for keyed look-up hashes of personal data. */
    HMAC_SHA256("hmac-sha256");

    private final String id;

    SecretKeyType(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static SecretKeyType fromId(String id) {
        for (SecretKeyType t : values()) {
            if (t.id.equalsIgnoreCase(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown secret key type '" + id + "' (known: aes-256, hmac-sha256)");
    }
}
