package dev.socibuilder.indexer.cache;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;

/**
 * A zTOC cache in a folder: entry {@code ID} is the file {@code DIR/ID[0..2]/ID.entry}. Created on first
 * write. An entry is written to a temporary file next to it and renamed over it atomically, so concurrent
 * writers (several runs sharing a CI cache folder) and crashes never leave a partial entry under its
 * name; leftover {@code .tmp-*} files are never read. An entry's modification time is when it was last
 * written (entries in use are rewritten daily), so {@code find DIR -name '*.entry' -mtime +90 -delete}
 * prunes those unused for 90 days.
 */
public final class DirectoryZtocCache implements ZtocCache {
  private final Path root;

  /** A cache in {@code root}, which need not exist yet. */
  public DirectoryZtocCache(Path root) {
    this.root = Objects.requireNonNull(root, "root");
  }

  /** The cache folder. */
  public Path root() {
    return root;
  }

  /** Where entry {@code id} lives, whether or not it exists. */
  public Path path(String id) {
    ZtocCache.checkId(id);
    return root.resolve(id.substring(0, 2)).resolve(id + ".entry");
  }

  @Override
  public String describe() {
    return root.toString();
  }

  @Override
  public Optional<Stored> get(String id) {
    Path p = path(id);
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
      if (!a.isRegularFile()) {
        throw new BadCacheEntryException(p + " is not a regular file");
      }
      if (a.size() > MAX_ENTRY_BYTES) {
        throw new BadCacheEntryException("entry is " + a.size() + " bytes, more than the " + MAX_ENTRY_BYTES
            + " an entry may have");
      }
      byte[] bytes;
      try (InputStream in = Files.newInputStream(p)) {
        bytes = in.readNBytes((int) MAX_ENTRY_BYTES + 1);
      }
      if (bytes.length > MAX_ENTRY_BYTES) {
        throw new BadCacheEntryException("entry grew beyond " + MAX_ENTRY_BYTES + " bytes while being read");
      }
      return Optional.of(new Stored(bytes, a.lastModifiedTime().toInstant()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new ZtocCacheException("reading zTOC cache entry " + p + ": " + e, e);
    }
  }

  @Override
  public void put(String id, byte[] entry) {
    Path target = path(id);
    Path tmp = null;
    try {
      Files.createDirectories(target.getParent());
      tmp = Files.createTempFile(target.getParent(), ".tmp-", "");
      Files.write(tmp, entry);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
    } catch (IOException e) {
      throw new ZtocCacheException("writing zTOC cache entry " + target + ": " + e, e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // a stray temporary file is never read as an entry
        }
      }
    }
  }

  @Override
  public void delete(String id) {
    Path p = path(id);
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new ZtocCacheException("deleting zTOC cache entry " + p + ": " + e, e);
    }
  }
}
