package io.candor.interop.io;

import io.candor.interop.CandorException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * Writes files so that a reader (or a killed run) sees the old file or the whole new one, never half:
 * the bytes go to a temporary file in the same folder, which then replaces the target by a rename.
 */
public final class AtomicFiles {
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {
    }

    /** The body of a write: puts the file's bytes on {@code out} (which it need not close). */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code target} from {@code body}, creating its parent folders. The bytes go to a hidden
     * temporary file next to the target, which is renamed over it (atomically where the file system can)
     * only once the body has finished. If the body or the write fails, the temporary file is deleted and
     * an existing target is left as it was.
     *
     * @throws CandorException naming the target when an I/O error occurs; a RuntimeException thrown by
     *     the body is passed on unchanged
     */
    public static void write(Path target, Body body) {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = null;
        try {
            Files.createDirectories(dir);
            // Not Files.createTempFile: it makes owner-only files, and the rename would keep that.
            temp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".part");
            try (OutputStream out = new BufferedOutputStream(
                    Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 1 << 16)) {
                body.writeTo(out);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new CandorException("cannot write " + target + ": " + describe(e), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp); // already gone after a successful move
                } catch (IOException ignored) {
                    // best effort: the temporary file is hidden and named after the target
                }
            }
        }
    }

    /**
     * An I/O error in a few words. NIO's messages are often just the path ("/x/y"), so the kind of error
     * is spelled out from the exception's name: AccessDeniedException becomes "access denied: /x/y".
     */
    public static String describe(IOException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getFile() == null ? fs.getReason() : fs.getReason() + ": " + fs.getFile();
        }
        if (e.getClass() == IOException.class) {
            return message;
        }
        String kind = e.getClass().getSimpleName().replaceAll("Exception$", "")
                .replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT);
        return message.isEmpty() ? kind : kind + ": " + message;
    }

    /** Writes {@code bytes} to {@code target} atomically, as {@link #write(Path, Body)}. */
    public static void writeBytes(Path target, byte[] bytes) {
        write(target, out -> out.write(bytes));
    }

    /** Writes {@code text} as UTF-8 to {@code target} atomically, as {@link #write(Path, Body)}. */
    public static void writeString(Path target, String text) {
        writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
    }
}
