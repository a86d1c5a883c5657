package tw.eid.pki.conformance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external program (openssl, certtool, pkcs11-tool, a child JVM) with a timeout, extra
 * environment and optional stdin, and returns its exit code, stdout and stderr separately. Output
 * goes through files, so a chatty program can never block on a full pipe.
 */
final class Tools {

    /** The outcome of one run. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        /** stderr split into its non-empty lines. */
        List<String> stderrLines() {
            return stderr.lines().filter(l -> !l.isBlank()).toList();
        }

        /** For assertion messages. */
        String describe() {
            return String.join(" ", command) + "\n  exit " + exitCode + "\n  stdout: " + stdout.strip() + "\n  stderr: "
                    + stderr.strip();
        }
    }

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    private Tools() {}

    static Result run(String... command) {
        return run(List.of(command), Map.of(), null, null, DEFAULT_TIMEOUT);
    }

    static Result run(List<String> command, Map<String, String> env) {
        return run(command, env, null, null, DEFAULT_TIMEOUT);
    }

    /**
     * @param env       added to (and overriding) this JVM's environment
     * @param stdin     bytes for the program's stdin, or null for none (closed at once)
     * @param directory working directory, or null for this JVM's
     */
    static Result run(List<String> command, Map<String, String> env, byte[] stdin, Path directory, Duration timeout) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("conformance-out", ".txt");
            err = Files.createTempFile("conformance-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(TestTime.command(command))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            pb.environment().putAll(env);
            if (directory != null) {
                pb.directory(directory.toFile());
            }
            Process p = pb.start();
            try (var in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("timed out after " + timeout + ": " + command);
            }
            return new Result(
                    List.copyOf(command),
                    p.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    TestTime.withoutAnnouncement(Files.readString(err, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            delete(out);
            delete(err);
        }
    }

    static Result openssl(String... args) {
        return run(prepend("openssl", args), Map.of());
    }

    static Result certtool(String... args) {
        return run(prepend("certtool", args), Map.of());
    }

    static List<String> prepend(String first, String... rest) {
        List<String> command = new ArrayList<>();
        command.add(first);
        command.addAll(List.of(rest));
        return command;
    }

    private static void delete(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temp file; nothing depends on it
            }
        }
    }
}
