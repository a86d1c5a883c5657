package tw.eid.pki.launcher;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository root, for tests that read the documentation: the nearest directory up from the working directory that holds {@code mvnw}. */
final class RepositoryRoot {
    private RepositoryRoot() {}

    static Path find() {
        Path start = Path.of("").toAbsolutePath().normalize();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("mvnw"))) {
                return p;
            }
        }
        throw new IllegalStateException("no directory holding mvnw above " + start);
    }
}
