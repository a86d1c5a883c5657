package tw.eid.pki.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Path options checked while the arguments are parsed, before a command opens the store or a
 * token: a mistyped path is one clear line and changes nothing, where it would otherwise fail
 * only after a key was made or an act was stored and audited.
 */
final class PathOptions {
    private PathOptions() {}

    /** A regular file that can be read. */
    static final class ExistingFile implements ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            return check(Path.of(value), "");
        }

        static Path check(Path file, String what) {
            if (Files.isDirectory(file)) {
                throw new TypeConversionException(what + file + " is a directory, not a file");
            }
            if (!Files.isRegularFile(file)) {
                throw new TypeConversionException(what + file + " does not exist");
            }
            if (!Files.isReadable(file)) {
                throw new TypeConversionException(what + file + " is not readable");
            }
            return file;
        }
    }

    /** A directory that exists. */
    static final class ExistingDirectory implements ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            Path dir = Path.of(value);
            if (!Files.isDirectory(dir)) {
                throw new TypeConversionException(
                        dir + (Files.exists(dir) ? " is not a directory" : " does not exist"));
            }
            return dir;
        }
    }

    /** Where output files go: a directory, or nothing yet (the command makes it). */
    static final class OutputDirectory implements ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            Path dir = Path.of(value);
            if (value.isEmpty() || (Files.exists(dir) && !Files.isDirectory(dir))) {
                throw new TypeConversionException("'" + value + "' is not a directory");
            }
            return dir;
        }
    }

    /** A file to write, in a directory that exists. */
    static final class OutputFile implements ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            Path file = Path.of(value).toAbsolutePath();
            if (value.isEmpty() || Files.isDirectory(file)) {
                throw new TypeConversionException("'" + value + "' is a directory, not a file");
            }
            if (!Files.isDirectory(file.getParent())) {
                throw new TypeConversionException("the directory of " + value + " does not exist");
            }
            return Path.of(value);
        }
    }
}
