package tw.eid.pki.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

/** The launcher's contract for bad input: exit 2, exactly one line on stderr, no stack trace. */
final class Refusals {
    private Refusals() {}

    /** Asserts the contract and returns the one line. */
    static String assertOneLineRefusal(Tools.Result r, String... expectedFragments) {
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
        List<String> lines = r.stderrLines();
        assertThat(lines).as("exactly one line on stderr\n" + r.describe()).hasSize(1);
        String line = lines.get(0);
        assertThat(line)
                .as(r.describe())
                .startsWith("eidpki: ")
                .doesNotContain("Exception")
                .doesNotContain("\tat ")
                .doesNotContainPattern("\\bat [a-z]+\\.[a-z]+\\.");
        for (String fragment : expectedFragments) {
            assertThat(line).as(r.describe()).contains(fragment);
        }
        return line;
    }
}
