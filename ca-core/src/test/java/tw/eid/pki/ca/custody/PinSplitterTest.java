package tw.eid.pki.ca.custody;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static tw.eid.pki.ca.custody.CustodyFixtures.CEREMONY;
import static tw.eid.pki.ca.custody.CustodyFixtures.LABEL;
import static tw.eid.pki.ca.custody.CustodyFixtures.custodians;
import static tw.eid.pki.ca.custody.CustodyFixtures.passphrase;
import static tw.eid.pki.ca.custody.CustodyFixtures.readJson;
import static tw.eid.pki.ca.custody.CustodyFixtures.splitter;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PinSplitterTest {

    private static final char[] PIN = "Kq7mZp3xR8tWv2cN9hJ4bY6dF5gS2aLe".toCharArray();

    @TempDir
    Path dir;

    @Test
    void generatedPinIs32CharactersFromTheSafeAlphabet() {
        SecureRandom random = new SecureRandom();
        char[] first = PinSplitter.generatePin(random);
        char[] second = PinSplitter.generatePin(random);

        assertThat(first).hasSize(32);
        assertThat(new String(first)).matches("[A-HJ-NP-Za-km-np-z2-9]{32}");
        assertThat(second).isNotEqualTo(first);
    }

    @Test
    void writesOneOwnerOnlyFilePerCustodianAndNothingElse() throws IOException {
        List<Path> files = splitter().split(LABEL, PIN, custodians(3), 2, dir);

        assertThat(files)
                .extracting(f -> f.getFileName().toString())
                .containsExactly(
                        "citizen-ca.share-1-of-3.alice.json",
                        "citizen-ca.share-2-of-3.bob.json",
                        "citizen-ca.share-3-of-3.carol.json");
        for (Path file : files) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .as("permissions of %s", file)
                    .isEqualTo("rw-------");
        }
        try (Stream<Path> listing = Files.list(dir)) {
            assertThat(listing).as("no temporary files left behind").containsExactlyInAnyOrderElementsOf(files);
        }
    }

    @Test
    void shareFilesCarryTheVersionedHeaderAndOneSplitIdAndVerifier() throws IOException {
        List<Path> files = splitter().split(LABEL, PIN, custodians(3), 2, dir);

        Set<String> splitIds = new HashSet<>();
        Set<JsonNode> verifiers = new HashSet<>();
        Set<String> kdfSalts = new HashSet<>();
        for (int i = 0; i < files.size(); i++) {
            JsonNode json = readJson(files.get(i));
            assertThat(json.get("format").asText()).isEqualTo("eidpki-pin-share");
            assertThat(json.get("version").asInt()).isEqualTo(1);
            assertThat(json.get("tokenLabel").asText()).isEqualTo(LABEL);
            assertThat(json.get("custodian").asText()).isEqualTo(CustodyFixtures.NAMES.get(i));
            assertThat(json.get("index").asInt()).isEqualTo(i + 1);
            assertThat(json.get("k").asInt()).isEqualTo(2);
            assertThat(json.get("n").asInt()).isEqualTo(3);
            assertThat(json.get("createdAt").asText()).isEqualTo(CEREMONY.toString());
            assertThat(json.get("kdf").get("algorithm").asText()).isEqualTo("scrypt");
            assertThat(json.get("kdf").get("log2N").asInt()).isEqualTo(10);
            assertThat(json.get("cipher").get("algorithm").asText()).isEqualTo("AES-256-GCM");
            splitIds.add(json.get("splitId").asText());
            verifiers.add(json.get("pinVerifier"));
            kdfSalts.add(json.get("kdf").get("salt").asText());
        }
        assertThat(splitIds).hasSize(1);
        assertThat(verifiers).hasSize(1);
        assertThat(kdfSalts).as("each custodian's key has its own salt").hasSize(3);
    }

    @Test
    void noShareFileContainsThePin() throws IOException {
        List<Path> files = splitter().split(LABEL, PIN, custodians(3), 2, dir);

        for (Path file : files) {
            assertThat(Files.readString(file, StandardCharsets.UTF_8)).doesNotContain(new String(PIN));
        }
    }

    @Test
    void twoSplitsOfTheSamePinDiffer() throws IOException {
        Path first = Files.createDirectory(dir.resolve("first"));
        Path second = Files.createDirectory(dir.resolve("second"));
        List<Path> a = splitter().split(LABEL, PIN, custodians(3), 2, first);
        List<Path> b = splitter().split(LABEL, PIN, custodians(3), 2, second);

        assertThat(readJson(a.get(0)).get("splitId"))
                .isNotEqualTo(readJson(b.get(0)).get("splitId"));
        assertThat(readJson(a.get(0)).get("cipher"))
                .isNotEqualTo(readJson(b.get(0)).get("cipher"));
    }

    @Test
    void refusesThresholdAboveCustodianCount() {
        assertRefused(() -> splitter().split(LABEL, PIN, custodians(3), 4, dir), "k=4");
    }

    @Test
    void refusesThresholdBelowTwo() {
        assertRefused(() -> splitter().split(LABEL, PIN, custodians(3), 1, dir), "k=1");
    }

    @Test
    void refusesTooFewOrTooManyCustodians() {
        assertRefused(() -> splitter().split(LABEL, PIN, custodians(1), 2, dir), "got 1");
        List<Custodian> seventeen = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            seventeen.add(new Custodian("custodian-" + i, passphrase("c" + i)));
        }
        assertRefused(() -> splitter().split(LABEL, PIN, seventeen, 2, dir), "got 17");
    }

    @Test
    void refusesTheSameCustodianTwiceEvenInAnotherCase() {
        List<Custodian> custodians = List.of(
                new Custodian("Alice", passphrase("a1")),
                new Custodian("bob", passphrase("b")),
                new Custodian(" alice", passphrase("a2")));

        assertRefused(() -> splitter().split(LABEL, PIN, custodians, 2, dir), "listed twice");
    }

    @Test
    void refusesBlankCustodianNameAndShortPassphrase() {
        assertRefused(() -> new Custodian("  ", passphrase("x")), "custodian name is blank");
        assertRefused(
                () -> new Custodian("alice", "short".toCharArray()),
                "passphrase of custodian 'alice' is shorter than 12");
    }

    @Test
    void refusesBadTokenLabelAndPin() {
        assertRefused(() -> splitter().split(" ", PIN, custodians(3), 2, dir), "token label");
        assertRefused(() -> splitter().split("x".repeat(33), PIN, custodians(3), 2, dir), "longer than 32 bytes");
        assertRefused(() -> splitter().split(LABEL, "123".toCharArray(), custodians(3), 2, dir), "PIN must have");
    }

    @Test
    void refusesToOverwriteAnExistingShareFileAndWritesNothing() throws IOException {
        Path clash = dir.resolve(ShareFileName.of(LABEL, 2, 3, custodians(3).get(1)));
        Files.writeString(clash, "an older share");

        assertThatThrownBy(() -> splitter().split(LABEL, PIN, custodians(3), 2, dir))
                .isInstanceOfSatisfying(CustodyException.class, e -> {
                    assertThat(e.code()).isEqualTo(CustodyException.Code.SHARE_FILE_EXISTS);
                    assertThat(e.getMessage()).contains(clash.toString());
                });
        assertThat(Files.readString(clash)).isEqualTo("an older share");
        try (Stream<Path> listing = Files.list(dir)) {
            assertThat(listing).containsExactly(clash);
        }
    }

    @Test
    void atomicWriteRefusesAFileThatAppearedAfterTheCheck() throws IOException {
        // The split checks for clashes first; this is the write itself, for the race in between.
        Path target = dir.resolve("share.json");
        Files.writeString(target, "an older share");

        assertThatThrownBy(() -> ShareFileStore.writeNew(target, "{}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(
                        CustodyException.class,
                        e -> assertThat(e.code()).isEqualTo(CustodyException.Code.SHARE_FILE_EXISTS));
        assertThat(Files.readString(target)).isEqualTo("an older share");
        try (Stream<Path> listing = Files.list(dir)) {
            assertThat(listing).as("the temporary file is removed").containsExactly(target);
        }
    }

    @Test
    void refusesAMissingDirectory() {
        assertThatThrownBy(() -> splitter().split(LABEL, PIN, custodians(3), 2, dir.resolve("missing")))
                .isInstanceOfSatisfying(
                        CustodyException.class,
                        e -> assertThat(e.code()).isEqualTo(CustodyException.Code.WRITE_FAILED));
    }

    @Test
    void custodianNeverPrintsItsPassphrase() {
        assertThat(new Custodian("alice", passphrase("alice")).toString())
                .doesNotContain("correct-horse")
                .contains("alice");
    }

    private static void assertRefused(Runnable action, String messageFragment) {
        assertThatThrownBy(action::run).isInstanceOfSatisfying(CustodyException.class, e -> {
            assertThat(e.code()).isEqualTo(CustodyException.Code.INVALID_SPLIT);
            assertThat(e.getMessage()).contains(messageFragment);
        });
    }
}
