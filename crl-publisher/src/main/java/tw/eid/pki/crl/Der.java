package tw.eid.pki.crl;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

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

    /**
     * RFC 5280 §5.1.2.4 and §5.1.2.6: UTCTime through 2049, GeneralizedTime from 2050, Zulu, whole
     * seconds.
     */
    static byte[] time(Instant t) {
        byte[] out = new byte[timeLength(t)];
        writeTime(t.getEpochSecond(), out, 0);
        return out;
    }

    /** The encoded length of {@link #time}: 15 for UTCTime, 17 for GeneralizedTime. */
    static int timeLength(Instant t) {
        return timeLength(t.getEpochSecond());
    }

    /** As {@link #timeLength(Instant)}, of a time in whole seconds since the epoch. */
    static int timeLength(long epochSecond) {
        return epochSecond < UTC_TIME_END ? 15 : 17;
    }

    /** 2050-01-01T00:00:00Z: the first GeneralizedTime. */
    private static final long UTC_TIME_END = 2524608000L;
    /** 1950-01-01T00:00:00Z and 10000-01-01T00:00:00Z: the range RFC 5280's two forms can say. */
    private static final long FIRST = -631152000L;

    private static final long AFTER_LAST = 253402300800L;

    /**
     * Writes {@link #time} of the whole second {@code epochSecond} at {@code off}; returns the
     * length. The civil date is computed from the day number (H. Hinnant's days-to-civil, exact for
     * the proleptic Gregorian calendar): no object per entry, which a million-entry CRL would feel.
     */
    static int writeTime(long epochSecond, byte[] out, int off) {
        if (epochSecond < FIRST || epochSecond >= AFTER_LAST) {
            throw new IllegalArgumentException("time out of range for RFC 5280: " + Instant.ofEpochSecond(epochSecond));
        }
        long days = Math.floorDiv(epochSecond, 86_400L);
        int secondOfDay = (int) Math.floorMod(epochSecond, 86_400L);
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        int dayOfEra = (int) (z - era * 146_097);
        int yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        int dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        int mp = (5 * dayOfYear + 2) / 153;
        int day = dayOfYear - (153 * mp + 2) / 5 + 1;
        int month = mp < 10 ? mp + 3 : mp - 9;
        int year = (int) (yearOfEra + era * 400) + (month <= 2 ? 1 : 0);
        boolean utc = epochSecond < UTC_TIME_END;
        out[off] = (byte) (utc ? UTC_TIME : GENERALIZED_TIME);
        out[off + 1] = (byte) (utc ? 13 : 15);
        int i = off + 2;
        if (!utc) {
            i = twoDigits(out, i, year / 100);
        }
        i = twoDigits(out, i, year % 100);
        i = twoDigits(out, i, month);
        i = twoDigits(out, i, day);
        i = twoDigits(out, i, secondOfDay / 3600);
        i = twoDigits(out, i, secondOfDay / 60 % 60);
        i = twoDigits(out, i, secondOfDay % 60);
        out[i] = 'Z';
        return i + 1 - off;
    }

    private static int twoDigits(byte[] out, int i, int v) {
        out[i] = (byte) ('0' + v / 10);
        out[i + 1] = (byte) ('0' + v % 10);
        return i + 2;
    }

    /**
     * Writes the positive INTEGER of {@code hex} (ASCII lower- or upper-case hex digits without
     * leading zeros, the store's serial form, as the column's bytes) at {@code off}; returns the
     * length (X.690 §8.3: the fewest octets, a zero octet in front when the first bit is set).
     */
    static int writePositiveInteger(byte[] hex, byte[] out, int off) {
        int digits = hex.length;
        if (digits == 0 || digits > 40) {
            throw new IllegalArgumentException("serial of " + digits + " hex digits");
        }
        int octets = (digits + 1) / 2;
        int first = digit(hex, 0);
        if (first == 0) {
            throw new IllegalArgumentException(
                    "serial with a leading zero: " + new String(hex, StandardCharsets.US_ASCII));
        }
        // The value's first octet: one digit when the count is odd, two when even.
        int top = digits % 2 == 1 ? first : first << 4 | digit(hex, 1);
        boolean pad = (top & 0x80) != 0;
        int length = octets + (pad ? 1 : 0);
        out[off] = INTEGER;
        out[off + 1] = (byte) length;
        int o = off + 2;
        if (pad) {
            out[o++] = 0;
        }
        int i = 0;
        if (digits % 2 == 1) {
            out[o++] = (byte) first;
            i = 1;
        }
        for (; i < digits; i += 2) {
            out[o++] = (byte) (digit(hex, i) << 4 | digit(hex, i + 1));
        }
        return o - off;
    }

    private static int digit(byte[] hex, int i) {
        int c = hex[i];
        int d = c >= '0' && c <= '9'
                ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) {
            throw new IllegalArgumentException("not hex: " + new String(hex, StandardCharsets.US_ASCII));
        }
        return d;
    }
}
