package tw.eid.pki.ca.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DatabasePasswordTest {

    private static Path secretFile(String content, String permissions) throws IOException {
        Path dir = Files.createDirectories(TestDatabase.workDirectory().resolve("secrets"));
        Path file = dir.resolve(UUID.randomUUID() + ".txt");
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    @Test
    void readsAnOwnerOnlyFileWithoutItsTrailingNewline() throws IOException {
        DatabasePassword password = DatabasePassword.fromFile(secretFile(" s3cret \n", "rw-------"));
        assertThat(password.reveal()).isEqualTo(" s3cret ");
        assertThat(password.toString()).doesNotContain("s3cret");
    }

    @Test
    void refusesAFileOthersCanRead() throws IOException {
        Path file = secretFile("s3cret\n", "rw-r--r--");
        assertThatThrownBy(() -> DatabasePassword.fromFile(file))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("group or others");
    }

    @Test
    void refusesAMissingEnvironmentVariable() {
        assertThatThrownBy(() -> DatabasePassword.fromEnvironment("EIDPKI_TEST_NO_SUCH_VARIABLE"))
                .isInstanceOf(StoreException.class);
    }

    @Test
    void settingsRefuseAPasswordInTheUrl() {
        assertThatThrownBy(
                        () -> DatabaseSettings.of("jdbc:mariadb://db/eid?password=x", "eid", DatabasePassword.none()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DatabaseSettings.of("jdbc:postgresql://db/eid", "eid", DatabasePassword.none()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void settingsKeepTheConnectionWaitWithinWhatThePoolAccepts() {
        DatabaseSettings settings = DatabaseSettings.of("jdbc:mariadb://db/eid", "eid", DatabasePassword.none());
        assertThat(settings.connectionWait()).isEqualTo(DatabaseSettings.DEFAULT_CONNECTION_WAIT);
        assertThat(settings.withConnectionWait(Duration.ofMillis(250)).connectionWait())
                .isEqualTo(Duration.ofMillis(250));
        assertThatThrownBy(() -> settings.withConnectionWait(Duration.ofMillis(249)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connectionWait");
        assertThatThrownBy(() -> settings.withConnectionWait(Duration.ofSeconds(61)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
