package tw.eid.pki.ca.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The database account's password. It comes from a file with owner-only permissions or from the
 * environment, never from source or default configuration (docs/architecture.md, security baseline).
 * Not a record on purpose: {@code toString}, {@code equals} and {@code hashCode} must not expose or
 * compare the secret.
 */
public final class DatabasePassword {

    private static final Set<PosixFilePermission> GROUP_OR_OTHER = EnumSet.of(
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE);

    private static final DatabasePassword NONE = new DatabasePassword("");

    private final String value;

    private DatabasePassword(String value) {
        this.value = value;
    }

    /**
     * Reads the password from a file. The file must not be accessible to group or others (like an
     * SSH key) where the file system has POSIX permissions. One trailing line break is dropped,
     * because editors add one; any other whitespace is part of the password.
     */
    public static DatabasePassword fromFile(Path file) {
        Objects.requireNonNull(file, "file");
        try {
            PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
            if (posix != null) {
                Set<PosixFilePermission> permissions = posix.readAttributes().permissions();
                if (permissions.stream().anyMatch(GROUP_OR_OTHER::contains)) {
                    throw new StoreException(
                            StoreException.Code.INVALID_SETTINGS,
                            "database password file " + file + " is accessible to group or others; chmod 600 it");
                }
            }
            String text = Files.readString(file, StandardCharsets.UTF_8);
            if (text.endsWith("\r\n")) {
                text = text.substring(0, text.length() - 2);
            } else if (text.endsWith("\n")) {
                text = text.substring(0, text.length() - 1);
            }
            if (text.isEmpty()) {
                throw new StoreException(
                        StoreException.Code.INVALID_SETTINGS, "database password file " + file + " is empty");
            }
            return new DatabasePassword(text);
        } catch (IOException e) {
            throw new StoreException(
                    StoreException.Code.INVALID_SETTINGS, "cannot read database password file " + file, e);
        }
    }

    /** Reads the password from an environment variable, which must be set and non-empty. */
    public static DatabasePassword fromEnvironment(String variable) {
        Objects.requireNonNull(variable, "variable");
        String text = System.getenv(variable);
        if (text == null || text.isEmpty()) {
            throw new StoreException(
                    StoreException.Code.INVALID_SETTINGS,
                    "environment variable " + variable + " with the database password is not set");
        }
        return new DatabasePassword(text);
    }

    /**
     * No password: only for the embedded server, which runs with {@code --skip-grant-tables} and
     * listens on the loopback address only (see {@link EmbeddedMariaDb}).
     */
    public static DatabasePassword none() {
        return NONE;
    }

    String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return value.isEmpty() ? "DatabasePassword[none]" : "DatabasePassword[****]";
    }
}
