package tw.eid.pki.ca.custody;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/** Reads share files, and writes new ones owner-only, atomically, never over an existing file. */
final class ShareFileStore {

    static final Set<PosixFilePermission> OWNER_ONLY =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    /** A version 1 share file is about 1 KiB; anything far larger is not one. */
    static final long MAX_FILE_BYTES = 64 * 1024;

    private ShareFileStore() {}

    static ShareFile read(Path file) {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw corrupt(file, "larger than " + MAX_FILE_BYTES + " bytes", null);
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CustodyException(
                    CustodyException.Code.SHARE_UNREADABLE, "share file " + file + " does not exist", e);
        } catch (AccessDeniedException e) {
            throw new CustodyException(
                    CustodyException.Code.SHARE_UNREADABLE,
                    "share file " + file + " is not readable: permission denied",
                    e);
        } catch (IOException e) {
            throw new CustodyException(
                    CustodyException.Code.SHARE_UNREADABLE,
                    "share file " + file + " cannot be read: " + e.getMessage(),
                    e);
        }
        try {
            return ShareFile.parse(bytes);
        } catch (IllegalArgumentException e) {
            throw corrupt(file, e.getMessage(), e);
        }
    }

    /**
     * Writes {@code content} to {@code target} with permissions rw-------, all or nothing.
     *
     * <p>The content goes to a temporary file in the same directory, created owner-only (so the
     * share is never readable by others, not even for a moment), flushed to disk, then published
     * with link(2). Unlike rename(2), which silently replaces an existing file, link(2) fails if the
     * target exists, so a share from an earlier ceremony can never be overwritten, even by a race.
     */
    static void writeNew(Path target, byte[] content) {
        Path directory = target.toAbsolutePath().getParent();
        FileAttribute<Set<PosixFilePermission>> ownerOnly = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
        Path temp;
        try {
            temp = Files.createTempFile(directory, ".pin-share-", ".tmp", ownerOnly);
        } catch (UnsupportedOperationException e) {
            throw new CustodyException(
                    CustodyException.Code.WRITE_FAILED,
                    "cannot write share file " + target + ": its file system cannot restrict the file to its owner",
                    e);
        } catch (IOException e) {
            throw writeFailed(target, e);
        }
        try {
            // The umask can only narrow the mode given at creation; set it anyway so the result is
            // exactly rw------- whatever the process's umask.
            Files.setPosixFilePermissions(temp, OWNER_ONLY);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.createLink(target, temp);
        } catch (FileAlreadyExistsException e) {
            throw new CustodyException(
                    CustodyException.Code.SHARE_FILE_EXISTS,
                    "share file " + target + " already exists; it is not overwritten",
                    e);
        } catch (IOException e) {
            throw writeFailed(target, e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // A stray owner-only temporary file holds a ciphertext, not a secret; the share itself
                // was either published or the error above is already on its way.
            }
        }
        syncDirectory(directory);
    }

    static boolean exists(Path target) {
        return Files.exists(target, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Makes the new directory entry durable, so a power cut right after the ceremony does not lose
     * a share that the custodian was told had been written. Best effort: not every platform lets a
     * directory be opened for sync, and the file's own data is already on disk.
     */
    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // See above: best effort only.
        }
    }

    private static CustodyException writeFailed(Path target, IOException e) {
        return new CustodyException(
                CustodyException.Code.WRITE_FAILED, "cannot write share file " + target + ": " + e, e);
    }

    private static CustodyException corrupt(Path file, String detail, Throwable cause) {
        return new CustodyException(
                CustodyException.Code.CORRUPT_SHARE, "share file " + file + " is corrupt: " + detail, cause);
    }
}
