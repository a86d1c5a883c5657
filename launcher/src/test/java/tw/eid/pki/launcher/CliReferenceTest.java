package tw.eid.pki.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/cli.md is picocli's help of every command, as the code prints it now. The build fails when
 * a command, option or description changed and the file was not regenerated; run with
 * {@code -Deidpki.cli-reference.write=true} (the exact command is {@link CliReference#REGENERATE})
 * to rewrite it.
 */
class CliReferenceTest {

    @Test
    void committedCliReferenceMatchesTheCode() throws IOException {
        Path file = RepositoryRoot.find().resolve("docs/cli.md");
        String expected = CliReference.markdown();
        if (Boolean.getBoolean("eidpki.cli-reference.write")) {
            Files.writeString(file, expected, StandardCharsets.UTF_8);
        }
        assertThat(file)
                .as("docs/cli.md is missing; create it from the repository root with:%n  %s", CliReference.REGENERATE)
                .isRegularFile();
        String committed = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(committed)
                .as(
                        "docs/cli.md differs from the commands' help; regenerate it from the repository root with:%n  %s",
                        CliReference.REGENERATE)
                .isEqualTo(expected);
    }

    /** The text must not depend on the machine: no absolute paths of this checkout, no user's home. */
    @Test
    void helpTextDependsOnNothingButTheCode() {
        String md = CliReference.markdown();
        assertThat(md)
                .doesNotContain(RepositoryRoot.find().toString())
                .doesNotContain(System.getProperty("user.home"))
                .doesNotContain(System.getProperty("java.io.tmpdir") + "/")
                .doesNotContain("\u001b[");
        assertThat(md).as("identical on a second run").isEqualTo(CliReference.markdown());
        assertThat(md)
                .contains("## eidpki demo")
                .contains("## eidpki ds certify")
                .contains("## eidpki csca master-list");
    }
}
