package tw.eid.pki.ca.cvc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;

/**
 * The Certificate Holder Authorization Template (TR-03110 Part 3 C.1.5, tag 7F4C): the terminal type's
 * object identifier (06) and the relative authorization (53), whose two most significant bits are the
 * role and whose other bits are the access rights.
 */
public record Chat(TerminalType type, CvRole role, Set<AccessRight> rights) {
    public Chat {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(role, "role");
        rights = rights.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(rights));
        for (AccessRight r : rights) {
            if (r.type() != type) {
                throw new CvException(CvException.Code.RIGHTS, "right " + r.id() + " is not a " + type + " right");
            }
        }
    }

    /** Every right of {@code type}: what a CVCA and a DV pass down. */
    public static Chat all(TerminalType type, CvRole role) {
        return new Chat(
                type,
                role,
                EnumSet.allOf(AccessRight.class).stream()
                        .filter(r -> r.type() == type)
                        .collect(Collectors.toCollection(() -> EnumSet.noneOf(AccessRight.class))));
    }

    /** The relative authorization: big-endian, bit 0 the least significant bit of the last byte. */
    public byte[] relativeAuthorization() {
        int n = type.authorizationLength();
        byte[] out = new byte[n];
        set(out, 8 * n - 1, (role.bits() & 2) != 0);
        set(out, 8 * n - 2, (role.bits() & 1) != 0);
        for (AccessRight r : rights) {
            set(out, r.bit(), true);
        }
        return out;
    }

    private static void set(byte[] out, int bit, boolean on) {
        if (on) {
            out[out.length - 1 - bit / 8] |= (byte) (1 << (bit % 8));
        }
    }

    /** True when every right of {@code other} is one of ours and the types agree. */
    public boolean covers(Chat other) {
        return type == other.type && rights.containsAll(other.rights);
    }

    Tlv tlv() {
        try {
            return Tlv.of(
                    Tlv.CHAT,
                    List.of(
                            Tlv.parse(type.oid().getEncoded()),
                            Tlv.of(Tlv.DISCRETIONARY_DATA, relativeAuthorization())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Chat decode(Tlv chat) {
        Tlv oid = chat.required(Tlv.OID);
        TerminalType type;
        try {
            type = TerminalType.of(ASN1ObjectIdentifier.getInstance(oid.encoded()));
        } catch (IllegalArgumentException e) {
            throw new CvException(CvException.Code.MALFORMED, "CHAT object identifier");
        }
        byte[] auth = chat.required(Tlv.DISCRETIONARY_DATA).value();
        int n = type.authorizationLength();
        if (auth.length != n) {
            throw new CvException(CvException.Code.MALFORMED, "a " + type + " CHAT has " + n + " bytes of rights");
        }
        CvRole role = CvRole.of((auth[0] & 0xFF) >>> 6);
        EnumSet<AccessRight> rights = EnumSet.noneOf(AccessRight.class);
        for (int bit = 0; bit < 8 * n - 2; bit++) {
            if ((auth[n - 1 - bit / 8] & (1 << (bit % 8))) == 0) {
                continue;
            }
            AccessRight right = null;
            for (AccessRight r : AccessRight.values()) {
                if (r.type() == type && r.bit() == bit) {
                    right = r;
                }
            }
            if (right == null) {
                throw new CvException(CvException.Code.RIGHTS, "CHAT bit " + bit + " is reserved");
            }
            rights.add(right);
        }
        return new Chat(type, role, rights);
    }
}
