package tw.eid.pki.ca.card;

/**
 * What a citizen certificate says about the card's holder, opened for one issuance. Personal data:
 * never logged, never stored outside the sealed columns.
 */
public record CardHolder(
        String cardNumber, byte[] chipUid, String nationalIdLast4, String holderName, String subscriberId) {
    @Override
    public byte[] chipUid() {
        return chipUid.clone();
    }

    @Override
    public String toString() {
        return "CardHolder[" + cardNumber + "]";
    }
}
