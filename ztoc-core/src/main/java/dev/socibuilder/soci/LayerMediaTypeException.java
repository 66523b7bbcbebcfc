package dev.socibuilder.soci;

/**
 * An image "layer" that soci refuses outright, failing the whole build: a media type that is not a
 * containerd layer type ({@code not a layer mediaType}), or a layer type whose compression
 * containerd cannot determine ({@code could not determine layer compression}).
 */
public final class LayerMediaTypeException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String mediaType;

  public LayerMediaTypeException(String message, String mediaType) {
    super(message);
    this.mediaType = mediaType;
  }

  /** The offending media type. */
  public String mediaType() {
    return mediaType;
  }
}
