package dev.socibuilder.filter;

import java.util.Set;

/** The media and artifact types by which the builder's own pushes are recognised. */
public final class SociMediaTypes {

  /**
   * Artifact types (also used as the config media type) of SOCI index manifests, v1 and v2
   * (soci-snapshotter {@code soci/soci_index.go}). ECR reports either in {@code artifact-media-type}.
   */
  public static final Set<String> SOCI_INDEX_ARTIFACT_TYPES =
      Set.of("application/vnd.amazon.soci.index.v1+json", "application/vnd.amazon.soci.index.v2+json");

  private SociMediaTypes() {}

  /** Whether a push is of a SOCI index manifest, judged by its artifact or manifest media type. */
  public static boolean isSociIndex(String artifactMediaType, String manifestMediaType) {
    return (artifactMediaType != null && SOCI_INDEX_ARTIFACT_TYPES.contains(artifactMediaType))
        || (manifestMediaType != null && SOCI_INDEX_ARTIFACT_TYPES.contains(manifestMediaType));
  }
}
