package tw.eid.pki.ra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration fails fast (docs/style.md #6); secrets come from owner-only files. */
class RaConfigTest {
    @TempDir
    Path dir;

    @Test
    void aPasswordFileReadableByOthersIsRefused() throws Exception {
        Path pw = dir.resolve("pw");
        Files.writeString(pw, "s3cret\n");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> RaServer.password(pw)).hasMessageContaining("group or others");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
        assertThat(RaServer.password(pw)).containsExactly('s', '3', 'c', 'r', 'e', 't');
        Files.writeString(pw, "\n");
        assertThatThrownBy(() -> RaServer.password(pw)).hasMessageContaining("empty");
    }

    @Test
    void nonsenseIsRefusedAtConstruction() {
        assertThatThrownBy(() -> new RaConfig(
                        "127.0.0.1",
                        70000,
                        dir,
                        dir,
                        "ra-operators-ca",
                        "citizen-ca",
                        Duration.ofMinutes(10),
                        3,
                        Duration.ofMinutes(30),
                        65536,
                        20,
                        java.util.Set.of(),
                        java.time.Clock.systemUTC(),
                        null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port");
        assertThatThrownBy(() -> new RaConfig(
                        "127.0.0.1",
                        0,
                        dir,
                        dir,
                        "RA Operators",
                        "citizen-ca",
                        Duration.ofMinutes(10),
                        3,
                        Duration.ofMinutes(30),
                        65536,
                        20,
                        java.util.Set.of(),
                        java.time.Clock.systemUTC(),
                        null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("operatorsCaName");
        assertThatThrownBy(() -> new RaConfig(
                        "127.0.0.1",
                        0,
                        dir,
                        dir,
                        "ra-operators-ca",
                        "citizen-ca",
                        Duration.ZERO,
                        3,
                        Duration.ofMinutes(30),
                        65536,
                        20,
                        java.util.Set.of(),
                        java.time.Clock.systemUTC(),
                        null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("authFailureWindow");
        assertThatThrownBy(() -> new RaConfig(
                        "127.0.0.1",
                        0,
                        dir,
                        null,
                        "ra-operators-ca",
                        "citizen-ca",
                        Duration.ofMinutes(10),
                        3,
                        Duration.ofMinutes(30),
                        65536,
                        20,
                        java.util.Set.of(),
                        java.time.Clock.systemUTC(),
                        null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("no default password");
        assertThatThrownBy(() -> new RaConfig(
                        "127.0.0.1",
                        0,
                        dir,
                        dir,
                        "ra-operators-ca",
                        "citizen-ca",
                        Duration.ofMinutes(10),
                        3,
                        Duration.ofMinutes(30),
                        65536,
                        0,
                        java.util.Set.of(),
                        java.time.Clock.systemUTC(),
                        null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sodPerSecond");
    }
}
