package tw.eid.pki.ca.card;

import java.time.Clock;
import java.time.LocalDate;
import java.util.Objects;
import tw.eid.pki.ca.store.CardValidityRows;
import tw.eid.pki.ca.store.Database;

/**
 * The card-status query for relying parties (issue 25, after the household registration service's
 * 國民身分證領補換資料查詢): national ID and the printed issue date, place and type in; "current card"
 * or "no match" out. "No match" covers a wrong field, an unknown ID, a lost, a replaced and an
 * expired card alike, so the answer never says which field was wrong or whether the ID has a card.
 *
 * <p>Lock-out: every query that matches no current card of the ID counts as wrong, an unknown ID
 * included; the third wrong query of a Taiwan calendar day (Asia/Taipei, on the injected clock) locks
 * the ID until the next 00:00 there, and a locked ID is answered {@link Answer#LOCKED} even for a
 * correct query. The counter is a row in MariaDB, keyed by the ID's look-up HMAC (never the ID),
 * locked in the query's transaction: every RA process and node shares it.
 *
 * <p>Nothing here logs or audits: the request is personal data, and a relying party's query is not
 * an RA act. Not yet served: its own HTTPS listener, the signed answer and the agencies are issue
 * 25's next steps.
 */
public final class CardStatusQuery {
    /** The third wrong query of a day locks the ID. */
    public static final int WRONG_QUERIES_PER_DAY = 3;

    /** What the relying party learns. */
    public enum Answer {
        CURRENT,
        NO_MATCH,
        /** The ID is locked for the rest of the Taiwan day (the HTTP edge: 429). */
        LOCKED
    }

    /** A query: personal data, never printed. */
    public record Request(NationalId nationalId, LocalDate issueDate, String issuePlace, CardIssueType issueType) {
        public Request {
            Objects.requireNonNull(nationalId, "nationalId");
            Objects.requireNonNull(issueDate, "issueDate");
            CardIssuePlace.require(issuePlace);
            Objects.requireNonNull(issueType, "issueType");
        }

        @Override
        public String toString() {
            return "CardStatusQuery.Request[***]";
        }
    }

    private final Database database;
    private final PersonalDataKeys keys;
    private final Clock clock;

    public CardStatusQuery(Database database, PersonalDataKeys keys, Clock clock) {
        this.database = Objects.requireNonNull(database, "database");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Answers one query; its wrong answer is counted (committed) before it is returned. */
    public Answer query(Request request) {
        Objects.requireNonNull(request, "request");
        byte[] id = keys.lookupHash(request.nationalId()); // in the token, before the transaction
        // ofInstant, not now(clock.withZone(...)): the day is Taipei's whatever zone the clock carries.
        LocalDate today = LocalDate.ofInstant(clock.instant(), CardReissues.ZONE);
        return database.inTransaction(c -> {
            if (CardValidityRows.lockQueryCounter(c, id, today) >= WRONG_QUERIES_PER_DAY) {
                return Answer.LOCKED;
            }
            if (CardValidityRows.currentCardMatches(
                    c,
                    id,
                    request.issueDate(),
                    request.issuePlace(),
                    request.issueType().name(),
                    today)) {
                return Answer.CURRENT;
            }
            CardValidityRows.countWrongQuery(c, id, today);
            return Answer.NO_MATCH;
        });
    }
}
