package tw.eid.pki.ca.document.seal;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A whole Visible Digital Seal (ICAO Doc 9303-13 §2; BSI TR-03137 Part 1 §3.2): the header, the
 * message zone of TLV features, and the signature zone (tag 0xFF, length, the ECDSA signature as
 * plain r||s, BSI TR-03111). The signature covers the header and the message zone, in the bytes
 * they have in the seal ({@link #signedBytes()}).
 *
 * <p>Lengths are written as Doc 9303-13 writes them: one byte below 0x80, otherwise 0x81 or 0x82
 * and the length. Every length the temporary certificate profile uses is below 0x80, so its seals
 * read the same under TR-03137's one-byte lengths.
 */
public record VisibleDigitalSeal(SealHeader header, List<SealFeature> features, byte[] signature) {
    public static final int SIGNATURE_TAG = 0xFF;

    public VisibleDigitalSeal {
        features = List.copyOf(features);
        if (features.isEmpty()) {
            throw new SealException(SealException.Code.UNENCODABLE, "a seal has at least one feature");
        }
        signature = signature.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** Header and message zone: what the signature covers. */
    public byte[] signedBytes() {
        return signedBytes(header, features);
    }

    public static byte[] signedBytes(SealHeader header, List<SealFeature> features) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        out.writeBytes(header.encode());
        for (SealFeature f : features) {
            out.write(f.tag());
            byte[] v = f.value();
            writeLength(out, v.length);
            out.writeBytes(v);
        }
        return out.toByteArray();
    }

    /** The seal's bytes as printed in the bar code. */
    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(192);
        out.writeBytes(signedBytes());
        out.write(SIGNATURE_TAG);
        writeLength(out, signature.length);
        out.writeBytes(signature);
        return out.toByteArray();
    }

    /** The first feature with {@code tag}, if any. */
    public Optional<SealFeature> feature(int tag) {
        return features.stream().filter(f -> f.tag() == tag).findFirst();
    }

    /**
     * Reads a seal; anything but a header, at least one feature, one signature zone and nothing
     * after it is {@link SealException.Code#MALFORMED}.
     */
    public static VisibleDigitalSeal parse(byte[] seal) {
        SealHeader.Parsed parsed = SealHeader.parse(seal);
        SealHeader.Reader in = new SealHeader.Reader(seal, parsed.length());
        List<SealFeature> features = new ArrayList<>();
        while (true) {
            int tag = in.u8();
            int length = in.length();
            byte[] value = in.bytes(length);
            if (tag == SIGNATURE_TAG) {
                if (!in.atEnd()) {
                    throw new SealException(SealException.Code.MALFORMED, "bytes after the signature zone");
                }
                if (features.isEmpty() || value.length == 0) {
                    throw new SealException(SealException.Code.MALFORMED, "no features or no signature");
                }
                return new VisibleDigitalSeal(parsed.header(), features, value);
            }
            features.add(new SealFeature(tag, value));
        }
    }

    private static void writeLength(ByteArrayOutputStream out, int length) {
        if (length < 0x80) {
            out.write(length);
        } else if (length <= 0xFF) {
            out.write(0x81);
            out.write(length);
        } else if (length <= 0xFFFF) {
            out.write(0x82);
            out.write(length >>> 8);
            out.write(length & 0xFF);
        } else {
            throw new SealException(SealException.Code.UNENCODABLE, "feature longer than 65535 bytes");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VisibleDigitalSeal s && Arrays.equals(s.encode(), encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }
}
