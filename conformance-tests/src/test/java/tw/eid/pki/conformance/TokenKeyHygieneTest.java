package tw.eid.pki.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tw.eid.pki.conformance.Pkcs11Tool.P11Object;

/**
 * Acceptance (b): what the tokens hold after the ceremony, judged by OpenSC's pkcs11-tool (and,
 * where pkcs11-tool cannot look, by raw PKCS#11 calls through the JDK's wrapper, not our
 * hsm-config). Each token's PIN is rebuilt here from two custodians' share files.
 */
class TokenKeyHygieneTest {
    private static final Set<String> NON_EXPORTABLE = Set.of("sensitive", "always sensitive", "never extractable");

    private static CeremonySpec spec;
    private static char[] offlinePin;
    private static char[] onlinePin;
    private static Path scratch;

    @BeforeAll
    static void runCeremony() throws IOException {
        spec = CeremonySpec.create(Workspace.fresh("tokens"), "cfb");
        Tools.Result r = spec.run();
        assertThat(r.exitCode()).as(r.describe()).isZero();
        // Two different pairs of custodians: any k of n rebuild the PIN.
        offlinePin = spec.pin(spec.offlineLabel, "alice", "carol");
        onlinePin = spec.pin(spec.onlineLabel, "bob", "carol");
        scratch = Files.createDirectories(spec.dataDir.resolve("scratch"));
    }

    @AfterAll
    static void clearPins() {
        if (offlinePin != null) {
            Arrays.fill(offlinePin, '\0');
            Arrays.fill(onlinePin, '\0');
        }
    }

    @Test
    void everyPrivateAndSecretKeyIsSensitiveAndNeverExtractable() {
        List<P11Object> all = new java.util.ArrayList<>(Pkcs11Tool.objects(spec.offlineLabel, offlinePin));
        all.addAll(Pkcs11Tool.objects(spec.onlineLabel, onlinePin));
        List<P11Object> keys =
                all.stream().filter(o -> o.isPrivateKey() || o.isSecretKey()).toList();
        assertThat(keys)
                .hasSize(CeremonySpec.OFFLINE_KEYS.size()
                        + CeremonySpec.ONLINE_KEY_PAIRS.size()
                        + CeremonySpec.ONLINE_SECRETS.size());
        for (P11Object k : keys) {
            assertThat(k.access())
                    .as(k.label() + " access")
                    .containsAll(NON_EXPORTABLE)
                    .doesNotContain("extractable");
        }
        for (P11Object k : all.stream().filter(P11Object::isPrivateKey).toList()) {
            // Signing only: no decrypt, unwrap, derive, sign-recover.
            assertThat(k.usage()).as(k.label() + " usage").containsExactly("sign");
        }
        for (P11Object k : all.stream().filter(P11Object::isSecretKey).toList()) {
            if (k.label().equals("pii-aes-1")) {
                assertThat(k.type()).startsWith("AES length 32");
                assertThat(k.usage()).as("AES usage").containsExactlyInAnyOrder("encrypt", "decrypt");
            } else {
                assertThat(k.label()).isEqualTo("pii-hmac-1");
                assertThat(k.type()).startsWith("Generic secret length 32");
                // pkcs11-tool 0.23 never prints "sign" for a secret key; the operations test and
                // the attribute read below show CKA_SIGN. What it prints must be verify alone.
                assertThat(k.usage()).as("HMAC usage").containsExactly("verify");
            }
        }
    }

    @Test
    void offlineTokenHoldsOnlyTheRootKeysAndTheOnlineTokenNone() throws Exception {
        List<P11Object> offline = Pkcs11Tool.objects(spec.offlineLabel, offlinePin);
        List<P11Object> online = Pkcs11Tool.objects(spec.onlineLabel, onlinePin);
        assertThat(labels(offline, P11Object::isPrivateKey)).isEqualTo(CeremonySpec.OFFLINE_KEYS);
        assertThat(labels(offline, P11Object::isPublicKey)).isEqualTo(CeremonySpec.OFFLINE_KEYS);
        assertThat(offline).hasSize(4);
        assertThat(labels(online, P11Object::isPrivateKey)).isEqualTo(CeremonySpec.ONLINE_KEY_PAIRS);
        assertThat(labels(online, P11Object::isSecretKey)).isEqualTo(CeremonySpec.ONLINE_SECRETS);
        assertThat(labels(online, o -> true)).doesNotContainAnyElementsOf(CeremonySpec.OFFLINE_KEYS);
        assertThat(new String(offlinePin)).isNotEqualTo(new String(onlinePin));

        // So an online service never needs the offline PIN: the store puts every online CA's key
        // in the online token, only the two roots in the offline one.
        try (StoreProbe db = StoreProbe.open(spec.dataDir);
                var rs = db.connection.createStatement().executeQuery("SELECT name, key_label, token_label FROM ca")) {
            Map<String, String> tokenOfCa = new java.util.HashMap<>();
            while (rs.next()) {
                tokenOfCa.put(rs.getString(1), rs.getString(3));
                if (rs.getString(3).equals(spec.offlineLabel)) {
                    assertThat(rs.getString(2)).isIn(CeremonySpec.OFFLINE_KEYS);
                }
            }
            assertThat(tokenOfCa)
                    .containsEntry("citizen-root", spec.offlineLabel)
                    .containsEntry("csca", spec.offlineLabel)
                    .containsEntry("citizen-ca", spec.onlineLabel)
                    .containsEntry("citizen-ca-ocsp", spec.onlineLabel)
                    .containsEntry("ra-operators-ca", spec.onlineLabel)
                    .containsEntry("ds-001", spec.onlineLabel);
        }
    }

    @Test
    void keysWorkOnlyForWhatTheyAreFor() throws IOException {
        Map<String, String> id = ids(Pkcs11Tool.objects(spec.onlineLabel, onlinePin));
        Path data = Files.write(scratch.resolve("data.bin"), "conformance".getBytes(StandardCharsets.US_ASCII));
        Path digest = Files.write(scratch.resolve("digest48.bin"), new SecureRandom().generateSeed(48));

        ok(online(
                "--sign",
                "--mechanism",
                "ECDSA",
                "--id",
                id.get("citizen-ca-key"),
                "--input-file",
                digest.toString(),
                "--output-file",
                scratch.resolve("ecdsa.sig").toString()));
        refused(
                online(
                        "--decrypt",
                        "--mechanism",
                        "RSA-PKCS",
                        "--id",
                        id.get("citizen-ca-key"),
                        "--input-file",
                        data.toString(),
                        "--output-file",
                        scratch.resolve("x1").toString()),
                "CKR_KEY_FUNCTION_NOT_PERMITTED");

        Path mac = scratch.resolve("hmac.bin");
        ok(online(
                "--sign",
                "--mechanism",
                "SHA256-HMAC",
                "--id",
                id.get("pii-hmac-1"),
                "--input-file",
                data.toString(),
                "--output-file",
                mac.toString()));
        assertThat(Files.size(mac)).isEqualTo(32);
        ok(online(
                "--verify",
                "--mechanism",
                "SHA256-HMAC",
                "--id",
                id.get("pii-hmac-1"),
                "--input-file",
                data.toString(),
                "--signature-file",
                mac.toString()));
        refused(
                online(
                        "--encrypt",
                        "--mechanism",
                        "AES-CBC-PAD",
                        "--iv",
                        "00000000000000000000000000000000",
                        "--id",
                        id.get("pii-hmac-1"),
                        "--input-file",
                        data.toString(),
                        "--output-file",
                        scratch.resolve("x2").toString()),
                "CKR_KEY_FUNCTION_NOT_PERMITTED");

        Path ciphertext = scratch.resolve("aes.bin");
        Path plaintext = scratch.resolve("aes.out");
        ok(online(
                "--encrypt",
                "--mechanism",
                "AES-CBC-PAD",
                "--iv",
                "00000000000000000000000000000000",
                "--id",
                id.get("pii-aes-1"),
                "--input-file",
                data.toString(),
                "--output-file",
                ciphertext.toString()));
        ok(online(
                "--decrypt",
                "--mechanism",
                "AES-CBC-PAD",
                "--iv",
                "00000000000000000000000000000000",
                "--id",
                id.get("pii-aes-1"),
                "--input-file",
                ciphertext.toString(),
                "--output-file",
                plaintext.toString()));
        assertThat(Files.readString(plaintext)).isEqualTo("conformance");
        refused(
                online(
                        "--sign",
                        "--mechanism",
                        "SHA256-HMAC",
                        "--id",
                        id.get("pii-aes-1"),
                        "--input-file",
                        data.toString(),
                        "--output-file",
                        scratch.resolve("x3").toString()),
                "CKR_KEY_FUNCTION_NOT_PERMITTED");
    }

    @Test
    void exportAttemptsFail() throws Exception {
        Map<String, String> id = ids(Pkcs11Tool.objects(spec.onlineLabel, onlinePin));
        // Reading the value: pkcs11-tool 0.23 does not even try an EC private key; nothing comes out.
        for (String[] key :
                new String[][] {{spec.onlineLabel, "citizen-ca-key"}, {spec.offlineLabel, "citizen-root-key"}}) {
            Path f = scratch.resolve(key[1] + ".read");
            Tools.Result r = Pkcs11Tool.runLoggedIn(
                    key[0],
                    key[0].equals(spec.offlineLabel) ? offlinePin : onlinePin,
                    "--read-object",
                    "--type",
                    "privkey",
                    "--label",
                    key[1],
                    "--output-file",
                    f.toString());
            assertThat(!Files.exists(f) || Files.size(f) == 0).as(r.describe()).isTrue();
            assertThat(r.stdout()).as(r.describe()).isBlank();
        }
        // Secret keys: the token refuses the value, and refuses to wrap them out.
        for (String secret : CeremonySpec.ONLINE_SECRETS) {
            Path f = scratch.resolve(secret + ".read");
            refused(
                    online("--read-object", "--type", "secrkey", "--label", secret, "--output-file", f.toString()),
                    "CKR_ATTRIBUTE_SENSITIVE");
            assertThat(!Files.exists(f) || Files.size(f) == 0).isTrue();
        }
        String wrapId = "cf01";
        String extractableId = "cf02";
        try {
            // The attacker holds the PIN and makes a wrapping key of their own.
            ok(online(
                    "--keygen", "--key-type", "AES:32", "--id", wrapId, "--label", "cf-attacker-wrap", "--usage-wrap"));
            ok(online(
                    "--keygen",
                    "--key-type",
                    "AES:32",
                    "--id",
                    extractableId,
                    "--label",
                    "cf-control",
                    "--extractable"));
            // Control: the wrapping path works for an extractable key ...
            ok(online(
                    "--wrap",
                    "--mechanism",
                    "AES-KEY-WRAP",
                    "--id",
                    wrapId,
                    "--application-id",
                    extractableId,
                    "--output-file",
                    scratch.resolve("control.wrapped").toString()));
            // ... and not for ours.
            for (String secret : CeremonySpec.ONLINE_SECRETS) {
                refused(
                        online(
                                "--wrap",
                                "--mechanism",
                                "AES-KEY-WRAP",
                                "--id",
                                wrapId,
                                "--application-id",
                                id.get(secret),
                                "--output-file",
                                scratch.resolve(secret + ".wrapped").toString()),
                        "CKR_KEY_UNEXTRACTABLE");
            }
            // pkcs11-tool wraps secret keys only: the private keys are tried with raw PKCS#11 calls.
            RawPkcs11Probe.checkKeys(
                    spec.offlineLabel,
                    offlinePin,
                    spec.onlineLabel,
                    onlinePin,
                    HexFormat.of().parseHex(wrapId));
        } finally {
            online("--delete-object", "--type", "secrkey", "--id", wrapId);
            online("--delete-object", "--type", "secrkey", "--id", extractableId);
        }
        assertThat(labels(Pkcs11Tool.objects(spec.onlineLabel, onlinePin), o -> true))
                .doesNotContain("cf-attacker-wrap", "cf-control");
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static Tools.Result online(String... args) {
        return Pkcs11Tool.runLoggedIn(spec.onlineLabel, onlinePin, args);
    }

    private static void ok(Tools.Result r) {
        assertThat(r.exitCode()).as(r.describe()).isZero();
    }

    private static void refused(Tools.Result r, String reason) {
        assertThat(r.exitCode()).as(r.describe()).isNotZero();
        assertThat(r.stderr()).as(r.describe()).contains(reason);
    }

    private static Set<String> labels(List<P11Object> objects, java.util.function.Predicate<P11Object> filter) {
        return objects.stream().filter(filter).map(P11Object::label).collect(Collectors.toSet());
    }

    /** pkcs11-tool selects keys for operations by CKA_ID; the ceremony sets ID = label bytes. */
    private static Map<String, String> ids(List<P11Object> objects) {
        return objects.stream()
                .filter(o -> o.isPrivateKey() || o.isSecretKey())
                .collect(Collectors.toMap(P11Object::label, P11Object::id));
    }
}
