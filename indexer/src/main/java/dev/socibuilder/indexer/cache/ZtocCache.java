package dev.socibuilder.indexer.cache;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Where zTOCs are kept for reuse: opaque entries (see {@link CacheEntry}) named by a {@link CacheKey#id()}.
 * An implementation only stores bytes; what they mean and whether they may be used is
 * {@link CacheEntry}'s business. Writes replace an entry as a whole and atomically, so concurrent writers
 * (two runs, two Lambdas) never leave a mixed entry: a reader sees one complete entry or none.
 * Implementations are thread-safe.
 */
public interface ZtocCache {

  /**
   * The largest entry read. A zTOC holds a 32 KiB window per span: about 8 MB for a 1 GB layer with
   * 4 MiB spans. A bigger entry is a bad one, never an allocation.
   */
  long MAX_ENTRY_BYTES = 256L << 20;

  /** An entry as stored, and when it was last written. */
  record Stored(byte[] bytes, Instant storedAt) {
    public Stored {
      Objects.requireNonNull(bytes, "bytes");
      Objects.requireNonNull(storedAt, "storedAt");
    }
  }

  /** Where the cache is, for messages ({@code /var/cache/ztoc}, {@code s3://bucket/prefix}). */
  String describe();

  /**
   * The entry named {@code id}, or empty if there is none.
   *
   * @throws ZtocCacheException if the cache cannot be read
   * @throws BadCacheEntryException if what is stored cannot be an entry (e.g. larger than
   *     {@link #MAX_ENTRY_BYTES})
   */
  Optional<Stored> get(String id);

  /**
   * Stores (or replaces) the entry named {@code id}, atomically.
   *
   * @throws ZtocCacheException if the cache cannot be written
   */
  void put(String id, byte[] entry);

  /**
   * Deletes the entry named {@code id}, if there is one.
   *
   * @throws ZtocCacheException if the cache cannot be written
   */
  void delete(String id);

  /**
   * Checks an entry name: 64 lowercase hex digits (a {@link CacheKey#id()}), so that it is safe as a file
   * or object name.
   *
   * @throws IllegalArgumentException if it is not
   */
  static String checkId(String id) {
    if (id == null || !id.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("not a zTOC cache key id: " + id);
    }
    return id;
  }
}
