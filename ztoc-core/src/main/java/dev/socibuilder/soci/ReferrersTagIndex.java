package dev.socibuilder.soci;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.ImageIndex;
import dev.socibuilder.oci.ImageManifest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The referrers tag schema fallback, as ORAS maintains it when a registry has no referrers API
 * (spec §6; ORAS {@code registry/remote/repository.go} {@code updateReferrersIndex},
 * {@code applyReferrerChanges}, {@code generateIndex}; {@code referrers.go}
 * {@code buildReferrersTag}).
 *
 * <p>The tag {@code sha256-<hex>} of the subject points at an OCI index whose {@code manifests}
 * list the referrers. An update keeps the existing entries in order, drops zero descriptors and
 * duplicates (same media type, digest and size), and appends the new entry unless it is already
 * there. The new index is a fresh {@code {"schemaVersion":2,"mediaType":<OCI index>,"manifests":…}}
 * (ORAS does not carry over other fields of the old one).
 */
public final class ReferrersTagIndex {
  private ReferrersTagIndex() {}

  /** The referrers tag for a subject: {@code <algorithm>-<hex>}. */
  public static String tagFor(Digest subject) {
    return subject.algorithm() + "-" + subject.hex();
  }

  /**
   * The entry ORAS records for a pushed manifest with a subject: its media type, digest and size,
   * {@code annotations} = the manifest's annotations, {@code artifactType} = the manifest's
   * {@code artifactType}, else its {@code config.mediaType}.
   */
  public static Descriptor entryFor(Descriptor pushed, byte[] manifestBytes) {
    ImageManifest m = ImageManifest.parse(manifestBytes);
    String artifactType = m.artifactType().isEmpty() ? m.config().mediaType() : m.artifactType();
    return Descriptor.of(pushed.mediaType(), pushed.digest(), pushed.size())
        .withAnnotations(m.annotations())
        .withArtifactType(artifactType);
  }

  /**
   * The referrers index after adding {@code entry}.
   *
   * @param existing the bytes the tag points at now, or null if there is no such tag
   * @return the new index bytes; {@code existing} itself (same content) when nothing changes, in
   *     which case ORAS pushes nothing
   */
  public static byte[] update(byte[] existing, Descriptor entry) {
    List<Descriptor> old = existing == null ? List.of() : ImageIndex.parse(existing).manifestList();
    List<Descriptor> updated = new ArrayList<>(old.size() + 1);
    Set<List<Object>> seen = new HashSet<>();
    boolean changed = false;
    for (Descriptor d : old) {
      if (d.mediaType().isEmpty() && d.digest().isEmpty() && d.size() == 0) {
        changed = true; // a bad entry
        continue;
      }
      if (!seen.add(key(d))) {
        changed = true; // a duplicate
        continue;
      }
      updated.add(d);
    }
    if (seen.add(key(entry))) {
      updated.add(entry);
      changed = true;
    }
    if (!changed) {
      return existing.clone();
    }
    return ImageIndex.of(updated).toJson();
  }

  private static List<Object> key(Descriptor d) {
    return List.of(d.mediaType(), d.digest(), d.size());
  }
}
