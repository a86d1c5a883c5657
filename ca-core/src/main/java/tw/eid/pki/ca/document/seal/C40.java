package tw.eid.pki.ca.document.seal;

import java.io.ByteArrayOutputStream;

/**
 * C40 as BSI TR-03137 Part 1 Annex B (normative) applies ISO/IEC 16022's C40 to seal strings:
 * upper-case letters, digits, space, and '<' (which becomes a space before encoding); three
 * characters per two bytes, I16 = 1600·U1 + 40·U2 + U3 + 1; two characters left over are padded
 * with Shift 1 (C40 value 0); one character left over is 0xFE (unlatch) followed by its DataMatrix
 * ASCII value (ASCII + 1). A string of length L takes 2·⌈L/3⌉ bytes (the Annex's "least even
 * number ≥ L" holds only for short strings: its own 9-character DETS00027 takes 6 bytes).
 */
public final class C40 {
    private static final int UNLATCH = 0xFE;

    private C40() {}

    /** The C40 bytes of {@code text}; a character outside A-Z, 0-9, space and '<' is refused. */
    public static byte[] encode(String text) {
        String s = text.replace('<', ' ');
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 1);
        int i = 0;
        for (; i + 3 <= s.length(); i += 3) {
            pack(out, value(s.charAt(i)), value(s.charAt(i + 1)), value(s.charAt(i + 2)));
        }
        int left = s.length() - i;
        if (left == 2) {
            pack(out, value(s.charAt(i)), value(s.charAt(i + 1)), 0);
        } else if (left == 1) {
            value(s.charAt(i)); // refuses a character C40 cannot carry
            out.write(UNLATCH);
            out.write(s.charAt(i) + 1);
        }
        return out.toByteArray();
    }

    /**
     * The string of C40 bytes; a trailing Shift 1 pad is dropped. Spaces stay spaces (a seal
     * cannot tell '<' from a space).
     */
    public static String decode(byte[] bytes) {
        if (bytes.length % 2 != 0) {
            throw new SealException(SealException.Code.MALFORMED, "C40 data of odd length " + bytes.length);
        }
        StringBuilder out = new StringBuilder(bytes.length * 3 / 2);
        for (int i = 0; i < bytes.length; i += 2) {
            int i1 = bytes[i] & 0xFF;
            int i2 = bytes[i + 1] & 0xFF;
            if (i1 == UNLATCH) {
                if (i + 2 != bytes.length) {
                    throw new SealException(SealException.Code.MALFORMED, "C40 unlatch before the end");
                }
                char c = (char) (i2 - 1);
                value(c);
                out.append(c);
                break;
            }
            int v16 = i1 * 256 + i2;
            if (v16 < 1 || v16 > 64000) {
                throw new SealException(SealException.Code.MALFORMED, "C40 value out of range: " + v16);
            }
            int u = v16 - 1;
            int u1 = u / 1600;
            int u2 = (u / 40) % 40;
            int u3 = u % 40;
            boolean last = i + 2 == bytes.length;
            out.append(character(u1)).append(character(u2));
            if (u3 == 0 && last) {
                continue; // Shift 1 pad of two characters left over
            }
            out.append(character(u3));
        }
        return out.toString();
    }

    /** The number of bytes {@link #encode} makes of a string of {@code length} characters. */
    public static int encodedLength(int length) {
        return 2 * ((length + 2) / 3);
    }

    private static void pack(ByteArrayOutputStream out, int u1, int u2, int u3) {
        int v16 = 1600 * u1 + 40 * u2 + u3 + 1;
        out.write(v16 >>> 8);
        out.write(v16 & 0xFF);
    }

    private static int value(char c) {
        if (c == ' ') {
            return 3;
        }
        if (c >= '0' && c <= '9') {
            return 4 + (c - '0');
        }
        if (c >= 'A' && c <= 'Z') {
            return 14 + (c - 'A');
        }
        throw new SealException(
                SealException.Code.UNENCODABLE,
                "C40 carries only A-Z, 0-9, space and '<', not U+" + String.format("%04X", (int) c));
    }

    private static char character(int value) {
        if (value == 3) {
            return ' ';
        }
        if (value >= 4 && value <= 13) {
            return (char) ('0' + value - 4);
        }
        if (value >= 14 && value <= 39) {
            return (char) ('A' + value - 14);
        }
        throw new SealException(SealException.Code.MALFORMED, "C40 value " + value + " is not a seal character");
    }
}
