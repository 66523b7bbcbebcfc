package dev.socibuilder.ztoc;

import dev.socibuilder.digest.Digest;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The zTOC's {@code CompressionInfo} table: how the layer is cut into spans.
 *
 * <p>The constructor only rejects nulls: consistency (blob length, {@code maxSpanId + 1 ==
 * spanDigests.size()}) is what {@link ZtocCodec#validate} checks, so that a model of a bad zTOC can
 * still be represented and encoded.
 *
 * @param algorithm gzip or uncompressed
 * @param maxSpanId number of spans minus one
 * @param spanDigests sha256 of each span's compressed bytes, in span order
 * @param checkpoints the zInfo blob: a {@link GzipZinfo} blob for gzip, a {@link TarZinfo}
 *     FlatBuffer for uncompressed layers. Not copied (it can be tens of MB); do not modify it.
 */
public record CompressionInfo(
    CompressionAlgorithm algorithm, int maxSpanId, List<Digest> spanDigests, byte[] checkpoints) {

  public CompressionInfo {
    Objects.requireNonNull(algorithm, "algorithm");
    spanDigests = List.copyOf(spanDigests);
    Objects.requireNonNull(checkpoints, "checkpoints");
  }

  /**
   * The uncompressed bytes per span recorded in the checkpoints blob (what {@code soci ztoc info} reports
   * as {@code span_size}).
   *
   * @throws InvalidZtocException if the checkpoints blob cannot be parsed
   */
  public long spanSize() {
    return spanIndex().spanSize();
  }

  /** The span index of the checkpoints blob (parses it; throws InvalidZtocException if bad). */
  SpanIndex spanIndex() {
    return algorithm == CompressionAlgorithm.GZIP
        ? GzipZinfo.parse(checkpoints)
        : TarZinfo.parse(checkpoints);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CompressionInfo c
        && algorithm == c.algorithm
        && maxSpanId == c.maxSpanId
        && spanDigests.equals(c.spanDigests)
        && Arrays.equals(checkpoints, c.checkpoints);
  }

  @Override
  public int hashCode() {
    return Objects.hash(algorithm, maxSpanId, spanDigests, checkpoints.length);
  }

  @Override
  public String toString() {
    return "CompressionInfo[" + algorithm + ", maxSpanId=" + maxSpanId + ", checkpoints="
        + checkpoints.length + " bytes]";
  }
}
