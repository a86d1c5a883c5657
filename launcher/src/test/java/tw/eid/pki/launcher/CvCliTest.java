package tw.eid.pki.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tw.eid.pki.ca.cvc.OpenPace;

/**
 * {@code eidpki cv} through processes, as the custodians run it after the demo ceremony: {@code
 * cvca-create} (offline token), {@code dv-certify} (offline custodians for the CVCA key, {@code
 * --online-} custodians for the DV key), {@code dv-warnings}, {@code cvca-rollover} and {@code
 * trust-points}; openpace's {@code cvc-print} verifies the DV through the CVCA and the link with
 * only the old CVCA trusted. Bad input is one line, exit 2, and changes nothing (the CV rows and the
 * audit trail are counted). Reads the real clock (cvc-print checks validity against it).
 */
class CvCliTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static Path data;
    private static String offline;
    private static String online;

    @BeforeAll
    static void ceremony() throws Exception {
        data = CliProcesses.freshDirectory("cv-cli");
        String suffix = HexFormat.of().formatHex(RANDOM.generateSeed(4));
        offline = "cv-off-" + suffix;
        online = "cv-on-" + suffix;
        CliProcesses.Result r = CliProcesses.demoCeremony(data, offline, online);
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
    }

    @AfterAll
    static void cleanUp() throws IOException {
        CliProcesses.deleteTree(data);
    }

    @Test
    void cvcaDvRolloverAndTrustPointsFromTheCommandLine() throws Exception {
        Path out = data.resolve("cv-out");
        CliProcesses.Result r = cv(
                "cvca-create",
                "--chr",
                "TWCVCA00001",
                "--key-label",
                "cvca-1",
                "--validity",
                "P2Y",
                "--out",
                out.toString(),
                "--token-label",
                offline);
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout()).contains("CVCA TWCVCA00001 (AT)", "trust points written to");
        byte[] cvca = Files.readAllBytes(out.resolve("TWCVCA00001.cvcert"));
        assertThat(Files.readAllBytes(out.resolve(CvCommand.TRUST_POINTS_FILE))).isEqualTo(cvca);

        long[] before = counts();
        // The same CHR again, and a key label the token holds: refused before anything is made.
        refused(
                cv(
                        "cvca-create",
                        "--chr",
                        "TWCVCA00001",
                        "--key-label",
                        "cvca-x",
                        "--out",
                        out.toString(),
                        "--token-label",
                        offline),
                "a CVCA certificate for TWCVCA00001 exists");
        refused(
                cv(
                        "cvca-create",
                        "--chr",
                        "TWCVCA00009",
                        "--key-label",
                        "cvca-1",
                        "--out",
                        out.toString(),
                        "--token-label",
                        offline),
                "a ceremony never overwrites a key");
        refused(
                cv(
                        "cvca-create",
                        "--chr",
                        "TWCVCA00009",
                        "--key-label",
                        "cvca-9",
                        "--validity",
                        "P4Y",
                        "--out",
                        out.toString(),
                        "--token-label",
                        offline),
                "valid at most P3Y");
        // A DV longer than three months, and one under a CVCA that does not exist.
        refused(dvCertify(out, "TWCVCA00001", "TWDVMOI00001", "dv-1", "P4M"), "valid at most P3M");
        refused(dvCertify(out, "TWCVCA00007", "TWDVMOI00001", "dv-1", "P3M"), "no CVCA TWCVCA00007");
        assertThat(counts()).as("CV certificates, audit events").containsExactly(before);

        r = dvCertify(out, "TWCVCA00001", "TWDVMOI00001", "dv-1", "P3M");
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout()).contains("DV TWDVMOI00001 (dv_domestic, under TWCVCA00001)", online);
        assertThat(OpenPace.print(out, out.resolve("TWDVMOI00001.cvcert")))
                .contains("certificate verified", "[exit 0]");
        assertThat(lastAudit()).isEqualTo("custodians:alice+bob/online:bob+carol cv.dv.certify");

        r = cv("dv-warnings", "--within", "P100D");
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isEqualTo(1);
        assertThat(r.stdout()).contains("DV TWDVMOI00001 (AT) expires");
        r = cv("dv-warnings", "--within", "P7D");
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout()).contains("no DV expires within P7D");

        Path rolled = data.resolve("cv-rollover");
        r = cv(
                "cvca-rollover",
                "--old",
                "TWCVCA00001",
                "--new-key-label",
                "cvca-2",
                "--validity",
                "P2Y",
                "--out",
                rolled.toString(),
                "--token-label",
                offline);
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        byte[] next = Files.readAllBytes(rolled.resolve("TWCVCA00002.cvcert"));
        Path link = rolled.resolve("TWCVCA00001-TWCVCA00002.link.cvcert");
        assertThat(Files.readAllBytes(rolled.resolve(CvCommand.TRUST_POINTS_FILE)))
                .isEqualTo(concat(cvca, next, Files.readAllBytes(link)));
        // The link verifies with only the old CVCA trusted.
        Path old = Files.createDirectories(data.resolve("cv-old-only"));
        Files.write(old.resolve("TWCVCA00001"), cvca);
        assertThat(OpenPace.print(old, link)).contains("certificate verified", "[exit 0]");

        Path points = data.resolve("points.cvcerts");
        r = cv("trust-points", "--out", points.toString());
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout()).contains("3 trust point(s)");
        assertThat(Files.readAllBytes(points))
                .isEqualTo(Files.readAllBytes(rolled.resolve(CvCommand.TRUST_POINTS_FILE)));
    }

    @Test
    void badArgumentsAreOneLineAndExitTwo() throws Exception {
        Path never = data.resolve("never-made");
        String dir = never.toString();
        Object[][] cases = {
            {"Unmatched arguments from index 1: 'frobnicate'", "cv", "frobnicate"},
            {"Missing required option: '--chr", "cv", "cvca-create", "--key-label", "k", "--out", dir},
            {"a holder reference is", "cv", "cvca-create", "--chr", "TW", "--key-label", "k", "--out", dir},
            {"a holder reference is", "cv", "cvca-create", "--chr", "twcvca00001", "--key-label", "k", "--out", dir},
            {
                "'P3Q' is not an ISO 8601 period",
                "cv",
                "cvca-create",
                "--chr",
                "TWCVCA00001",
                "--key-label",
                "k",
                "--validity",
                "P3Q",
                "--out",
                dir
            },
            {
                "'-P1Y' is not a positive period",
                "cv",
                "cvca-create",
                "--chr",
                "TWCVCA00001",
                "--key-label",
                "k",
                "--validity",
                "-P1Y",
                "--out",
                dir
            },
            {
                "'XX' is not AT or IS",
                "cv",
                "cvca-create",
                "--chr",
                "TWCVCA00001",
                "--key-label",
                "k",
                "--type",
                "XX",
                "--out",
                dir
            },
            {
                "Missing required option: '--online-custodian",
                "cv",
                "dv-certify",
                "--cvca",
                "TWCVCA00001",
                "--chr",
                "TWDVMOI00001",
                "--key-label",
                "k",
                "--out",
                dir
            },
            {
                "'national' is not domestic or foreign",
                "cv",
                "dv-certify",
                "--cvca",
                "TWCVCA00001",
                "--chr",
                "TWDVMOI00001",
                "--key-label",
                "k",
                "--role",
                "national",
                "--online-custodian",
                CliProcesses.custodian(data, "bob"),
                "--out",
                dir
            },
            {"Missing required option: '--new-key-label", "cv", "cvca-rollover", "--old", "TWCVCA00001", "--out", dir},
            {"is not an ISO 8601 period", "cv", "dv-warnings", "--within", "soon"},
            {"Missing required option: '--out", "cv", "trust-points"},
        };
        String[] custodians = {
            "--custodian", CliProcesses.custodian(data, "alice"), "--custodian", CliProcesses.custodian(data, "bob")
        };
        for (Object[] c : cases) {
            List<String> args = new ArrayList<>();
            for (int i = 1; i < c.length; i++) {
                args.add((String) c[i]);
            }
            args.addAll(List.of("--data-dir", data.toString()));
            if (args.size() > 2
                    && !args.get(1).equals("dv-warnings")
                    && !args.get(1).equals("trust-points")) {
                args.addAll(List.of(custodians));
            }
            CliProcesses.Result r = CliProcesses.eidpki(data, args.toArray(String[]::new));
            refused(r, (String) c[0]);
        }
        assertThat(never).as("no --out directory was made").doesNotExist();
        // trust-points before any CVCA, in a store of its own: refused, no file.
        Path empty = CliProcesses.freshDirectory("cv-cli-empty");
        try {
            CliProcesses.Result r = CliProcesses.demoCeremony(
                    empty,
                    "cv-e-off-" + HexFormat.of().formatHex(RANDOM.generateSeed(4)),
                    "cv-e-on-" + HexFormat.of().formatHex(RANDOM.generateSeed(4)));
            assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
            Path file = empty.resolve("points.cvcerts");
            refused(
                    CliProcesses.eidpki(
                            empty, "cv", "trust-points", "--out", file.toString(), "--data-dir", empty.toString()),
                    "no CVCA in the store");
            assertThat(file).doesNotExist();
        } finally {
            CliProcesses.deleteTree(empty);
        }
    }

    private static CliProcesses.Result dvCertify(Path out, String cvca, String chr, String label, String validity) {
        return cv(
                "dv-certify",
                "--cvca",
                cvca,
                "--chr",
                chr,
                "--key-label",
                label,
                "--validity",
                validity,
                "--out",
                out.toString(),
                "--token-label",
                offline,
                "--online-token-label",
                online,
                "--online-custodian",
                CliProcesses.custodian(data, "bob"),
                "--online-custodian",
                CliProcesses.custodian(data, "carol"));
    }

    /** {@code eidpki cv ARGS --data-dir DATA} with alice and bob as the (offline) custodians where the act needs them. */
    private static CliProcesses.Result cv(String... args) {
        List<String> all = new ArrayList<>(List.of("cv"));
        all.addAll(List.of(args));
        all.addAll(List.of("--data-dir", data.toString()));
        if (!args[0].equals("dv-warnings") && !args[0].equals("trust-points")) {
            all.addAll(List.of(
                    "--custodian",
                    CliProcesses.custodian(data, "alice"),
                    "--custodian",
                    CliProcesses.custodian(data, "bob")));
        }
        return CliProcesses.eidpki(data, all.toArray(String[]::new));
    }

    private static void refused(CliProcesses.Result r, String expected) {
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isEqualTo(2);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr().strip().lines())
                .hasSize(1)
                .allSatisfy(l -> assertThat(l).startsWith("eidpki: ").contains(expected));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.writeBytes(p);
        }
        return all.toByteArray();
    }

    private static long[] counts() {
        StoreOptions options = new StoreOptions();
        options.dataDir = data;
        try (StoreOptions.Store s = options.open()) {
            return s.database().inTransaction(c -> {
                long[] counts = new long[2];
                String[] tables = {"cv_certificate", "audit_event"};
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

    private static String lastAudit() {
        StoreOptions options = new StoreOptions();
        options.dataDir = data;
        try (StoreOptions.Store s = options.open()) {
            return s.database().inTransaction(c -> {
                try (var st = c.createStatement();
                        var rs = st.executeQuery(
                                "SELECT CONCAT(actor, ' ', action) FROM audit_event ORDER BY seq DESC LIMIT 1")) {
                    rs.next();
                    return rs.getString(1);
                }
            });
        }
    }
}
