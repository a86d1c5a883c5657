package tw.eid.pki.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import tw.eid.pki.hsm.SoftHsmTestTokens;

/**
 * {@code bin/eidpki} as child processes, for the CLI tests that run the launcher end to end (the
 * JVM flags of bin/eidpki, the test token directory, a cheap share-file KDF), and their work
 * directories.
 */
final class CliProcesses {
    private CliProcesses() {}

    record Result(int exitCode, String stdout, String stderr) {}

    static String custodian(Path data, String name) {
        return name + ":" + data.resolve("demo-custodians").resolve(name + ".pass");
    }

    static List<String> command(String... args) {
        // Surefire's manifest-only jar hides the real class path in this property.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules=jdk.crypto.cryptoki",
                "--add-exports=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED",
                "--add-exports=jdk.crypto.cryptoki/sun.security.pkcs11=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                classPath,
                EidPki.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    static Map<String, String> environment() {
        // Cheap share-file KDF for tests (production keeps the recommended cost).
        return Map.of(
                "SOFTHSM2_CONF", SoftHsmTestTokens.conf().toAbsolutePath().toString(), "EIDPKI_SCRYPT_LOG2N", "10");
    }

    /**
     * Runs the demo's ceremony file in {@code data} as a test's own: the custodians' passphrase files
     * under {@code data/demo-custodians} (private), and the offline and online token labels replaced
     * by {@code offlineLabel} and {@code onlineLabel} (the token directory is shared by the test
     * classes). The ceremony's result, for the caller to check.
     */
    static Result demoCeremony(Path data, String offlineLabel, String onlineLabel) throws IOException {
        SecureRandom random = new SecureRandom();
        Path passphrases = data.resolve("demo-custodians");
        Files.createDirectories(passphrases);
        Files.setPosixFilePermissions(passphrases, PosixFilePermissions.fromString("rwx------"));
        for (String c : DemoCommand.CUSTODIANS) {
            Path f = passphrases.resolve(c + ".pass");
            Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(f, "pass-" + c + "-" + HexFormat.of().formatHex(random.generateSeed(12)) + "\n");
        }
        String yaml;
        try (java.io.InputStream in = DemoCommand.class.getResourceAsStream("demo-ceremony.yaml")) {
            yaml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertThat(yaml).contains("label: eid-offline,", "label: eid-online,");
        Path ceremony = data.resolve("demo-ceremony.yaml");
        Files.writeString(
                ceremony,
                yaml.replace("label: eid-offline,", "label: " + offlineLabel + ",")
                        .replace("label: eid-online,", "label: " + onlineLabel + ","));
        return eidpki(data, "ceremony", "--data-dir", data.toString(), ceremony.toString());
    }

    /**
     * {@link #demoCeremony(Path, String, String)} with token labels of the caller's own,
     * {@code PREFIX-off-RANDOM} and {@code PREFIX-on-RANDOM}, checked to succeed: the online token's label.
     */
    static String demoCeremony(Path data, String prefix) throws IOException {
        String suffix = HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        Result r = demoCeremony(data, prefix + "-off-" + suffix, prefix + "-on-" + suffix);
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        return prefix + "-on-" + suffix;
    }

    static Result eidpki(Path data, String... args) {
        try {
            Path out = Files.createTempFile(data, "out", ".txt");
            Path err = Files.createTempFile(data, "err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command(args))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            pb.environment().putAll(environment());
            Process p = pb.start();
            if (!p.waitFor(3, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("eidpki " + String.join(" ", args) + " did not end within 3 minutes");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * Runs independent commands three at a time (each is its own JVM, mostly waiting on its start-up)
     * and returns their results in the order given. Only for commands that cannot touch each other's
     * state, such as refusals before anything is opened.
     */
    static List<Result> eidpkiAll(Path data, List<String[]> commands) {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Result>> futures = new ArrayList<>();
            for (String[] args : commands) {
                futures.add(pool.submit(() -> eidpki(data, args)));
            }
            List<Result> results = new ArrayList<>();
            for (Future<Result> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new AssertionError(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            pool.shutdownNow();
        }
    }

    static Process start(Path log, String... args) throws IOException {
        return start(Map.of(), log, args);
    }

    /** Like {@link #start(Path, String...)} with {@code more} in the environment. */
    static Process start(Map<String, String> more, Path log, String... args) throws IOException {
        ProcessBuilder pb =
                new ProcessBuilder(command(args)).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(environment());
        pb.environment().putAll(more);
        return pb.start();
    }

    /** An empty owner-only directory under target/test-work (a temporary one if mariadbd's socket path would be too long). */
    static Path freshDirectory(String name) throws IOException {
        Path dir = Path.of(System.getProperty("eidpki.test.workdir", "target/test-work"))
                .toAbsolutePath()
                .normalize()
                .resolve(name);
        if (dir.resolve("db/mysqld.sock").toString().length() > 100) {
            dir = Files.createTempDirectory("eidpki-" + name);
        } else {
            deleteTree(dir);
            Files.createDirectories(dir);
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return dir;
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

    /**
     * Waits (2 minutes at most) until the server started with {@code log} prints the line
     * {@code listening} matches, and returns {@code http://127.0.0.1:PORT} from its first group;
     * fails at once if the server dies.
     */
    static String awaitListening(Process server, Path log, java.util.regex.Pattern listening, String what)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            java.util.regex.Matcher m = listening.matcher(Files.readString(log));
            if (m.find()) {
                return "http://127.0.0.1:" + m.group(1);
            }
            assertThat(server.isAlive()).as(Files.readString(log)).isTrue();
            assertThat(System.nanoTime())
                    .as(what + " did not listen within 2 minutes")
                    .isLessThan(deadline);
            Thread.sleep(200);
        }
    }
}
