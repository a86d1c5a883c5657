package tw.eid.pki.ca.document;

/**
 * An SOD request refused, or the document signer unable to sign, with a stable code for the edge
 * (RFC 9457 problem "code"). Messages name the rule broken, never the hashes.
 */
public final class SodException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Code {
        /** No data groups (400). */
        NO_DATA_GROUPS("sod.no-data-groups"),
        /** Fewer than two data groups: ICAO 9303-10 dataGroupHashValues is SIZE (2..16) (400). */
        TOO_FEW_DATA_GROUPS("sod.too-few-data-groups"),
        /** A data-group number outside DG1..DG16 (400). */
        UNKNOWN_DATA_GROUP("sod.unknown-data-group"),
        /** The same data group twice (400). */
        DUPLICATE_DATA_GROUP("sod.duplicate-data-group"),
        /** A hash whose length is not the algorithm's (400). */
        BAD_HASH_LENGTH("sod.bad-hash-length"),
        /** Not SHA-256, SHA-384 or SHA-512 (400). */
        UNKNOWN_HASH_ALGORITHM("sod.unknown-hash-algorithm"),
        /** LDS version info not of the form ICAO 9303-10 gives (400). */
        BAD_LDS_VERSION("sod.bad-lds-version"),
        /** The card already has its SOD for this personalization (409). */
        ALREADY_PERSONALIZED("sod.already-personalized"),
        /** Re-opening a card for personalization that is not personalized (409). */
        NOT_PERSONALIZED("sod.not-personalized"),
        /** Too many SOD requests from one client (429). */
        RATE_LIMITED("sod.rate-limited"),
        /** No certified Document Signer within its usage period and document count (503). */
        POOL_EMPTY("ds.pool-empty");

        private final String id;

        Code(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    private final Code code;

    public SodException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
