package tw.eid.pki.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tw.eid.pki.conformance.Pkcs11Tool.P11Object;

/**
 * Acceptance (c): two ceremonies in one run, in the same SoftHSM2 token directory (SOFTHSM2_CONF
 * of this run), on tokens with different labels. Each succeeds, each pair of tokens holds its own
 * keys only, the roots differ, and each pair activates with its own shares only.
 */
class TwoCeremoniesOneTokenDirectoryTest {
    private static final Map<String, String> CERTIFIED_KEYS = Map.of(
            "citizen-root-key",
            "citizen-root",
            "csca-key",
            "csca",
            "citizen-ca-key",
            "citizen-ca",
            "citizen-ca-ocsp-key",
            "citizen-ca-ocsp",
            "ra-operators-ca-key",
            "ra-operators-ca",
            "ds-001-key",
            "ds-001");

    private static CeremonySpec a;
    private static CeremonySpec b;

    @BeforeAll
    static void runTwoCeremonies() {
        a = CeremonySpec.create(Workspace.fresh("two-a"), "cfc");
        b = CeremonySpec.create(Workspace.fresh("two-b"), "cfc");
        Tools.Result ra = a.run();
        assertThat(ra.exitCode()).as(ra.describe()).isZero();
        Tools.Result rb = b.run();
        assertThat(rb.exitCode()).as(rb.describe()).isZero();
    }

    @Test
    void bothPairsOfTokensLiveInTheSameTokenDirectory() {
        // One SOFTHSM2_CONF for both child processes and for pkcs11-tool here.
        assertThat(Pkcs11Tool.tokenLabels()).contains(a.offlineLabel, a.onlineLabel, b.offlineLabel, b.onlineLabel);
        assertThat(List.of(a.offlineLabel, a.onlineLabel))
                .doesNotContainAnyElementsOf(List.of(b.offlineLabel, b.onlineLabel));
    }

    @Test
    void eachPairHoldsOnlyItsOwnKeys() throws Exception {
        for (CeremonySpec own : List.of(a, b)) {
            CeremonySpec other = own == a ? b : a;
            for (String role : List.of("offline", "online")) {
                String token = own.labels().get(role);
                char[] pin = own.pin(token, "alice", "bob");
                List<P11Object> objects = Pkcs11Tool.objects(token, pin);
                for (P11Object o :
                        objects.stream().filter(P11Object::isPublicKey).toList()) {
                    String certificate = CERTIFIED_KEYS.get(o.label());
                    if (certificate == null) {
                        continue; // the audit key: certified by no one
                    }
                    assertThat(o.fields().get("EC_POINT"))
                            .as(token + " " + o.label() + " is this ceremony's key")
                            .contains(point(own, certificate))
                            .doesNotContain(point(other, certificate));
                }
                assertThat(objects.stream()
                                .filter(P11Object::isPrivateKey)
                                .map(P11Object::label)
                                .toList())
                        .containsExactlyInAnyOrderElementsOf(
                                role.equals("offline") ? CeremonySpec.OFFLINE_KEYS : CeremonySpec.ONLINE_KEY_PAIRS);
            }
        }
    }

    @Test
    void theRootsDiffer() {
        X509Certificate rootA = Certs.certificate(a.output().resolve("citizen-root.crt"));
        X509Certificate rootB = Certs.certificate(b.output().resolve("citizen-root.crt"));
        assertThat(rootA.getPublicKey()).isNotEqualTo(rootB.getPublicKey());
        assertThat(rootA.getSerialNumber()).isNotEqualTo(rootB.getSerialNumber());
        assertThat(Certs.certificate(a.output().resolve("csca.crt")).getPublicKey())
                .isNotEqualTo(Certs.certificate(b.output().resolve("csca.crt")).getPublicKey());
        // Same names, different keys: B's Citizen CA does not verify under A's root.
        Tools.Result cross = Tools.openssl(
                "verify",
                "-x509_strict",
                "-CAfile",
                a.output().resolve("citizen-root.pem").toString(),
                b.output().resolve("citizen-ca.pem").toString());
        assertThat(cross.exitCode()).as(cross.describe()).isNotZero();
    }

    @Test
    void activateWorksWithOwnSharesAndRefusesTheOthers() throws IOException {
        for (CeremonySpec own : List.of(a, b)) {
            Tools.Result r = activate(own, own.onlineLabel, null, own.custodianArg("alice"), own.custodianArg("carol"));
            assertThat(r.exitCode()).as(r.describe()).isZero();
            assertThat(r.stdout()).contains("token '" + own.onlineLabel + "' activated by 2 custodians");
        }
        Tools.Result offline = activate(b, b.offlineLabel, null, b.custodianArg("bob"), b.custodianArg("carol"));
        assertThat(offline.exitCode()).as(offline.describe()).isZero();

        // B's token from A's data directory: A's shares directory holds no share of it.
        Refusals.assertOneLineRefusal(
                activate(a, b.onlineLabel, null, a.custodianArg("alice"), a.custodianArg("bob")),
                "no share file of token '" + b.onlineLabel + "'");
        // B's shares with A's custodians' passphrases.
        Refusals.assertOneLineRefusal(
                activate(b, b.onlineLabel, null, a.custodianArg("alice"), a.custodianArg("bob")),
                "wrong passphrase for custodian 'alice'");
        // A's token pointed at B's shares directory.
        Refusals.assertOneLineRefusal(
                activate(a, a.onlineLabel, b.custody(), a.custodianArg("alice"), a.custodianArg("bob")),
                "no share file of token '" + a.onlineLabel + "'");
        // B's share files renamed as if they were A's: refused (see the disabled test below for how).
        Path renamed = renamedShares(b.onlineLabel, a.onlineLabel);
        Refusals.assertOneLineRefusal(
                activate(a, a.onlineLabel, renamed, b.custodianArg("alice"), b.custodianArg("bob")));
    }

    @Test
    void anotherTokensSharesAreRefusedBeforeTheTokenIsTried() throws IOException {
        Path renamed = renamedShares(b.onlineLabel, a.onlineLabel);
        String line = Refusals.assertOneLineRefusal(
                activate(a, a.onlineLabel, renamed, b.custodianArg("alice"), b.custodianArg("bob")), b.onlineLabel);
        // A wrong PIN costs one of the token's login attempts on a real HSM.
        assertThat(line).doesNotContain("CKR_PIN_INCORRECT");
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static Tools.Result activate(CeremonySpec dataOf, String tokenLabel, Path shares, String... custodians) {
        List<String> args = new java.util.ArrayList<>(
                List.of("activate", "--data-dir", dataOf.dataDir.toString(), "--token-label", tokenLabel));
        if (shares != null) {
            args.addAll(List.of("--shares", shares.toString()));
        }
        for (String c : custodians) {
            args.addAll(List.of("--custodian", c));
        }
        return Cli.eidpki(args.toArray(String[]::new));
    }

    /** A directory with {@code from}'s share files under the names {@code to}'s would have. */
    private static Path renamedShares(String from, String to) throws IOException {
        Path dir = a.dataDir.resolve("renamed-shares");
        Workspace.deleteTree(dir);
        Files.createDirectories(dir);
        CeremonySpec owner = from.equals(b.onlineLabel) || from.equals(b.offlineLabel) ? b : a;
        try (var files = Files.list(owner.custody())) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith(from + ".share-")) {
                    Files.copy(
                            f,
                            dir.resolve(to + name.substring(from.length())),
                            java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return dir;
    }

    /** The uncompressed EC point of a certificate's key, hex: what pkcs11-tool prints inside EC_POINT. */
    private static String point(CeremonySpec spec, String certificate) {
        byte[] spki = Certs.certificate(spec.output().resolve(certificate + ".crt"))
                .getPublicKey()
                .getEncoded();
        byte[] bitString = Der.parse(spki).child(1).content;
        return HexFormat.of().formatHex(bitString, 1, bitString.length);
    }
}
