package tw.eid.pki.ca.document.seal;

/**
 * A seal that cannot be made or read, with a stable code for the edge (RFC 9457 problem "code").
 * Messages name the rule broken, never the holder's data.
 */
public final class SealException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Code {
        /** Bytes that are not a seal of ICAO Doc 9303-13 (magic, version, lengths, C40, dates). */
        MALFORMED("seal.malformed"),
        /** A value the seal cannot carry: a character outside C40, a date before year 1, too long. */
        UNENCODABLE("seal.unencodable"),
        /** The holder's name is longer than the seal's name feature allows. */
        NAME_TOO_LONG("seal.name-too-long"),
        /** A seal whose features are not those of the temporary ID certificate profile. */
        WRONG_PROFILE("seal.wrong-profile"),
        /** An image of a seal over 2 MB, or over 4,000 pixels a side (judged from its header, before decoding). */
        IMAGE_TOO_LARGE("seal.image-too-large"),
        /** Bytes that are not a PNG or JPEG image that decodes. */
        IMAGE_UNREADABLE("seal.image-unreadable"),
        /** An image in which no DataMatrix can be read. */
        NO_BARCODE("seal.no-barcode");

        private final String id;

        Code(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    private final Code code;

    public SealException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
