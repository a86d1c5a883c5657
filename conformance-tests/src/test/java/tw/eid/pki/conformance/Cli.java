package tw.eid.pki.conformance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tw.eid.pki.hsm.SoftHsmTestTokens;

/**
 * Runs {@code tw.eid.pki.launcher.EidPki} the way {@code bin/eidpki} does, in a child JVM: SoftHSM2
 * shows a process only the tokens that existed when it loaded the library, so every ceremony runs
 * in its own process and this JVM only judges the results.
 */
final class Cli {
    /** What bin/eidpki passes to the JVM so SunPKCS11's wrapper is reachable. */
    static final List<String> PKCS11_FLAGS = List.of(
            "--add-modules=jdk.crypto.cryptoki",
            "--add-exports=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED",
            "--add-exports=jdk.crypto.cryptoki/sun.security.pkcs11=ALL-UNNAMED");

    /** Ceremonies, with MariaDB start-up, take seconds; a stuck child must not hang the build. */
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    private Cli() {}

    /** The launcher's build output: the module basedir is surefire's working directory. */
    static Path launcherTarget() {
        Path target = Path.of(System.getProperty("user.dir"))
                .resolve("../launcher/target")
                .toAbsolutePath()
                .normalize();
        if (!Files.isRegularFile(target.resolve("eidpki.jar")) || !Files.isDirectory(target.resolve("lib"))) {
            throw new IllegalStateException(target + " has no eidpki.jar and lib/: run ./mvnw -B -o install -DskipTests"
                    + " -pl hsm-config,ca-core,ra-api,crl-publisher,ocsp-responder,launcher first");
        }
        return target;
    }

    /** The SoftHSM2 configuration of this test run (surefire points SOFTHSM2_CONF at target/softhsm). */
    static Path softHsmConf() {
        return SoftHsmTestTokens.conf().toAbsolutePath();
    }

    /** Environment for the child and for tools that open the tokens. */
    static Map<String, String> environment() {
        return Map.of(
                "SOFTHSM2_CONF",
                softHsmConf().toString(),
                // Cheap share-file KDF for tests (production keeps the recommended cost).
                "EIDPKI_SCRYPT_LOG2N",
                "10");
    }

    /** Runs {@code eidpki ARGS...}; the child's working directory is {@code directory} if not null. */
    static Tools.Result eidpki(Path directory, String... args) {
        return Tools.run(command(args), environment(), null, directory, TIMEOUT);
    }

    /** Starts {@code eidpki ARGS...} without waiting (a service); output goes to {@code log}. */
    static Process start(Path log, String... args) throws java.io.IOException {
        ProcessBuilder pb =
                new ProcessBuilder(command(args)).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(environment());
        return pb.start();
    }

    private static List<String> command(String... args) {
        Path target = launcherTarget();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(PKCS11_FLAGS);
        // Quick start-up and small footprint: this machine is shared with benchmarks.
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.addAll(TestTime.launcherProperties());
        command.add("-cp");
        command.add(target.resolve("eidpki.jar") + ":" + target.resolve("lib") + "/*");
        command.add("tw.eid.pki.launcher.EidPki");
        command.addAll(List.of(args));
        return command;
    }

    static Tools.Result eidpki(String... args) {
        return eidpki(null, args);
    }
}
