package tw.eid.pki.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code serve ra | ocsp | crl | all} as picocli subcommands: each one's help lists exactly its own
 * options, and an option of another service is refused by picocli while the arguments are read
 * (through processes, as {@code bin/eidpki} runs them): one line naming whose option it is, exit
 * code 2, nothing on stdout, no data directory made.
 */
class ServeCommandTest {
    private static final Pattern OPTION = Pattern.compile("(?m)^ +(?:-\\w, )?(--[a-z-]+)");
    private static final Set<String> EVERY_SERVICE = Set.of(
            "--help",
            "--version",
            "--host",
            "--admin-host",
            "--admin-port",
            "--log-format",
            "--custodian",
            "--library",
            "--shares",
            "--token-label",
            "--data-dir",
            "--jdbc-url",
            "--db-user",
            "--db-password-file");
    private static final Set<String> RA = Set.of("--tls-name", "--proxy-protocol-from");
    private static final Set<String> OCSP = Set.of("--validity", "--unknown-as-revoked", "--ignore-nonce");
    private static final Set<String> CRL = Set.of("--directory", "--full-days", "--delta-hours", "--keep-expired");

    private static Path data;

    @BeforeAll
    static void directory() throws IOException {
        data = CliProcesses.freshDirectory("serve-command");
        // A passphrase file that is there to read: --custodian is checked while the arguments are read.
        Files.writeString(data.resolve("alice.pass"), "not a passphrase of any share\n");
    }

    @AfterAll
    static void cleanUp() throws IOException {
        CliProcesses.deleteTree(data);
    }

    private static CommandLine serve() {
        return new CommandLine(new EidPki()).getSubcommands().get("serve");
    }

    /** The usage help, wide enough that no description is wrapped. */
    private static String help(CommandLine command) {
        return command.setUsageHelpWidth(200).getUsageMessage();
    }

    private static Set<String> optionsInHelp(CommandLine command) {
        Set<String> names = new TreeSet<>();
        Matcher m = OPTION.matcher(help(command));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static Set<String> union(Set<String>... sets) {
        Set<String> all = new TreeSet<>(EVERY_SERVICE);
        for (Set<String> s : sets) {
            all.addAll(s);
        }
        return all;
    }

    @Test
    void serveNamesItsFourServicesAndTakesNoServiceOption() {
        assertThat(serve().getSubcommands().keySet()).containsExactly("ra", "ocsp", "crl", "all");
        assertThat(optionsInHelp(serve())).containsExactlyInAnyOrder("--help", "--version");
    }

    @Test
    void eachServicesHelpListsExactlyItsOwnOptions() {
        Map<String, CommandLine> services = serve().getSubcommands();
        assertThat(optionsInHelp(services.get("ra"))).containsExactlyInAnyOrderElementsOf(union(RA, Set.of("--port")));
        assertThat(optionsInHelp(services.get("ocsp")))
                .containsExactlyInAnyOrderElementsOf(union(OCSP, Set.of("--port", "--max-age")));
        assertThat(optionsInHelp(services.get("crl")))
                .containsExactlyInAnyOrderElementsOf(union(CRL, Set.of("--port", "--max-age")));
        assertThat(optionsInHelp(services.get("all")))
                .containsExactlyInAnyOrderElementsOf(
                        union(RA, OCSP, CRL, Set.of("--ra-port", "--ocsp-port", "--max-age")));
    }

    @Test
    void theDefaultPortsAreTheOnesOfToday() {
        Map<String, CommandLine> services = serve().getSubcommands();
        assertThat(help(services.get("ra"))).contains("port, 0 for any free one (default: 8443)");
        assertThat(help(services.get("ocsp"))).contains("port, 0 for any free one (default: 8080)");
        assertThat(help(services.get("crl"))).contains("port, 0 for any free one (default: 8080)");
        assertThat(help(services.get("all")))
                .contains(
                        "the RA API's TLS port, 0 for any free one (default: 8443)",
                        "the plain HTTP port of OCSP and the CRLs, 0 for any free one (default: 8080)",
                        "the token to activate (default: eid-online)");
    }

    @Test
    void eachServiceHasItsOwnAdminPortNoneAWellKnownExporterPort() {
        Map<String, CommandLine> services = serve().getSubcommands();
        Map<String, Integer> expected = Map.of("ra", 7461, "ocsp", 7462, "crl", 7463, "all", 7460);
        expected.forEach((service, port) -> assertThat(help(services.get(service)))
                .as(service)
                .contains("(default: " + port + "; docs/metrics.md)"));
        assertThat(Set.copyOf(expected.values()))
                .hasSize(4)
                .doesNotContain(AdminServer.DEMO_DEFAULT_PORT)
                .allSatisfy(p -> assertThat(p).isNotIn(9090, 9091, 9093, 9100, 8080, 8443));
    }

    @Test
    void anOptionOfAnotherServiceIsRefusedWhileTheArgumentsAreRead() throws IOException {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refusals(busy);
        }
    }

    private void refusals(ServerSocket busy) {
        Path never = data.resolve("never-made");
        String[][] cases = {
            {"--validity is an option of 'serve ocsp', not of 'serve ra'", "ra", "--validity", "8"},
            {"--max-age is an option of 'serve ocsp' and 'serve crl', not of 'serve ra'", "ra", "--max-age", "60"},
            {"--directory is an option of 'serve crl', not of 'serve ra'", "ra", "--directory", data.toString()},
            {"--tls-name is an option of 'serve ra', not of 'serve ocsp'", "ocsp", "--tls-name=ocsp.example"},
            {"--keep-expired is an option of 'serve crl', not of 'serve ocsp'", "ocsp", "--keep-expired"},
            {"--ignore-nonce is an option of 'serve ocsp', not of 'serve crl'", "crl", "--ignore-nonce"},
            {
                "--port is an option of 'serve ra', 'serve ocsp' and 'serve crl', not of 'serve all'",
                "all",
                "--port",
                "80"
            },
            {"Unknown option: '--bogus'", "all", "--bogus"},
            {"--admin-port must be 0 to 65535, not 70000", "ra", "--admin-port", "70000"},
            {"--admin-port must be 0 to 65535, not -1", "crl", "--admin-port", "-1"},
            {
                "--admin-port 18080 is also a public port of this process",
                "ocsp",
                "--port",
                "18080",
                "--admin-port",
                "18080"
            },
            {
                "--admin-port 18443 is also a public port of this process",
                "all",
                "--ra-port",
                "18443",
                "--admin-port",
                "18443"
            },
            {
                "--admin-port " + busy.getLocalPort() + " on 127.0.0.1 is not free",
                "all",
                "--admin-port",
                String.valueOf(busy.getLocalPort())
            },
            {"--ra-port must be 0 to 65535, not 70000", "all", "--ra-port", "70000"},
            {"--ocsp-port must be 0 to 65535, not -1", "all", "--ocsp-port", "-1"},
            {"--validity must be 8 to 240 hours", "all", "--validity", "2"},
            {"--full-days must be 1 to 10", "all", "--full-days", "11"},
            {"the service comes before its options: serve ra --port ...", "--port", "0", "ra"},
            {"unknown service 'dns' (this version serves: ra, ocsp, crl, all)", "dns"},
            {"Missing required parameter: 'SERVICE' (ra, ocsp, crl or all)"},
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("serve"));
            args.addAll(List.of(c).subList(1, c.length));
            if (c.length > 1) {
                args.addAll(
                        List.of("--data-dir", never.toString(), "--custodian", "alice:" + data.resolve("alice.pass")));
            }
            CliProcesses.Result r = CliProcesses.eidpki(data, args.toArray(String[]::new));
            String what = String.join(" ", args);
            assertThat(r.exitCode()).as(what + "\n" + r.stdout() + r.stderr()).isEqualTo(2);
            assertThat(r.stdout()).as(what).isEmpty();
            assertThat(r.stderr().strip().lines())
                    .as(what)
                    .hasSize(1)
                    .allSatisfy(l -> assertThat(l).startsWith("eidpki: " + c[0]));
        }
        assertThat(never)
                .as("nothing opened a store or made the data directory")
                .doesNotExist();
    }
}
