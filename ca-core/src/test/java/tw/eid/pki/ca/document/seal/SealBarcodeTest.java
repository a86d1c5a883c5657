package tw.eid.pki.ca.document.seal;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The DataMatrix of a seal judged by two independent readers, Debian's {@code dmtxread} (libdmtx,
 * dmtx-utils) and {@code ZXingReader -bytes} (zxing-cpp, zxing-cpp-tools): each must return exactly
 * the seal's bytes. The seals are the raw streams of BSI TR-03137 Part 1's worked examples
 * (Annexes C to H, 103 to 151 bytes) and lengths across the Base256 length field's one- and two-byte
 * forms (≤ 249 and ≥ 250 bytes), so the codewords, padding and every symbol size up to 64×64 are
 * exercised. Also the Base256 codeword rules of ISO/IEC 16022 computed by hand.
 */
class SealBarcodeTest {
    @TempDir
    static Path dir;

    private static final HexFormat HEX = HexFormat.of();

    static byte[] readByDmtx(Path png) throws Exception {
        return run(List.of("dmtxread", "-N1", png.toString()));
    }

    static byte[] readByZxing(Path png) throws Exception {
        return run(List.of("ZXingReader", "-format", "DataMatrix", "-bytes", png.toString()));
    }

    private static void bothReadExactly(byte[] seal, String name) throws Exception {
        Path png = Files.write(dir.resolve(name + ".png"), SealBarcode.png(seal, SealBarcode.DOTS_PER_MODULE));
        assertThat(readByDmtx(png)).as("dmtxread " + name).isEqualTo(seal);
        assertThat(readByZxing(png)).as("ZXingReader " + name).isEqualTo(seal);
    }

    @ParameterizedTest
    @ValueSource(strings = {"C", "D", "E", "F", "G", "H"})
    void theWorkedExamplesOfTheTrDecodeToTheirBytes(String annex) throws Exception {
        String hex = switch (annex) {
            case "C" -> SealEncodingTest.ANNEX_C;
            case "D" -> SealEncodingTest.ANNEX_D;
            case "E" -> SealEncodingTest.ANNEX_E;
            case "F" -> SealEncodingTest.ANNEX_F;
            case "G" -> SealEncodingTest.ANNEX_G;
            default -> SealEncodingTest.ANNEX_H;
        };
        bothReadExactly(HEX.parseHex(hex.replaceAll("\\s+", "")), "annex-" + annex);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 60, 249, 250, 251, 280, 400})
    void everyLengthAndByteValueDecodes(int length) throws Exception {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) (i * 37 + length); // all byte values, including 0x00 and 0xFF
        }
        bothReadExactly(data, "len-" + length);
    }

    @Test
    void base256CodewordsFollowIso16022() {
        // latch 231; length 3 at position 2: (149*2 % 255) + 1 = 44, 3 + 44 = 47; then the bytes at
        // positions 3..5: 0x00 + ((149*3 % 255) + 1 = 193) = 193, 0xFF + ((149*4 % 255)+1 = 87) = 342 - 256 = 86,
        // 0x10 + ((149*5 % 255) + 1 = 236) = 252
        assertThat(SealBarcode.codewords(new byte[] {0x00, (byte) 0xFF, 0x10}))
                .containsExactly((byte) 231, (byte) 47, (byte) 193, (byte) 86, (byte) 252);
        // a 300-byte seal: the length field is 300/250 + 249 = 250 and 300 % 250 = 50, both randomized
        byte[] long300 = SealBarcode.codewords(new byte[300]);
        assertThat(long300).hasSize(303);
        assertThat(long300[1] & 0xFF).isEqualTo(SealBarcode.randomize255(250, 2));
        assertThat(long300[2] & 0xFF).isEqualTo(SealBarcode.randomize255(50, 3));
        // padding: 129 first, then 129 + ((149 * position) % 253) + 1, wrapped above 254
        byte[] padded = SealBarcode.pad(new byte[] {1}, 3);
        assertThat(padded[1] & 0xFF).isEqualTo(129);
        assertThat(padded[2] & 0xFF).isEqualTo((129 + (149 * 3) % 253 + 1) - 254);
    }

    @Test
    void aModuleIsFourDotsAt300Dpi() throws Exception {
        byte[] seal = HEX.parseHex(SealEncodingTest.ANNEX_E.replaceAll("\\s+", ""));
        boolean[][] modules = SealBarcode.modules(seal);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(SealBarcode.png(seal, 4)));
        assertThat(img.getWidth()).isEqualTo((modules.length + 2 * SealBarcode.QUIET_ZONE) * 4);
        // 0.339 mm a module at 300 dpi: at least TR-03137's 0.3386 mm
        assertThat(4 * 25.4 / 300).isGreaterThanOrEqualTo(0.3386);
    }

    private static byte[] run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(command))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + command);
        }
        return out;
    }
}
