package tw.eid.pki.ca.custody;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

/** Shared set-up for the custody tests: cheap scrypt, a pinned clock, named custodians. */
final class CustodyFixtures {

    /** 1 MiB per derivation: the tests run dozens of them. */
    static final ScryptCost TEST_COST = new ScryptCost(10, 8, 1);

    static final Instant CEREMONY = Instant.parse("2025-03-01T09:30:00Z");
    static final Clock CLOCK = Clock.fixed(CEREMONY, ZoneOffset.UTC);
    static final String LABEL = "citizen-ca";
    static final List<String> NAMES = List.of("alice", "bob", "carol", "dave", "erin");

    private static final ObjectMapper JSON = new ObjectMapper();

    private CustodyFixtures() {}

    static PinSplitter splitter() {
        return new PinSplitter(new SecureRandom(), CLOCK, TEST_COST);
    }

    static char[] passphrase(String name) {
        return (name + "-correct-horse-battery").toCharArray();
    }

    static List<Custodian> custodians(int n) {
        List<Custodian> custodians = new ArrayList<>();
        for (String name : NAMES.subList(0, n)) {
            custodians.add(new Custodian(name, passphrase(name)));
        }
        return custodians;
    }

    /** Unlocks for the given 0-based positions of a split made with {@link #custodians}. */
    static List<ShareUnlock> unlocks(List<Path> files, int... positions) {
        List<ShareUnlock> unlocks = new ArrayList<>();
        for (int position : positions) {
            unlocks.add(new ShareUnlock(files.get(position), passphrase(NAMES.get(position))));
        }
        return unlocks;
    }

    static ObjectNode readJson(Path file) throws IOException {
        return (ObjectNode) JSON.readTree(Files.readAllBytes(file));
    }

    static void editJson(Path file, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode root = readJson(file);
        edit.accept(root);
        Files.write(file, JSON.writeValueAsBytes(root));
    }

    /** Flips one bit of a base64 field of {@code node}, leaving valid base64 behind. */
    static void flipBase64Byte(ObjectNode node, String field, int position) {
        byte[] bytes = Base64.getDecoder().decode(node.get(field).asText());
        bytes[position] ^= 0x01;
        node.put(field, Base64.getEncoder().encodeToString(bytes));
    }
}
