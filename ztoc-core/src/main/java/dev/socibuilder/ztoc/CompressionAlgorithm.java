package dev.socibuilder.ztoc;

/**
 * The zTOC's {@code CompressionAlgorithm} enum ({@code ztoc.fbs}: {@code enum CompressionAlgorithm :
 * byte { Gzip = 1, Uncompressed }}). There is no value 0 and no zstd. Gzip is the schema default, so
 * soci omits the field for gzip layers and writes byte {@code 2} for uncompressed ones.
 */
public enum CompressionAlgorithm {
  GZIP((byte) 1, "gzip"),
  UNCOMPRESSED((byte) 2, "uncompressed");

  private final byte fbsValue;
  private final String sociName;

  CompressionAlgorithm(byte fbsValue, String sociName) {
    this.fbsValue = fbsValue;
    this.sociName = sociName;
  }

  /** The FlatBuffers enum value (1 or 2). */
  public byte fbsValue() {
    return fbsValue;
  }

  /** The lower-case name soci uses ({@code "gzip"}, {@code "uncompressed"}). */
  public String sociName() {
    return sociName;
  }

  /**
   * The algorithm with FlatBuffers value {@code value}.
   *
   * @throws InvalidZtocException for any other value (soci: "unexpected compression algorithm")
   */
  public static CompressionAlgorithm fromFbsValue(int value) {
    for (CompressionAlgorithm a : values()) {
      if (a.fbsValue == value) {
        return a;
      }
    }
    throw new InvalidZtocException(
        "unexpected compression algorithm: CompressionAlgorithm(" + value + ")");
  }
}
