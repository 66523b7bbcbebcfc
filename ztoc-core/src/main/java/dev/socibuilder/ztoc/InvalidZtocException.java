package dev.socibuilder.ztoc;

/**
 * A zTOC that soci (its {@code Unmarshal} or the snapshotter's zInfo checks) would reject: not a
 * FlatBuffer, an overlapping TOC, a checkpoints blob of the wrong length, a span count that does not
 * match, an unknown compression algorithm. The message says which.
 */
public final class InvalidZtocException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidZtocException(String message) {
    super(message);
  }

  public InvalidZtocException(String message, Throwable cause) {
    super(message, cause);
  }
}
