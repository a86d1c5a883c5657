package tw.eid.pki.crl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * An append-only byte buffer in fixed 64 KiB chunks: growing it never copies what was written
 * (a ByteArrayOutputStream doubles and copies, which would put a 1,000,000-entry CRL in memory
 * up to three times over while it grows).
 */
final class ChunkedBytes extends OutputStream {
    private static final int CHUNK = 64 * 1024;
    private final List<byte[]> chunks = new ArrayList<>();
    private byte[] current;
    private int used = CHUNK;
    private long size;

    @Override
    public void write(int b) {
        if (used == CHUNK) {
            current = new byte[CHUNK];
            chunks.add(current);
            used = 0;
        }
        current[used++] = (byte) b;
        size++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        while (len > 0) {
            if (used == CHUNK) {
                current = new byte[CHUNK];
                chunks.add(current);
                used = 0;
            }
            int n = Math.min(len, CHUNK - used);
            System.arraycopy(b, off, current, used, n);
            used += n;
            off += n;
            len -= n;
            size += n;
        }
    }

    long size() {
        return size;
    }

    /** Writes every byte, in order, to {@code out}. */
    void writeTo(OutputStream out) throws IOException {
        for (int i = 0; i < chunks.size(); i++) {
            byte[] c = chunks.get(i);
            out.write(c, 0, i == chunks.size() - 1 ? used : CHUNK);
        }
    }

    /** The bytes as a stream, without copying them. */
    InputStream inputStream() {
        return new InputStream() {
            private int chunk;
            private int pos;

            private int available(int i) {
                return i == chunks.size() - 1 ? used : CHUNK;
            }

            private final byte[] one = new byte[1];

            @Override
            public int read() {
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (len == 0) {
                    return 0;
                }
                while (chunk < chunks.size() && pos >= available(chunk)) {
                    chunk++;
                    pos = 0;
                }
                if (chunk >= chunks.size()) {
                    return -1;
                }
                int n = Math.min(len, available(chunk) - pos);
                System.arraycopy(chunks.get(chunk), pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }
}
