package tw.eid.pki.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input at every command and subcommand, through processes as {@code bin/eidpki} runs them:
 * one line on stderr starting "eidpki: ", exit code 2, nothing on stdout, no stack trace, and
 * nothing changed: no data directory or database made, no file written, no audit event. The
 * options the other CLI tests refuse (serve ocsp's and serve crl's ranges, ds retire) are not
 * repeated here. Every command's {@code --help} exits 0 with its usage on stdout.
 */
class CliBadInputTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static Path data;
    private static String offline;
    private static String online;

    @BeforeAll
    static void ceremony() throws Exception {
        data = CliProcesses.freshDirectory("cli-bad-input");
        String suffix = HexFormat.of().formatHex(RANDOM.generateSeed(4));
        offline = "bad-off-" + suffix;
        online = "bad-on-" + suffix;
        CliProcesses.Result r = CliProcesses.demoCeremony(data, offline, online);
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
    }

    @AfterAll
    static void cleanUp() throws IOException {
        CliProcesses.deleteTree(data);
    }

    @Test
    void everyCommandPrintsItsUsageOnStdoutForHelp() {
        String[][] commands = {
            {},
            {"ceremony"},
            {"activate"},
            {"serve"},
            {"serve", "ra"},
            {"serve", "ocsp"},
            {"serve", "crl"},
            {"serve", "all"},
            {"crl"},
            {"crl", "publish"},
            {"crl", "sign"},
            {"operator"},
            {"operator", "issue"},
            {"operator", "revoke"},
            {"ds"},
            {"ds", "generate"},
            {"ds", "certify"},
            {"ds", "status"},
            {"ds", "rotate"},
            {"ds", "revoke"},
            {"ds", "retire"},
            {"csca"},
            {"csca", "rollover"},
            {"csca", "master-list"},
            {"cv"},
            {"cv", "cvca-create"},
            {"cv", "cvca-rollover"},
            {"cv", "dv-certify"},
            {"cv", "dv-warnings"},
            {"cv", "trust-points"},
            {"audit"},
            {"audit", "verify"},
            {"demo"}
        };
        List<String[]> runs = new ArrayList<>();
        for (String[] command : commands) {
            List<String> args = new ArrayList<>(List.of(command));
            args.add("--help");
            runs.add(args.toArray(String[]::new));
        }
        List<CliProcesses.Result> results = CliProcesses.eidpkiAll(data, runs);
        for (int k = 0; k < commands.length; k++) {
            String[] command = commands[k];
            List<String> args = List.of(runs.get(k));
            CliProcesses.Result r = results.get(k);
            String name = String.join(" ", List.of(command));
            assertThat(r.exitCode()).as(args + ": " + r.stderr()).isZero();
            assertThat(r.stdout())
                    .as(String.join(" ", args))
                    .startsWith(("Usage: eidpki " + name).strip() + " ")
                    .contains("--help");
            assertThat(r.stderr()).as(String.join(" ", args)).isEmpty();
        }
    }

    /** Refused while the arguments are read: no data directory is made, no file written, no token touched. */
    @Test
    void badArgumentsAreRefusedBeforeAnythingIsOpened() throws IOException {
        Path never = data.resolve("never-made");
        Path aFile = data.resolve("a-file");
        Files.writeString(aFile, "not a directory\n");
        Path aDir = Files.createDirectories(data.resolve("a-dir"));
        String dir = never.toString();
        String alice = CliProcesses.custodian(data, "alice");
        String bob = CliProcesses.custodian(data, "bob");
        String ceremonyFile = data.resolve("demo-ceremony.yaml").toString();
        String[] custodians = {"--custodian", alice, "--custodian", bob};
        Object[][] cases = {
            // unknown subcommands and services, unknown options
            {"Unmatched argument at index 0: 'frobnicate'", "frobnicate"},
            {"Unmatched argument at index 1: 'frobnicate'", "ds", "frobnicate"},
            {"Unmatched argument at index 1: 'frobnicate'", "csca", "frobnicate"},
            {"Unmatched argument at index 1: 'frobnicate'", "operator", "frobnicate"},
            {"Unmatched argument at index 1: 'frobnicate'", "audit", "frobnicate"},
            {"Unmatched argument at index 1: 'frobnicate'", "crl", "frobnicate"},
            {"unknown service 'dns'", "serve", "dns", "--data-dir", dir, custodians},
            {"Unknown option: '--bogus'", "ds", "status", "--bogus", "--data-dir", dir},
            {"Unknown option: '--verbose'", "activate", "--verbose", "--data-dir", dir, custodians},
            {"Unknown options: '--max-age', '60'", "crl", "publish", "--max-age", "60", "--data-dir", dir, custodians},
            {"Unmatched argument at index 2: 'second.yaml'", "ceremony", ceremonyFile, "second.yaml", "--data-dir", dir
            },
            // missing required options and parameters
            {"Missing required parameter: 'CEREMONY.yaml'", "ceremony", "--data-dir", dir},
            {"Missing required parameter: 'SERVICE'", "serve", "--data-dir", dir, custodians},
            {"Missing required option: '--custodian", "activate", "--data-dir", dir},
            {
                "Missing required option: '--id",
                "operator",
                "issue",
                "--office",
                "o",
                "--role",
                "officer",
                "--out",
                dir,
                "--data-dir",
                dir,
                custodians
            },
            {"Missing required option: '--serial", "operator", "revoke", "--data-dir", dir, custodians},
            {"Missing required option: '--count", "ds", "generate", "--data-dir", dir, custodians},
            {"Missing required option: '--out", "ds", "certify", "--count", "1", "--data-dir", dir, custodians},
            {"Missing required option: '--serial", "ds", "revoke", "--data-dir", dir, custodians},
            {
                "Missing required option: '--new-key-label",
                "csca",
                "rollover",
                "--new",
                "csca-2",
                "--out",
                dir,
                "--data-dir",
                dir,
                custodians
            },
            {
                "Missing required option: '--signer-key-label",
                "csca",
                "master-list",
                "--out",
                aDir.resolve("ml").toString(),
                "--data-dir",
                dir,
                custodians
            },
            {
                "Missing required option: '--issuer",
                "crl",
                "sign",
                "--next-update-days",
                "30",
                "--data-dir",
                dir,
                custodians
            },
            {"Missing required option: '--custodian", "serve", "ra", "--data-dir", dir},
            // options given twice
            {
                "option '--count' (N) should be specified only once",
                "ds",
                "generate",
                "--count",
                "1",
                "--count",
                "2",
                "--data-dir",
                dir,
                custodians
            },
            {
                "option '--issuer' (CA) should be specified only once",
                "crl",
                "sign",
                "--issuer",
                "csca",
                "--issuer",
                "citizen-root",
                "--next-update-days",
                "30",
                "--data-dir",
                dir,
                custodians
            },
            {
                "option '--token-label' (LABEL) should be specified only once",
                "activate",
                "--token-label",
                online,
                "--token-label",
                offline,
                "--data-dir",
                dir,
                custodians
            },
            {
                "option '--data-dir' (DIR) should be specified only once",
                "ds",
                "status",
                "--data-dir",
                dir,
                "--data-dir",
                dir
            },
            {
                "option '--port' (<port>) should be specified only once",
                "demo",
                "--port",
                "8443",
                "--port",
                "9443",
                "--data-dir",
                dir
            },
            // numbers: not numbers, negative, out of range
            {
                "Invalid value for option '--count': 'many' is not an int",
                "ds",
                "generate",
                "--count",
                "many",
                "--data-dir",
                dir,
                custodians
            },
            {"--count must be 1 to 100, not 0", "ds", "generate", "--count", "0", "--data-dir", dir, custodians},
            {"--count must be 1 to 100, not -3", "ds", "generate", "--count", "-3", "--data-dir", dir, custodians},
            {
                "--count must be 1 to 100, not 101",
                "ds",
                "certify",
                "--count",
                "101",
                "--out",
                dir,
                "--data-dir",
                dir,
                custodians
            },
            {
                "--max-documents must be at least 1, not -5",
                "ds",
                "generate",
                "--count",
                "1",
                "--max-documents",
                "-5",
                "--data-dir",
                dir,
                custodians
            },
            {
                "'99999999999999999999' is not a long",
                "ds",
                "generate",
                "--count",
                "1",
                "--max-documents",
                "99999999999999999999",
                "--data-dir",
                dir,
                custodians
            },
            {
                "--next-update-days must be 1 to 365, not -1",
                "crl",
                "sign",
                "--issuer",
                "csca",
                "--next-update-days",
                "-1",
                "--data-dir",
                dir,
                custodians
            },
            {
                "'1e3' is not an int",
                "crl",
                "sign",
                "--issuer",
                "csca",
                "--next-update-days",
                "1e3",
                "--data-dir",
                dir,
                custodians
            },
            {"--port must be 0 to 65535, not -1", "serve", "ra", "--port", "-1", "--data-dir", dir, custodians},
            {"--port must be 0 to 65535, not 65536", "serve", "crl", "--port", "65536", "--data-dir", dir, custodians},
            {"--full-days must be 1 to 10", "crl", "publish", "--full-days", "0", "--data-dir", dir, custodians},
            {"--delta-hours must be 1 to 168", "serve", "crl", "--delta-hours", "-1", "--data-dir", dir, custodians},
            {"--port must be 0 to 65535, not 70000", "demo", "--port", "70000", "--data-dir", dir},
            {"--ocsp-port must be 0 to 65535, not -1", "demo", "--ocsp-port", "-1", "--data-dir", dir},
            {"Invalid value for option '--port': 'https' is not an int", "demo", "--port", "https", "--data-dir", dir},
            // empty strings and odd characters
            {"--operator must name who forces the switch", "ds", "rotate", "--operator", "", "--data-dir", dir},
            {"--operator must name who forces the switch", "ds", "rotate", "--operator", " ", "--data-dir", dir},
            {
                "operator id must be 1–64 characters",
                "operator",
                "issue",
                "--id",
                "",
                "--office",
                "o",
                "--role",
                "officer",
                "--out",
                dir,
                "--data-dir",
                dir,
                custodians
            },
            {
                "operator id must be 1–64 characters",
                "operator",
                "issue",
                "--id",
                "../../etc/cron.d/x",
                "--office",
                "o",
                "--role",
                "officer",
                "--out",
                dir,
                "--data-dir",
                dir,
                custodians
            },
            {
                "operator id must be 1–64 characters",
                "operator",
                "issue",
                "--id",
                "ann smith",
                "--office",
                "o",
                "--role",
                "officer",
                "--out",
                dir,
                "--data-dir",
                dir,
                custodians
            },
            {
                "office must not be empty",
                "operator",
                "issue",
                "--id",
                "ann",
                "--office",
                " ",
                "--role",
                "officer",
                "--out",
                dir,
                "--data-dir",
                dir,
                custodians
            },
            {
                "unknown operator role:",
                "operator",
                "issue",
                "--id",
                "ann",
                "--office",
                "o",
                "--role",
                "",
                "--out",
                dir,
                "--data-dir",
                dir,
                custodians
            },
            {
                "unknown reason 'bogus'",
                "operator",
                "revoke",
                "--serial",
                "ab",
                "--reason",
                "bogus",
                "--data-dir",
                dir,
                custodians
            },
            {
                "--serial must be the certificate's serial in lower-case hex, not ''",
                "operator",
                "revoke",
                "--serial",
                "",
                "--data-dir",
                dir,
                custodians
            },
            {
                "--serial must be the certificate's serial in lower-case hex, not '0x1F'",
                "ds",
                "revoke",
                "--serial",
                "0x1F",
                "--data-dir",
                dir,
                custodians
            },
            {"unknown reason ''", "ds", "revoke", "--serial", "ab", "--reason", "", "--data-dir", dir, custodians},
            {
                "unknown key algorithm ''",
                "ds",
                "generate",
                "--count",
                "1",
                "--algorithm",
                "",
                "--data-dir",
                dir,
                custodians
            },
            {
                "--usage-start must be an ISO instant such as 2027-01-01T00:00:00Z, not 'next monday'",
                "ds",
                "certify",
                "--count",
                "1",
                "--usage-start",
                "next monday",
                "--out",
                dir,
                "--data-dir",
                dir,
                custodians
            },
            {"'' names no custodian", "activate", "--custodian", "", "--data-dir", dir},
            {"':" + aFile + "' names no custodian", "activate", "--custodian", ":" + aFile, "--data-dir", dir},
            // paths that do not exist, are directories, or files where a directory belongs
            {
                "custodian alice: passphrase file " + never.resolve("alice.pass") + " does not exist",
                "activate",
                "--custodian",
                "alice:" + never.resolve("alice.pass"),
                "--data-dir",
                dir
            },
            {
                "custodian alice: passphrase file " + aDir + " is a directory, not a file",
                "operator",
                "revoke",
                "--serial",
                "ab",
                "--custodian",
                "alice:" + aDir,
                "--data-dir",
                dir
            },
            {"custodian alice: no passphrase file after ':'", "ds", "retire", "--custodian", "alice:", "--data-dir", dir
            },
            {
                "Invalid value for option '--shares': " + never + " does not exist",
                "activate",
                "--shares",
                dir,
                "--data-dir",
                dir,
                custodians
            },
            {
                "Invalid value for option '--shares': " + aFile + " is not a directory",
                "activate",
                "--shares",
                aFile.toString(),
                "--data-dir",
                dir,
                custodians
            },
            {
                "Invalid value for option '--library': " + aDir + " is a directory, not a file",
                "activate",
                "--library",
                aDir.toString(),
                "--data-dir",
                dir,
                custodians
            },
            {
                "Invalid value for option '--checkpoint-key': " + never.resolve("key.pem") + " does not exist",
                "audit",
                "verify",
                "--checkpoint-key",
                never.resolve("key.pem").toString(),
                "--data-dir",
                dir
            },
            {
                "Invalid value for option '--checkpoint-key': " + aDir + " is a directory, not a file",
                "audit",
                "verify",
                "--checkpoint-key",
                aDir.toString(),
                "--data-dir",
                dir
            },
            {
                "ceremony file not found: " + never.resolve("c.yaml"),
                "ceremony",
                never.resolve("c.yaml").toString(),
                "--data-dir",
                dir
            },
            {
                "Invalid value for option '--out': '" + aFile + "' is not a directory",
                "ds",
                "certify",
                "--count",
                "1",
                "--out",
                aFile.toString(),
                "--data-dir",
                dir,
                custodians
            },
            {
                "Invalid value for option '--out': '" + aFile + "' is not a directory",
                "operator",
                "issue",
                "--id",
                "ann",
                "--office",
                "o",
                "--role",
                "officer",
                "--out",
                aFile.toString(),
                "--data-dir",
                dir,
                custodians
            },
            {
                "Invalid value for option '--out': '" + aFile + "' is not a directory",
                "csca",
                "rollover",
                "--new",
                "csca-2",
                "--new-key-label",
                "k",
                "--out",
                aFile.toString(),
                "--data-dir",
                dir,
                custodians
            },
            {
                "Invalid value for option '--out': '" + aFile + "' is not a directory",
                "crl",
                "sign",
                "--issuer",
                "csca",
                "--next-update-days",
                "30",
                "--out",
                aFile.toString(),
                "--data-dir",
                dir,
                custodians
            },
            {
                "Invalid value for option '--out': '" + aDir + "' is a directory, not a file",
                "csca",
                "master-list",
                "--signer-key-label",
                "ml",
                "--out",
                aDir.toString(),
                "--data-dir",
                dir,
                custodians
            },
            {
                "Invalid value for option '--out': the directory of " + never.resolve("ml.ml") + " does not exist",
                "csca",
                "master-list",
                "--signer-key-label",
                "ml",
                "--out",
                never.resolve("ml.ml").toString(),
                "--data-dir",
                dir,
                custodians
            },
            {
                "Invalid value for option '--directory': '" + aFile + "' is not a directory",
                "crl",
                "publish",
                "--directory",
                aFile.toString(),
                "--data-dir",
                dir,
                custodians
            },
            {
                "Invalid value for option '--directory': '" + aFile + "' is not a directory",
                "serve",
                "crl",
                "--directory",
                aFile.toString(),
                "--data-dir",
                dir,
                custodians
            },
            // a data directory without a store, or that is a file: no embedded database is started in it
            {"no store in " + never + " (run a ceremony first", "ds", "status", "--data-dir", dir},
            {
                "no store in " + never + " (run a ceremony first",
                "ds",
                "rotate",
                "--operator",
                "officer-7",
                "--data-dir",
                dir
            },
            {
                "no store in " + never + " (run a ceremony first",
                "operator",
                "revoke",
                "--serial",
                "ab",
                "--data-dir",
                dir,
                custodians
            },
            {"no store in " + aFile + " (run a ceremony first", "ds", "status", "--data-dir", aFile.toString()},
            {"--data-dir " + aFile + " is not a directory", "ceremony", ceremonyFile, "--data-dir", aFile.toString()},
        };
        List<String[]> runs = new ArrayList<>();
        for (Object[] c : cases) {
            List<String> args = new ArrayList<>();
            for (int i = 1; i < c.length; i++) {
                if (c[i] instanceof String[] more) {
                    args.addAll(List.of(more));
                } else {
                    args.add((String) c[i]);
                }
            }
            runs.add(args.toArray(String[]::new));
        }
        // Each is refused before anything is opened, so they may run side by side.
        List<CliProcesses.Result> results = CliProcesses.eidpkiAll(data, runs);
        for (int k = 0; k < cases.length; k++) {
            assertOneLineRefusal(results.get(k), (String) cases[k][0], List.of(runs.get(k)));
        }
        assertThat(never)
                .as("nothing made the data directory, an --out or a --directory")
                .doesNotExist();
        assertThat(Files.readString(aFile)).isEqualTo("not a directory\n");
        try (var files = Files.list(aDir)) {
            assertThat(files)
                    .as("nothing written into the directory given as a file")
                    .isEmpty();
        }
    }

    /** Refused once the store or the token is reached: the audit chain, the certificates and the CRLs stay as they were. */
    @Test
    void refusalsAtTheStoreOrTheTokenChangeNothing() throws IOException {
        long[] before = counts();
        String alice = CliProcesses.custodian(data, "alice");
        String bob = CliProcesses.custodian(data, "bob");
        // Share files that are empty, garbage, or another token's (the offline token's share under the online one's
        // name).
        Path shares = data.resolve("shares-copy");
        Files.createDirectories(shares);
        try (var files = Files.list(data.resolve("custody"))) {
            for (Path f : files.toList()) {
                Files.copy(f, shares.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        Path aliceShare = shares.resolve(online + ".share-1-of-3.alice.json");
        assertThat(aliceShare).exists();
        String[] activate = {
            "activate",
            "--data-dir",
            data.toString(),
            "--token-label",
            online,
            "--shares",
            shares.toString(),
            "--custodian",
            alice,
            "--custodian",
            bob
        };
        Files.writeString(aliceShare, "");
        assertOneLineRefusal(
                CliProcesses.eidpki(data, activate), "share file " + aliceShare + " is corrupt", List.of(activate));
        Files.writeString(aliceShare, "garbage\n");
        assertOneLineRefusal(
                CliProcesses.eidpki(data, activate), "share file " + aliceShare + " is corrupt", List.of(activate));
        Files.copy(
                shares.resolve(offline + ".share-1-of-3.alice.json"), aliceShare, StandardCopyOption.REPLACE_EXISTING);
        assertOneLineRefusal(
                CliProcesses.eidpki(data, activate),
                "is a share of token '" + offline + "', not of '" + online + "'",
                List.of(activate));
        // An empty passphrase file is a wrong passphrase.
        Path empty = data.resolve("empty.pass");
        Files.writeString(empty, "");
        String[] emptyPass = {
            "activate",
            "--data-dir",
            data.toString(),
            "--token-label",
            online,
            "--custodian",
            "alice:" + empty,
            "--custodian",
            bob
        };
        assertOneLineRefusal(
                CliProcesses.eidpki(data, emptyPass), "wrong passphrase for custodian 'alice'", List.of(emptyPass));

        // Acts on the store with custodians present, refused by what the store holds.
        String[][] acts = {
            {
                "no Document Signer or seal signer of csca has serial abcdef",
                "ds",
                "revoke",
                "--serial",
                "abcdef",
                "--token-label",
                offline
            },
            {
                "'citizen-ca' is an online CA",
                "crl",
                "sign",
                "--issuer",
                "citizen-ca",
                "--next-update-days",
                "30",
                "--token-label",
                offline,
                "--out",
                data.resolve("crl-never").toString()
            },
        };
        for (String[] act : acts) {
            List<String> args = new ArrayList<>(List.of(act).subList(1, act.length));
            args.addAll(List.of("--data-dir", data.toString(), "--custodian", alice, "--custodian", bob));
            assertOneLineRefusal(CliProcesses.eidpki(data, args.toArray(String[]::new)), act[0], args);
        }
        assertThat(data.resolve("crl-never")).doesNotExist();
        assertThat(counts()).as("audit events, certificates, CRLs").isEqualTo(before);

        // A revocation the store refuses leaves the one trace RevocationService keeps by design: a REFUSED event.
        String[] revoke = {
            "operator",
            "revoke",
            "--serial",
            "abcdef",
            "--token-label",
            online,
            "--data-dir",
            data.toString(),
            "--custodian",
            alice,
            "--custodian",
            bob
        };
        assertOneLineRefusal(
                CliProcesses.eidpki(data, revoke), "no certificate abcdef of CA ra-operators-ca", List.of(revoke));
        assertThat(counts())
                .as("audit events, certificates, CRLs")
                .containsExactly(before[0] + 1, before[1], before[2]);
        assertThat(lastAuditEvent()).isEqualTo("certificate.revoke REFUSED");
    }

    private static void assertOneLineRefusal(CliProcesses.Result r, String expected, List<String> args) {
        String what = String.join(" ", args);
        assertThat(r.exitCode()).as(what + "\n" + r.stdout() + r.stderr()).isEqualTo(2);
        assertThat(r.stdout()).as(what).isEmpty();
        assertThat(r.stderr().strip().lines())
                .as(what)
                .hasSize(1)
                .allSatisfy(l -> assertThat(l).startsWith("eidpki: ").contains(expected));
    }

    private static String lastAuditEvent() {
        StoreOptions options = new StoreOptions();
        options.dataDir = data;
        try (StoreOptions.Store s = options.open()) {
            return s.database().inTransaction(c -> {
                try (var st = c.createStatement();
                        var rs = st.executeQuery(
                                "SELECT CONCAT(action, ' ', result) FROM audit_event ORDER BY seq DESC LIMIT 1")) {
                    rs.next();
                    return rs.getString(1);
                }
            });
        }
    }

    private static long[] counts() {
        StoreOptions options = new StoreOptions();
        options.dataDir = data;
        try (StoreOptions.Store s = options.open()) {
            return s.database().inTransaction(c -> {
                long[] counts = new long[3];
                String[] tables = {"audit_event", "certificate", "crl"};
                for (int i = 0; i < tables.length; i++) {
                    try (var st = c.createStatement();
                            var rs = st.executeQuery("SELECT COUNT(*) FROM " + tables[i])) {
                        rs.next();
                        counts[i] = rs.getLong(1);
                    }
                }
                return counts;
            });
        }
    }
}
