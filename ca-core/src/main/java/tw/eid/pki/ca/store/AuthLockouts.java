package tw.eid.pki.ca.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Objects;
import java.util.Optional;

/**
 * Authentication failures and lock-outs per source address in the store ({@code auth_lockout}),
 * so that every RA process counts and enforces them together. A source's failures are counted in
 * a fixed window that starts at its first failure; {@code limit} failures in it lock the source
 * out for {@code lockout} from the failure that tipped it. Failures during a lock-out are not
 * counted (it does not grow). Rows idle for a day after their last failure and lock-out are
 * deleted as failures come in.
 */
public final class AuthLockouts {
    private static final Duration KEEP_IDLE = Duration.ofDays(1);

    private final Database database;

    public AuthLockouts(Database database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    /** Until when {@code source} is locked out at {@code now}, if it is. */
    public Optional<Instant> lockedUntil(String source, Instant now) {
        return database.inTransaction(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT locked_until FROM auth_lockout WHERE source = ?")) {
                p.setString(1, source);
                try (ResultSet rs = p.executeQuery()) {
                    if (rs.next()) {
                        Instant until = DatabaseTime.fromColumn(rs.getObject(1, LocalDateTime.class));
                        if (until != null && now.isBefore(until)) {
                            return Optional.of(until);
                        }
                    }
                    return Optional.empty();
                }
            }
        });
    }

    /**
     * Counts one failure of {@code source} at {@code now}, committed before it returns; the
     * lock-out's end if the source is (now) locked out.
     */
    public Optional<Instant> recordFailure(String source, Instant now, Duration window, int limit, Duration lockout) {
        Objects.requireNonNull(source, "source");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        return database.inTransaction(c -> {
            // The row first (so that the locking read below always finds one), then its counts.
            try (PreparedStatement p = c.prepareStatement("INSERT IGNORE INTO auth_lockout"
                    + " (source, window_start, failures, locked_until, last_failure) VALUES (?, ?, 0, NULL, ?)")) {
                p.setString(1, source);
                p.setObject(2, DatabaseTime.toColumn(now));
                p.setObject(3, DatabaseTime.toColumn(now));
                p.executeUpdate();
            }
            Instant windowStart;
            int failures;
            Instant lockedUntil;
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT window_start, failures, locked_until" + " FROM auth_lockout WHERE source = ? FOR UPDATE")) {
                p.setString(1, source);
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    windowStart = DatabaseTime.fromColumn(rs.getObject(1, LocalDateTime.class));
                    failures = rs.getInt(2);
                    lockedUntil = DatabaseTime.fromColumn(rs.getObject(3, LocalDateTime.class));
                }
            }
            if (lockedUntil != null && now.isBefore(lockedUntil)) {
                return Optional.of(lockedUntil);
            }
            if (lockedUntil != null || !now.isBefore(windowStart.plus(window))) {
                windowStart = now;
                failures = 0;
            }
            failures++;
            Instant until = null;
            if (failures >= limit) {
                until = now.plus(lockout);
                failures = 0;
                windowStart = now;
            }
            try (PreparedStatement p = c.prepareStatement("UPDATE auth_lockout SET window_start = ?, failures = ?,"
                    + " locked_until = ?, last_failure = ? WHERE source = ?")) {
                p.setObject(1, DatabaseTime.toColumn(windowStart));
                p.setInt(2, failures);
                p.setObject(3, until == null ? null : DatabaseTime.toColumn(until));
                p.setObject(4, DatabaseTime.toColumn(now));
                p.setString(5, source);
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("DELETE FROM auth_lockout WHERE last_failure < ?"
                    + " AND (locked_until IS NULL OR locked_until < ?) LIMIT 100")) {
                p.setObject(1, DatabaseTime.toColumn(now.minus(KEEP_IDLE)));
                p.setObject(2, DatabaseTime.toColumn(now));
                p.executeUpdate();
            }
            return Optional.ofNullable(until);
        });
    }
}
