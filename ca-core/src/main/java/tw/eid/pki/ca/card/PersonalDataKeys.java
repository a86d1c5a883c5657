package tw.eid.pki.ca.card;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import tw.eid.pki.hsm.Token;

/**
 * Personal data at rest (docs/architecture.md, security baseline; seed checklist 1.5/1.6): a keyed
 * HMAC-SHA-256 for look-up and AES-256-GCM for the value, both with keys held in the online token.
 * A sealed value names its key's label, so data keys can be rotated (new label, re-seal) without
 * guessing which key sealed a row.
 *
 * <p>Sealed format: {@code 0x01 || len(label) || label (ASCII) || nonce(12) || ciphertext || tag(16)};
 * the associated data binds the value to its row and field, so a value copied to another card
 * does not open.
 */
public final class PersonalDataKeys {
    private static final byte FORMAT = 1;

    private final Token token;
    private final String hmacLabel;
    private final String aesLabel;

    public PersonalDataKeys(Token token, String hmacLabel, String aesLabel) {
        this.token = Objects.requireNonNull(token, "token");
        this.hmacLabel = Objects.requireNonNull(hmacLabel, "hmacLabel");
        this.aesLabel = Objects.requireNonNull(aesLabel, "aesLabel");
        if (!token.hasSecretKey(hmacLabel) || !token.hasSecretKey(aesLabel)) {
            throw new IllegalStateException("token '" + token.label() + "' lacks data-protection key '" + hmacLabel
                    + "' or '" + aesLabel + "'");
        }
    }

    /** The look-up hash of a national ID: HMAC-SHA-256 under the token's key. */
    byte[] lookupHash(NationalId id) {
        byte[] ascii = id.asciiBytes();
        try {
            return token.hmacSha256(hmacLabel, ascii);
        } finally {
            Arrays.fill(ascii, (byte) 0);
        }
    }

    byte[] seal(byte[] plaintext, String cardNumber, String field) {
        byte[] label = aesLabel.getBytes(StandardCharsets.US_ASCII);
        byte[] sealed = token.encrypt(aesLabel, plaintext, associatedData(cardNumber, field));
        byte[] out = new byte[2 + label.length + sealed.length];
        out[0] = FORMAT;
        out[1] = (byte) label.length;
        System.arraycopy(label, 0, out, 2, label.length);
        System.arraycopy(sealed, 0, out, 2 + label.length, sealed.length);
        return out;
    }

    byte[] open(byte[] value, String cardNumber, String field) {
        if (value.length < 2 || value[0] != FORMAT || value.length < 2 + (value[1] & 0xff)) {
            throw new IllegalStateException("sealed " + field + " of card " + cardNumber + " has an unknown format");
        }
        int n = value[1] & 0xff;
        String label = new String(value, 2, n, StandardCharsets.US_ASCII);
        byte[] sealed = Arrays.copyOfRange(value, 2 + n, value.length);
        return token.decrypt(label, sealed, associatedData(cardNumber, field));
    }

    private static byte[] associatedData(String cardNumber, String field) {
        return ("eidpki/card/" + cardNumber + "/" + field).getBytes(StandardCharsets.US_ASCII);
    }
}
