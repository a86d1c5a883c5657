package tw.eid.pki.ca.profile;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Objects;
import java.util.Set;

/**
 * A citizen's name as it goes into the CN of the signature and encryption certificates
 * (docs/profiles.md, "Names"): Unicode NFC, encoded as a UTF8String, free of control and
 * bidirectional formatting characters, with Private Use Area code points (rare characters of the
 * household registration) only from a configured allow-list.
 *
 * <p>Rules, each refused with its own {@link InvalidHolderNameException.Code}:
 *
 * <ul>
 *   <li>well-formed UTF-16: no unpaired surrogate (so the UTF-8 of every code point is exact);
 *   <li>no NUL, C0 or C1 control character, and no line or paragraph separator;
 *   <li>no bidirectional mark, embedding, override or isolate (U+061C, U+200E, U+200F,
 *       U+202A–U+202E, U+2066–U+2069): they make a name display as something else (Trojan
 *       Source, CVE-2021-42574, applied to names);
 *   <li>no other invisible format character (category Cf: zero-width space and joiners, the BOM,
 *       tag characters), for the same reason;
 *   <li>no noncharacter (U+FDD0–U+FDEF and the last two code points of every plane);
 *   <li>Private Use Area code points (U+E000–U+F8FF, planes 15 and 16) only when allow-listed;
 *   <li>after NFC: not empty, no white space at either end, at most {@value #MAX_CODE_POINTS}
 *       code points (X.520 ub-common-name is 64, counted in characters; we count code points, so
 *       a supplementary-plane character counts once, as a reader would count it).
 * </ul>
 *
 * <p>Deliberately allowed: code points unassigned in the JDK's Unicode version (Java 17 knows
 * Unicode 13; refusing them would refuse CJK Extension H and I characters encoded since), and
 * variation selectors (U+FE00–U+FE0F, U+E0100–U+E01EF), which select a registered glyph of a Han
 * character and survive NFC. Note that NFC maps the CJK compatibility ideographs (U+F900–U+FAD9,
 * except twelve unified ones) to their unified equivalents, e.g. Big5's duplicate U+FA0C to
 * U+5140; a name that needs the compatibility glyph must come as its standardized variation
 * sequence.
 *
 * <p>{@link #toString()} does not print the name: names are personal data and never go to logs.
 */
public final class HolderName {

    /** X.520 ub-common-name (RFC 5280 Appendix A), counted in code points. */
    public static final int MAX_CODE_POINTS = 64;

    private final String value;

    private HolderName(String value) {
        this.value = value;
    }

    /**
     * The checked NFC form of {@code raw}.
     *
     * @param allowedPrivateUseCodePoints the Private Use Area code points the household registration
     *     uses for rare characters (ProfileSettings#holderNamePrivateUse); any other PUA code point
     *     is refused
     * @throws InvalidHolderNameException naming the first rule {@code raw} breaks
     */
    public static HolderName of(String raw, Set<Integer> allowedPrivateUseCodePoints) {
        Objects.requireNonNull(raw, "raw");
        Objects.requireNonNull(allowedPrivateUseCodePoints, "allowedPrivateUseCodePoints");
        checkCodePoints(raw, allowedPrivateUseCodePoints);
        String nfc = Normalizer.normalize(raw, Normalizer.Form.NFC);
        // NFC composes only assigned, non-control, non-private-use characters, so the per-code-point
        // rules still hold; checking again costs little and keeps the guarantee local.
        checkCodePoints(nfc, allowedPrivateUseCodePoints);
        if (nfc.codePoints().allMatch(HolderName::isWhitespace)) {
            throw new InvalidHolderNameException(InvalidHolderNameException.Code.NAME_EMPTY, "the name is empty");
        }
        if (isWhitespace(nfc.codePointAt(0)) || isWhitespace(nfc.codePointBefore(nfc.length()))) {
            throw new InvalidHolderNameException(
                    InvalidHolderNameException.Code.NAME_EDGE_WHITESPACE, "the name starts or ends with white space");
        }
        int length = nfc.codePointCount(0, nfc.length());
        if (length > MAX_CODE_POINTS) {
            throw new InvalidHolderNameException(
                    InvalidHolderNameException.Code.NAME_TOO_LONG,
                    "the name has " + length + " code points, more than " + MAX_CODE_POINTS
                            + " (X.520 ub-common-name)");
        }
        return new HolderName(nfc);
    }

    /** The name in NFC, exactly as it goes into the CN. */
    public String value() {
        return value;
    }

    /** The UTF-8 bytes of {@link #value()}: the contents octets of the CN's UTF8String. */
    public byte[] utf8() {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    /** Number of code points. */
    public int length() {
        return value.codePointCount(0, value.length());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HolderName other && other.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    /** Redacted: names are personal data (docs/architecture.md, security baseline). */
    @Override
    public String toString() {
        return "HolderName[" + length() + " code points]";
    }

    private static void checkCodePoints(String s, Set<Integer> allowedPrivateUse) {
        int index = 0;
        for (int i = 0; i < s.length(); index++) {
            char c = s.charAt(i);
            int cp;
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                cp = Character.toCodePoint(c, s.charAt(i + 1));
                i += 2;
            } else if (Character.isSurrogate(c)) {
                throw refused(InvalidHolderNameException.Code.NAME_UNPAIRED_SURROGATE, c, index, "unpaired surrogate");
            } else {
                cp = c;
                i++;
            }
            if (isControl(cp)) {
                throw refused(InvalidHolderNameException.Code.NAME_CONTROL_CHARACTER, cp, index, "control character");
            }
            if (isBidiControl(cp)) {
                throw refused(InvalidHolderNameException.Code.NAME_BIDI_CONTROL, cp, index, "bidirectional control");
            }
            if (Character.getType(cp) == Character.FORMAT) {
                throw refused(InvalidHolderNameException.Code.NAME_FORMAT_CHARACTER, cp, index, "format character");
            }
            if (isNoncharacter(cp)) {
                throw refused(InvalidHolderNameException.Code.NAME_NONCHARACTER, cp, index, "noncharacter");
            }
            if (isPrivateUse(cp) && !allowedPrivateUse.contains(cp)) {
                throw refused(
                        InvalidHolderNameException.Code.NAME_PRIVATE_USE_NOT_ALLOWED,
                        cp,
                        index,
                        "private-use code point not in the allow-list");
            }
        }
    }

    private static InvalidHolderNameException refused(
            InvalidHolderNameException.Code code, int cp, int index, String what) {
        return new InvalidHolderNameException(code, String.format("%s U+%04X at code point %d", what, cp, index));
    }

    /** C0 (including NUL), DEL, C1, and the line and paragraph separators U+2028, U+2029. */
    static boolean isControl(int cp) {
        return cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029;
    }

    /** Unicode's bidirectional formatting characters (UAX #9 §2): marks, embeddings, overrides, isolates. */
    static boolean isBidiControl(int cp) {
        return cp == 0x061c
                || cp == 0x200e
                || cp == 0x200f
                || (cp >= 0x202a && cp <= 0x202e)
                || (cp >= 0x2066 && cp <= 0x2069);
    }

    /** The 66 noncharacters (Unicode §23.7): U+FDD0–U+FDEF and U+xxFFFE, U+xxFFFF of every plane. */
    static boolean isNoncharacter(int cp) {
        return (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe;
    }

    /** The Private Use Areas: U+E000–U+F8FF and planes 15 and 16 (without their noncharacters). */
    static boolean isPrivateUse(int cp) {
        return (cp >= 0xe000 && cp <= 0xf8ff) || (cp >= 0xf0000 && cp <= 0x10fffd && !isNoncharacter(cp));
    }

    private static boolean isWhitespace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
    }
}
