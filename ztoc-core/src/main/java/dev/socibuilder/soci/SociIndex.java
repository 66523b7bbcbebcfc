package dev.socibuilder.soci;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.ImageManifest;
import dev.socibuilder.oci.MediaTypes;
import dev.socibuilder.oci.OciFormatException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The SOCI index manifest (spec §5.1): {@code json.Marshal} of an {@code ocispec.Manifest} with
 * {@code schemaVersion 2}, the OCI manifest media type, no top-level {@code artifactType}, the
 * {@code {}} config blob typed with the SOCI artifact type, the zTOC descriptors in image-layer
 * order (then prefetch descriptors), a {@code subject} for v1 only, and the build-tool annotation.
 *
 * <p>The snapshotter re-marshals a fetched index and rejects it unless the bytes are identical,
 * so these bytes are built with the Go-exact writer and nothing else.
 */
public final class SociIndex {
  private SociIndex() {}

  /** soci's index versions. */
  public enum Version {
    /** {@code soci create}: has a {@code subject}, found through the referrers API. */
    V1(MediaTypes.SOCI_INDEX_V1),
    /** {@code soci convert}: no {@code subject}, bound by the image's index-digest annotation. */
    V2(MediaTypes.SOCI_INDEX_V2);

    private final String artifactType;

    Version(String artifactType) {
      this.artifactType = artifactType;
    }

    /** The artifact type, which is also the config media type. */
    public String artifactType() {
      return artifactType;
    }
  }

  /** The build tool id the soci CLI writes (v0.10.0+). */
  public static final String DEFAULT_BUILD_TOOL_ID = "AWS SOCI CLI v0.2";
  /** soci's default span size, 4 MiB. */
  public static final long DEFAULT_SPAN_SIZE = 1L << 22;
  /** soci's default minimum layer size, 10 MiB (layers strictly smaller get no zTOC). */
  public static final long DEFAULT_MIN_LAYER_SIZE = 10L << 20;

  public static final String ANNOTATION_BUILD_TOOL_ID = "com.amazon.soci.build-tool-identifier";
  public static final String ANNOTATION_IMAGE_LAYER_DIGEST = "com.amazon.soci.image-layer-digest";
  public static final String ANNOTATION_IMAGE_LAYER_MEDIA_TYPE = "com.amazon.soci.image-layer-mediaType";
  public static final String ANNOTATION_SPAN_SIZE = "com.amazon.soci.span-size";
  public static final String ANNOTATION_DISABLE_XATTRS = "com.amazon.soci.disable-xattrs";
  /** On a rewritten image manifest (v2): the digest of its SOCI index. */
  public static final String ANNOTATION_INDEX_DIGEST = "com.amazon.soci.index-digest";
  /** On a SOCI index descriptor in an OCI index (v2): the digest of the image manifest it indexes. */
  public static final String ANNOTATION_IMAGE_MANIFEST_DIGEST = "com.amazon.soci.image-manifest-digest";

  private static final byte[] EMPTY_CONFIG = {'{', '}'};

  /** The digest of the 2-byte config blob {@code {}}. */
  public static final Digest EMPTY_CONFIG_DIGEST =
      Digest.parse("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");

  /** The config blob {@code {}} (a fresh copy); push it next to every index. */
  public static byte[] emptyConfig() {
    return EMPTY_CONFIG.clone();
  }

  /** The {@code config} descriptor of an index of {@code version}. */
  public static Descriptor configDescriptor(Version version) {
    return Descriptor.of(version.artifactType(), EMPTY_CONFIG_DIGEST, EMPTY_CONFIG.length);
  }

  /**
   * The index bytes without prefetch artifacts.
   *
   * @param ztocs the zTOCs in image-layer order (skipped layers simply absent); not empty
   * @param subject the platform's image manifest for v1 (only its media type, digest and size are
   *     written, the media type as the image has it); must be null for v2
   * @param buildToolId the {@code com.amazon.soci.build-tool-identifier} value
   */
  public static byte[] build(
      Version version, List<ZtocDescriptor> ztocs, Descriptor subject, String buildToolId) {
    return build(version, ztocs, List.of(), subject, buildToolId);
  }

  /** The index bytes; {@code prefetch} descriptors follow the zTOCs, in layer order. */
  public static byte[] build(
      Version version,
      List<ZtocDescriptor> ztocs,
      List<Descriptor> prefetch,
      Descriptor subject,
      String buildToolId) {
    return manifest(version, ztocs, prefetch, subject, buildToolId).toJson();
  }

  /** The index as a manifest value ({@link ImageManifest#toJson()} gives {@link #build}'s bytes). */
  public static ImageManifest manifest(
      Version version,
      List<ZtocDescriptor> ztocs,
      List<Descriptor> prefetch,
      Descriptor subject,
      String buildToolId) {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(buildToolId, "buildToolId");
    if (ztocs.isEmpty()) {
      throw new IllegalArgumentException(
          "no ztocs created, all layers either skipped or produced errors (soci ErrEmptyIndex)");
    }
    if (version == Version.V1 && subject == null) {
      throw new IllegalArgumentException("a v1 SOCI index needs the image manifest as subject");
    }
    if (version == Version.V2 && subject != null) {
      throw new IllegalArgumentException("a v2 SOCI index has no subject");
    }
    List<Descriptor> layers = new ArrayList<>(ztocs.size() + prefetch.size());
    for (ZtocDescriptor z : ztocs) {
      layers.add(z.toDescriptor());
    }
    layers.addAll(prefetch);
    return new ImageManifest(
        2,
        MediaTypes.OCI_MANIFEST,
        "",
        configDescriptor(version),
        layers,
        subject == null ? null : subject.withoutExtras(),
        new TreeMap<>(Map.of(ANNOTATION_BUILD_TOOL_ID, buildToolId)));
  }

  /**
   * The descriptor soci records for index bytes: the OCI manifest media type, their sha256 and
   * size, and {@code artifactType} = the version's type.
   */
  public static Descriptor descriptor(byte[] indexBytes, Version version) {
    return Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256Of(indexBytes), indexBytes.length)
        .withArtifactType(version.artifactType());
  }

  /**
   * The version of a parsed SOCI index, from its {@code config.mediaType} as the snapshotter reads
   * it.
   *
   * @throws OciFormatException {@code unknown index version} for any other config media type
   */
  public static Version versionOf(ImageManifest index) {
    String t = index.config().mediaType();
    for (Version v : Version.values()) {
      if (v.artifactType().equals(t)) {
        return v;
      }
    }
    throw new OciFormatException("unknown index version: " + t);
  }

  /**
   * True if the snapshotter's fetch round trip keeps these bytes: they parse as a SOCI index and
   * re-marshal (as soci's {@code MarshalIndex}: schema 2, OCI manifest type, config, layers,
   * subject, annotations, nothing else) to the very same bytes.
   */
  public static boolean survivesSnapshotterRoundTrip(byte[] indexBytes) {
    ImageManifest m;
    try {
      m = ImageManifest.parse(indexBytes);
      versionOf(m);
    } catch (OciFormatException e) {
      return false;
    }
    ImageManifest remarshalled =
        new ImageManifest(2, MediaTypes.OCI_MANIFEST, "", m.config(), m.layers(), m.subject(), m.annotations());
    return Arrays.equals(remarshalled.toJson(), indexBytes);
  }
}
