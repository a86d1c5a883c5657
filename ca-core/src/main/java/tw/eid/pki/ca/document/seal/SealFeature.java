package tw.eid.pki.ca.document.seal;

import java.util.Arrays;
import java.util.HexFormat;

/** One document feature of a seal's message zone: a tag (0 to 254) and its value bytes. */
public record SealFeature(int tag, byte[] value) {

    public SealFeature {
        if (tag < 0 || tag >= VisibleDigitalSeal.SIGNATURE_TAG) {
            throw new SealException(SealException.Code.UNENCODABLE, "feature tag " + tag + " outside 0..254");
        }
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SealFeature f && f.tag == tag && Arrays.equals(f.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * tag + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "SealFeature[tag=" + tag + ", value=" + HexFormat.of().formatHex(value) + "]";
    }
}
