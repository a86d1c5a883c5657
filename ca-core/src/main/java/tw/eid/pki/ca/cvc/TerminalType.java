package tw.eid.pki.ca.cvc;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;

/**
 * The terminal type of a CHAT (TR-03110 Part 3 C.4): its object identifier and the length of its
 * relative authorization in bytes.
 */
public enum TerminalType {
    /** Inspection system (id-IS): reads DG3 (fingerprints) and DG4 (iris) after Terminal Authentication. */
    IS("0.4.0.127.0.7.3.1.2.1", 1),
    /** Authentication terminal (id-AT): the eID functions, read and write rights, restricted identification. */
    AT("0.4.0.127.0.7.3.1.2.2", 5);

    private final ASN1ObjectIdentifier oid;
    private final int authorizationLength;

    TerminalType(String oid, int authorizationLength) {
        this.oid = new ASN1ObjectIdentifier(oid);
        this.authorizationLength = authorizationLength;
    }

    public ASN1ObjectIdentifier oid() {
        return oid;
    }

    int authorizationLength() {
        return authorizationLength;
    }

    static TerminalType of(ASN1ObjectIdentifier oid) {
        for (TerminalType t : values()) {
            if (t.oid.equals(oid)) {
                return t;
            }
        }
        throw new CvException(CvException.Code.MALFORMED, "unknown terminal type " + oid);
    }
}
