package dev.socibuilder.soci;

import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.MediaTypes;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One indexed layer: what a SOCI index records about a zTOC. Digests are kept as strings, exactly
 * as they are written (see {@link Descriptor}).
 *
 * @param layerDigest the image layer's digest
 * @param layerMediaType the image layer's media type, copied verbatim (Docker types included)
 * @param ztocDigest the zTOC blob's digest
 * @param ztocSize the zTOC blob's size in bytes
 * @param spanSize the span size the zTOC was built with (annotation since soci v0.12.0)
 * @param disableXattrs whether to add {@code com.amazon.soci.disable-xattrs: "true"} (soci's
 *     {@code --optimizations xattr} when no entry has xattrs or an opaque-directory whiteout)
 */
public record ZtocDescriptor(
    String layerDigest,
    String layerMediaType,
    String ztocDigest,
    long ztocSize,
    long spanSize,
    boolean disableXattrs) {

  public ZtocDescriptor {
    Objects.requireNonNull(layerDigest, "layerDigest");
    Objects.requireNonNull(layerMediaType, "layerMediaType");
    Objects.requireNonNull(ztocDigest, "ztocDigest");
    if (ztocSize < 0 || spanSize < 0) {
      throw new IllegalArgumentException("negative zTOC size or span size");
    }
  }

  /** Without the disable-xattrs annotation (soci's default: no optimizations). */
  public ZtocDescriptor(
      String layerDigest, String layerMediaType, String ztocDigest, long ztocSize, long spanSize) {
    this(layerDigest, layerMediaType, ztocDigest, ztocSize, spanSize, false);
  }

  /**
   * The layer descriptor soci writes into the index: {@code application/octet-stream}, the zTOC
   * digest and size, and the annotations {@code [disable-xattrs,] image-layer-digest,
   * image-layer-mediaType, span-size} (sorted bytewise on output).
   */
  public Descriptor toDescriptor() {
    TreeMap<String, String> a = new TreeMap<>();
    if (disableXattrs) {
      a.put(SociIndex.ANNOTATION_DISABLE_XATTRS, "true");
    }
    a.put(SociIndex.ANNOTATION_IMAGE_LAYER_DIGEST, layerDigest);
    a.put(SociIndex.ANNOTATION_IMAGE_LAYER_MEDIA_TYPE, layerMediaType);
    a.put(SociIndex.ANNOTATION_SPAN_SIZE, Long.toString(spanSize));
    return Descriptor.of(MediaTypes.OCTET_STREAM, ztocDigest, ztocSize).withAnnotations(a);
  }
}
