package tw.eid.pki.ca.custody;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * UTF-8 conversions of PINs and passphrases that never pass through a {@link String}: a String
 * cannot be cleared and may be interned, so a secret in one lives until the garbage collector
 * happens to overwrite it. Every buffer used here is cleared before it is dropped.
 */
final class SecretText {

    private SecretText() {}

    /** The UTF-8 bytes of {@code chars}; refuses unpaired surrogates. */
    static byte[] encode(char[] chars) throws CharacterCodingException {
        CharsetEncoder encoder = StandardCharsets.UTF_8
                .newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        // A UTF-16 unit never takes more than 3 bytes in UTF-8 (a surrogate pair takes 4 for 2 units),
        // so one buffer of this size is enough and the encoder never reallocates behind our back.
        byte[] work = new byte[chars.length * 3];
        try {
            ByteBuffer out = ByteBuffer.wrap(work);
            CoderResult result = encoder.encode(CharBuffer.wrap(chars), out, true);
            if (!result.isUnderflow()) {
                result.throwException();
            }
            result = encoder.flush(out);
            if (!result.isUnderflow()) {
                result.throwException();
            }
            return Arrays.copyOf(work, out.position());
        } finally {
            Arrays.fill(work, (byte) 0);
        }
    }

    /** The characters of UTF-8 {@code bytes}; refuses malformed input. */
    static char[] decode(byte[] bytes) throws CharacterCodingException {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        // UTF-8 never yields more UTF-16 units than it has bytes.
        char[] work = new char[bytes.length];
        try {
            CharBuffer out = CharBuffer.wrap(work);
            CoderResult result = decoder.decode(ByteBuffer.wrap(bytes), out, true);
            if (!result.isUnderflow()) {
                result.throwException();
            }
            result = decoder.flush(out);
            if (!result.isUnderflow()) {
                result.throwException();
            }
            return Arrays.copyOf(work, out.position());
        } finally {
            Arrays.fill(work, '\0');
        }
    }

    static void wipe(byte[] bytes) {
        if (bytes != null) {
            Arrays.fill(bytes, (byte) 0);
        }
    }
}
