package tw.eid.pki.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The alert rules of ops/prometheus/alerts.yml, judged by Prometheus's own promtool (Debian
 * {@code prometheus}, installed by bin/install-deps): they parse ({@code check rules}), each fires
 * on its condition and stays quiet otherwise ({@code test rules} with alerts.test.yml), each has a
 * unit test and a runbook entry in docs/metrics.md, and each metric they name is documented there.
 */
class AlertRulesTest {
    private static final Path RULES = RepositoryRoot.find().resolve("ops/prometheus");
    private static final Pattern ALERT = Pattern.compile("(?m)^\\s+- alert: (\\w+)");

    @Test
    void promtoolChecksTheRules() throws Exception {
        Run r = promtool("check", "rules", "alerts.yml");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS: " + alerts().size() + " rules found");
    }

    @Test
    void promtoolUnitTestsPass() throws Exception {
        Run r = promtool("test", "rules", "alerts.test.yml");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS");
    }

    @Test
    void theUnitTestsCanFail() throws Exception {
        // The same tests against rules whose TokenDown never fires: promtool must say so.
        Path dir = Files.createTempDirectory("alerts");
        try {
            Files.writeString(
                    dir.resolve("alerts.yml"),
                    Files.readString(RULES.resolve("alerts.yml"))
                            .replace("eidpki_token_up == 0", "eidpki_token_up < 0"));
            Files.copy(RULES.resolve("alerts.test.yml"), dir.resolve("alerts.test.yml"));
            Run r = run(dir, "promtool", "test", "rules", "alerts.test.yml");
            assertThat(r.exit()).as(r.output()).isNotZero();
            assertThat(r.output()).contains("FAILED", "TokenDown");
        } finally {
            CliProcesses.deleteTree(dir);
        }
    }

    @Test
    void everyAlertHasAUnitTestAndARunbookEntry() throws IOException {
        String tests = Files.readString(RULES.resolve("alerts.test.yml"));
        String doc = Files.readString(RepositoryRoot.find().resolve("docs/metrics.md"));
        for (String alert : alerts()) {
            assertThat(tests).as(alert).contains("alertname: " + alert);
            assertThat(doc).as(alert).containsPattern("(?m)^### .*\\b" + alert + "\\b");
        }
    }

    @Test
    void everyMetricTheRulesNameIsDocumented() throws IOException {
        String doc = Files.readString(RepositoryRoot.find().resolve("docs/metrics.md"));
        Matcher m = Pattern.compile("\\beidpki_[a-z_]+").matcher(Files.readString(RULES.resolve("alerts.yml")));
        while (m.find()) {
            assertThat(doc).as(m.group()).contains("`" + m.group() + "`");
        }
    }

    private static Set<String> alerts() throws IOException {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = ALERT.matcher(Files.readString(RULES.resolve("alerts.yml")));
        while (m.find()) {
            out.add(m.group(1));
        }
        assertThat(out).hasSizeGreaterThanOrEqualTo(9);
        return out;
    }

    record Run(int exit, String output) {}

    private static Run promtool(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "promtool";
        System.arraycopy(args, 0, command, 1, args.length);
        return run(RULES, command);
    }

    static Run run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }
}
