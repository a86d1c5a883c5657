package tw.eid.pki.ca.cvc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs openpace's {@code cvc-print} (Debian package {@code openpace}), an independent TR-03110
 * implementation. With {@code --cvc-dir} it finds each issuer as the file named exactly by its CHR
 * and verifies the chain up to a CVCA; it checks validity against the system clock.
 */
public final class OpenPace {
    private OpenPace() {}

    /** Writes {@code der} as {@code dir/<CHR>} (what --cvc-dir looks up) and as {@code <CHR>.cvcert}. */
    public static Path store(Path dir, CvCertificate cert) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(cert.body().chr().toString());
        Files.write(file, cert.encoded());
        return file;
    }

    public static String print(Path cvcDir, Path cert, String... more) throws IOException, InterruptedException {
        List<String> cmd =
                new ArrayList<>(List.of("cvc-print", "--cvc-dir", cvcDir.toString(), "--cvc", cert.toString()));
        cmd.addAll(List.of(more));
        return run(cmd);
    }

    public static String printRequest(Path request) throws IOException, InterruptedException {
        return run(List.of("cvc-print", "--csr", request.toString()));
    }

    public static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("cvc-print did not finish");
        }
        return new String(out, StandardCharsets.UTF_8) + "\n[exit " + p.exitValue() + "]";
    }
}
