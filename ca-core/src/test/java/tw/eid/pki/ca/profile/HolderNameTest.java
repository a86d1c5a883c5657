package tw.eid.pki.ca.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The holder-name rules of docs/profiles.md ("Names"), one refusal code per rule, and subscriber ids. */
class HolderNameTest {

    private static final Set<Integer> NONE = Set.of();

    @Test
    void nfdBecomesNfc() {
        HolderName n = HolderName.of("Yu\u0308-Ching 林", NONE);
        assertThat(n.value()).isEqualTo("Yü-Ching 林");
        assertThat(n.utf8()).isEqualTo("Y\u00fc-Ching 林".getBytes(StandardCharsets.UTF_8));
        assertThat(HolderName.of("王小明", NONE).value()).isEqualTo("王小明");
        // Hangul jamo compose too; CJK compatibility ideographs fold (Big5's duplicate U+FA0C → U+5140),
        // their standardized variation sequence survives.
        assertThat(HolderName.of("\u1100\u1161", NONE).value()).isEqualTo("\uac00");
        assertThat(HolderName.of("\ufa0c", NONE).value()).isEqualTo("\u5140");
        assertThat(HolderName.of("\u5140\ufe00", NONE).value()).isEqualTo("\u5140\ufe00");
    }

    @Test
    void allowListedPrivateUseIsKeptExactly() {
        String plane16 = new String(Character.toChars(0x10FFFD));
        String plane15 = new String(Character.toChars(0xF0000));
        HolderName n = HolderName.of("林" + plane15 + "\uE000" + plane16, Set.of(0xF0000, 0xE000, 0x10FFFD));
        assertThat(n.length()).isEqualTo(4);
        // UTF-8 of the code points (4 octets for planes 15 and 16), never of the surrogates (CESU-8).
        assertThat(HexFormat.of().formatHex(n.utf8())).isEqualTo("e69e97" + "f3b08080" + "ee8080" + "f48fbfbd");
    }

    @Test
    void eachRuleHasItsCode() {
        Map<String, InvalidHolderNameException.Code> cases = Map.ofEntries(
                Map.entry("", InvalidHolderNameException.Code.NAME_EMPTY),
                Map.entry("   ", InvalidHolderNameException.Code.NAME_EMPTY),
                Map.entry("\u3000", InvalidHolderNameException.Code.NAME_EMPTY),
                Map.entry(" 王小明", InvalidHolderNameException.Code.NAME_EDGE_WHITESPACE),
                Map.entry("王小明\u3000", InvalidHolderNameException.Code.NAME_EDGE_WHITESPACE),
                Map.entry("王".repeat(65), InvalidHolderNameException.Code.NAME_TOO_LONG),
                Map.entry("王\u0000明", InvalidHolderNameException.Code.NAME_CONTROL_CHARACTER),
                Map.entry("王\t明", InvalidHolderNameException.Code.NAME_CONTROL_CHARACTER),
                Map.entry("王\n明", InvalidHolderNameException.Code.NAME_CONTROL_CHARACTER),
                Map.entry("王\u007f明", InvalidHolderNameException.Code.NAME_CONTROL_CHARACTER),
                Map.entry("王\u0085明", InvalidHolderNameException.Code.NAME_CONTROL_CHARACTER),
                Map.entry("王\u009b明", InvalidHolderNameException.Code.NAME_CONTROL_CHARACTER),
                Map.entry("王\u2028明", InvalidHolderNameException.Code.NAME_CONTROL_CHARACTER),
                Map.entry("王\u200e明", InvalidHolderNameException.Code.NAME_BIDI_CONTROL),
                Map.entry("王\u200f明", InvalidHolderNameException.Code.NAME_BIDI_CONTROL),
                Map.entry("王\u202a明", InvalidHolderNameException.Code.NAME_BIDI_CONTROL),
                Map.entry("王\u202e明", InvalidHolderNameException.Code.NAME_BIDI_CONTROL),
                Map.entry("王\u2066明", InvalidHolderNameException.Code.NAME_BIDI_CONTROL),
                Map.entry("王\u2069明", InvalidHolderNameException.Code.NAME_BIDI_CONTROL),
                Map.entry("王\u061c明", InvalidHolderNameException.Code.NAME_BIDI_CONTROL),
                Map.entry("王\u200b明", InvalidHolderNameException.Code.NAME_FORMAT_CHARACTER),
                Map.entry("\ufeff王小明", InvalidHolderNameException.Code.NAME_FORMAT_CHARACTER),
                Map.entry("王\ud800明", InvalidHolderNameException.Code.NAME_UNPAIRED_SURROGATE),
                Map.entry("王\udc00明", InvalidHolderNameException.Code.NAME_UNPAIRED_SURROGATE),
                Map.entry("王小\ud83d", InvalidHolderNameException.Code.NAME_UNPAIRED_SURROGATE),
                Map.entry("王\ufdd0明", InvalidHolderNameException.Code.NAME_NONCHARACTER),
                Map.entry("王\uffff明", InvalidHolderNameException.Code.NAME_NONCHARACTER),
                Map.entry(
                        "王" + new String(Character.toChars(0x10FFFF)),
                        InvalidHolderNameException.Code.NAME_NONCHARACTER),
                Map.entry("王\ue000明", InvalidHolderNameException.Code.NAME_PRIVATE_USE_NOT_ALLOWED),
                Map.entry(
                        "王" + new String(Character.toChars(0xF0001)),
                        InvalidHolderNameException.Code.NAME_PRIVATE_USE_NOT_ALLOWED));
        cases.forEach((raw, code) -> assertThatThrownBy(() -> HolderName.of(raw, Set.of(0xE001)))
                .as(HexFormat.of().formatHex(raw.getBytes(StandardCharsets.UTF_16BE)))
                .isInstanceOfSatisfying(InvalidHolderNameException.class, e -> {
                    assertThat(e.code()).isEqualTo(code);
                    assertThat(e.getMessage()).startsWith(code.id());
                }));
    }

    @Test
    void lengthIsCountedInCodePointsAfterNfc() {
        String plane2 = new String(Character.toChars(0x20BB7)); // 𠮷, two UTF-16 units
        assertThat(HolderName.of(plane2.repeat(64), NONE).length()).isEqualTo(64);
        // 64 NFD pairs are 128 code points, but 64 after NFC.
        assertThat(HolderName.of("e\u0301".repeat(64), NONE).length()).isEqualTo(64);
    }

    @Test
    void namesStayOutOfLogs() {
        assertThat(HolderName.of("王小明", NONE)).hasToString("HolderName[3 code points]");
        assertThatThrownBy(() -> HolderName.of("王小\u202e明", NONE)).hasMessageNotContaining("王");
    }

    @Test
    void codesAreStable() {
        assertThat(Arrays.stream(InvalidHolderNameException.Code.values()).map(InvalidHolderNameException.Code::id))
                .containsExactly(
                        "name.empty",
                        "name.too-long",
                        "name.edge-whitespace",
                        "name.control-character",
                        "name.bidi-control",
                        "name.format-character",
                        "name.unpaired-surrogate",
                        "name.noncharacter",
                        "name.private-use-not-allowed");
    }

    @Test
    void subscriberIdsAreRandomPrintableAndNeverShapedLikeANationalId() {
        SubscriberIds ids = new SubscriberIds(new SecureRandom());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            String id = ids.next();
            assertThat(id).matches("[0-9A-HJKMNP-TV-Z]{16}");
            assertThat(SubscriberIds.isWellFormed(id)).isTrue();
            seen.add(id);
        }
        assertThat(seen).hasSize(5000);
        // A draw that spells a national ID (here: "A1" and eight digits at the start) is drawn again.
        assertThat(SubscriberIds.isWellFormed("A123456789BCDEFG")).isFalse();
        assertThat(SubscriberIds.isWellFormed("0123456789ABCDEI")).isFalse(); // I is not Crockford
        assertThat(SubscriberIds.isWellFormed("0123456789ABCDE")).isFalse();
        SecureRandom spellsAnId = new SecureRandom() {
            private int calls;

            @Override
            public void nextBytes(byte[] bytes) {
                // The first draw encodes to "A123456789000000"; the second to all zeros.
                byte[] first = HexFormat.of().parseHex("50443214c74240000000");
                System.arraycopy(calls++ == 0 ? first : new byte[bytes.length], 0, bytes, 0, bytes.length);
            }
        };
        String id = new SubscriberIds(spellsAnId).next();
        assertThat(id).isEqualTo("0000000000000000");
    }

    @Test
    void theNationalIdShapeIsFoundInAnyCaseAndWidth() {
        assertThat(NationalIds.appearsIn("A123456789")).isTrue();
        assertThat(NationalIds.appearsIn("xx b223456789 yy")).isTrue();
        assertThat(NationalIds.appearsIn("Ａ１２３４５６７８９")).isTrue();
        assertThat(NationalIds.appearsIn("A323456789")).isFalse();
        assertThat(NationalIds.appearsIn("A12345678")).isFalse();
    }
}
