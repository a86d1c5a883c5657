package tw.eid.pki.ca.card;

import java.time.Instant;
import java.time.LocalDate;

/**
 * A registered card as the RA shows it. {@code holderName} is null unless the caller may see
 * personal data (auditors never do). {@code status} is the personalization status (REGISTERED,
 * PERSONALIZED), {@code validity} the card's validity (issue 25), {@code issue} the printed issue
 * data and expiry (null for a card registered without them).
 */
public record Card(
        String cardNumber,
        String chipUidHex,
        String nationalIdLast4,
        String holderName,
        String status,
        Instant registeredAt,
        CardValidity validity,
        CardIssueData issue) {
    /** The same card without personal data beyond the last four digits of the national ID. */
    public Card withoutPersonalData() {
        return new Card(cardNumber, chipUidHex, nationalIdLast4, null, status, registeredAt, validity, issue);
    }

    /** Whether the card has expired by {@code day} (its expiry date is before that day); never without one. */
    public boolean expiredOn(LocalDate day) {
        return issue != null && issue.expiresOn() != null && issue.expiresOn().isBefore(day);
    }
}
