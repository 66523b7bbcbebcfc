package dev.socibuilder.oci;

import java.util.List;

/**
 * Media types of the OCI image spec, Docker image manifest v2 schema 2, and SOCI. Constants only;
 * the predicates mirror containerd's {@code core/images/mediatypes.go}.
 */
public final class MediaTypes {
  private MediaTypes() {}

  // OCI image spec (IS specs-go/v1/mediatype.go)
  public static final String OCI_DESCRIPTOR = "application/vnd.oci.descriptor.v1+json";
  public static final String OCI_LAYOUT_HEADER = "application/vnd.oci.layout.header.v1+json";
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
  public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
  public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
  public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
  public static final String OCI_LAYER_NONDISTRIBUTABLE =
      "application/vnd.oci.image.layer.nondistributable.v1.tar";
  public static final String OCI_LAYER_NONDISTRIBUTABLE_GZIP =
      "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
  public static final String OCI_LAYER_NONDISTRIBUTABLE_ZSTD =
      "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
  /** Prefix containerd's {@code IsLayerType} accepts for any OCI layer. */
  public static final String OCI_LAYER_PREFIX = "application/vnd.oci.image.layer.";

  // Docker image manifest v2 schema 2 (containerd core/images/mediatypes.go)
  public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  public static final String DOCKER_MANIFEST_LIST =
      "application/vnd.docker.distribution.manifest.list.v2+json";
  public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
  public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";
  public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
  public static final String DOCKER_LAYER_ZSTD = "application/vnd.docker.image.rootfs.diff.tar.zstd";
  public static final String DOCKER_LAYER_FOREIGN =
      "application/vnd.docker.image.rootfs.foreign.diff.tar";
  public static final String DOCKER_LAYER_FOREIGN_GZIP =
      "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
  /** Docker schema 1 (never supported: containerd and soci reject it). */
  public static final String DOCKER_MANIFEST_V1 = "application/vnd.docker.distribution.manifest.v1+json";
  public static final String DOCKER_MANIFEST_V1_SIGNED =
      "application/vnd.docker.distribution.manifest.v1+prettyjws";

  // SOCI (S soci/soci_index.go, soci/prefetch.go)
  /** Artifact type (config media type) of a v1 SOCI index: found through referrers. */
  public static final String SOCI_INDEX_V1 = "application/vnd.amazon.soci.index.v1+json";
  /** Artifact type (config media type) of a v2 SOCI index: bound by an image annotation. */
  public static final String SOCI_INDEX_V2 = "application/vnd.amazon.soci.index.v2+json";
  /** Media type of a zTOC blob. */
  public static final String OCTET_STREAM = "application/octet-stream";
  /** Media type of a prefetch artifact (v0.13.0+). */
  public static final String SOCI_PREFETCH = "application/vnd.amazon.soci.prefetch.v1+json";

  /**
   * Every manifest and index type this project reads ({@link #isManifest} or {@link #isIndex}), in
   * the order a registry client offers them in {@code Accept}.
   */
  public static final List<String> ALL_MANIFESTS =
      List.of(OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST);

  /** An image manifest type (OCI or Docker schema 2), as containerd's {@code IsManifestType}. */
  public static boolean isManifest(String mediaType) {
    return OCI_MANIFEST.equals(mediaType) || DOCKER_MANIFEST.equals(mediaType);
  }

  /** An index type (OCI index or Docker manifest list), as containerd's {@code IsIndexType}. */
  public static boolean isIndex(String mediaType) {
    return OCI_INDEX.equals(mediaType) || DOCKER_MANIFEST_LIST.equals(mediaType);
  }

  /** An image config type (OCI or Docker). */
  public static boolean isConfig(String mediaType) {
    return OCI_CONFIG.equals(mediaType) || DOCKER_CONFIG.equals(mediaType);
  }

  /**
   * containerd's {@code IsLayerType}: any {@code application/vnd.oci.image.layer.} type, or a Docker
   * rootfs diff type (plain, gzip, zstd, foreign, foreign gzip) after stripping {@code +suffixes}.
   */
  public static boolean isLayer(String mediaType) {
    if (mediaType == null) {
      return false;
    }
    if (mediaType.startsWith(OCI_LAYER_PREFIX)) {
      return true;
    }
    int plus = mediaType.indexOf('+');
    String base = plus < 0 ? mediaType : mediaType.substring(0, plus);
    return switch (base) {
      case DOCKER_LAYER, DOCKER_LAYER_GZIP, DOCKER_LAYER_FOREIGN, DOCKER_LAYER_FOREIGN_GZIP,
          DOCKER_LAYER_ZSTD -> true;
      default -> false;
    };
  }
}
