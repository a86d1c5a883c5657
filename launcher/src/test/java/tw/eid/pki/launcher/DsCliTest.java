package tw.eid.pki.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.document.DocumentSignerPool;
import tw.eid.pki.ca.document.SignerPurpose;

/**
 * {@code eidpki ds} and {@code eidpki csca} through processes, as an operator runs it: the demo ceremony (its DS 001 joins
 * the pool), {@code ds generate} in the online token, {@code ds certify} with the CSCA in the
 * offline token, each activated by two custodians, {@code ds status}, {@code ds rotate}
 * retiring the active DS so that the next document is signed by the next one, {@code ds retire}
 * destroying the keys of the rotated and the revoked DS once they have been retired an hour; {@code csca rollover}
 * (link certificate verified by openssl from the old CSCA) and {@code csca master-list} (verified by
 * {@code openssl cms -verify} up to the new CSCA).
 */
class DsCliTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private Path data;

    @Test
    void generateCertifyStatusAndRotate() throws Exception {
        data = Files.createTempDirectory("eidpki-ds-cli");
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        String suffix = HexFormat.of().formatHex(RANDOM.generateSeed(4));
        String offline = "ds-off-" + suffix;
        String online = "ds-on-" + suffix;
        CliProcesses.Result r = CliProcesses.demoCeremony(data, offline, online);
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();

        r = eidpki("ds", "status", "--data-dir", data.toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("ds-001-key", "CERTIFIED", "certified spares: 1");

        r = eidpki(
                "ds",
                "generate",
                "--count",
                "2",
                "--data-dir",
                data.toString(),
                "--token-label",
                online,
                "--custodian",
                custodian("alice"),
                "--custodian",
                custodian("bob"));
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout()).contains("generated 2 DS key(s)");

        Path out = data.resolve("ds-batch-1");
        r = eidpki(
                "ds",
                "certify",
                "--count",
                "5",
                "--out",
                out.toString(),
                "--data-dir",
                data.toString(),
                "--token-label",
                offline,
                "--custodian",
                custodian("bob"),
                "--custodian",
                custodian("carol"));
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout())
                .contains("ds-002", "ds-003", "certified 2 DS key(s) with csca", "no more generated keys were waiting");
        // The batch verifies with openssl up to the CSCA.
        Process v = new ProcessBuilder(
                        "openssl",
                        "verify",
                        "-x509_strict",
                        "-purpose",
                        "any",
                        "-CAfile",
                        data.resolve("ceremony/initial/csca.pem").toString(),
                        out.resolve("ds-002.pem").toString(),
                        out.resolve("ds-003.pem").toString())
                .redirectErrorStream(true)
                .start();
        String verified = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(v.waitFor()).as(verified).isZero();

        // The next document activates the DS whose period ends first (DS 001, from the ceremony).
        String first = activateOne();
        assertThat(first).isEqualTo("ds-001-key");
        r = eidpki("ds", "rotate", "--operator", "officer-7", "--data-dir", data.toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("retired ds-001-key", "certified spares left: 2");
        String second = activateOne();
        assertThat(second).isNotEqualTo("ds-001-key").startsWith("ds-");
        r = eidpki("ds", "status", "--data-dir", data.toString());
        assertThat(r.stdout()).contains("(rotated)", "active: " + second);
        // Revoking the active DS's certificate (a CSCA act): the pool moves to the last spare.
        String serial = r.stdout()
                .lines()
                .filter(l -> l.startsWith(second))
                .findFirst()
                .orElseThrow()
                .split("\\s+")[3];
        r = eidpki(
                "ds",
                "revoke",
                "--serial",
                serial,
                "--data-dir",
                data.toString(),
                "--token-label",
                offline,
                "--custodian",
                custodian("alice"),
                "--custodian",
                custodian("bob"));
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        String third = activateOne();
        assertThat(third).isNotIn("ds-001-key", second);
        r = eidpki("ds", "status", "--data-dir", data.toString());
        assertThat(r.stdout()).contains("(certificate-revoked)", "active: " + third);

        // ds retire: the rotated and the revoked DS are kept until they have been retired an hour.
        String before = r.stdout();
        r = eidpki(
                "ds",
                "retire",
                "--data-dir",
                data.toString(),
                "--token-label",
                online,
                "--custodian",
                custodian("alice"),
                "--custodian",
                custodian("carol"));
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout()).contains("kept for now: ds-001-key", "kept for now: " + second, "keys destroyed 0");
        // Bad input changes nothing: exit 2, one line.
        r = eidpki("ds", "retire", "--data-dir", data.toString(), "--token-label", online);
        assertThat(r.exitCode()).as("--custodian is required").isEqualTo(2);
        assertThat(r.stderr().strip().lines().count()).isEqualTo(1);
        r = eidpki(
                "ds",
                "retire",
                "--now",
                "--data-dir",
                data.toString(),
                "--token-label",
                online,
                "--custodian",
                custodian("alice"),
                "--custodian",
                custodian("carol"));
        assertThat(r.exitCode()).as("unknown option").isEqualTo(2);
        assertThat(eidpki("ds", "status", "--data-dir", data.toString()).stdout())
                .isEqualTo(before);
        // Two hours later (the store's retirement times moved back, as the clock would move on) the keys go.
        backdateRetirements();
        r = eidpki(
                "ds",
                "retire",
                "--data-dir",
                data.toString(),
                "--token-label",
                online,
                "--custodian",
                custodian("alice"),
                "--custodian",
                custodian("carol"));
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout())
                .contains(
                        "destroyed the private key of ds-001-key in token '" + online + "'",
                        "destroyed the private key of " + second,
                        "keys destroyed 2, keys still to destroy 0");
        r = eidpki("ds", "status", "--data-dir", data.toString());
        assertThat(r.stdout().lines().filter(l -> l.contains("key destroyed"))).hasSize(2);
        assertThat(r.stdout()).contains("active: " + third);
        assertThat(activateOne()).isEqualTo(third);
        // The ceremony's record of its DS in the ca table is retired with it.
        assertThat(
                        query(
                                "SELECT CONCAT(status, ' ', key_destroyed_at IS NOT NULL) FROM ca WHERE key_label = 'ds-001-key'"))
                .isEqualTo("RETIRED 1");

        // CSCA rollover and the master list, with the offline token's custodians.
        Path csca = data.resolve("csca-rollover");
        r = eidpki(
                "csca",
                "rollover",
                "--new",
                "csca-2",
                "--new-key-label",
                "csca-2-key",
                "--out",
                csca.toString(),
                "--data-dir",
                data.toString(),
                "--token-label",
                offline,
                "--custodian",
                custodian("alice"),
                "--custodian",
                custodian("carol"));
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        assertThat(run(
                        "openssl",
                        "verify",
                        "-x509_strict",
                        "-CAfile",
                        data.resolve("ceremony/initial/csca.pem").toString(),
                        csca.resolve("csca-2-link.pem").toString()))
                .startsWith("0 ");
        Path ml = data.resolve("csca-masterlist.ml");
        r = eidpki(
                "csca",
                "master-list",
                "--csca",
                "csca-2",
                "--signer-key-label",
                "ml-signer-1",
                "--out",
                ml.toString(),
                "--data-dir",
                data.toString(),
                "--token-label",
                offline,
                "--custodian",
                custodian("alice"),
                "--custodian",
                custodian("bob"));
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout()).contains("3 CSCA certificate(s)");
        assertThat(run(
                        "openssl",
                        "cms",
                        "-verify",
                        "-inform",
                        "DER",
                        "-in",
                        ml.toString(),
                        "-CAfile",
                        csca.resolve("csca-2.pem").toString(),
                        "-purpose",
                        "any",
                        "-out",
                        "/dev/null"))
                .startsWith("0 ")
                .contains("Verification successful");

        r = eidpki("ds", "rotate", "--data-dir", data.toString());
        assertThat(r.exitCode()).as("--operator is required").isEqualTo(2);
        assertThat(r.stderr().strip().lines().count()).isEqualTo(1);
    }

    /**
     * Seal signers (issue 24) through the same commands with {@code --purpose seal}: generated in the
     * online token and certified by the CSCA in the offline token, each with two custodians, numbered
     * apart from the Document Signers, under profile seal-signer/1 (openssl verifies them to the CSCA);
     * the seal pool then hands out a signer (what {@code serve ra} needs to answer a temporary
     * certificate request instead of 503 ds.pool-empty). Bad input: one line, exit 2, nothing made.
     */
    @Test
    void sealSignersAreGeneratedAndCertifiedWithPurposeSeal() throws Exception {
        data = Files.createTempDirectory("eidpki-seal-cli");
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        String suffix = HexFormat.of().formatHex(RANDOM.generateSeed(4));
        String offline = "seal-off-" + suffix;
        String online = "seal-on-" + suffix;
        CliProcesses.Result r = CliProcesses.demoCeremony(data, offline, online);
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        String before = eidpki("ds", "status", "--purpose", "seal", "--data-dir", data.toString())
                .stdout();
        assertThat(before).contains("active: none", "certified spares: 0");

        for (String[] bad : List.of(
                new String[] {"--purpose", "seal", "--algorithm", "ec-p384"}, new String[] {"--purpose", "sealx"})) {
            List<String> args = new ArrayList<>(List.of("ds", "generate", "--count", "1"));
            args.addAll(List.of(bad));
            args.addAll(List.of(
                    "--data-dir",
                    data.toString(),
                    "--token-label",
                    online,
                    "--custodian",
                    custodian("alice"),
                    "--custodian",
                    custodian("bob")));
            r = eidpki(args.toArray(String[]::new));
            assertThat(r.exitCode())
                    .as(String.join(" ", bad) + ": " + r.stderr())
                    .isEqualTo(2);
            assertThat(r.stderr().strip().lines().count()).isEqualTo(1);
        }
        assertThat(eidpki("ds", "status", "--purpose", "seal", "--data-dir", data.toString())
                        .stdout())
                .isEqualTo(before);

        r = eidpki(
                "ds",
                "generate",
                "--purpose",
                "seal",
                "--count",
                "2",
                "--data-dir",
                data.toString(),
                "--token-label",
                online,
                "--custodian",
                custodian("alice"),
                "--custodian",
                custodian("bob"));
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout()).contains("generated 2 seal signer key(s)", "seal-");
        Path out = data.resolve("seal-batch-1");
        r = eidpki(
                "ds",
                "certify",
                "--purpose",
                "seal",
                "--count",
                "5",
                "--out",
                out.toString(),
                "--data-dir",
                data.toString(),
                "--token-label",
                offline,
                "--custodian",
                custodian("bob"),
                "--custodian",
                custodian("carol"));
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout()).contains("seal-001", "seal-002", "certified 2 seal signer key(s) with csca");
        assertThat(run(
                        "openssl",
                        "verify",
                        "-x509_strict",
                        "-purpose",
                        "any",
                        "-CAfile",
                        data.resolve("ceremony/initial/csca.pem").toString(),
                        out.resolve("seal-001.pem").toString(),
                        out.resolve("seal-002.pem").toString()))
                .startsWith("0 ");
        assertThat(run(
                        "openssl",
                        "x509",
                        "-noout",
                        "-text",
                        "-in",
                        out.resolve("seal-001.pem").toString()))
                .contains("Seal Signer 001", "Digital Signature", "prime256v1");
        r = eidpki("ds", "status", "--purpose", "seal", "--data-dir", data.toString());
        assertThat(r.stdout()).contains("CERTIFIED", "certified spares: 2").doesNotContain("ds-001-key");
        assertThat(eidpki("ds", "status", "--data-dir", data.toString()).stdout())
                .contains("ds-001-key")
                .doesNotContain("seal-");
        try (StoreOptions.Store s = store()) {
            Clock clock = Clock.systemUTC();
            assertThat(new DocumentSignerPool(
                                    s.database(),
                                    AuditLedger.hashChained(clock),
                                    clock,
                                    DocumentSignerPool.DEFAULT_LOW_WATER_MARK,
                                    DocumentSignerPool.Settings.defaults(),
                                    System::nanoTime,
                                    SignerPurpose.SEAL)
                            .reserve(Actor.local("test"))
                            .keyLabel())
                    .startsWith("seal-");
        }
    }

    /** One document from the pool, in this JVM on the same store (the pool needs no token for it). */
    private String activateOne() {
        try (StoreOptions.Store s = store()) {
            return new DocumentSignerPool(s.database(), AuditLedger.hashChained(Clock.systemUTC()), Clock.systemUTC())
                    .reserve(Actor.local("test"))
                    .keyLabel();
        }
    }

    /** Moves every DS retirement two hours back in the store. */
    private void backdateRetirements() {
        try (StoreOptions.Store s = store()) {
            s.database().inTransaction(c -> {
                try (var st = c.createStatement()) {
                    return st.executeUpdate("UPDATE document_signer SET retired_at = retired_at - INTERVAL 2 HOUR"
                            + " WHERE state = 'RETIRED'");
                }
            });
        }
    }

    private String query(String sql) {
        try (StoreOptions.Store s = store()) {
            return s.database().inTransaction(c -> {
                try (var st = c.createStatement();
                        var rs = st.executeQuery(sql)) {
                    return rs.next() ? rs.getString(1) : null;
                }
            });
        }
    }

    private StoreOptions.Store store() {
        StoreOptions options = new StoreOptions();
        options.dataDir = data;
        return options.open();
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() + " " + out.strip();
    }

    private String custodian(String name) {
        return CliProcesses.custodian(data, name);
    }

    private CliProcesses.Result eidpki(String... args) {
        return CliProcesses.eidpki(data, args);
    }
}
