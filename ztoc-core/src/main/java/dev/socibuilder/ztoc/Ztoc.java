package dev.socibuilder.ztoc;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A zTOC: the table of contents of one layer's tar plus the zInfo needed to decompress any span
 * ({@code ztoc.fbs} root table {@code Ztoc}). {@link ZtocCodec} turns it into soci's exact bytes.
 *
 * @param version always {@code "0.9"} when written by soci
 * @param buildToolIdentifier e.g. {@code "AWS SOCI CLI v0.2"}, raw bytes
 * @param compressedArchiveSize size of the layer blob as stored
 * @param uncompressedArchiveSize tar-reader position after the end-of-archive marker
 * @param toc one entry per tar entry, in archive order
 * @param compressionInfo spans, span digests and checkpoints
 */
public record Ztoc(
    String version,
    byte[] buildToolIdentifier,
    long compressedArchiveSize,
    long uncompressedArchiveSize,
    List<FileMetadata> toc,
    CompressionInfo compressionInfo) {

  /** The version string soci writes ({@code Version09}). */
  public static final String VERSION_0_9 = "0.9";

  public Ztoc {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(buildToolIdentifier, "buildToolIdentifier");
    toc = List.copyOf(toc);
    Objects.requireNonNull(compressionInfo, "compressionInfo");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Ztoc z
        && version.equals(z.version)
        && Arrays.equals(buildToolIdentifier, z.buildToolIdentifier)
        && compressedArchiveSize == z.compressedArchiveSize
        && uncompressedArchiveSize == z.uncompressedArchiveSize
        && toc.equals(z.toc)
        && compressionInfo.equals(z.compressionInfo);
  }

  @Override
  public int hashCode() {
    return Objects.hash(version, compressedArchiveSize, uncompressedArchiveSize, toc, compressionInfo);
  }

  @Override
  public String toString() {
    return "Ztoc[" + version + ", " + GoText.decode(buildToolIdentifier) + ", compressed="
        + compressedArchiveSize + ", uncompressed=" + uncompressedArchiveSize + ", "
        + toc.size() + " entries, " + compressionInfo + "]";
  }
}
