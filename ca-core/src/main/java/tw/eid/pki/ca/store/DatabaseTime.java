package tw.eid.pki.ca.store;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * How instants go in and out of {@code DATETIME(6)} columns: UTC wall time, microseconds. DATETIME
 * carries no zone, so we never let the driver or the session time zone convert it; a {@link
 * LocalDateTime} in UTC maps one to one.
 */
public final class DatabaseTime {

    private DatabaseTime() {}

    /** The column value for an instant; anything finer than a microsecond is dropped. */
    public static LocalDateTime toColumn(Instant instant) {
        return LocalDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }

    /** The instant a column value stands for; null stays null. */
    public static Instant fromColumn(LocalDateTime value) {
        return value == null ? null : value.toInstant(ZoneOffset.UTC);
    }
}
