package dev.socibuilder.indexer.lambda;

/**
 * The indexer's environment is incomplete or invalid. Thrown while the handler is constructed, so
 * Lambda reports it as an initialization error naming the variable, before any request is taken.
 */
public final class IndexerConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public IndexerConfigException(String message) {
    super(message);
  }

  public IndexerConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
