package tw.eid.pki.ca.card;

import java.time.LocalDate;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;
import tw.eid.pki.ca.profile.HolderName;

/**
 * What an RA officer registers: the card, its chip, and the holder. Checked on construction; the
 * national ID and the name are personal data and never printed.
 *
 * @param cardNumber the card's printed number: 8–16 upper-case letters and digits (the ministry's
 *                   exact format is not public; tighten here when it is)
 * @param chipUid    the chip's unique id as read by the personalization line, 4–32 bytes
 * @param birthDate  the holder's birth date (sealed like the name), or null when not given (the
 *                   temporary ID certificate of issue 24 needs it)
 * @param issue      the printed issue data and expiry date (issue 25), or null when not given (the
 *                   card then never answers "current" to the card-status query)
 */
public record CardRegistration(
        String cardNumber,
        byte[] chipUid,
        NationalId nationalId,
        HolderName holderName,
        LocalDate birthDate,
        CardIssueData issue) {
    private static final Pattern CARD_NUMBER = Pattern.compile("[A-Z0-9]{8,16}");

    public CardRegistration {
        requireCardNumber(cardNumber);
        if (chipUid == null || chipUid.length < 4 || chipUid.length > 32) {
            throw new CardException(CardException.Code.INVALID_CHIP_UID, "chip unique id must be 4–32 bytes");
        }
        chipUid = chipUid.clone();
        Objects.requireNonNull(nationalId, "nationalId");
        Objects.requireNonNull(holderName, "holderName");
        if (birthDate != null && (birthDate.getYear() < 1800 || birthDate.getYear() > 9999)) {
            throw new CardException(CardException.Code.INVALID_BIRTH_DATE, "birth date out of range");
        }
    }

    /** A registration without issue data. */
    public CardRegistration(
            String cardNumber, byte[] chipUid, NationalId nationalId, HolderName holderName, LocalDate birthDate) {
        this(cardNumber, chipUid, nationalId, holderName, birthDate, null);
    }

    /** A registration without a birth date. */
    public CardRegistration(String cardNumber, byte[] chipUid, NationalId nationalId, HolderName holderName) {
        this(cardNumber, chipUid, nationalId, holderName, null, null);
    }

    public static void requireCardNumber(String cardNumber) {
        if (cardNumber == null || !CARD_NUMBER.matcher(cardNumber).matches()) {
            throw new CardException(CardException.Code.INVALID_CARD_NUMBER, "card number must be 8–16 of A-Z 0-9");
        }
    }

    /** Parses a chip unique id given as hex (the form the personalization line sends). */
    public static byte[] chipUidFromHex(String hex) {
        try {
            if (hex == null || hex.length() % 2 != 0) {
                throw new IllegalArgumentException();
            }
            return HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new CardException(CardException.Code.INVALID_CHIP_UID, "chip unique id must be hex, 4–32 bytes");
        }
    }

    @Override
    public byte[] chipUid() {
        return chipUid.clone();
    }

    @Override
    public String toString() {
        return "CardRegistration[" + cardNumber + "]";
    }
}
