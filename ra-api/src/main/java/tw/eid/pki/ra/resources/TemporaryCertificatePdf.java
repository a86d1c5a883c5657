package tw.eid.pki.ra.resources;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.fontbox.ttf.TrueTypeCollection;
import org.apache.fontbox.ttf.TrueTypeFont;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType0Font;
import tw.eid.pki.ca.document.seal.SealBarcode;
import tw.eid.pki.ca.document.seal.TemporaryCertificateContent;

/**
 * The printable temporary ID certificate: an A5 page with the title and the printed fields in
 * Traditional Chinese and English ({@link TemporaryCertificatePrint}), and the seal's DataMatrix
 * drawn as vector modules of exactly 4/300 inch (0.96 pt): 4 dots per module at 300 dpi, BSI
 * TR-03137 Part 1 §3.1. The font (a TrueType collection with the Traditional Chinese glyphs, by
 * default Debian's fonts-arphic-uming) is embedded as a subset.
 */
public final class TemporaryCertificatePdf {
    /** Debian fonts-arphic-uming: AR PL UMing, TrueType outlines, Traditional Chinese forms. */
    public static final Path DEFAULT_FONT = Path.of("/usr/share/fonts/truetype/arphic/uming.ttc");

    /** Points per module: 4 dots at 300 dpi. */
    static final float MODULE_POINTS = 72f * SealBarcode.DOTS_PER_MODULE / 300f;

    private final Path font;

    /** Refuses a missing font file at once (configuration fails fast). */
    public TemporaryCertificatePdf(Path font) {
        this.font = Objects.requireNonNull(font, "font");
        if (!Files.isReadable(font)) {
            throw new IllegalStateException("the temporary certificate's font " + font
                    + " is missing (Debian: apt-get install fonts-arphic-uming)");
        }
    }

    public byte[] render(TemporaryCertificateContent content, byte[] seal) {
        try (PDDocument doc = new PDDocument();
                TrueTypeCollection collection = new TrueTypeCollection(font.toFile())) {
            PDPage page = new PDPage(PDRectangle.A5);
            doc.addPage(page);
            PDType0Font f = PDType0Font.load(doc, traditionalChinese(collection), true);
            float height = page.getMediaBox().getHeight();
            float width = page.getMediaBox().getWidth();
            try (PDPageContentStream s = new PDPageContentStream(doc, page)) {
                text(s, f, 16, 40, height - 50, TemporaryCertificatePrint.TITLE_ZH);
                text(s, f, 11, 40, height - 68, TemporaryCertificatePrint.TITLE_EN);
                float y = height - 100;
                for (Views.PrintedField field : TemporaryCertificatePrint.fields(content)) {
                    text(s, f, 10, 40, y, field.zh() + " " + field.en());
                    text(s, f, 11, 40, y - 14, field.value());
                    y -= 34;
                }
                boolean[][] modules = SealBarcode.modules(seal);
                // Whole modules from the page's top-left corner, so that at 300 dpi every module
                // edge falls on a pixel edge. The symbol sits at the right margin across the page's
                // horizontal centre line: a reader handed the whole page (zxing-cpp 1.4, Debian's
                // ZXingReader) looks for a DataMatrix only where the image's centre lines cross it
                // (zxing-cpp issue #189); a scanner aimed at the code does not care.
                int n = modules.length;
                float side = n * MODULE_POINTS;
                float left = ((int) ((width - 40) / MODULE_POINTS) - n) * MODULE_POINTS;
                float top = height - ((int) (height / 2 / MODULE_POINTS) - n / 2) * MODULE_POINTS;
                float bottom = top - side;
                s.setNonStrokingColor(0f);
                for (int row = 0; row < modules.length; row++) {
                    for (int col = 0; col < modules.length; col++) {
                        if (modules[row][col]) {
                            s.addRect(
                                    left + col * MODULE_POINTS,
                                    bottom + side - (row + 1) * MODULE_POINTS,
                                    MODULE_POINTS,
                                    MODULE_POINTS);
                        }
                    }
                }
                s.fill();
                text(s, f, 8, 40, 40, "以掃描器驗證此條碼 Scan the barcode to verify this certificate");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            doc.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render the temporary certificate", e);
        }
    }

    private static TrueTypeFont traditionalChinese(TrueTypeCollection collection) throws IOException {
        List<TrueTypeFont> fonts = new ArrayList<>();
        collection.processAllFonts(fonts::add);
        for (TrueTypeFont t : fonts) {
            if (t.getName() != null && t.getName().endsWith("TW")) {
                return t;
            }
        }
        if (fonts.isEmpty()) {
            throw new IOException("no font in the collection");
        }
        return fonts.get(0);
    }

    private static void text(PDPageContentStream s, PDType0Font f, float size, float x, float y, String text)
            throws IOException {
        s.beginText();
        s.setFont(f, size);
        s.newLineAtOffset(x, y);
        s.showText(text);
        s.endText();
    }
}
