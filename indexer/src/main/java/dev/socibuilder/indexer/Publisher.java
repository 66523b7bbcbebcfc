package dev.socibuilder.indexer;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.indexer.IndexReport.BlobOutcome;
import dev.socibuilder.oci.ImageIndex;
import dev.socibuilder.oci.MediaTypes;
import dev.socibuilder.oci.StoredManifest;
import dev.socibuilder.registry.RegistryException;
import dev.socibuilder.soci.ReferrersTagIndex;
import dev.socibuilder.soci.SociConvert;
import dev.socibuilder.soci.SociIndex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The publish step, in an order that never leaves a tag pointing at something incomplete: zTOC blobs
 * (and the empty config), SOCI index manifests, then for v1 the referrers link, for v2 the rewritten
 * image manifests, the new image index, and its tag last. Everything is content-addressed, so
 * concurrent runs on the same image converge on the same result.
 */
final class Publisher {

  /**
   * What was published for v2: the new image index's digest and the tag pointing at it (or null); or,
   * when the source tag moved meanwhile, what it points at now ({@code "(nothing)"} if it is gone) and
   * nothing tagged.
   */
  record Published(String imageIndexDigest, String tag, String supersededBy) {}

  private final RunContext run;

  Publisher(RunContext run) {
    this.run = run;
  }

  /**
   * Pushes the zTOCs, the empty config and the SOCI index manifests. A zTOC blob the target lacks is
   * mounted from the repository its cache entry names, when there is one, else uploaded.
   *
   * @return how each zTOC blob got there, by layer digest
   */
  Map<String, BlobOutcome> pushIndexes(Collection<LayerBuilds.Built> ztocs, List<IndexPlan.PlatformIndex> indexes) {
    run.listener().step("pushing " + ztocs.size() + " zTOC(s)");
    Map<String, BlobOutcome> outcomes = new LinkedHashMap<>();
    for (LayerBuilds.Built b : ztocs) {
      outcomes.put(b.report().layerDigest(), pushZtoc(b));
    }
    pushBlobIfAbsent(SociIndex.EMPTY_CONFIG_DIGEST, SociIndex.emptyConfig());
    for (IndexPlan.PlatformIndex pi : indexes) {
      run.store().pushManifest(pi.bytes(), MediaTypes.OCI_MANIFEST);
    }
    return outcomes;
  }

  private BlobOutcome pushZtoc(LayerBuilds.Built b) {
    if (run.store().hasBlob(b.digest())) {
      return BlobOutcome.PRESENT;
    }
    if (b.mountFrom() != null) {
      return run.store().mountOrPushBlob(b.digest(), b.bytes(), b.mountFrom()) ? BlobOutcome.MOUNTED
          : BlobOutcome.UPLOADED;
    }
    run.store().pushBlob(b.digest(), b.bytes());
    return BlobOutcome.UPLOADED;
  }

  /** v1: makes each pushed index findable from its subject, through the referrers tag if needed. */
  void linkReferrers(List<IndexPlan.PlatformIndex> indexes) {
    for (IndexPlan.PlatformIndex pi : indexes) {
      Digest subject = Digest.parse(pi.target().descriptor().digest());
      if (run.store().referrers(subject, MediaTypes.SOCI_INDEX_V1).isPresent()) {
        continue; // the store maintains referrers itself
      }
      String referrersTag = ReferrersTagIndex.tagFor(subject);
      byte[] existing = run.store().manifest(referrersTag).map(StoredManifest::bytes).orElse(null);
      if (existing != null) {
        ExistingIndex.referrersTagEntries(run, referrersTag, existing); // bounded, or fails clearly
      }
      run.checkDeadline("before updating the referrers tag " + referrersTag + "; it was not updated");
      byte[] updated = ReferrersTagIndex.update(existing, ReferrersTagIndex.entryFor(pi.descriptor(), pi.bytes()));
      if (existing == null || !Arrays.equals(existing, updated)) {
        run.store().tag(referrersTag, updated, MediaTypes.OCI_INDEX);
      }
    }
  }

  /**
   * v2: pushes the image manifests rewritten with the index-digest annotation and the new image index,
   * tagged {@code tag + suffix} (pushed by digest only for a digest reference).
   *
   * @param top the source manifest or index
   * @param sourceIndex the source image index, or null for a single manifest
   */
  Published convert(StoredManifest top, ImageIndex sourceIndex, List<Target> targets,
      List<IndexPlan.PlatformIndex> indexes) {
    List<SociConvert.ConvertedPlatform> converted = new ArrayList<>();
    for (IndexPlan.PlatformIndex pi : indexes) {
      converted.add(new SociConvert.ConvertedPlatform(
          pi.target().platform(), pi.target().descriptor(), pi.target().bytes(), pi.descriptor()));
    }
    SociConvert.Result result =
        sourceIndex != null
            ? SociConvert.fromIndex(sourceIndex, converted)
            : SociConvert.fromManifest(top.descriptor(), targets.get(0).platform(), converted.get(0));
    for (SociConvert.RewrittenManifest rm : result.manifests()) {
      run.store().pushManifest(rm.bytes(), rm.descriptor().mediaType());
    }
    byte[] indexBytes = result.indexBytes();
    String newTag = null;
    if (run.tag() != null) {
      // The tag may have moved since the image was read (minutes ago, for a large image): tagging now
      // would point <tag><suffix> at an index of the image the tag no longer names.
      Optional<Digest> current = run.store().digestOf(run.tag());
      if (current.isEmpty() || !current.get().equals(top.digest())) {
        return new Published(null, null, current.map(Digest::toString).orElse("(nothing)"));
      }
      // Pushed under its tag in one request: a push by digest first would be one more (untagged)
      // ECR push event for the filter to ignore.
      newTag = run.tag() + run.options().tagSuffix();
      run.checkDeadline("before tagging " + newTag + "; the tag was not pushed");
      tagImageIndex(newTag, indexBytes, Digest.parse(result.indexDescriptor().digest()));
    } else {
      run.store().pushManifest(indexBytes, MediaTypes.OCI_INDEX);
    }
    return new Published(result.indexDescriptor().digest(), newTag, null);
  }

  /**
   * Tags the new image index. A repository with immutable tags refuses to move an existing tag: ECR answers the
   * manifest PUT with 400 {@code TAG_INVALID} ("The image tag '...' already exists in the '...' repository and
   * cannot be overwritten because the repository is immutable."). If the tag already names this very index (a
   * concurrent run of the same request got there first) that is the result; otherwise retrying cannot help and
   * the failure says how to let the builder update its tags.
   */
  private void tagImageIndex(String tag, byte[] indexBytes, Digest indexDigest) {
    try {
      run.store().tag(tag, indexBytes, MediaTypes.OCI_INDEX);
    } catch (RegistryException e) {
      if (e.status() != 400 || !"TAG_INVALID".equals(e.errorCode())) {
        throw e;
      }
      Optional<StoredManifest> current = run.store().manifest(tag);
      if (current.isPresent() && current.get().digest().equals(indexDigest)) {
        return;
      }
      String suffix = run.options().tagSuffix();
      throw new IndexingException("cannot move tag " + tag + " of " + run.store().name()
          + " to the new SOCI-enabled image index: the registry refused to overwrite it (" + e.getMessage()
          + "); the repository's tags are immutable and " + tag + " names an earlier index (another span size,"
          + " or --force). Exclude the SOCI tags from immutability, e.g. aws ecr put-image-tag-mutability"
          + " --repository-name REPOSITORY --image-tag-mutability IMMUTABLE_WITH_EXCLUSION"
          + " --image-tag-mutability-exclusion-filters filterType=WILDCARD,filter='*" + suffix
          + "', or delete " + tag + " first", e);
    }
  }

  private void pushBlobIfAbsent(Digest d, byte[] content) {
    if (!run.store().hasBlob(d)) {
      run.store().pushBlob(d, content);
    }
  }
}
