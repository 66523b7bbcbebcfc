package dev.socibuilder.oci;

/**
 * A manifest, index, config or layout document that is well-formed JSON but not what Go's ocispec
 * decoding (or containerd's media-type validation) accepts: a wrong JSON type for a field, a number
 * that does not fit, an index where a manifest was expected, and so on.
 */
public final class OciFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public OciFormatException(String message) {
    super(message);
  }

  public OciFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
