package dev.socibuilder.indexer.cache;

/**
 * A zTOC cache that cannot be used right now: an I/O error, access denied, a service error or a timeout.
 * The message names the cache and the operation. Indexing goes on without the cache.
 */
public final class ZtocCacheException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ZtocCacheException(String message) {
    super(message);
  }

  public ZtocCacheException(String message, Throwable cause) {
    super(message, cause);
  }
}
