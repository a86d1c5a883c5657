package tw.eid.pki.ca.csr;

/**
 * Bounds applied to a request before any parser sees it.
 *
 * @param maxDerBytes the largest DER request accepted (a chip's CSR is well under 2 KiB; the
 *     default is 16 KiB); PEM text may be as long as its base64 needs
 * @param maxNesting the deepest nesting of constructed values (the outer SEQUENCE is level 1; a
 *     CSR with an extension request reaches about 7; the default is 30)
 */
public record CsrLimits(int maxDerBytes, int maxNesting) {

    /** 16 KiB of DER, nesting 30. */
    public static final CsrLimits DEFAULT = new CsrLimits(16 * 1024, 30);

    public CsrLimits {
        if (maxDerBytes < 256 || maxDerBytes > 1024 * 1024) {
            throw new IllegalArgumentException("maxDerBytes must be between 256 and 1 MiB: " + maxDerBytes);
        }
        if (maxNesting < 8 || maxNesting > 64) {
            throw new IllegalArgumentException("maxNesting must be between 8 and 64: " + maxNesting);
        }
    }

    /** The longest PEM text worth decoding: base64 of maxDerBytes, CRLF every 64 characters, armour. */
    int maxPemChars() {
        int base64 = (maxDerBytes + 2) / 3 * 4;
        return base64 + (base64 / 64 + 1) * 2 + 256;
    }
}
