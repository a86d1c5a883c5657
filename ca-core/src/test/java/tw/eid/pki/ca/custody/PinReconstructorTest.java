package tw.eid.pki.ca.custody;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static tw.eid.pki.ca.custody.CustodyFixtures.LABEL;
import static tw.eid.pki.ca.custody.CustodyFixtures.TEST_COST;
import static tw.eid.pki.ca.custody.CustodyFixtures.custodians;
import static tw.eid.pki.ca.custody.CustodyFixtures.editJson;
import static tw.eid.pki.ca.custody.CustodyFixtures.flipBase64Byte;
import static tw.eid.pki.ca.custody.CustodyFixtures.passphrase;
import static tw.eid.pki.ca.custody.CustodyFixtures.splitter;
import static tw.eid.pki.ca.custody.CustodyFixtures.unlocks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PinReconstructorTest {

    @TempDir
    Path dir;

    private final PinReconstructor reconstructor = new PinReconstructor();

    @Test
    void twoOfThreeRebuildsFromEveryPairAndFromAllThree() {
        char[] pin = PinSplitter.generatePin(new SecureRandom());
        List<Path> files = splitter().split(LABEL, pin, custodians(3), 2, dir);

        List<int[]> subsets = subsetsOfAtLeast(3, 2);
        assertThat(subsets).hasSize(4);
        for (int[] subset : subsets) {
            assertThat(reconstructor.reconstruct(LABEL, unlocks(files, subset)))
                    .as("shares %s", java.util.Arrays.toString(subset))
                    .isEqualTo(pin);
        }
    }

    @Test
    void threeOfFiveRebuildsFromEveryTripleAndLargerSet() {
        char[] pin = PinSplitter.generatePin(new SecureRandom());
        List<Path> files = splitter().split(LABEL, pin, custodians(5), 3, dir);

        List<int[]> subsets = subsetsOfAtLeast(5, 3);
        assertThat(subsets).hasSize(10 + 5 + 1);
        for (int[] subset : subsets) {
            assertThat(reconstructor.reconstruct(LABEL, unlocks(files, subset)))
                    .as("shares %s", java.util.Arrays.toString(subset))
                    .isEqualTo(pin);
        }
    }

    @Test
    void orderOfShareFilesDoesNotMatter() {
        char[] pin = PinSplitter.generatePin(new SecureRandom());
        List<Path> files = splitter().split(LABEL, pin, custodians(5), 3, dir);

        assertThat(reconstructor.reconstruct(LABEL, unlocks(files, 4, 0, 2))).isEqualTo(pin);
    }

    @Test
    void aNonAsciiPinSurvivesTheRoundTrip() {
        char[] pin = "身分證-PIN-Ωµ-😀-1234".toCharArray();
        List<Path> files = splitter().split(LABEL, pin, custodians(3), 2, dir);

        assertThat(reconstructor.reconstruct(LABEL, unlocks(files, 0, 2))).isEqualTo(pin);
    }

    @Test
    void fewerThanKSharesAreRefused() {
        List<Path> files = split(5, 3);

        assertFails(
                () -> reconstructor.reconstruct(LABEL, unlocks(files, 0, 3)),
                CustodyException.Code.TOO_FEW_SHARES,
                "needs 3 of 5 shares, got 2");
        assertFails(
                () -> reconstructor.reconstruct(LABEL, List.of()),
                CustodyException.Code.TOO_FEW_SHARES,
                "no share files");
    }

    @Test
    void theSameShareTwiceDoesNotCountTwice() {
        List<Path> files = split(3, 2);
        List<ShareUnlock> twice = unlocks(files, 1, 1);

        assertFails(
                () -> reconstructor.reconstruct(LABEL, twice),
                CustodyException.Code.DUPLICATE_INDEX,
                "both carry share 2");
    }

    @Test
    void aWrongPassphraseNamesTheCustodian() {
        List<Path> files = split(3, 2);
        List<ShareUnlock> unlocks = List.of(
                new ShareUnlock(files.get(0), passphrase("alice")),
                new ShareUnlock(files.get(1), "not-bobs-passphrase".toCharArray()));

        assertFails(
                () -> reconstructor.reconstruct(LABEL, unlocks),
                CustodyException.Code.WRONG_PASSPHRASE,
                "custodian 'bob'");
    }

    @Test
    void aFlippedCiphertextByteIsCorruption() throws IOException {
        List<Path> files = split(3, 2);
        editJson(files.get(1), json -> flipBase64Byte((ObjectNode) json.get("cipher"), "ciphertext", 3));

        assertCorrupt(files, 1);
    }

    @Test
    void aFlippedNonceIsCorruption() throws IOException {
        List<Path> files = split(3, 2);
        editJson(files.get(1), json -> flipBase64Byte((ObjectNode) json.get("cipher"), "nonce", 0));

        assertCorrupt(files, 1);
    }

    @Test
    void anEditedCustodianNameIsCorruption() throws IOException {
        List<Path> files = split(3, 2);
        editJson(files.get(1), json -> json.put("custodian", "mallory"));

        assertCorrupt(files, 1);
    }

    @Test
    void anEditedThresholdIsCorruptionNotAMixUp() throws IOException {
        List<Path> files = split(3, 2);
        editJson(files.get(0), json -> json.put("k", 3));

        assertCorrupt(files, 0);
    }

    @Test
    void anEditedShareIndexIsCorruption() throws IOException {
        List<Path> files = split(3, 2);
        editJson(files.get(0), json -> json.put("index", 3));

        assertFails(
                () -> reconstructor.reconstruct(LABEL, unlocks(files, 0, 1)),
                CustodyException.Code.CORRUPT_SHARE,
                files.get(0).toString());
    }

    @Test
    void aFlippedVerifierByteIsCorruption() throws IOException {
        List<Path> files = split(3, 2);
        editJson(files.get(1), json -> flipBase64Byte((ObjectNode) json.get("pinVerifier"), "hash", 7));

        assertCorrupt(files, 1);
    }

    @Test
    void aDamagedPassphraseCheckIsCorruptionNotAWrongPassphrase() throws IOException {
        List<Path> files = split(3, 2);
        editJson(files.get(1), json -> flipBase64Byte((ObjectNode) json.get("kdf"), "passphraseCheck", 0));

        assertCorrupt(files, 1);
    }

    @Test
    void badJsonIsCorruption() throws IOException {
        List<Path> files = split(3, 2);
        Files.writeString(files.get(1), "{\"format\": \"eidpki-pin-share\", ");

        assertFails(
                () -> reconstructor.reconstruct(LABEL, unlocks(files, 0, 1)),
                CustodyException.Code.CORRUPT_SHARE,
                files.get(1) + " is corrupt: not valid JSON");
    }

    @Test
    void badBase64IsCorruption() throws IOException {
        List<Path> files = split(3, 2);
        editJson(files.get(1), json -> ((ObjectNode) json.get("cipher")).put("ciphertext", "@@@@"));

        assertFails(
                () -> reconstructor.reconstruct(LABEL, unlocks(files, 0, 1)),
                CustodyException.Code.CORRUPT_SHARE,
                "'ciphertext' is not valid base64");
    }

    @Test
    void unknownFieldsAndVersionsAreCorruption() throws IOException {
        List<Path> files = split(3, 2);
        editJson(files.get(0), json -> json.put("comment", "added later"));
        editJson(files.get(1), json -> json.put("version", 2));

        assertFails(
                () -> reconstructor.reconstruct(LABEL, unlocks(files, 0, 2)),
                CustodyException.Code.CORRUPT_SHARE,
                "unknown field 'comment'");
        assertFails(
                () -> reconstructor.reconstruct(LABEL, unlocks(files, 1, 2)),
                CustodyException.Code.CORRUPT_SHARE,
                "unsupported format version 2");
    }

    @Test
    void aMissingFileIsUnreadable() {
        List<Path> files = split(3, 2);
        List<ShareUnlock> unlocks = List.of(
                new ShareUnlock(files.get(0), passphrase("alice")),
                new ShareUnlock(dir.resolve("nowhere.json"), passphrase("bob")));

        assertFails(
                () -> reconstructor.reconstruct(LABEL, unlocks),
                CustodyException.Code.SHARE_UNREADABLE,
                "nowhere.json does not exist");
    }

    @Test
    void sharesOfTwoSplitsOfOneTokenAreRefused() throws IOException {
        List<Path> first = splitter()
                .split(
                        LABEL,
                        PinSplitter.generatePin(new SecureRandom()),
                        custodians(3),
                        2,
                        Files.createDirectory(dir.resolve("first")));
        List<Path> second = splitter()
                .split(
                        LABEL,
                        PinSplitter.generatePin(new SecureRandom()),
                        custodians(3),
                        2,
                        Files.createDirectory(dir.resolve("second")));
        List<ShareUnlock> mixed = List.of(
                new ShareUnlock(first.get(0), passphrase("alice")), new ShareUnlock(second.get(1), passphrase("bob")));

        assertFails(
                () -> reconstructor.reconstruct(LABEL, mixed),
                CustodyException.Code.MIXED_SPLITS,
                "different splits of token 'citizen-ca'");
    }

    @Test
    void sharesOfTwoTokensAreRefused() throws IOException {
        char[] pin = PinSplitter.generatePin(new SecureRandom());
        List<Path> citizen =
                splitter().split(LABEL, pin, custodians(3), 2, Files.createDirectory(dir.resolve("citizen")));
        List<Path> operators = splitter()
                .split("ra-operators-ca", pin, custodians(3), 2, Files.createDirectory(dir.resolve("operators")));
        List<ShareUnlock> mixed = List.of(
                new ShareUnlock(citizen.get(0), passphrase("alice")),
                new ShareUnlock(operators.get(1), passphrase("bob")));

        assertFails(
                () -> reconstructor.reconstruct(LABEL, mixed),
                CustodyException.Code.WRONG_TOKEN,
                "is a share of token 'ra-operators-ca', not of 'citizen-ca'");
    }

    @Test
    void aCompleteSetOfAnotherTokensSharesIsRefusedBeforeJoining() throws IOException {
        char[] pin = PinSplitter.generatePin(new SecureRandom());
        List<Path> operators = splitter()
                .split("ra-operators-ca", pin, custodians(3), 2, Files.createDirectory(dir.resolve("operators-only")));
        List<ShareUnlock> theirs = List.of(
                new ShareUnlock(operators.get(0), passphrase("alice")),
                new ShareUnlock(operators.get(1), passphrase("bob")));

        assertFails(
                () -> reconstructor.reconstruct(LABEL, theirs),
                CustodyException.Code.WRONG_TOKEN,
                "not of 'citizen-ca'");
        assertThat(reconstructor.reconstruct("ra-operators-ca", theirs)).isEqualTo(pin);
    }

    @Test
    void anAuthenticButWrongShareIsCaughtByTheVerifier() throws IOException {
        // A share sealed correctly under its custodian's passphrase but with the wrong content, as a
        // faulty or malicious custodian tool could write. Only the PIN verifier can catch this, and it
        // must, before the PIN reaches the token.
        List<Path> files = split(3, 2);
        Path bobs = files.get(1);
        ShareFile original = ShareFileStore.read(bobs);
        byte[] share = ShareSeal.open(original, passphrase("bob"), bobs);
        share[0] ^= 0x5a;
        ShareFile forged = ShareSeal.seal(original.header(), share, passphrase("bob"), TEST_COST, new SecureRandom());
        Files.write(bobs, forged.toJson());

        assertFails(
                () -> reconstructor.reconstruct(LABEL, unlocks(files, 0, 1)),
                CustodyException.Code.PIN_MISMATCH,
                "shares do not combine to the PIN of token 'citizen-ca': one of them is corrupt");
        assertThat(reconstructor.reconstruct(LABEL, unlocks(files, 0, 2)))
                .as("the other two shares still rebuild it")
                .hasSize(PinSplitter.GENERATED_PIN_LENGTH);
    }

    @Test
    void secretTextRoundTripsWithoutLoss() throws Exception {
        char[] text = "密碼 pass Ω 😀".toCharArray();
        assertThat(SecretText.decode(SecretText.encode(text))).isEqualTo(text);
        assertThatThrownBy(() -> SecretText.encode(new char[] {'a', '\uD800'}))
                .isInstanceOf(java.nio.charset.CharacterCodingException.class);
    }

    private List<Path> split(int n, int k) {
        return splitter().split(LABEL, PinSplitter.generatePin(new SecureRandom()), custodians(n), k, dir);
    }

    private void assertCorrupt(List<Path> files, int damaged) {
        int other = damaged == 0 ? 1 : 0;
        assertFails(
                () -> reconstructor.reconstruct(LABEL, unlocks(files, other, damaged)),
                CustodyException.Code.CORRUPT_SHARE,
                files.get(damaged).toString());
    }

    private static void assertFails(ThrowingCallable action, CustodyException.Code code, String messageFragment) {
        assertThatThrownBy(action).isInstanceOfSatisfying(CustodyException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).contains(messageFragment).doesNotContain("\n");
        });
    }

    /** Every subset of {0..n-1} with at least {@code min} members, as sorted positions. */
    private static List<int[]> subsetsOfAtLeast(int n, int min) {
        List<int[]> subsets = new ArrayList<>();
        for (int mask = 0; mask < (1 << n); mask++) {
            if (Integer.bitCount(mask) < min) {
                continue;
            }
            int[] subset = new int[Integer.bitCount(mask)];
            for (int i = 0, j = 0; i < n; i++) {
                if ((mask & (1 << i)) != 0) {
                    subset[j++] = i;
                }
            }
            subsets.add(subset);
        }
        return subsets;
    }
}
