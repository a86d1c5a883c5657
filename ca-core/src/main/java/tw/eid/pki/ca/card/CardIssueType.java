package tw.eid.pki.ca.card;

import java.util.Locale;

/** How a card was issued, as the card and the household registration query say it (issue 25). */
public enum CardIssueType {
    /** 初發: the holder's first card. */
    INITIAL,
    /** 補發: a card issued after a loss. */
    REISSUE,
    /** 換發: a card exchanged for a new one. */
    RENEWAL;

    /** The API's spelling: {@code initial}, {@code reissue}, {@code renewal}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the API's spelling; anything else is {@link CardException.Code#INVALID_ISSUE_TYPE}. */
    public static CardIssueType of(String id) {
        for (CardIssueType t : values()) {
            if (t.id().equals(id)) {
                return t;
            }
        }
        throw new CardException(
                CardException.Code.INVALID_ISSUE_TYPE, "issue type must be one of initial, reissue, renewal");
    }
}
