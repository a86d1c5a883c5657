package tw.eid.pki.ca.document.seal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The seal encodings against the published examples of BSI TR-03137 Part 1 (Technical Guideline
 * TR-03137, "Optically Verifiable Cryptographic Protection of non-electronic Documents (Digital
 * Seal)", version 2.5, 3 December 2021), copied from the document itself: §3.2.3 (the Date and
 * feature examples), Annex B (the C40 examples of Tables 6 and 7) and the raw byte streams of the
 * worked examples in Annexes C to H. Each test names its place in the TR.
 */
class SealEncodingTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String spaced) {
        return HEX.parseHex(spaced.replaceAll("\\s+", ""));
    }

    // ------------------------------------------------------------------ Date

    @Test
    void theDateExampleOfSection323() {
        // TR-03137 Part 1 §3.2.3, Example: "Consider March 25th, 1957. Concatenating the month, date and
        // year yields the integer 03251957, resulting in the three bytes 0x31 0x9e 0xf5."
        assertThat(SealDate.encode(LocalDate.of(1957, 3, 25))).isEqualTo(hex("31 9e f5"));
        assertThat(SealDate.decode(hex("31 9e f5"))).isEqualTo(LocalDate.of(1957, 3, 25));
    }

    @ParameterizedTest
    @CsvSource({
        // Annex C, HEADER: "Document Issue Date: Hex: 0f 71 34 Val: 1.1.2020"
        "2020-01-01, 0f7134",
        // Annex C, HEADER: "Signature Creation Date: Hex: 11 45 f4 Val: 13.1.2020"
        "2020-01-13, 1145f4",
        // Annex D, HEADER: "Signature Creation Date: Hex: 11 6d 04 Val: 14.1.2020"
        "2020-01-14, 116d04",
        // Annex G, HEADER: "Document Issue Date: Hex: 0f 71 35 Val: 01.01.2021"
        "2021-01-01, 0f7135",
        // Annex F, HEADER: "Signature Creation Date: Hex: b7 98 15 Val: 03.12.2021"
        "2021-12-03, b79815",
    })
    void theDatesOfTheWorkedExamples(LocalDate date, String bytes) {
        assertThat(SealDate.encode(date)).isEqualTo(hex(bytes));
        assertThat(SealDate.decode(hex(bytes))).isEqualTo(date);
    }

    @Test
    void aDateThatIsNoDayIsMalformed() {
        // 13251957: month 13
        int v = 13_251_957;
        byte[] b = {(byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        assertThatThrownBy(() -> SealDate.decode(b))
                .isInstanceOfSatisfying(
                        SealException.class, e -> assertThat(e.code()).isEqualTo(SealException.Code.MALFORMED));
    }

    // ------------------------------------------------------------------ C40

    @Test
    void theFeatureExampleOfSection323() {
        // TR-03137 Part 1 §3.2.3, Example: "the string “BSI01” with assigned tag 0x0a. The C40 encoded
        // byte sequence ... of length 4 is 0x62d719c9. The document feature is thus the byte sequence
        // 0x0a0462d719c9."
        assertThat(C40.encode("BSI01")).isEqualTo(hex("62d719c9"));
        SealHeader header = new SealHeader(
                SealHeader.VERSION_4, "TWN", "TWHR", "1", LocalDate.of(2026, 1, 1), LocalDate.of(2026, 1, 1), 1, 1);
        byte[] signed = VisibleDigitalSeal.signedBytes(header, List.of(new SealFeature(0x0a, C40.encode("BSI01"))));
        int headerLength = header.encode().length;
        assertThat(Arrays.copyOfRange(signed, headerLength, signed.length)).isEqualTo(hex("0a 04 62 d7 19 c9"));
    }

    @Test
    void annexBTable6TwoCharactersLeftArePaddedWithShift1() {
        // Annex B, Example 1 and Table 6: "XK<CD" → "XK CD" → (37,24,3)(16,17,pad) → 0xeb 0x04 0x66 0xa9
        assertThat(C40.encode("XK<CD")).isEqualTo(hex("eb 04 66 a9"));
        assertThat(C40.decode(hex("eb 04 66 a9"))).isEqualTo("XK CD");
    }

    @Test
    void annexBTable7OneCharacterLeftIsUnlatchedToAscii() {
        // Annex B, Example 2 and Table 7: "XKCD" → (37,24,16) then unlatch 0xfe and ASCII+1 → eb 11 fe 45
        assertThat(C40.encode("XKCD")).isEqualTo(hex("eb 11 fe 45"));
        assertThat(C40.decode(hex("eb 11 fe 45"))).isEqualTo("XKCD");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // Annex C, HEADER: "Issuing Country: Hex: 6a bc Val: D<<"
        "D<<, 6abc",
        // Annex C, HEADER: "Signer & Cert Ref: Hex: 6d 32 c8 a5 19 fc Val: DETS00027"
        "DETS00027, 6d32c8a519fc",
        // Annex C, MESSAGE ZONE: "Tag: AZR Number ... Hex: 20 d5 20 10 19 a5 1a ea Val: 160113000085"
        "160113000085, 20d5201019a51aea",
        // Annex D, MESSAGE ZONE: "Tag: 01 (Social Insurance Number) ... Raw: 3f ee 45 6d 2d e0 19 a8 Val: 65170839J003"
        "65170839J003, 3fee456d2de019a8",
        // Annex E, HEADER: "Signer & Cert Ref: Hex: 6d 32 c8 a7 27 39 Val: DETS0227" (DETS, length 02, 27)
        "DETS0227, 6d32c8a72739",
        // Annex E, MESSAGE ZONE: "Tag:0x03(passport number) ... Hex: d7 95 19 a6 53 06 Val: UFO001979"
        "UFO001979, d79519a65306",
        // Annex F, HEADER: "Signer & Cert Ref: Hex: 6d 32 c8 a7 2c b1 Val: DETS0232"
        "DETS0232, 6d32c8a72cb1",
        // Annex F, MESSAGE ZONE: "Tag 0x05 (Passport number) ... Hex: 33 be 1f ed 20 c6 Val: 47110815P"
        "47110815P, 33be1fed20c6",
        // Annex G: "The document number is T2000AKA7 and encode as 0xcf3519af974c in C40 bytes". The TR's
        // bytes and its text differ in one character: 0x974c is 38732 = 1600·24 + 40·8 + 11 + 1, that is
        // K, 4, 7, so the bytes (which a scanner reads, and which also stand in the raw stream) are of
        // T2000AK47; "KA7" would be 0x983c. We follow the bytes.
        "T2000AK47, cf3519af974c",
        // Annex G: "The official municipality code number ... (05314000) ... is encoded as 0x1a70208519a1"
        "05314000, 1a70208519a1",
        // Annex G: "53123MUSTERMANNSTRASSE21, that is encode as 0x395e26b3d9a275735bd4cd485ca17176"
        "53123MUSTERMANNSTRASSE21, 395e26b3d9a275735bd4cd485ca17176",
        // Annex H: "its number PA5500K11 encoded as C40 bytes (0xb77a38e596ce)"
        "PA5500K11, b77a38e596ce",
        // Annex H: "the value (03359010) ... is encoded as C40-Bytes (0x1a203a4d1fe1)"
        "03359010, 1a203a4d1fe1",
        // Annex H: "The postal code of 21614 is encoded as 0x26532081 C40 bytes"
        "21614, 26532081",
    })
    void theC40ValuesOfTheWorkedExamples(String text, String bytes) {
        assertThat(C40.encode(text)).isEqualTo(hex(bytes));
        assertThat(C40.decode(hex(bytes))).isEqualTo(text.replace('<', ' '));
        assertThat(C40.encodedLength(text.length())).isEqualTo(hex(bytes).length);
    }

    @Test
    void theMachineReadableZonesOfAnnexesCAndE() {
        // Annex C, MESSAGE ZONE, Tag: Machine Readable Zone, Tag Length: 48 (the two 36-character TD2 lines)
        String annexC = "MED<<MUSTERMANN<<ERIK<<<<<<<<<<<<<<<" + "M0000000<4ALB0308212M1604128<<<<<<<2";
        assertThat(C40.encode(annexC))
                .isEqualTo(hex("a5 62 13 53 d9 a2 75 73 5b d4 13 4b c5 49 13 3c 13 3c 13 3c 13 3c 13 3c"
                        + "a3 25 19 a5 19 a4 34 4a 5e 68 1a e7 20 4b 20 d5 32 cf 4b 7c 13 3c 13 3f"));
        // Annex E, MESSAGE ZONE, Tag:0x02 (Machine Readable Zone), Tag Length: 48 bytes. As in Annex G,
        // the printed value and the bytes differ in one character: the first pair 0x5cba is 23738 =
        // 1600·14 + 40·33 + 17 + 1, that is A, T, D ("ARD" would be 0x5c6a); the rest matches the printed
        // "ARD<<RESIDORCE<<ROLAND...". We follow the bytes.
        String annexE = "ATD<<RESIDORCE<<ROLAND<<<<<<<<<<<<<<" + "6525845096USA7008038M2201018<<<<<<06";
        assertThat(C40.encode(annexE))
                .isEqualTo(hex("5c ba 13 58 75 97 6e c0 66 d4 17 b5 9e 8c 6a bc 13 3c 13 3c 13 3c 13 3c"
                        + "3f ef 3a 29 38 ee 43 f1 59 3d 1a e5 2d bb 26 75 1f e6 4b 7c 13 3c 13 6b"));
    }

    @Test
    void charactersOutsideC40AreRefused() {
        for (String bad : new String[] {"abc", "A-B", "臨時", "A\u0000"}) {
            assertThatThrownBy(() -> C40.encode(bad))
                    .isInstanceOfSatisfying(
                            SealException.class, e -> assertThat(e.code()).isEqualTo(SealException.Code.UNENCODABLE));
        }
    }

    // ------------------------------------------------------------------ whole seals

    /** Annex C "INPUT BYTESTREAM" (header version 3, Arrival Attestation Document). */
    static final String ANNEX_C =
            "dc 02 6a bc 6d 32 c8 a5 19 fc 0f 71 34 11 45 f4 fd 02 02 30 a5 62 13 53 d9 a2 75 73 5b"
                    + " d4 13 4b c5 49 13 3c 13 3c 13 3c 13 3c 13 3c a3 25 19 a5 19 a4 34 4a 5e 68 1a e7 20 4b 20 d5 32 cf"
                    + " 4b 7c 13 3c 13 3f 03 08 20 d5 20 10 19 a5 1a ea ff 40 4a 1f 21 8c a4 39 26 47 ec ff 6c 8a bf 9e 79"
                    + " 6a 78 ee be 0b 1a c8 cc 25 c4 ee 17 ee d9 61 d1 18 90 91 35 8d 7d 61 6f 1a 51 7a bc 74 7f 6c 44 90"
                    + " ff 15 9d 4d cf 50 24 8b 00 b1 e3 2e 9e 78 05 e7";

    /** Annex D "Raw Input ByteStream" (header version 3, Social Insurance Card, UTF-8 names). */
    static final String ANNEX_D = "dc 02 6a bc 6d 32 c8 a5 19 fc 0f 71 34 11 6d 04 fc 04 01 08 3f ee 45 6d 2d e0 19 a8"
            + " 02 0b 50 65 72 73 63 68 77 65 69 c3 9f 03 05 4f 73 63 61 72 04 13 4a c3 a2 63 6f 62 c3 a9 6e 69 64"
            + " 69 63 74 75 72 69 75 73 ff 40 58 2e d0 5c b0 50 49 b4 fe 49 74 4d 5e 70 a1 98 2f 8b 7a fb 1e 90 25"
            + " 9c e4 7b a9 90 7e fc f5 94 83 f0 a0 b4 21 ec 76 0d 6f d2 28 4b ba c3 7e 13 6f 1e 3b e6 e1 4a 6f 6b"
            + " c0 12 11 0c ff 91 9d 0f";

    /** Annex E "Raw data encoded in the bar code" (header version 4, residence permit). */
    static final String ANNEX_E = "dc 03 6a bc 6d 32 c8 a7 27 39 0f 71 34 11 45 f4 fb 06 02 30 5c ba 13 58 75 97 6e c0"
            + " 66 d4 17 b5 9e 8c 6a bc 13 3c 13 3c 13 3c 13 3c 3f ef 3a 29 38 ee 43 f1 59 3d 1a e5 2d bb 26 75 1f"
            + " e6 4b 7c 13 3c 13 6b 03 06 d7 95 19 a6 53 06 ff 40 15 8c f5 b0 bb 7f bd a0 99 e8 e7 c9 4a be fc 96"
            + " 77 b2 e7 1e 98 85 f5 cd 90 57 a8 bf cf 93 0a 60 46 bc f8 97 65 0a f8 f9 b0 34 3c 03 4d 2f 64 ce 08"
            + " 1f 95 fb f3 d0 12 92 d1 f8 16 5e ce 27 d3 27";

    /** Annex F "Raw data encoded in the seal" (header version 4, visa sticker, brainpoolP224r1). */
    static final String ANNEX_F = "dc 03 6a bc 6d 32 c8 a7 2c b1 0f 71 34 b7 98 15 5d 01 02 2c dd 52 13 4a 74 da 13 47"
            + " c6 fe d9 5c b8 9f 9f ce 13 3c 13 3c 13 3c 13 3c 20 38 33 73 4a af 47 f0 c3 2f 1a 1e 20 eb 26 25 39"
            + " 3a fe 31 04 03 a0 00 00 05 06 33 be 1f ed 20 c6 ff 38 d5 57 32 47 60 8c 9b 64 ca e0 22 c1 c5 24 96"
            + " 60 e5 1a e3 16 d6 00 f9 74 aa c2 12 9c 3f 09 3c 35 95 53 14 02 63 04 70 5c d2 4c 1b 81 00 71 1b d4"
            + " 41 1f 06 8e 8d 93 e8 b7";

    /** Annex G "The raw data encoded in the digital seal" (header version 4, address sticker). */
    static final String ANNEX_G = "dc 03 6a bc 6d 32 c8 a7 2c b1 0f 71 35 b7 98 15 f9 08 01 06 cf 35 19 af 97 4c 02 06"
            + " 1a 70 20 85 19 a1 03 10 39 5e 26 b3 d9 a2 75 73 5b d4 cd 48 5c a1 71 76 ff 38 91 01 f3 05 c9 aa 04"
            + " d2 ab 00 21 2c 7c f6 5f ef ca af 56 5a 54 53 8b 24 98 d6 81 a1 88 39 c9 26 56 52 6c 40 59 4b 0b 1d"
            + " a1 2a 27 f6 87 a3 50 12 78 dc 41 45 b6 e6 4a fc";

    /** Annex H "The complete raw data of the residence sticker" (header version 4). */
    static final String ANNEX_H = "dc 03 6a bc 6d 32 c8 a7 2c b1 0f 71 35 b7 98 15 f8 0a 01 06 b7 7a 38 e5 96 ce 02 06"
            + " 1a 20 3a 4d 1f e1 03 04 26 53 20 81 ff 38 14 62 bc fe f5 1a d1 b8 d0 9d e3 28 b1 5c 54 35 e6 48 29"
            + " ce 54 86 47 dd 57 97 87 16 96 24 a0 46 73 8d c5 02 37 08 31 9a 42 94 81 11 31 ea ac 58 d5 18 cf e9"
            + " 8b 43 14 37";

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // annex, version byte, signer, reference, issue date, signature date, FDR, category, features, signature bytes
        "C, 2, DETS, 00027, 2020-01-01, 2020-01-13, 253, 2, 2, 64",
        "D, 2, DETS, 00027, 2020-01-01, 2020-01-14, 252, 4, 4, 64",
        "E, 3, DETS, 27, 2020-01-01, 2020-01-13, 251, 6, 2, 64",
        "F, 3, DETS, 32, 2020-01-01, 2021-12-03, 93, 1, 3, 56",
        "G, 3, DETS, 32, 2021-01-01, 2021-12-03, 249, 8, 3, 56",
        "H, 3, DETS, 32, 2021-01-01, 2021-12-03, 248, 10, 3, 56",
    })
    void theWorkedExamplesParseAsTheTrReadsThemAndReEncodeByteForByte(
            String annex,
            int version,
            String signer,
            String reference,
            LocalDate issued,
            LocalDate signed,
            int featureDefinition,
            int category,
            int featureCount,
            int signatureLength) {
        byte[] raw = hex(
                switch (annex) {
                    case "C" -> ANNEX_C;
                    case "D" -> ANNEX_D;
                    case "E" -> ANNEX_E;
                    case "F" -> ANNEX_F;
                    case "G" -> ANNEX_G;
                    default -> ANNEX_H;
                });
        VisibleDigitalSeal seal = VisibleDigitalSeal.parse(raw);
        SealHeader h = seal.header();
        assertThat(h.version()).isEqualTo(version);
        assertThat(h.issuingCountry()).isEqualTo("D<<");
        assertThat(h.signerIdentifier()).isEqualTo(signer);
        assertThat(h.certificateReference()).isEqualTo(reference);
        assertThat(h.issueDate()).isEqualTo(issued);
        assertThat(h.signatureDate()).isEqualTo(signed);
        assertThat(h.featureDefinitionReference()).isEqualTo(featureDefinition);
        assertThat(h.documentTypeCategory()).isEqualTo(category);
        assertThat(seal.features()).hasSize(featureCount);
        assertThat(seal.signature()).hasSize(signatureLength);
        assertThat(seal.encode()).isEqualTo(raw);
    }

    @Test
    void theFeaturesOfTheWorkedExamplesDecodeToTheirValues() {
        VisibleDigitalSeal d = VisibleDigitalSeal.parse(hex(ANNEX_D));
        // Annex D: "Val: Perschweiß", "Val: Oscar", "Val: Jâcobénidicturius" (UTF-8), "Val: 65170839J003" (C40)
        assertThat(C40.decode(d.feature(1).orElseThrow().value())).isEqualTo("65170839J003");
        assertThat(new String(d.feature(2).orElseThrow().value(), StandardCharsets.UTF_8))
                .isEqualTo("Perschweiß");
        assertThat(new String(d.feature(3).orElseThrow().value(), StandardCharsets.UTF_8))
                .isEqualTo("Oscar");
        assertThat(new String(d.feature(4).orElseThrow().value(), StandardCharsets.UTF_8))
                .isEqualTo("Jâcobénidicturius");
        VisibleDigitalSeal f = VisibleDigitalSeal.parse(hex(ANNEX_F));
        // Annex F: "Tag 0x04 (Duration of stay) ... Hex: a0 00 00", "Tag 0x05 (Passport number) ... Val: 47110815P"
        assertThat(f.feature(4).orElseThrow().value()).isEqualTo(hex("a0 00 00"));
        assertThat(C40.decode(f.feature(5).orElseThrow().value())).isEqualTo("47110815P");
        VisibleDigitalSeal g = VisibleDigitalSeal.parse(hex(ANNEX_G));
        assertThat(C40.decode(g.feature(3).orElseThrow().value())).isEqualTo("53123MUSTERMANNSTRASSE21");
        // Annex C signature: "r : 4a 1f ... d1 18", "s : 90 91 ... 05 e7"
        byte[] sig = VisibleDigitalSeal.parse(hex(ANNEX_C)).signature();
        assertThat(Arrays.copyOfRange(sig, 0, 2)).isEqualTo(hex("4a 1f"));
        assertThat(Arrays.copyOfRange(sig, 62, 64)).isEqualTo(hex("05 e7"));
    }

    @Test
    void aVersion4HeaderWritesTheReferenceLengthInHexAndOurHeaderReadsBack() {
        // a 128-bit serial in hex: 32 characters, length "20" (hexadecimal), as TR-03171 §2 does for its
        // 128-bit UUID references
        String reference = "5A1B2C3D4E5F60718293A4B5C6D7E8F9";
        SealHeader ours = TemporaryCertificateContent.header(
                "TWHR", reference, LocalDate.of(2028, 2, 29), LocalDate.of(2028, 2, 29));
        assertThat(ours.signerAndReference()).isEqualTo("TWHR20" + reference);
        SealHeader.Parsed back = SealHeader.parse(ours.encode());
        assertThat(back.header()).isEqualTo(ours);
        assertThat(back.length()).isEqualTo(ours.encode().length);
        // magic, version, country (2), signer and reference (38 characters: 26 bytes), 2 dates, 2 bytes
        assertThat(ours.encode()).hasSize(2 + 2 + 26 + 6 + 2);
        assertThat(ours.encode()[0]).isEqualTo((byte) 0xDC);
        assertThat(ours.encode()[1]).isEqualTo((byte) 0x03);
        assertThat(Arrays.copyOfRange(ours.encode(), ours.encode().length - 2, ours.encode().length))
                .isEqualTo(hex("01 c8"));
    }

    @Test
    void truncatedOrTrailingBytesAndAWrongMagicAreMalformed() {
        byte[] raw = hex(ANNEX_E);
        for (int cut = 0; cut < raw.length; cut++) {
            byte[] shorter = Arrays.copyOf(raw, cut);
            assertThatThrownBy(() -> VisibleDigitalSeal.parse(shorter)).isInstanceOf(SealException.class);
        }
        byte[] longer = Arrays.copyOf(raw, raw.length + 1);
        assertThatThrownBy(() -> VisibleDigitalSeal.parse(longer))
                .isInstanceOfSatisfying(
                        SealException.class, e -> assertThat(e.code()).isEqualTo(SealException.Code.MALFORMED));
        byte[] magic = raw.clone();
        magic[0] = (byte) 0xDB;
        assertThatThrownBy(() -> VisibleDigitalSeal.parse(magic)).isInstanceOf(SealException.class);
    }
}
