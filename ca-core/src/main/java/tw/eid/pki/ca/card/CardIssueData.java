package tw.eid.pki.ca.card;

import java.time.LocalDate;
import java.util.Objects;

/**
 * What the card prints about its issue (issue 25), which the card-status query matches: the issue
 * date, the issue place (a code of {@link CardIssuePlace}), the issue type, and the card's expiry date
 * (null when the card prints none). Checked on construction.
 */
public record CardIssueData(LocalDate issueDate, String issuePlace, CardIssueType issueType, LocalDate expiresOn) {
    public CardIssueData {
        if (issueDate == null || issueDate.getYear() < 1946 || issueDate.getYear() > 9999) {
            // 1946: the first national ID cards; the new card is much younger, but the query's rule is the card's.
            throw new CardException(CardException.Code.INVALID_ISSUE_DATE, "issue date out of range");
        }
        CardIssuePlace.require(issuePlace);
        Objects.requireNonNull(issueType, "issueType");
        if (expiresOn != null && !expiresOn.isAfter(issueDate)) {
            throw new CardException(
                    CardException.Code.INVALID_EXPIRY_DATE, "the expiry date must follow the issue date");
        }
    }

    /**
     * The issue data of a request whose fields are all given or all absent: null when all three
     * printed fields are absent (and no expiry), otherwise every one is needed ({@link
     * CardException.Code#INCOMPLETE_ISSUE_DATA}).
     */
    public static CardIssueData of(LocalDate issueDate, String issuePlace, String issueType, LocalDate expiresOn) {
        if (issueDate == null && issuePlace == null && issueType == null && expiresOn == null) {
            return null;
        }
        if (issueDate == null || issuePlace == null || issueType == null) {
            throw new CardException(
                    CardException.Code.INCOMPLETE_ISSUE_DATA,
                    "issueDate, issuePlace and issueType come together (and expiryDate only with them)");
        }
        return new CardIssueData(issueDate, issuePlace, CardIssueType.of(issueType), expiresOn);
    }
}
