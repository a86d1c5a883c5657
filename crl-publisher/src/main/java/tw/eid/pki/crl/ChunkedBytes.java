package tw.eid.pki.crl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An append-only byte buffer in 64 KiB chunks: growing it never copies what was written (a
 * ByteArrayOutputStream doubles and copies, which would put a 1,000,000-entry CRL in memory up to
 * three times over while it grows), and {@link #append} moves another buffer's chunks over without
 * copying them (the CRL cursor's parallel segments are joined that way).
 */
final class ChunkedBytes extends OutputStream {
    private static final int CHUNK = 64 * 1024;
    private final List<byte[]> chunks = new ArrayList<>();
    /** How many bytes of each chunk are used (a chunk before an appended one may be partly used). */
    private int[] lengths = new int[16];

    private byte[] current;
    private int used = CHUNK;
    private long size;

    private void newChunk() {
        current = new byte[CHUNK];
        if (chunks.size() == lengths.length) {
            lengths = Arrays.copyOf(lengths, lengths.length * 2);
        }
        chunks.add(current);
        used = 0;
    }

    @Override
    public void write(int b) {
        if (used == CHUNK) {
            newChunk();
        }
        current[used++] = (byte) b;
        lengths[chunks.size() - 1] = used;
        size++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        while (len > 0) {
            if (used == CHUNK) {
                newChunk();
            }
            int n = Math.min(len, CHUNK - used);
            System.arraycopy(b, off, current, used, n);
            used += n;
            off += n;
            len -= n;
            size += n;
            lengths[chunks.size() - 1] = used;
        }
    }

    /**
     * Moves every byte of {@code other} to the end of this buffer, in order, without copying them;
     * {@code other} is empty afterwards. What is written next goes into a fresh chunk.
     */
    void append(ChunkedBytes other) {
        for (int i = 0; i < other.chunks.size(); i++) {
            if (chunks.size() == lengths.length) {
                lengths = Arrays.copyOf(lengths, lengths.length * 2);
            }
            chunks.add(other.chunks.get(i));
            lengths[chunks.size() - 1] = other.lengths[i];
        }
        size += other.size;
        current = null;
        used = CHUNK;
        other.chunks.clear();
        other.current = null;
        other.used = CHUNK;
        other.size = 0;
    }

    long size() {
        return size;
    }

    /** Writes every byte, in order, to {@code out}. */
    void writeTo(OutputStream out) throws IOException {
        for (int i = 0; i < chunks.size(); i++) {
            out.write(chunks.get(i), 0, lengths[i]);
        }
    }

    /** The bytes as a stream, without copying them. */
    InputStream inputStream() {
        return new InputStream() {
            private int chunk;
            private int pos;
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
                while (chunk < chunks.size() && pos >= lengths[chunk]) {
                    chunk++;
                    pos = 0;
                }
                if (chunk >= chunks.size()) {
                    return -1;
                }
                int n = Math.min(len, lengths[chunk] - pos);
                System.arraycopy(chunks.get(chunk), pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }
}
