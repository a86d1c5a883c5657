package tw.eid.pki.ca.card;

/**
 * A card's validity as the RA keeps it (issue 25), apart from its personalization status
 * (REGISTERED/PERSONALIZED) and its re-issue state. Expiry is not a state: it is computed from the
 * card's expiry date ({@link Card#expiredOn}).
 */
public enum CardValidity {
    /** The holder's card: certificates, SODs and reopens may be given. */
    CURRENT,
    /** A loss report is open: every act for the card is refused (409) until an officer withdraws it. */
    LOST,
    /** A successor card was handed over: final. */
    REPLACED
}
