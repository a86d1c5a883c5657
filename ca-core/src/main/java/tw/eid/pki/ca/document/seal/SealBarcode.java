package tw.eid.pki.ca.document.seal;

import com.google.zxing.datamatrix.encoder.DefaultPlacement;
import com.google.zxing.datamatrix.encoder.ErrorCorrection;
import com.google.zxing.datamatrix.encoder.SymbolInfo;
import com.google.zxing.datamatrix.encoder.SymbolShapeHint;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * The seal as a DataMatrix ECC200 symbol (ISO/IEC 16022; BSI TR-03137 Part 1 §3.1): the seal's bytes
 * in one Base256 segment (§5.2.9: latch 231, the length field, every Base256 codeword scrambled with
 * the 255-state algorithm), padded (pad 129, then the 253-state algorithm), in the smallest square
 * symbol that holds them. Error correction and module placement are ZXing's ({@code
 * ErrorCorrection}, {@code DefaultPlacement}); the codewords and the finder patterns are ours.
 *
 * <p>{@link #png} draws {@value #DOTS_PER_MODULE} pixels per module with a quiet zone of two
 * modules: printed at 300 dpi, 4 dots per module side (0.339 mm), TR-03137's minimum for inkjet.
 */
public final class SealBarcode {
    /** Printer dots per module side at 300 dpi (TR-03137 Part 1 §3.1). */
    public static final int DOTS_PER_MODULE = 4;
    /** The quiet zone around the symbol, in modules. */
    public static final int QUIET_ZONE = 2;

    private static final int LATCH_BASE256 = 231;
    private static final int PAD = 129;

    private SealBarcode() {}

    /** The symbol's modules, [row][column], true for dark, without the quiet zone. */
    public static boolean[][] modules(byte[] seal) {
        byte[] data = codewords(seal);
        SymbolInfo symbol = SymbolInfo.lookup(data.length, SymbolShapeHint.FORCE_SQUARE, null, null, true);
        byte[] padded = pad(data, symbol.getDataCapacity());
        String withEcc = ErrorCorrection.encodeECC200(latin1(padded), symbol);
        DefaultPlacement placement =
                new DefaultPlacement(withEcc, symbol.getSymbolDataWidth(), symbol.getSymbolDataHeight());
        placement.place();
        return withFinderPatterns(placement, symbol);
    }

    /** A PNG of the symbol, {@code dotsPerModule} pixels a module, with the quiet zone. */
    public static byte[] png(byte[] seal, int dotsPerModule) {
        boolean[][] m = modules(seal);
        int size = (m.length + 2 * QUIET_ZONE) * dotsPerModule;
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_BINARY);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int row = y / dotsPerModule - QUIET_ZONE;
                int col = x / dotsPerModule - QUIET_ZONE;
                boolean dark = row >= 0 && col >= 0 && row < m.length && col < m.length && m[row][col];
                img.setRGB(x, y, dark ? 0xFF000000 : 0xFFFFFFFF);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * The data codewords: latch to Base256, the length field (one codeword up to 249 bytes, else two:
     * n / 250 + 249 and n % 250), the bytes; the length field and the bytes scrambled by position.
     */
    static byte[] codewords(byte[] seal) {
        int n = seal.length;
        if (n > 1555) {
            throw new SealException(
                    SealException.Code.UNENCODABLE, "a seal of " + n + " bytes does not fit a DataMatrix");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(n + 3);
        out.write(LATCH_BASE256);
        if (n <= 249) {
            out.write(randomize255(n, out.size() + 1));
        } else {
            out.write(randomize255(n / 250 + 249, out.size() + 1));
            out.write(randomize255(n % 250, out.size() + 1));
        }
        for (byte b : seal) {
            out.write(randomize255(b & 0xFF, out.size() + 1));
        }
        return out.toByteArray();
    }

    /** ISO/IEC 16022 Annex B.2: the 255-state algorithm, {@code position} counting codewords from 1. */
    static int randomize255(int value, int position) {
        int pseudoRandom = ((149 * position) % 255) + 1;
        int t = value + pseudoRandom;
        return t <= 255 ? t : t - 256;
    }

    /** ISO/IEC 16022 §5.2.3 and Annex B.1: the first pad is 129, the rest by the 253-state algorithm. */
    static byte[] pad(byte[] data, int capacity) {
        byte[] out = new byte[capacity];
        System.arraycopy(data, 0, out, 0, data.length);
        for (int i = data.length; i < capacity; i++) {
            if (i == data.length) {
                out[i] = (byte) PAD;
            } else {
                int position = i + 1;
                int pseudoRandom = ((149 * position) % 253) + 1;
                int t = PAD + pseudoRandom;
                out[i] = (byte) (t <= 254 ? t : t - 254);
            }
        }
        return out;
    }

    private static String latin1(byte[] codewords) {
        StringBuilder s = new StringBuilder(codewords.length);
        for (byte b : codewords) {
            s.append((char) (b & 0xFF));
        }
        return s.toString();
    }

    /**
     * Each data region framed as ISO/IEC 16022 §5.1 draws it: a solid line on its left and bottom
     * edges, alternating modules on its top and right edges (dark at the top-left and bottom-right).
     */
    private static boolean[][] withFinderPatterns(DefaultPlacement placement, SymbolInfo symbol) {
        int regionW = symbol.matrixWidth;
        int regionH = symbol.matrixHeight;
        int size = symbol.getSymbolWidth();
        boolean[][] m = new boolean[symbol.getSymbolHeight()][size];
        int dataRows = symbol.getSymbolDataHeight();
        int dataCols = symbol.getSymbolDataWidth();
        for (int y = 0; y < dataRows; y++) {
            int regionRow = y / regionH;
            int row = y + 1 + 2 * regionRow;
            for (int x = 0; x < dataCols; x++) {
                int regionCol = x / regionW;
                int col = x + 1 + 2 * regionCol;
                m[row][col] = placement.getBit(x, y);
            }
        }
        int regionsDown = dataRows / regionH;
        int regionsAcross = dataCols / regionW;
        for (int r = 0; r < regionsDown; r++) {
            int top = r * (regionH + 2);
            int bottom = top + regionH + 1;
            for (int c = 0; c < regionsAcross; c++) {
                int left = c * (regionW + 2);
                int right = left + regionW + 1;
                for (int x = left; x <= right; x++) {
                    m[top][x] = (x - left) % 2 == 0; // top: alternating, dark first
                    m[bottom][x] = true; // bottom: solid
                }
                for (int y = top; y <= bottom; y++) {
                    m[y][left] = true; // left: solid
                    m[y][right] = (y - top) % 2 == 1 || y == bottom; // right: alternating, dark at the bottom
                }
            }
        }
        return m;
    }
}
