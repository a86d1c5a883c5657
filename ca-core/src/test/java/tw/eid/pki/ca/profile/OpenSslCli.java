package tw.eid.pki.ca.profile;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs openssl (and GnuTLS certtool) as independent judges of what we issue. */
final class OpenSslCli {

    /** Exit code and merged stdout+stderr of one run. */
    record Result(int exitCode, String output) {}

    private OpenSslCli() {}

    static Result openssl(Path dir, String... args) {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        return run(dir, command);
    }

    static Result certtool(Path dir, String... args) {
        List<String> command = new ArrayList<>();
        command.add("certtool");
        command.addAll(List.of(args));
        return run(dir, command);
    }

    static Result run(Path dir, List<String> command) {
        try {
            Process p = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code der} as PEM with the given label ({@code CERTIFICATE}, {@code X509 CRL}). */
    static Path writePem(Path dir, String fileName, String label, byte[]... ders) {
        StringWriter w = new StringWriter();
        for (byte[] der : ders) {
            w.append("-----BEGIN ").append(label).append("-----\n");
            w.append(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(der));
            w.append("\n-----END ").append(label).append("-----\n");
        }
        try {
            Path file = dir.resolve(fileName);
            Files.writeString(file, w.toString(), StandardCharsets.US_ASCII);
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
