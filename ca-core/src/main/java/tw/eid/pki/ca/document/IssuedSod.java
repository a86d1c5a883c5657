package tw.eid.pki.ca.document;

/**
 * A stored SOD: EF.SOD as written to the chip (tag 0x77), the personalization it belongs to and
 * the Document Signer that signed it.
 */
public record IssuedSod(String cardNumber, int personalization, byte[] efSod, String dsKeyLabel, String dsSerialHex) {
    public IssuedSod {
        efSod = efSod.clone();
    }

    @Override
    public byte[] efSod() {
        return efSod.clone();
    }
}
