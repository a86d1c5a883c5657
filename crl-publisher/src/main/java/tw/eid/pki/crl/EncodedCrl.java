package tw.eid.pki.crl;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Collections;
import java.util.List;

/**
 * A signed CRL as it came out of {@link CrlBuilder}: the DER in three pieces (what precedes the
 * entries, the entries, what follows them), so that the entries are held once and never copied.
 *
 * @param number its CRL number
 * @param thisUpdate its thisUpdate
 * @param nextUpdate its nextUpdate
 * @param entries how many revokedCertificates it lists
 */
record EncodedCrl(
        byte[] head,
        ChunkedBytes body,
        byte[] tail,
        BigInteger number,
        Instant thisUpdate,
        Instant nextUpdate,
        long entries) {

    long length() {
        return head.length + body.size() + tail.length;
    }

    void writeTo(OutputStream out) throws IOException {
        out.write(head);
        body.writeTo(out);
        out.write(tail);
    }

    InputStream inputStream() {
        return new SequenceInputStream(Collections.enumeration(
                List.of(new ByteArrayInputStream(head), body.inputStream(), new ByteArrayInputStream(tail))));
    }

    /** The whole DER in one array (for the HTTP cache and tests; a partition's CRL is a few MB at most). */
    byte[] toByteArray() {
        if (length() > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("CRL too large for one array: " + length() + " bytes");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) length());
        try {
            writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
