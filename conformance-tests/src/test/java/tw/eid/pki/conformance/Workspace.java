package tw.eid.pki.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/** Fresh data directories for the tests, under the module's target/ (left there for inspection). */
final class Workspace {
    /** mariadbd's socket path must fit sun_path; longer paths make the launcher warn on stderr. */
    private static final int MAX_SOCKET_PATH = 100;

    private Workspace() {}

    /** An empty directory {@code target/test-work/conformance/<name>}, removed first if it exists. */
    static Path fresh(String name) {
        Path base = Path.of(System.getProperty("eidpki.test.workdir", "target/test-work"))
                .toAbsolutePath()
                .normalize();
        Path dir = base.resolve("cf").resolve(name);
        try {
            if (dir.resolve("db/mysqld.sock").toString().length() > MAX_SOCKET_PATH) {
                // A clone in a deep directory: keep the embedded server's socket path short.
                dir = Files.createTempDirectory("eidpki-cf-" + name);
            } else {
                deleteTree(dir);
                Files.createDirectories(dir);
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
