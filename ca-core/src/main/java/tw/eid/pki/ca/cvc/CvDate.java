package tw.eid.pki.ca.cvc;

import java.time.DateTimeException;
import java.time.LocalDate;

/**
 * TR-03110 Part 3 D.2.1.3: a date as six unpacked BCD digits YYMMDD, one digit 0..9 per byte, the
 * year in 2000..2099. Dates are calendar days in UTC; an expiration date is valid through its end.
 */
final class CvDate {
    private CvDate() {}

    static byte[] encode(LocalDate date) {
        int year = date.getYear();
        if (year < 2000 || year > 2099) {
            throw new IllegalArgumentException("a CV date is in 2000..2099, not " + date);
        }
        int[] parts = {year - 2000, date.getMonthValue(), date.getDayOfMonth()};
        byte[] out = new byte[6];
        for (int i = 0; i < 3; i++) {
            out[2 * i] = (byte) (parts[i] / 10);
            out[2 * i + 1] = (byte) (parts[i] % 10);
        }
        return out;
    }

    static LocalDate decode(byte[] bcd) {
        if (bcd.length != 6) {
            throw new CvException(CvException.Code.MALFORMED, "a CV date is 6 digits");
        }
        for (byte b : bcd) {
            if (b < 0 || b > 9) {
                throw new CvException(CvException.Code.MALFORMED, "a CV date digit is 0..9");
            }
        }
        try {
            return LocalDate.of(2000 + bcd[0] * 10 + bcd[1], bcd[2] * 10 + bcd[3], bcd[4] * 10 + bcd[5]);
        } catch (DateTimeException e) {
            throw new CvException(CvException.Code.MALFORMED, "not a calendar date");
        }
    }
}
