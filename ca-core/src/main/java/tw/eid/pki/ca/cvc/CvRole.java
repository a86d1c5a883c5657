package tw.eid.pki.ca.cvc;

/**
 * The role bits of a CHAT, the two most significant bits of the relative authorization (TR-03110
 * Part 3 C.4: 11 CVCA, 10 DV official domestic, 01 DV non-official or foreign, 00 terminal).
 */
public enum CvRole {
    TERMINAL(0b00),
    DV_FOREIGN(0b01),
    DV_DOMESTIC(0b10),
    CVCA(0b11);

    private final int bits;

    CvRole(int bits) {
        this.bits = bits;
    }

    int bits() {
        return bits;
    }

    static CvRole of(int bits) {
        for (CvRole r : values()) {
            if (r.bits == bits) {
                return r;
            }
        }
        throw new IllegalArgumentException("role bits " + bits);
    }
}
