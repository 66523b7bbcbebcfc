package dev.socibuilder.indexer;

/**
 * Indexing an image failed for a reason that retrying will not fix: a layer whose data is not a valid
 * tar or gzip stream, a layer whose bytes do not match its digest, a manifest of an unsupported kind,
 * a requested platform the image does not have. The message names the image, and the layer where one
 * is at fault. Registry failures are {@link dev.socibuilder.registry.RegistryException}s instead, and
 * say whether they are transient.
 */
public final class IndexingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public IndexingException(String message) {
    super(message);
  }

  public IndexingException(String message, Throwable cause) {
    super(message, cause);
  }
}
