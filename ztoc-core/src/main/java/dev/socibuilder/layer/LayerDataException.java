package dev.socibuilder.layer;

/**
 * The layer's bytes are not a valid layer: corrupt or truncated gzip data, trailing garbage, a bad tar
 * header, an unsupported tar entry type, an oversized PAX or long-name record, and so on.
 *
 * <p>This is the one exception for bad layer data, thrown by the inflater, the tar scanner and the
 * zTOC builder alike. It carries the position of the fault: the compressed offset (bytes into the
 * layer blob as stored) and, where known, the uncompressed offset (bytes into the tar stream). An
 * offset that is not known is {@code -1}.
 */
public final class LayerDataException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String problem;
  private final long compressedOffset;
  private final long uncompressedOffset;

  /**
   * @param problem what was wrong, in words (e.g. {@code "invalid distance too far back"})
   * @param compressedOffset offset in the compressed layer blob, or -1 if not known
   * @param uncompressedOffset offset in the uncompressed tar stream, or -1 if not known
   */
  public LayerDataException(String problem, long compressedOffset, long uncompressedOffset) {
    this(problem, compressedOffset, uncompressedOffset, null);
  }

  public LayerDataException(
      String problem, long compressedOffset, long uncompressedOffset, Throwable cause) {
    super(format(problem, compressedOffset, uncompressedOffset), cause);
    this.problem = problem;
    this.compressedOffset = compressedOffset;
    this.uncompressedOffset = uncompressedOffset;
  }

  /** What was wrong, without the offsets. */
  public String problem() {
    return problem;
  }

  /** Offset in the compressed layer blob, or -1 if not known. */
  public long compressedOffset() {
    return compressedOffset;
  }

  /** Offset in the uncompressed tar stream, or -1 if not known. */
  public long uncompressedOffset() {
    return uncompressedOffset;
  }

  /**
   * Returns this fault with the compressed offset filled in (used where a tar fault, found at an
   * uncompressed offset, is reported by code that knows where the inflater stood).
   */
  public LayerDataException withCompressedOffset(long offset) {
    if (compressedOffset >= 0 || offset < 0) {
      return this;
    }
    return new LayerDataException(problem, offset, uncompressedOffset, this.getCause());
  }

  private static String format(String problem, long compressed, long uncompressed) {
    StringBuilder sb = new StringBuilder(problem);
    if (compressed >= 0) {
      sb.append(" at compressed offset ").append(compressed);
      if (uncompressed >= 0) {
        sb.append(" (uncompressed offset ").append(uncompressed).append(')');
      }
    } else if (uncompressed >= 0) {
      sb.append(" at uncompressed offset ").append(uncompressed);
    }
    return sb.toString();
  }
}
