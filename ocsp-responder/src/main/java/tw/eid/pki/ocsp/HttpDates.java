package tw.eid.pki.ocsp;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** HTTP dates (RFC 9110 §5.6.7, IMF-fixdate: two-digit day, GMT). */
final class HttpDates {
    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.ofPattern(
                    "EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /** The last second formatted: every cached answer's Expires header in one second is the same. */
    private static volatile Formatted last = new Formatted(Long.MIN_VALUE, "");

    private record Formatted(long epochSecond, String text) {}

    private HttpDates() {}

    static String format(Instant instant) {
        long second = instant.getEpochSecond();
        Formatted f = last;
        if (f.epochSecond() == second) {
            return f.text();
        }
        String text = IMF_FIXDATE.format(Instant.ofEpochSecond(second));
        last = new Formatted(second, text);
        return text;
    }
}
