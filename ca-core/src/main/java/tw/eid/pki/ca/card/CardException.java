package tw.eid.pki.ca.card;

/**
 * A card request refused, with a stable code for the HTTP edge (RFC 9457 problem "code").
 */
public final class CardException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Code {
        /** Malformed card number (400). */
        INVALID_CARD_NUMBER("card.invalid-number"),
        /** Malformed chip unique id (400). */
        INVALID_CHIP_UID("card.invalid-chip-uid"),
        /** Not a valid national ID number: shape or check digit (400). */
        INVALID_NATIONAL_ID("card.invalid-national-id"),
        /** A birth date out of range (400). */
        INVALID_BIRTH_DATE("card.invalid-birth-date"),
        /** The card number is already registered (409). */
        CARD_EXISTS("card.exists"),
        /** No such card (404). */
        CARD_NOT_FOUND("card.not-found"),
        /** A re-issue is already open for the card (409). */
        REISSUE_OPEN("card.reissue-open"),
        /** The card is not being re-issued (409). */
        NOT_IN_REISSUE("card.not-in-reissue"),
        /** An expected delivery date before today (400). */
        INVALID_DELIVERY_DATE("card.invalid-delivery-date"),
        /** The successor card does not belong to the same national ID, or is the card itself (422). */
        INVALID_SUCCESSOR("card.invalid-successor"),
        /** An issue date out of range or after today (400). */
        INVALID_ISSUE_DATE("card.invalid-issue-date"),
        /** An issue place not on the published code list (400). */
        INVALID_ISSUE_PLACE("card.invalid-issue-place"),
        /** An issue type other than initial, reissue, renewal (400). */
        INVALID_ISSUE_TYPE("card.invalid-issue-type"),
        /** Some of the printed issue data given without the rest (400). */
        INCOMPLETE_ISSUE_DATA("card.incomplete-issue-data"),
        /** An expiry date not after the issue date (400). */
        INVALID_EXPIRY_DATE("card.invalid-expiry-date"),
        /** The card is reported lost: no certificate, SOD or reopen (409). */
        CARD_LOST("card.lost"),
        /** The card was replaced by a successor: no certificate, SOD, reopen or withdrawal (409). */
        CARD_REPLACED("card.replaced"),
        /** A withdrawal of a loss report for a card that is not reported lost (409). */
        NOT_LOST("card.not-lost");

        private final String id;

        Code(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    private final Code code;

    public CardException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
