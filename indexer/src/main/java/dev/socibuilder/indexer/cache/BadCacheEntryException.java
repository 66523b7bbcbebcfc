package dev.socibuilder.indexer.cache;

/**
 * A zTOC cache entry that must not be used: not an entry, truncated, its zTOC not matching its digest,
 * not a valid zTOC, or a zTOC of another layer size, span size, compression or build tool. The message
 * says which. Such an entry is deleted and the zTOC built again.
 */
public final class BadCacheEntryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BadCacheEntryException(String message) {
    super(message);
  }

  public BadCacheEntryException(String message, Throwable cause) {
    super(message, cause);
  }
}
