package tw.eid.pki.ca.document.seal;

import java.time.DateTimeException;
import java.time.LocalDate;

/**
 * The Date type of BSI TR-03137 Part 1 §3.2.3 and ICAO Doc 9303-13: the digits MMDDYYYY read as one
 * integer, in three bytes, big-endian (25 March 1957 → 03251957 → 0x31 0x9E 0xF5).
 */
public final class SealDate {
    public static final int LENGTH = 3;

    private SealDate() {}

    public static byte[] encode(LocalDate date) {
        if (date.getYear() < 0 || date.getYear() > 9999) {
            throw new SealException(SealException.Code.UNENCODABLE, "a seal date has a four-digit year");
        }
        int value = date.getMonthValue() * 1_000_000 + date.getDayOfMonth() * 10_000 + date.getYear();
        return new byte[] {(byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }

    public static LocalDate decode(byte[] bytes, int offset) {
        if (bytes.length - offset < LENGTH) {
            throw new SealException(SealException.Code.MALFORMED, "a seal date is three bytes");
        }
        int value = ((bytes[offset] & 0xFF) << 16) | ((bytes[offset + 1] & 0xFF) << 8) | (bytes[offset + 2] & 0xFF);
        try {
            return LocalDate.of(value % 10_000, value / 1_000_000, (value / 10_000) % 100);
        } catch (DateTimeException e) {
            throw new SealException(SealException.Code.MALFORMED, "not a date: " + value);
        }
    }

    public static LocalDate decode(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new SealException(SealException.Code.MALFORMED, "a seal date is three bytes");
        }
        return decode(bytes, 0);
    }
}
