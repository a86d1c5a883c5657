package tw.eid.pki.ca.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.ca.store.StoreException;

/**
 * The auditor's view of the ledger ({@code GET /audit}): events filtered by time, actor and action,
 * in seq order, a page at a time. Needs only SELECT.
 *
 * <p>Paging is by cursor, not offset: each page ends with the seq to continue after, so events
 * appended meanwhile neither shift nor repeat earlier pages (they appear at the end, seq being the
 * ledger's order).
 *
 * <p>This is a reader, not a verifier: rows come back as stored, without checking the chain. An
 * auditor who needs to trust them runs {@link AuditVerifier} first.
 */
public final class AuditQuery {

    public static final int MAX_LIMIT = 1_000;

    // As AuditEvent accepts them: a filter that could never match is a mistake, said so.
    private static final Pattern ACTOR = Pattern.compile("[A-Za-z0-9._:@/+=-]{1,128}");
    private static final Pattern ACTION = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private final DataSource dataSource;

    public AuditQuery(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * What to find. Every filter is optional (null); all given ones must hold.
     *
     * @param from events at or after this instant (inclusive)
     * @param to events before this instant (exclusive); after {@code from}
     * @param actor exactly this actor id
     * @param action exactly this action, e.g. {@code certificate.revoke}
     * @param afterSeq the cursor: only events with a greater seq; 0 to start at the beginning
     * @param limit at most this many events, 1 to {@value #MAX_LIMIT}
     * @throws InvalidCriteriaException if any of these is out of range
     */
    public record Criteria(Instant from, Instant to, String actor, String action, long afterSeq, int limit) {

        public Criteria {
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new InvalidCriteriaException("limit must be 1.." + MAX_LIMIT);
            }
            if (afterSeq < 0) {
                throw new InvalidCriteriaException("the cursor (after seq) must not be negative");
            }
            if (from != null && to != null && !from.isBefore(to)) {
                throw new InvalidCriteriaException("the time range [from, to) is empty: from must be before to");
            }
            if (actor != null && !ACTOR.matcher(actor).matches()) {
                throw new InvalidCriteriaException("actor must match " + ACTOR.pattern());
            }
            if (action != null && !ACTION.matcher(action).matches()) {
                throw new InvalidCriteriaException("action must match " + ACTION.pattern());
            }
        }

        /** Everything, from the start, {@code limit} at a time. */
        public static Criteria first(int limit) {
            return new Criteria(null, null, null, null, 0, limit);
        }

        /** Events in [from, to); either end may be null (open). */
        public Criteria between(Instant from, Instant to) {
            return new Criteria(from, to, actor, action, afterSeq, limit);
        }

        public Criteria byActor(String actor) {
            return new Criteria(from, to, actor, action, afterSeq, limit);
        }

        public Criteria withAction(String action) {
            return new Criteria(from, to, actor, action, afterSeq, limit);
        }

        /** The same filters, continuing after {@code seq} (a page's {@link Page#nextAfterSeq()}). */
        public Criteria after(long seq) {
            return new Criteria(from, to, actor, action, seq, limit);
        }
    }

    /** An event as the ledger holds it, without its hashes. */
    public record RecordedEvent(
            long seq,
            Instant time,
            String actor,
            String action,
            String target,
            AuditResult result,
            String sourceAddress,
            String destinationAddress,
            String errorCode,
            String details) {}

    /**
     * One page of events in seq order.
     *
     * @param nextAfterSeq the cursor for the next page ({@link Criteria#after}), or null when this
     *     page is the last that matches now
     */
    public record Page(List<RecordedEvent> events, Long nextAfterSeq) {
        public Page {
            events = List.copyOf(events);
        }
    }

    /** Criteria out of range: the edge answers 400 with {@link #code()}. */
    public static final class InvalidCriteriaException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public InvalidCriteriaException(String message) {
            super(message);
        }

        /** The stable code. */
        public String code() {
            return "audit.invalid-query";
        }
    }

    /** The events matching {@code criteria} after its cursor, at most its limit of them. */
    public Page find(Criteria criteria) {
        Objects.requireNonNull(criteria, "criteria");
        StringBuilder sql = new StringBuilder("SELECT seq, event_time, actor, action, target, result,"
                + " source_addr, dest_addr, error_code, details FROM audit_event WHERE seq > ?");
        List<Object> parameters = new ArrayList<>();
        parameters.add(criteria.afterSeq());
        if (criteria.from() != null) {
            sql.append(" AND event_time >= ?");
            parameters.add(DatabaseTime.toColumn(ceilingMicros(criteria.from())));
        }
        if (criteria.to() != null) {
            sql.append(" AND event_time < ?");
            parameters.add(DatabaseTime.toColumn(ceilingMicros(criteria.to())));
        }
        if (criteria.actor() != null) {
            sql.append(" AND actor = ?");
            parameters.add(criteria.actor());
        }
        if (criteria.action() != null) {
            sql.append(" AND action = ?");
            parameters.add(criteria.action());
        }
        // One more than asked, to know whether another page follows.
        sql.append(" ORDER BY seq LIMIT ?");
        parameters.add(criteria.limit() + 1);

        List<RecordedEvent> events = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < parameters.size(); i++) {
                select.setObject(i + 1, parameters.get(i));
            }
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    events.add(new RecordedEvent(
                            rs.getLong(1),
                            DatabaseTime.fromColumn(rs.getObject(2, LocalDateTime.class)),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5),
                            AuditResult.valueOf(rs.getString(6)),
                            rs.getString(7),
                            rs.getString(8),
                            rs.getString(9),
                            rs.getString(10)));
                }
            }
        } catch (SQLException e) {
            throw new StoreException(StoreException.Code.SQL, "audit query failed", e);
        }
        if (events.size() > criteria.limit()) {
            events = events.subList(0, criteria.limit());
            return new Page(events, events.get(events.size() - 1).seq());
        }
        return new Page(events, null);
    }

    /**
     * Event times are whole microseconds. An instant between two of them is rounded up: an event at
     * the microsecond below lies before it, so "at or after" and "before" both start at the next.
     */
    private static Instant ceilingMicros(Instant instant) {
        Instant down = instant.truncatedTo(ChronoUnit.MICROS);
        return down.equals(instant) ? down : down.plus(1, ChronoUnit.MICROS);
    }
}
