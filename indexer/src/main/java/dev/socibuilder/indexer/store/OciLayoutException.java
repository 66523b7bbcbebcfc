package dev.socibuilder.indexer.store;

/** An OCI image layout directory that cannot be used: missing files, unknown tag, bad blob. */
public final class OciLayoutException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public OciLayoutException(String message) {
    super(message);
  }

  public OciLayoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
