package tw.eid.pki.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to {@code bin/cluster} and {@code bin/drill}: one line, exit 2, nothing left running. */
class ClusterScriptTest {

    @TempDir
    Path dir;

    private static Path repo() {
        Path p = Paths.get("").toAbsolutePath();
        while (!Files.isExecutable(p.resolve("bin/cluster"))) {
            p = p.getParent();
        }
        return p;
    }

    private static Tools.Result run(Map<String, String> env, String... args) {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(repo().resolve(args[0]).toString());
        cmd.addAll(List.of(args).subList(1, args.length));
        return Tools.run(cmd, env, null, null, Duration.ofMinutes(2));
    }

    private static void refusedInOneLine(Tools.Result r, String words) {
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.stderr().strip().lines()).as(r.toString()).hasSize(1);
        assertThat(r.stderr()).contains(words).doesNotContain("Exception");
    }

    @Test
    void unknownCommandsDrillsAndOptionsAreRefused() {
        refusedInOneLine(run(Map.of(), "bin/cluster", "frobnicate", "--dir", dir.toString()), "unknown command");
        refusedInOneLine(
                run(Map.of(), "bin/cluster", "up", "--dir", dir.toString(), "--base-port", "12ab"), "--base-port");
        refusedInOneLine(run(Map.of(), "bin/cluster", "kill-node", "7", "--dir", dir.toString()), "node must be");
        refusedInOneLine(run(Map.of(), "bin/drill", "zz"), "unknown drill");
        refusedInOneLine(run(Map.of(), "bin/drill", "a", "-Dfoo=bar"), "unknown option");
        refusedInOneLine(run(Map.of(), "bin/drill"), "usage");
    }

    @Test
    void aPortInUseIsRefusedBeforeAnythingStarts() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Tools.Result r = run(
                    Map.of("EIDPKI_CLUSTER_HTTP_PORT", Integer.toString(busy.getLocalPort())),
                    "bin/cluster",
                    "up",
                    "--dir",
                    dir.toString(),
                    "--base-port",
                    "46100");
            refusedInOneLine(r, "port " + busy.getLocalPort() + " is in use");
        }
        // Nothing started: no database node of this directory.
        Tools.Result ps = Tools.run("pgrep", "-f", dir.toString());
        assertThat(ps.stdout().strip()).isEmpty();
        assertThat(dir.resolve("galera")).doesNotExist();
    }
}
