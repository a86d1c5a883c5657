package tw.eid.pki.ca.document.seal;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.ChecksumException;
import com.google.zxing.DecodeHintType;
import com.google.zxing.FormatException;
import com.google.zxing.LuminanceSource;
import com.google.zxing.NotFoundException;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.Result;
import com.google.zxing.ResultMetadataType;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.datamatrix.DataMatrixReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * The seal's bytes from a picture of its DataMatrix (a PNG or JPEG), for the relying party's
 * verifier. The limits are judged before any pixel is decoded: at most {@link #MAX_BYTES} bytes,
 * and at most {@link #MAX_SIDE} pixels a side as the image's own header states them.
 *
 * <p>The symbol is found by ZXing's DataMatrix reader, first in the whole image, then (its detector
 * starts from the image's centre) in overlapping windows of half and a third of the image, so that
 * a whole page with the symbol off centre is read too.
 */
public final class SealImages {
    /** 2 MB. */
    public static final int MAX_BYTES = 2 * 1024 * 1024;
    /** Pixels a side. */
    public static final int MAX_SIDE = 4000;

    private static final Map<DecodeHintType, Object> HINTS = Map.of(DecodeHintType.TRY_HARDER, Boolean.TRUE);

    private SealImages() {}

    /** The bytes of the DataMatrix in {@code image}; refusals are {@link SealException}s. */
    public static byte[] read(byte[] image) {
        if (image.length > MAX_BYTES) {
            throw new SealException(
                    SealException.Code.IMAGE_TOO_LARGE,
                    "an image of a seal is at most " + MAX_BYTES + " bytes, not " + image.length);
        }
        BufferedImage pixels = decode(image);
        int w = pixels.getWidth();
        int h = pixels.getHeight();
        int[] rgb = pixels.getRGB(0, 0, w, h, null, 0, w);
        Optional<byte[]> found = find(new RGBLuminanceSource(w, h, rgb));
        for (int parts : List.of(2, 3)) {
            if (found.isPresent()) {
                break;
            }
            found = windows(rgb, w, h, parts);
        }
        return found.orElseThrow(
                () -> new SealException(SealException.Code.NO_BARCODE, "no readable DataMatrix in the image"));
    }

    private static BufferedImage decode(byte[] image) {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(image))) {
            ImageReader reader = null;
            for (Iterator<ImageReader> it = ImageIO.getImageReaders(in); it.hasNext(); ) {
                ImageReader r = it.next();
                String format = r.getFormatName().toLowerCase(Locale.ROOT);
                if (format.equals("png") || format.equals("jpeg")) {
                    reader = r;
                    break;
                }
            }
            if (reader == null) {
                throw unreadable();
            }
            try {
                reader.setInput(in, true, true);
                // Read from the header; no pixel is decoded yet.
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w > MAX_SIDE || h > MAX_SIDE) {
                    throw new SealException(
                            SealException.Code.IMAGE_TOO_LARGE,
                            "an image of a seal is at most " + MAX_SIDE + " x " + MAX_SIDE + " pixels, not " + w + " x "
                                    + h);
                }
                if (w < 1 || h < 1) {
                    throw unreadable();
                }
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof SealException s) {
                throw s;
            }
            throw unreadable();
        }
    }

    private static SealException unreadable() {
        return new SealException(SealException.Code.IMAGE_UNREADABLE, "the image is not a PNG or JPEG that decodes");
    }

    /** Windows of 1/parts of each side, overlapping by half a window, each searched on its own. */
    private static Optional<byte[]> windows(int[] rgb, int w, int h, int parts) {
        int ww = w / parts;
        int wh = h / parts;
        if (ww < 16 || wh < 16) {
            return Optional.empty();
        }
        for (int y = 0; y + wh <= h; y += wh / 2) {
            for (int x = 0; x + ww <= w; x += ww / 2) {
                LuminanceSource whole = new RGBLuminanceSource(w, h, rgb);
                Optional<byte[]> found = find(whole.crop(x, y, ww, wh));
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<byte[]> find(LuminanceSource source) {
        Result result;
        try {
            result = new DataMatrixReader().decode(new BinaryBitmap(new HybridBinarizer(source)), HINTS);
        } catch (NotFoundException | ChecksumException | FormatException e) {
            return Optional.empty();
        }
        Object segments = result.getResultMetadata() == null
                ? null
                : result.getResultMetadata().get(ResultMetadataType.BYTE_SEGMENTS);
        if (segments instanceof List<?> list && !list.isEmpty()) {
            // Base256 segments: the seal's bytes as they were encoded.
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (Object o : list) {
                out.writeBytes((byte[]) o);
            }
            return Optional.of(out.toByteArray());
        }
        return Optional.of(result.getText().getBytes(StandardCharsets.ISO_8859_1));
    }
}
