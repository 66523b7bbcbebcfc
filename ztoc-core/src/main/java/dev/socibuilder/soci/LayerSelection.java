package dev.socibuilder.soci;

import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.MediaTypes;
import java.util.Arrays;

/**
 * Whether and how a layer gets a zTOC: the rules of soci's {@code buildSociLayer} (spec §5.4),
 * applied in soci's order.
 *
 * <ol>
 *   <li>A prefetch artifact ({@code application/vnd.amazon.soci.prefetch.v1+json}) is ignored.
 *   <li>A media type that is not a containerd layer type is an error: the build fails.
 *   <li>A layer strictly smaller than the minimum layer size is skipped.
 *   <li>The compression comes from containerd's {@code DiffCompression}; an OCI layer type whose
 *       base containerd does not know is an error.
 *   <li>{@code gzip} is indexed as gzip; {@code uncompressed} (exactly the OCI {@code .tar} type)
 *       and {@code unknown} (the Docker {@code rootfs.diff.tar} and {@code foreign.diff.tar} types)
 *       are indexed as raw tar; anything else ({@code zstd}, or {@code ""} for a Docker type with a
 *       {@code +suffix} or the OCI non-distributable {@code .tar}) is skipped, not an error.
 * </ol>
 *
 * @param decision what to do with the layer
 * @param compression containerd's compression name as soci sees it ({@code gzip},
 *     {@code uncompressed}, {@code unknown}, {@code zstd}, or {@code ""}); null when soci never
 *     looked (prefetch artifacts, layers too small)
 */
public record LayerSelection(Decision decision, String compression) {

  /** The outcome for one layer. */
  public enum Decision {
    /** Build a gzip zTOC. */
    GZIP,
    /** Build an uncompressed-tar zTOC ({@code compression_algorithm = Uncompressed}). */
    UNCOMPRESSED,
    /** Smaller than the minimum layer size: no zTOC, no trace in the index. */
    SKIP_TOO_SMALL,
    /** Compressed in a format soci cannot index (zstd and friends): no zTOC, not an error. */
    SKIP_UNSUPPORTED_COMPRESSION,
    /** A SOCI prefetch artifact, not an image layer. */
    IGNORE_PREFETCH
  }

  /** True if a zTOC is built for the layer. */
  public boolean indexed() {
    return decision == Decision.GZIP || decision == Decision.UNCOMPRESSED;
  }

  /**
   * Classifies {@code layer}.
   *
   * @throws LayerMediaTypeException if soci would fail the build on this media type
   */
  public static LayerSelection classify(Descriptor layer, long minLayerSize) {
    String mediaType = layer.mediaType();
    if (MediaTypes.SOCI_PREFETCH.equals(mediaType)) {
      return new LayerSelection(Decision.IGNORE_PREFETCH, null);
    }
    if (!MediaTypes.isLayer(mediaType)) {
      throw new LayerMediaTypeException(
          "layer " + layer.digest() + ": not a layer mediaType: \"" + mediaType + "\"", mediaType);
    }
    if (layer.size() < minLayerSize) {
      return new LayerSelection(Decision.SKIP_TOO_SMALL, null);
    }
    String algorithm = diffCompression(mediaType);
    if (algorithm == null) {
      throw new LayerMediaTypeException(
          "layer " + layer.digest() + ": could not determine layer compression: unrecognised mediatype "
              + mediaType,
          mediaType);
    }
    if (algorithm.isEmpty() && MediaTypes.OCI_LAYER.equals(mediaType)) {
      algorithm = "uncompressed";
    }
    return switch (algorithm) {
      case "gzip" -> new LayerSelection(Decision.GZIP, algorithm);
      case "uncompressed", "unknown" -> new LayerSelection(Decision.UNCOMPRESSED, algorithm);
      default -> new LayerSelection(Decision.SKIP_UNSUPPORTED_COMPRESSION, algorithm);
    };
  }

  /** soci's log wording for a layer that gets no zTOC; null if the layer is indexed. */
  public String reason(Descriptor layer, long minLayerSize) {
    return switch (decision) {
      case SKIP_TOO_SMALL -> "size " + layer.size() + " is less than min-layer-size " + minLayerSize;
      case SKIP_UNSUPPORTED_COMPRESSION ->
          "is compressed in an unsupported format. expect: [tar, gzip, unknown] but got \""
              + compression + "\"";
      case IGNORE_PREFETCH -> "is a SOCI prefetch artifact";
      default -> null;
    };
  }

  /**
   * containerd's {@code images.DiffCompression}; null where containerd returns an "unrecognised
   * mediatype" error. For OCI types the {@code +suffixes} are sorted and the last one decides
   * (so {@code +gzip+encrypted} reads as gzip); a Docker type with any suffix gives {@code ""}.
   */
  static String diffCompression(String mediaType) {
    int plus = mediaType.indexOf('+');
    String base = plus < 0 ? mediaType : mediaType.substring(0, plus);
    // strings.SplitN(ext, "+", 50), then sort.Strings
    String[] suffixes = plus < 0 ? new String[0] : mediaType.substring(plus + 1).split("\\+", 50);
    Arrays.sort(suffixes, dev.socibuilder.json.GoJsonWriter.KEY_ORDER);
    return switch (base) {
      case MediaTypes.DOCKER_LAYER, MediaTypes.DOCKER_LAYER_FOREIGN ->
          suffixes.length > 0 ? "" : "unknown";
      case MediaTypes.DOCKER_LAYER_GZIP, MediaTypes.DOCKER_LAYER_FOREIGN_GZIP ->
          suffixes.length > 0 ? "" : "gzip";
      case MediaTypes.DOCKER_LAYER_ZSTD -> suffixes.length > 0 ? "" : "zstd";
      case MediaTypes.OCI_LAYER, MediaTypes.OCI_LAYER_NONDISTRIBUTABLE -> {
        if (suffixes.length > 0) {
          String last = suffixes[suffixes.length - 1];
          if (last.equals("gzip") || last.equals("zstd")) {
            yield last;
          }
        }
        yield "";
      }
      default -> null;
    };
  }
}
