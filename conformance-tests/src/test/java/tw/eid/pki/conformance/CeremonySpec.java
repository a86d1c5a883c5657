package tw.eid.pki.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tw.eid.pki.ca.custody.PinReconstructor;
import tw.eid.pki.ca.custody.ShareLocator;
import tw.eid.pki.ca.custody.ShareUnlock;

/**
 * A ceremony file for one data directory: the foundation ceremony ({@code full-ceremony.yaml})
 * with this test's token labels and three custodians (2 of 3) whose random passphrases sit in
 * owner-only files under {@code DATA/passphrases/}. Relative paths resolve against the data dir.
 */
final class CeremonySpec {
    private static final SecureRandom RANDOM = new SecureRandom();

    static final List<String> CUSTODIANS = List.of("alice", "bob", "carol");
    static final int THRESHOLD = 2;

    /** Key labels the file creates, by token role. */
    static final Set<String> OFFLINE_KEYS = Set.of("citizen-root-key", "csca-key");

    static final Set<String> ONLINE_KEY_PAIRS =
            Set.of("citizen-ca-key", "citizen-ca-ocsp-key", "ra-operators-ca-key", "ds-001-key", "audit-key");
    static final Set<String> ONLINE_SECRETS = Set.of("pii-hmac-1", "pii-aes-1");

    final Path dataDir;
    final String name;
    final String offlineLabel;
    final String onlineLabel;

    private CeremonySpec(Path dataDir, String name, String offlineLabel, String onlineLabel) {
        this.dataDir = dataDir;
        this.name = name;
        this.offlineLabel = offlineLabel;
        this.onlineLabel = onlineLabel;
    }

    /**
     * A spec with fresh random token labels ({@code <prefix>-off-<hex>}, {@code <prefix>-on-<hex>}),
     * unique in the run's shared SoftHSM2 token directory, and fresh custodian passphrase files.
     */
    static CeremonySpec create(Path dataDir, String prefix) {
        String suffix = HexFormat.of().formatHex(RANDOM.generateSeed(4));
        CeremonySpec spec = new CeremonySpec(dataDir, "initial", prefix + "-off-" + suffix, prefix + "-on-" + suffix);
        for (String c : CUSTODIANS) {
            spec.writePassphrase(c, "pass-" + c + "-" + HexFormat.of().formatHex(RANDOM.generateSeed(12)));
        }
        return spec;
    }

    /** The ceremony file text with {@code name} and token labels substituted. */
    String yaml(String ceremonyName, String offline, String online) {
        StringBuilder members = new StringBuilder();
        for (String c : CUSTODIANS) {
            members.append("    - {name: ")
                    .append(c)
                    .append(", passphraseFile: passphrases/")
                    .append(c)
                    .append(".pass}\n");
        }
        return template()
                .replace("${NAME}", ceremonyName)
                .replace("${OFFLINE}", offline)
                .replace("${ONLINE}", online)
                .replace("${THRESHOLD}", String.valueOf(THRESHOLD))
                .replace("${MEMBERS}\n", members.toString());
    }

    String yaml() {
        return yaml(name, offlineLabel, onlineLabel);
    }

    /** Writes a ceremony file into the data directory. */
    Path writeFile(String fileName, String text) {
        Path f = dataDir.resolve(fileName);
        try {
            Files.writeString(f, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return f;
    }

    /** Writes (or overwrites) a custodian's passphrase file, owner-only as the launcher expects. */
    Path writePassphrase(String custodian, String passphrase) {
        try {
            Path dir = dataDir.resolve("passphrases");
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            Path f = dir.resolve(custodian + ".pass");
            Files.deleteIfExists(f);
            Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(f, passphrase + "\n");
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path passphraseFile(String custodian) {
        return dataDir.resolve("passphrases").resolve(custodian + ".pass");
    }

    /** {@code --custodian NAME:PASSFILE} values for activate. */
    String custodianArg(String custodian) {
        return custodian + ":" + passphraseFile(custodian);
    }

    Path output() {
        return dataDir.resolve("ceremony").resolve(name);
    }

    Path custody() {
        return dataDir.resolve("custody");
    }

    /** Runs this spec's full ceremony in a child JVM. */
    Tools.Result run() {
        return Cli.eidpki(
                "ceremony",
                "--data-dir",
                dataDir.toString(),
                writeFile(name + ".yaml", yaml()).toString());
    }

    Tools.Result run(Path ceremonyFile) {
        return Cli.eidpki("ceremony", "--data-dir", dataDir.toString(), ceremonyFile.toString());
    }

    /**
     * Rebuilds a token's user PIN in this JVM from the named custodians' share files, with
     * ca-core's custody code (the same path a service takes at start-up). The caller clears it.
     */
    char[] pin(String tokenLabel, String... custodians) {
        List<ShareUnlock> unlocks = new ArrayList<>();
        for (String c : custodians) {
            try {
                unlocks.add(new ShareUnlock(
                        ShareLocator.find(custody(), tokenLabel, c),
                        Files.readString(passphraseFile(c)).strip().toCharArray()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new PinReconstructor().reconstruct(tokenLabel, unlocks);
    }

    Map<String, String> labels() {
        return Map.of("offline", offlineLabel, "online", onlineLabel);
    }

    private static String template() {
        try (InputStream in = CeremonySpec.class.getResourceAsStream("full-ceremony.yaml")) {
            if (in == null) {
                throw new IllegalStateException("full-ceremony.yaml is missing from the test resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
