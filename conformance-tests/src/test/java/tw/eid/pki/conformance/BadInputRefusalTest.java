package tw.eid.pki.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Acceptance (d): bad input is refused with exit 2 and one clear line on stderr (no stack trace),
 * and leaves the tokens and the database as they were.
 */
class BadInputRefusalTest {
    private static CeremonySpec base;
    private static String[] activateWith;

    /** A good ceremony first: its tokens, shares and database are what the refusals must not touch. */
    @BeforeAll
    static void runGoodCeremony() {
        base = CeremonySpec.create(Workspace.fresh("bad"), "cfd");
        Tools.Result r = base.run();
        assertThat(r.exitCode()).as(r.describe()).isZero();
    }

    // ---- ceremony files refused before anything is touched ------------------------------------

    static Stream<Arguments> badCeremonyFiles() {
        return Stream.of(
                bad(
                        "malformed-yaml",
                        y -> y.replace("custodians:\n  threshold:", "custodians: [\n  threshold:"),
                        "malformed ceremony file at line"),
                bad(
                        "unknown-field",
                        y -> y.replace("  threshold: 2\n", "  threshold: 2\n  quorum: 2\n"),
                        "unknown field 'quorum'"),
                bad(
                        "unknown-algorithm",
                        y -> y.replace("label: csca-key, algorithm: ec-p384", "label: csca-key, algorithm: ec-p999"),
                        "step 2: ",
                        "ec-p999"),
                bad(
                        "unknown-profile",
                        y -> y.replace("profile: ocsp-signer", "profile: ocsp-responder"),
                        "unknown ceremony profile 'ocsp-responder'"),
                bad(
                        "end-entity-profile",
                        y -> y.replace("profile: ocsp-signer", "profile: operator"),
                        "unknown ceremony profile 'operator'"),
                bad(
                        "k-greater-than-n",
                        y -> y.replace("  threshold: 2\n", "  threshold: 4\n"),
                        "threshold k=4 is greater than n=3"),
                bad(
                        "duplicate-custodian",
                        y -> y.replace(
                                "- {name: carol, passphraseFile: passphrases/carol.pass}",
                                "- {name: alice, passphraseFile: passphrases/carol.pass}"),
                        "duplicate custodian 'alice'"));
    }

    private static Arguments bad(String name, UnaryOperator<String> edit, String... expected) {
        return Arguments.of(name, edit, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCeremonyFiles")
    void badCeremonyFileChangesNothing(String name, UnaryOperator<String> edit, String[] expected) {
        CeremonySpec spec = CeremonySpec.create(Workspace.fresh("bad-" + name), "cfd");
        String good = spec.yaml();
        String yaml = edit.apply(good);
        assertThat(yaml).as("the edit applies").isNotEqualTo(good);
        Path file = spec.writeFile(name + ".yaml", yaml);
        String tokensBefore = Pkcs11Tool.slotListing();

        Refusals.assertOneLineRefusal(spec.run(file), expected);

        assertThat(Pkcs11Tool.slotListing()).isEqualTo(tokensBefore);
        assertThat(Pkcs11Tool.tokenLabels()).doesNotContain(spec.offlineLabel, spec.onlineLabel);
        // Refused before the store was opened: no database, no shares, no outputs.
        assertThat(spec.dataDir.resolve("db")).doesNotExist();
        assertThat(spec.custody()).doesNotExist();
        assertThat(spec.dataDir.resolve("ceremony")).doesNotExist();
    }

    // ---- refusals after the store is open: the database must not change ------------------------

    @Test
    void shortPassphraseAndExistingTokenLabelsChangeNothing() throws Exception {
        long[] before = rowCounts();
        List<String> sharesBefore = listing(base.custody());
        String tokensBefore = Pkcs11Tool.slotListing();
        char[] onlinePin = base.pin(base.onlineLabel, "alice", "bob");
        char[] offlinePin = base.pin(base.offlineLabel, "bob", "carol");
        String onlineObjects = Pkcs11Tool.runLoggedIn(base.onlineLabel, onlinePin, "--list-objects")
                .stdout();
        String offlineObjects = Pkcs11Tool.runLoggedIn(base.offlineLabel, offlinePin, "--list-objects")
                .stdout();

        // A passphrase shorter than 12 characters (new tokens, so nothing else stands in the way).
        base.writePassphrase("short", "elevenchars");
        assertThat("elevenchars").hasSize(11);
        String offShort = base.offlineLabel + "-short";
        String onShort = base.onlineLabel + "-short";
        String shortYaml = base.yaml("short-passphrase", offShort, onShort)
                .replace("passphrases/carol.pass", "passphrases/short.pass");
        Refusals.assertOneLineRefusal(
                base.run(base.writeFile("short-passphrase.yaml", shortYaml)),
                "custodian carol: passphrase must have at least 12 characters");
        assertThat(Pkcs11Tool.tokenLabels()).doesNotContain(offShort, onShort);

        // Re-using the existing tokens' labels: refused, the tokens untouched.
        String reuse = base.yaml("reuse", base.offlineLabel, base.onlineLabel);
        Refusals.assertOneLineRefusal(
                base.run(base.writeFile("reuse.yaml", reuse)),
                "a token labelled '" + base.offlineLabel + "' already exists");

        assertThat(Pkcs11Tool.slotListing()).isEqualTo(tokensBefore);
        assertThat(Pkcs11Tool.runLoggedIn(base.onlineLabel, onlinePin, "--list-objects")
                        .stdout())
                .isEqualTo(onlineObjects);
        assertThat(Pkcs11Tool.runLoggedIn(base.offlineLabel, offlinePin, "--list-objects")
                        .stdout())
                .isEqualTo(offlineObjects);
        assertThat(listing(base.custody())).isEqualTo(sharesBefore);
        assertThat(base.dataDir.resolve("ceremony/short-passphrase")).doesNotExist();
        assertThat(base.dataDir.resolve("ceremony/reuse")).doesNotExist();
        assertThat(rowCounts())
                .as("ceremony, audit_event, audit_checkpoint, ca, certificate, crl rows")
                .isEqualTo(before);
    }

    @Test
    void aNewTokenListedBeforeAnExistingOneIsNotCreated() throws IOException {
        List<String> sharesBefore = listing(base.custody());
        String tokensBefore = Pkcs11Tool.slotListing();
        String yaml = base.yaml("mixed", base.offlineLabel + "-mixed", base.onlineLabel);
        Refusals.assertOneLineRefusal(
                base.run(base.writeFile("mixed.yaml", yaml)),
                "a token labelled '" + base.onlineLabel + "' already exists");
        assertThat(Pkcs11Tool.slotListing()).isEqualTo(tokensBefore);
        assertThat(listing(base.custody())).isEqualTo(sharesBefore);
    }

    // ---- activate -----------------------------------------------------------------------------

    @Test
    void activateRefusesAWrongPassphrase() throws IOException {
        Path wrong = base.dataDir.resolve("passphrases/bob-wrong.pass");
        Files.writeString(wrong, "not-bobs-passphrase\n");
        assertActivateRefused(
                null, List.of(base.custodianArg("alice"), "bob:" + wrong), "wrong passphrase for custodian 'bob'");
    }

    @Test
    void activateRefusesAMissingShareFile() throws IOException {
        Path shares = copyOfShares("missing");
        Files.delete(shareFile(shares, "bob"));
        assertActivateRefused(
                shares,
                List.of(base.custodianArg("alice"), base.custodianArg("bob")),
                "custodian bob: no share file of token '" + base.onlineLabel + "'");
    }

    @Test
    void activateRefusesACorruptedShare() throws IOException {
        Path shares = copyOfShares("corrupt");
        Path alice = shareFile(shares, "alice");
        ObjectMapper json = new ObjectMapper();
        ObjectNode share = (ObjectNode) json.readTree(alice.toFile());
        ObjectNode cipher = (ObjectNode) share.get("cipher");
        byte[] ciphertext = Base64.getDecoder().decode(cipher.get("ciphertext").asText());
        ciphertext[ciphertext.length / 2] ^= 0x01;
        cipher.put("ciphertext", Base64.getEncoder().encodeToString(ciphertext));
        json.writerWithDefaultPrettyPrinter().writeValue(alice.toFile(), share);
        assertActivateRefused(
                shares,
                List.of(base.custodianArg("alice"), base.custodianArg("bob")),
                "of custodian 'alice' fails its integrity check");
    }

    @Test
    void activateRefusesFewerThanKCustodians() {
        assertActivateRefused(
                null,
                List.of(base.custodianArg("carol")),
                "token '" + base.onlineLabel + "' needs 2 of 3 shares, got 1");
    }

    private static void assertActivateRefused(Path shares, List<String> custodians, String expected) {
        String tokensBefore = Pkcs11Tool.slotListing();
        List<String> args = new java.util.ArrayList<>(
                List.of("activate", "--data-dir", base.dataDir.toString(), "--token-label", base.onlineLabel));
        if (shares != null) {
            args.addAll(List.of("--shares", shares.toString()));
        }
        custodians.forEach(c -> args.addAll(List.of("--custodian", c)));
        Refusals.assertOneLineRefusal(Cli.eidpki(args.toArray(String[]::new)), expected);
        assertThat(Pkcs11Tool.slotListing()).isEqualTo(tokensBefore);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static long[] rowCounts() throws Exception {
        try (StoreProbe db = StoreProbe.open(base.dataDir)) {
            long[] counts = new long[6];
            String[] tables = {"ceremony", "audit_event", "audit_checkpoint", "ca", "certificate", "crl"};
            for (int i = 0; i < tables.length; i++) {
                counts[i] = db.count(tables[i]);
            }
            assertThat(counts[0]).as("the good ceremony is recorded").isEqualTo(1);
            return counts;
        }
    }

    private static List<String> listing(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static Path copyOfShares(String name) throws IOException {
        Path dir = base.dataDir.resolve("shares-" + name);
        Workspace.deleteTree(dir);
        Files.createDirectories(dir);
        try (var files = Files.list(base.custody())) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return dir;
    }

    private static Path shareFile(Path shares, String custodian) throws IOException {
        try (var files = Files.list(shares)) {
            return files.filter(p -> p.getFileName()
                            .toString()
                            .matches(java.util.regex.Pattern.quote(base.onlineLabel) + "\\.share-\\d+-of-\\d+\\."
                                    + custodian + "\\.json"))
                    .findFirst()
                    .orElseThrow();
        }
    }
}
