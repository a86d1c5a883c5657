package tw.eid.pki.ocsp;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** HTTP dates (RFC 9110 §5.6.7, IMF-fixdate: two-digit day, GMT). */
final class HttpDates {
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private HttpDates() {}

    static String format(Instant instant) {
        return IMF_FIXDATE.format(instant);
    }
}
