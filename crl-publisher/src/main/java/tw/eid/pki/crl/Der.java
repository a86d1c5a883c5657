package tw.eid.pki.crl;

import java.time.Instant;
import java.time.ZoneOffset;

/** The few DER primitives the streaming CRL encoder writes by hand (X.690 §8, §10). */
final class Der {
    static final int SEQUENCE = 0x30;
    static final int INTEGER = 0x02;
    static final int UTC_TIME = 0x17;
    static final int GENERALIZED_TIME = 0x18;
    static final int BIT_STRING = 0x03;
    static final int CONTEXT_0 = 0xa0;

    private Der() {}

    /** Tag and definite length (X.690 §10.1: the shortest form). */
    static byte[] header(int tag, long length) {
        if (length < 0x80) {
            return new byte[] {(byte) tag, (byte) length};
        }
        int octets = (64 - Long.numberOfLeadingZeros(length) + 7) / 8;
        byte[] h = new byte[2 + octets];
        h[0] = (byte) tag;
        h[1] = (byte) (0x80 | octets);
        for (int i = 0; i < octets; i++) {
            h[2 + i] = (byte) (length >>> (8 * (octets - 1 - i)));
        }
        return h;
    }

    static byte[] tlv(int tag, byte[] content) {
        byte[] h = header(tag, content.length);
        byte[] out = new byte[h.length + content.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(content, 0, out, h.length, content.length);
        return out;
    }

    /**
     * RFC 5280 §5.1.2.4 and §5.1.2.6: UTCTime through 2049, GeneralizedTime from 2050, Zulu, whole
     * seconds.
     */
    static byte[] time(Instant t) {
        byte[] out = new byte[timeLength(t)];
        writeTime(t, out, 0);
        return out;
    }

    /** The encoded length of {@link #time}: 15 for UTCTime, 17 for GeneralizedTime. */
    static int timeLength(Instant t) {
        return t.getEpochSecond() < UTC_TIME_END ? 15 : 17;
    }

    /** 2050-01-01T00:00:00Z: the first GeneralizedTime. */
    private static final long UTC_TIME_END = 2524608000L;

    /** Writes {@link #time} of {@code t} at {@code off}; returns the length. */
    static int writeTime(Instant t, byte[] out, int off) {
        // Digits written by hand: a DateTimeFormatter per entry was a visible share of a million-entry CRL.
        java.time.LocalDateTime z = java.time.LocalDateTime.ofEpochSecond(t.getEpochSecond(), 0, ZoneOffset.UTC);
        int year = z.getYear();
        if (year < 1950 || year > 9999) {
            throw new IllegalArgumentException("time out of range for RFC 5280: " + t);
        }
        boolean utc = year < 2050;
        out[off] = (byte) (utc ? UTC_TIME : GENERALIZED_TIME);
        out[off + 1] = (byte) (utc ? 13 : 15);
        int i = off + 2;
        if (!utc) {
            i = twoDigits(out, i, year / 100);
        }
        i = twoDigits(out, i, year % 100);
        i = twoDigits(out, i, z.getMonthValue());
        i = twoDigits(out, i, z.getDayOfMonth());
        i = twoDigits(out, i, z.getHour());
        i = twoDigits(out, i, z.getMinute());
        i = twoDigits(out, i, z.getSecond());
        out[i] = 'Z';
        return i + 1 - off;
    }

    private static int twoDigits(byte[] out, int i, int v) {
        out[i] = (byte) ('0' + v / 10);
        out[i + 1] = (byte) ('0' + v % 10);
        return i + 2;
    }

    /** A positive INTEGER from lower-case hex without leading zeros (the store's serial form). */
    static byte[] positiveInteger(String hex) {
        int digits = hex.length();
        int octets = (digits + 1) / 2;
        byte[] v = new byte[octets];
        for (int i = 0; i < digits; i++) {
            int d = Character.digit(hex.charAt(digits - 1 - i), 16);
            if (d < 0) {
                throw new IllegalArgumentException("not hex: " + hex);
            }
            v[octets - 1 - i / 2] |= (byte) (i % 2 == 0 ? d : d << 4);
        }
        // Two's complement: a leading 1 bit needs a zero octet in front to stay positive.
        boolean pad = (v[0] & 0x80) != 0;
        int length = octets + (pad ? 1 : 0);
        if (length >= 0x80) {
            throw new IllegalArgumentException("serial too long: " + hex);
        }
        byte[] out = new byte[2 + length];
        out[0] = INTEGER;
        out[1] = (byte) length;
        System.arraycopy(v, 0, out, pad ? 3 : 2, octets);
        return out;
    }
}
