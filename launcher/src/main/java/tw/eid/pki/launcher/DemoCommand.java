package tw.eid.pki.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import tw.eid.pki.ca.ceremony.CeremonyException;

/**
 * The demo, at this stage (issue 2): runs the initial ceremony into a fresh data directory with
 * three demo custodians (2 of 3), activates the online token with two of them, verifies the
 * audit trail, and prints the chains with the openssl commands that check them.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the demo ceremony into a fresh data directory (2-of-3 demo custodians), check it, and print",
                "the certificate chains and the openssl commands that verify them."})
final class DemoCommand implements Callable<Integer> {
    static final List<String> CUSTODIANS = List.of("alice", "bob", "carol");

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() throws Exception {
        Path data = store.dataDir();
        Path out = data.resolve("ceremony/initial");
        if (!Files.isDirectory(out)) {
            if (Files.exists(data.resolve("db")) || Files.exists(data.resolve("custody"))) {
                throw new CeremonyException(data + " holds an unfinished demo: remove it to start over");
            }
            runCeremony(data);
        } else {
            System.out.println("the demo ceremony already ran in " + data + " (remove it to start over)");
        }
        int rc = EidPki.execute("activate", "--data-dir", data.toString(), "--token-label", "eid-online",
                "--custodian", "alice:" + data.resolve("demo-custodians/alice.pass"),
                "--custodian", "bob:" + data.resolve("demo-custodians/bob.pass"));
        if (rc != 0) {
            return rc;
        }
        rc = EidPki.execute("audit", "verify", "--data-dir", data.toString());
        if (rc != 0) {
            return rc;
        }
        printChains(out);
        return 0;
    }

    private void runCeremony(Path data) throws IOException {
        Files.createDirectories(data);
        Path passDir = data.resolve("demo-custodians");
        Files.createDirectories(passDir);
        Files.setPosixFilePermissions(passDir, PosixFilePermissions.fromString("rwx------"));
        SecureRandom random = new SecureRandom();
        for (String c : CUSTODIANS) {
            Path f = passDir.resolve(c + ".pass");
            if (!Files.exists(f)) {
                Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(f, "demo-" + c + "-" + HexFormat.of().formatHex(random.generateSeed(12)) + "\n");
            }
        }
        Path ceremonyFile = data.resolve("demo-ceremony.yaml");
        if (!Files.exists(ceremonyFile)) {
            try (InputStream in = DemoCommand.class.getResourceAsStream("demo-ceremony.yaml")) {
                Files.copy(in, ceremonyFile);
            }
        }
        System.out.println("running the demo ceremony " + ceremonyFile + " (custodians alice, bob, carol; threshold 2)");
        int rc = EidPki.execute("ceremony", "--data-dir", data.toString(), ceremonyFile.toString());
        if (rc != 0) {
            throw new CeremonyException("the demo ceremony failed (see above)");
        }
    }

    private static void printChains(Path out) {
        String o = out.toString();
        System.out.println();
        System.out.println("Certificate chains (PEM and DER in " + o + "):");
        System.out.println("  Citizen Root CA -> Citizen CA -> Citizen CA OCSP Responder");
        System.out.println("  Citizen Root CA -> RA Operators CA");
        System.out.println("  CSCA -> Document Signer 001");
        System.out.println("Offline CRLs: citizen-root.crl (ARL), csca.crl");
        System.out.println();
        String[][] checks = {
                {"openssl", "verify", "-x509_strict", "-CAfile", o + "/citizen-root.pem", "-untrusted", o + "/citizen-ca.pem", o + "/citizen-ca-ocsp.pem"},
                {"openssl", "verify", "-x509_strict", "-CAfile", o + "/citizen-root.pem", o + "/ra-operators-ca.pem"},
                {"openssl", "verify", "-x509_strict", "-CAfile", o + "/csca.pem", o + "/ds-001.pem"},
                {"openssl", "crl", "-noout", "-in", o + "/citizen-root.crl", "-inform", "DER", "-CAfile", o + "/citizen-root.pem"},
                {"openssl", "crl", "-noout", "-in", o + "/csca.crl", "-inform", "DER", "-CAfile", o + "/csca.pem"},
        };
        System.out.println("Check them with openssl:");
        for (String[] check : checks) {
            System.out.println("  " + String.join(" ", check));
            System.out.println("    -> " + run(check));
        }
        System.out.println("The ceremony transcript is signed by the offline root key:");
        String t = "openssl dgst -sha384 -verify <(openssl x509 -in " + o + "/citizen-root.pem -pubkey -noout) -signature "
                + o + "/transcript.json.sig " + o + "/transcript.json";
        System.out.println("  " + t);
        System.out.println("    -> " + run(new String[] {"bash", "-c", t}));
    }

    private static String run(String[] command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            int rc = p.waitFor();
            return (rc == 0 ? "" : "FAILED (exit " + rc + "): ") + text.replace('\n', ' ');
        } catch (IOException e) {
            return "cannot run " + command[0] + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
