package dev.socibuilder.indexer.store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files so that a failure or a crash never leaves a partial file at the destination: the
 * content goes to a temporary file beside it, which is then renamed into place.
 *
 * <p>Permissions are those the same write in place would give: a new file gets the mode a plain create
 * gives ({@code 0666} less the umask, like {@code Files.newOutputStream}), and a file that is replaced
 * keeps its mode. ({@code Files.createTempFile} would make every file {@code 0600}, unreadable by the
 * other users of a shared OCI layout.)
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes a file's content to a stream (which it must not close). */
  @FunctionalInterface
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Writes {@code content} to {@code target} atomically; creates the parent directories. */
  public static void write(Path target, byte[] content) throws IOException {
    write(target, out -> out.write(content));
  }

  /**
   * Streams what {@code content} writes to {@code target} atomically, creating the parent directories;
   * nothing is held in memory. If {@code content} throws, the target is left as it was and the exception
   * is rethrown.
   */
  public static void write(Path target, Content content) throws IOException {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    Files.createDirectories(dir);
    Path tmp = null;
    try {
      tmp = createTemp(dir, abs.getFileName().toString());
      try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
        content.writeTo(out);
      }
      keepMode(abs, tmp);
      move(tmp, abs);
      tmp = null;
    } finally {
      if (tmp != null) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /** A new empty file beside the target, created without explicit permissions (so per the umask). */
  private static Path createTemp(Path dir, String name) throws IOException {
    while (true) {
      Path tmp = dir.resolve("." + name + "." + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong())
          + ".tmp");
      try {
        Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        return tmp;
      } catch (FileAlreadyExistsException e) {
        // another writer's temporary file: draw another name
      }
    }
  }

  /** Gives {@code tmp} the mode of the file it replaces, if there is one (POSIX file systems only). */
  private static void keepMode(Path target, Path tmp) throws IOException {
    if (Files.getFileAttributeView(tmp, PosixFileAttributeView.class) == null || !Files.isRegularFile(target)) {
      return;
    }
    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(target);
    Files.setPosixFilePermissions(tmp, mode);
  }

  /**
   * Renames {@code tmp} over {@code target}, atomically where the file system can. If another writer put
   * a file there first on a file system without atomic moves, that one stays (for content-addressed blobs
   * both are the same).
   */
  private static void move(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      try {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      } catch (FileAlreadyExistsException ignored) {
        Files.deleteIfExists(tmp);
      }
    }
  }
}
