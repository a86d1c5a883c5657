package tw.eid.pki.crl;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * CRLs as files under a directory that any static web server can serve, laid out like the URLs
 * ({@code DIR/crl/citizen-ca/1.crl}, {@code DIR/crl/citizen-ca/1-delta.crl}, {@code
 * DIR/crl/ra-operators-ca.crl}). A file is replaced atomically: the CRL is written to a temporary
 * file beside it and synced, read back and compared byte for byte with the CRL the publisher
 * checked ({@link CrlChecks#replaces}: its signature, a higher number than the file it replaces,
 * the same IDP, checked again here against the file it replaces), and only then renamed over the
 * old one.
 * A crash at any point leaves the previous file whole; a stray temporary file is never served
 * (its name starts with a dot and ends in {@code .tmp}).
 */
final class CrlDirectory {
    /** One replacement at a time in this JVM (a FileLock is per process, and throws when the process holds it). */
    private static final ReentrantLock LOCAL = new ReentrantLock();

    private final Path root;

    CrlDirectory(Path root) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath();
    }

    /** The file of {@code url}: its path below the directory. */
    Path file(URI url) {
        String path = url.getPath();
        if (path == null || path.contains("..") || !path.startsWith("/")) {
            throw new IllegalArgumentException("not a CRL path: " + url);
        }
        return root.resolve(path.substring(1)).normalize();
    }

    /** Refuses the written file unless it holds exactly the bytes of {@code crl}. */
    private static void sameBytes(Path file, EncodedCrl crl) throws IOException {
        if (Files.size(file) != crl.length()) {
            throw new CrlRefusedException(file + ": " + Files.size(file) + " bytes written of " + crl.length());
        }
        byte[] a = new byte[64 * 1024];
        byte[] b = new byte[64 * 1024];
        try (var onDisk = Files.newInputStream(file);
                var expected = crl.inputStream()) {
            long at = 0;
            while (true) {
                int n = onDisk.readNBytes(a, 0, a.length);
                int m = expected.readNBytes(b, 0, n);
                if (n != m || Arrays.mismatch(a, 0, n, b, 0, n) >= 0) {
                    throw new CrlRefusedException(file + ": the bytes written differ from the CRL's near offset " + at);
                }
                if (n == 0) {
                    return;
                }
                at += n;
            }
        }
    }

    /**
     * Writes {@code crl} (whose facts, {@code written}, the publisher has checked) as the file of {@code url}, replacing the previous one only if it checks;
     * false when the file already holds a CRL with a number at least as high (another publisher
     * wrote a newer one: ours is dropped). The check and the rename happen under a lock on {@code
     * DIR/.publish.lock}, so two publishers on one directory cannot interleave them.
     */
    boolean publish(URI url, EncodedCrl crl, CrlFacts written, CrlAuthority authority) {
        Path target = file(url);
        try {
            Files.createDirectories(target.getParent());
            Files.createDirectories(root);
            Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
            try {
                try (FileChannel ch =
                                FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                        OutputStream out = Channels.newOutputStream(ch)) {
                    BufferedOutputStream buffered = new BufferedOutputStream(out, 64 * 1024);
                    crl.writeTo(buffered);
                    buffered.flush();
                    ch.force(true);
                }
                // What is on disk must be, byte for byte, the CRL that was checked: a short or torn
                // write cannot pass. (Comparing is as strong as checking the file again, and cheaper.)
                sameBytes(temp, crl);
                LOCAL.lock();
                try (FileChannel lock = FileChannel.open(
                                root.resolve(".publish.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        var held = lock.lock()) {
                    CrlFacts previous = null;
                    if (Files.exists(target)) {
                        try (var in = new BufferedInputStream(Files.newInputStream(target), 64 * 1024)) {
                            // Its number and IDP only: its signature was checked when it was published.
                            previous = CrlFacts.read(in, null);
                        } catch (IOException e) {
                            previous = null; // an unreadable file is replaced by a good one
                        }
                    }
                    if (previous != null
                            && previous.number() != null
                            && written.number() != null
                            && written.number().compareTo(previous.number()) <= 0) {
                        return false;
                    }
                    CrlChecks.replaces(written, previous, authority, url.toString());
                    try {
                        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } catch (AtomicMoveNotSupportedException e) {
                        throw new IOException("the directory cannot rename atomically: " + target.getParent(), e);
                    }
                    return true;
                } finally {
                    LOCAL.unlock();
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish " + target, e);
        }
    }
}
