package dev.socibuilder.indexer;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.indexer.IndexReport.PlatformReport;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.ImageIndex;
import dev.socibuilder.oci.ImageManifest;
import dev.socibuilder.oci.MediaTypes;
import dev.socibuilder.oci.Platforms;
import dev.socibuilder.oci.StoredManifest;
import dev.socibuilder.soci.ReferrersTagIndex;
import dev.socibuilder.soci.SociIndex;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds a SOCI index that already covers every target, built with the span size asked for now: for v2
 * the {@code <tag><suffix>} image index, for v1 a referrer (through the referrers API, or the
 * {@code sha256-<hex>} referrers tag on registries without it).
 */
final class ExistingIndex {

  /** A covering index: one report per target, and for v2 the image index's digest and tag. */
  record Found(List<PlatformReport> platforms, String imageIndexDigest, String tag, String message) {}

  private final RunContext run;

  ExistingIndex(RunContext run) {
    this.run = run;
  }

  /** The existing index covering every target, or empty. */
  Optional<Found> find(List<Target> targets) {
    return run.options().version() == SociIndex.Version.V2 ? findV2(targets) : findV1(targets);
  }

  private Optional<Found> findV2(List<Target> targets) {
    if (run.tag() == null) {
      return Optional.empty(); // a digest reference has no -soci tag to find an earlier result by
    }
    String sociTag = run.tag() + run.options().tagSuffix();
    Optional<StoredManifest> existing = run.store().manifest(sociTag);
    if (existing.isEmpty() || !MediaTypes.isIndex(existing.get().mediaType())) {
      return Optional.empty();
    }
    ImageIndex idx = ImageIndex.parse(existing.get().bytes());
    List<PlatformReport> reports = new ArrayList<>();
    for (Target t : targets) {
      String sociDigest = coveringSociIndex(idx, t);
      if (sociDigest == null) {
        return Optional.empty();
      }
      reports.add(new PlatformReport(t.platform(), t.descriptor().digest(), sociDigest, List.of(), List.of()));
    }
    return Optional.of(new Found(reports, existing.get().digest().toString(), sociTag,
        "already indexed: " + sociTag + " is a SOCI-enabled image of this image (use --force to rebuild)"));
  }

  private Optional<Found> findV1(List<Target> targets) {
    List<PlatformReport> reports = new ArrayList<>();
    for (Target t : targets) {
      String sociDigest = existingReferrer(Digest.parse(t.descriptor().digest()));
      if (sociDigest == null) {
        return Optional.empty();
      }
      reports.add(new PlatformReport(t.platform(), t.descriptor().digest(), sociDigest, List.of(), List.of()));
    }
    return Optional.of(new Found(reports, null, null,
        "already indexed: every platform has a SOCI index v1 referrer (use --force to rebuild)"));
  }

  /**
   * The SOCI index digest under which the v2 index {@code idx} carries {@code t}'s image: an entry
   * whose manifest has the same config and layers as {@code t} and an index-digest annotation.
   */
  private String coveringSociIndex(ImageIndex idx, Target t) {
    for (Descriptor d : idx.manifestList()) {
      String sociDigest = d.annotation(SociIndex.ANNOTATION_INDEX_DIGEST);
      if (sociDigest == null || !MediaTypes.isManifest(d.mediaType())) {
        continue;
      }
      if (d.platform() != null && t.platform() != null && !Platforms.matchesStrict(t.platform(), d.platform())) {
        continue;
      }
      Optional<StoredManifest> m = run.store().manifest(d.digest());
      if (m.isEmpty()) {
        continue;
      }
      ImageManifest rewritten = ImageManifest.parse(m.get().bytes());
      if (rewritten.config().digest().equals(t.manifest().config().digest())
          && layerDigests(rewritten).equals(layerDigests(t.manifest()))
          && sameSpanSize(sociDigest)) {
        return sociDigest;
      }
    }
    return null;
  }

  /** True if the SOCI index exists and its zTOCs were built with the span size asked for now. */
  private boolean sameSpanSize(String sociDigest) {
    Optional<StoredManifest> soci = run.store().manifest(sociDigest);
    if (soci.isEmpty()) {
      return false;
    }
    String span = Long.toString(run.options().spanSize());
    for (Descriptor z : ImageManifest.parse(soci.get().bytes()).layers()) {
      String s = z.annotation(SociIndex.ANNOTATION_SPAN_SIZE);
      if (MediaTypes.OCTET_STREAM.equals(z.mediaType()) && s != null && !s.equals(span)) {
        return false;
      }
    }
    return true;
  }

  private static List<String> layerDigests(ImageManifest m) {
    return m.layers().stream().map(Descriptor::digest).toList();
  }

  /** The digest of an existing v1 SOCI index referring to {@code subject}, or null. */
  private String existingReferrer(Digest subject) {
    Optional<List<Descriptor>> api = run.store().referrers(subject, MediaTypes.SOCI_INDEX_V1);
    List<Descriptor> entries;
    if (api.isPresent()) {
      entries = api.get();
    } else {
      Optional<StoredManifest> tagIndex = run.store().manifest(ReferrersTagIndex.tagFor(subject));
      if (tagIndex.isEmpty()) {
        return null;
      }
      entries = ImageIndex.parse(tagIndex.get().bytes()).manifestList();
    }
    for (Descriptor d : entries) {
      if (MediaTypes.SOCI_INDEX_V1.equals(d.artifactType()) && run.store().manifest(d.digest()).isPresent()) {
        return d.digest();
      }
    }
    return null;
  }
}
