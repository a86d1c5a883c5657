package tw.eid.pki.ca.cvc;

import java.util.Locale;

/**
 * One access right of a CHAT and its bit in the relative authorization (TR-03110 Part 3 C.4.1 for
 * inspection systems, C.4.2 for authentication terminals; bit 0 is the least significant bit of the
 * last byte). Rights of one terminal type only go into a CHAT of that type.
 */
public enum AccessRight {
    IS_READ_DG3(TerminalType.IS, 0),
    IS_READ_DG4(TerminalType.IS, 1),

    AGE_VERIFICATION(TerminalType.AT, 0),
    COMMUNITY_ID_VERIFICATION(TerminalType.AT, 1),
    RESTRICTED_IDENTIFICATION(TerminalType.AT, 2),
    PRIVILEGED_TERMINAL(TerminalType.AT, 3),
    CAN_ALLOWED(TerminalType.AT, 4),
    PIN_MANAGEMENT(TerminalType.AT, 5),
    INSTALL_CERTIFICATE(TerminalType.AT, 6),
    INSTALL_QUALIFIED_CERTIFICATE(TerminalType.AT, 7),
    READ_DG1(TerminalType.AT, 8),
    READ_DG2(TerminalType.AT, 9),
    READ_DG3(TerminalType.AT, 10),
    READ_DG4(TerminalType.AT, 11),
    READ_DG5(TerminalType.AT, 12),
    READ_DG6(TerminalType.AT, 13),
    READ_DG7(TerminalType.AT, 14),
    READ_DG8(TerminalType.AT, 15),
    READ_DG9(TerminalType.AT, 16),
    READ_DG10(TerminalType.AT, 17),
    READ_DG11(TerminalType.AT, 18),
    READ_DG12(TerminalType.AT, 19),
    READ_DG13(TerminalType.AT, 20),
    READ_DG14(TerminalType.AT, 21),
    READ_DG15(TerminalType.AT, 22),
    READ_DG16(TerminalType.AT, 23),
    READ_DG17(TerminalType.AT, 24),
    READ_DG18(TerminalType.AT, 25),
    READ_DG19(TerminalType.AT, 26),
    READ_DG20(TerminalType.AT, 27),
    READ_DG21(TerminalType.AT, 28),
    // Bit 32 is RFU; write rights count down from bit 37 (openpace's and EJBCA's tables agree).
    WRITE_DG21(TerminalType.AT, 33),
    WRITE_DG20(TerminalType.AT, 34),
    WRITE_DG19(TerminalType.AT, 35),
    WRITE_DG18(TerminalType.AT, 36),
    WRITE_DG17(TerminalType.AT, 37);

    private final TerminalType type;
    private final int bit;

    AccessRight(TerminalType type, int bit) {
        this.type = type;
        this.bit = bit;
    }

    public TerminalType type() {
        return type;
    }

    public int bit() {
        return bit;
    }

    /** The name used in the API and the CLI, e.g. {@code read-dg1}, {@code is-read-dg4}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static AccessRight fromId(String id) {
        for (AccessRight r : values()) {
            if (r.id().equals(id)) {
                return r;
            }
        }
        throw new CvException(CvException.Code.RIGHTS, "unknown access right '" + id + "'");
    }
}
