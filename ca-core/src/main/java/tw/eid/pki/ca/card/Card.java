package tw.eid.pki.ca.card;

import java.time.Instant;

/**
 * A registered card as the RA shows it. {@code holderName} is null unless the caller may see
 * personal data (auditors never do).
 */
public record Card(
        String cardNumber,
        String chipUidHex,
        String nationalIdLast4,
        String holderName,
        String status,
        Instant registeredAt) {
    /** The same card without personal data beyond the last four digits of the national ID. */
    public Card withoutPersonalData() {
        return new Card(cardNumber, chipUidHex, nationalIdLast4, null, status, registeredAt);
    }
}
