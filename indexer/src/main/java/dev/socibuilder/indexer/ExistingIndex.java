package dev.socibuilder.indexer;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.indexer.IndexReport.PlatformReport;
import dev.socibuilder.indexer.store.OciLayoutException;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.ImageIndex;
import dev.socibuilder.oci.ImageManifest;
import dev.socibuilder.oci.MediaTypes;
import dev.socibuilder.oci.Platforms;
import dev.socibuilder.oci.StoredManifest;
import dev.socibuilder.registry.RegistryException;
import dev.socibuilder.soci.Optimization;
import dev.socibuilder.soci.ReferrersTagIndex;
import dev.socibuilder.soci.SociIndex;
import dev.socibuilder.ztoc.InvalidZtocException;
import dev.socibuilder.ztoc.ZtocCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds a SOCI index that already covers every target, built with the span size and the {@code xattr}
 * optimization asked for now: for v2 the {@code <tag><suffix>} image index; for v1 a referrer (through the
 * referrers API, or the {@code sha256-<hex>} referrers tag on registries without it).
 */
final class ExistingIndex {
  /** The most entries of a referrers list (API answer or tag index) that are read. */
  static final int MAX_REFERRER_ENTRIES = 10_000;
  /** The largest referrers tag index read: 4 MiB, the manifest limit of Distribution and ECR. */
  static final int MAX_REFERRERS_TAG_BYTES = 4 * 1024 * 1024;
  /** The most manifests fetched to confirm that a referrers tag entry still exists. */
  static final int MAX_REFERRER_MANIFESTS = 10;
  /**
   * The largest zTOC read to tell whether an index built without {@code disable-xattrs} on a layer was
   * built with the optimization; a larger one counts as built without it (the index is rebuilt).
   */
  static final long MAX_ZTOC_CHECKED = 32 << 20;

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
        "already indexed: every platform has a SOCI index v1 referrer built with these options (use --force to "
            + "rebuild)"));
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
          && sameOptions(sociDigest)) {
        return sociDigest;
      }
    }
    return null;
  }

  /**
   * True if the SOCI index exists and was built with the options asked for now: its zTOCs' span size,
   * and {@code com.amazon.soci.disable-xattrs: "true"} exactly on the zTOCs the {@code xattr}
   * optimization marks. Without the optimization no zTOC may carry it. With it, a zTOC without it must be
   * of a layer that has extended attributes or an opaque whiteout: its zTOC is read to tell.
   */
  private boolean sameOptions(String sociDigest) {
    Optional<StoredManifest> soci = run.store().manifest(sociDigest);
    return soci.isPresent() && sameOptions(soci.get());
  }

  /** As {@link #sameOptions(String)} for the SOCI index manifest {@code soci}. */
  private boolean sameOptions(StoredManifest soci) {
    String span = Long.toString(run.options().spanSize());
    for (Descriptor z : ImageManifest.parse(soci.bytes()).layers()) {
      if (!MediaTypes.OCTET_STREAM.equals(z.mediaType())) {
        continue;
      }
      String s = z.annotation(SociIndex.ANNOTATION_SPAN_SIZE);
      if (s != null && !s.equals(span)) {
        return false;
      }
      String disabled = z.annotation(SociIndex.ANNOTATION_DISABLE_XATTRS);
      if (!run.options().disablesXattrs()) {
        if (disabled != null) {
          return false;
        }
      } else if (disabled == null) {
        if (!hasXattrs(z)) {
          return false; // built without the optimization
        }
      } else if (!disabled.equals("true")) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether the layer of zTOC {@code z} has extended attributes or an opaque whiteout, from its TOC; false
   * (so: rebuild) when the zTOC cannot be read or is larger than {@link #MAX_ZTOC_CHECKED}.
   */
  private boolean hasXattrs(Descriptor z) {
    if (z.size() > MAX_ZTOC_CHECKED) {
      return false;
    }
    try (InputStream in = run.store().openBlob(z)) {
      return !Optimization.shouldDisableXattrs(ZtocCodec.decode(in.readNBytes((int) MAX_ZTOC_CHECKED + 1)).toc());
    } catch (IOException | UncheckedIOException | InvalidZtocException | RegistryException | OciLayoutException e) {
      return false; // unreadable: build it again rather than keep what cannot be checked
    }
  }

  private static List<String> layerDigests(ImageManifest m) {
    return m.layers().stream().map(Descriptor::digest).toList();
  }

  /**
   * The digest of an existing v1 SOCI index referring to {@code subject} and built with the options asked
   * for now ({@link #sameOptions}), or null. Its SOCI entries are checked in turn, at most {@link
   * #MAX_REFERRER_MANIFESTS} of them: through the referrers API in the registry's order (it lists only
   * manifests it has); in a referrers tag index, which may name manifests that are gone, newest (last) first.
   *
   * @throws IndexingException if the list exceeds {@link #MAX_REFERRER_ENTRIES} entries (or the tag index
   *     {@link #MAX_REFERRERS_TAG_BYTES}), or more SOCI entries than may be checked are all gone
   */
  private String existingReferrer(Digest subject) {
    Optional<List<Descriptor>> api = run.store().referrers(subject, MediaTypes.SOCI_INDEX_V1);
    if (api.isPresent()) {
      List<Descriptor> entries = api.get();
      checkEntries(entries.size(), "the referrers of " + subject);
      return entries.stream().filter(d -> MediaTypes.SOCI_INDEX_V1.equals(d.artifactType()))
          .limit(MAX_REFERRER_MANIFESTS).map(Descriptor::digest).filter(this::sameOptions).findFirst().orElse(null);
    }
    String tag = ReferrersTagIndex.tagFor(subject);
    Optional<StoredManifest> tagIndex = run.store().manifest(tag);
    if (tagIndex.isEmpty()) {
      return null;
    }
    List<Descriptor> soci = referrersTagEntries(run, tag, tagIndex.get().bytes()).stream()
        .filter(d -> MediaTypes.SOCI_INDEX_V1.equals(d.artifactType())).toList();
    int checked = 0;
    boolean anyExists = false;
    for (int i = soci.size() - 1; i >= 0; i--) {
      if (checked == MAX_REFERRER_MANIFESTS) {
        if (anyExists) {
          return null; // none of the newest was built with these options: build one that is
        }
        throw new IndexingException("image " + run.image() + ": the referrers tag " + tag + " lists " + soci.size()
            + " SOCI index entries and the newest " + MAX_REFERRER_MANIFESTS + " do not exist; "
            + "clean up the tag (or rebuild with --force)");
      }
      checked++;
      Optional<StoredManifest> m = run.store().manifest(soci.get(i).digest());
      if (m.isPresent()) {
        anyExists = true;
        if (sameOptions(m.get())) {
          return soci.get(i).digest();
        }
      }
    }
    return null;
  }

  /**
   * The entries of a referrers tag index, read only if it is within {@link #MAX_REFERRERS_TAG_BYTES} and
   * {@link #MAX_REFERRER_ENTRIES} entries.
   *
   * @throws IndexingException if it is larger
   */
  static List<Descriptor> referrersTagEntries(RunContext run, String tag, byte[] bytes) {
    if (bytes.length > MAX_REFERRERS_TAG_BYTES) {
      throw new IndexingException("image " + run.image() + ": the referrers tag " + tag + " is " + bytes.length
          + " bytes, more than the " + MAX_REFERRERS_TAG_BYTES + " read; clean it up");
    }
    List<Descriptor> entries = ImageIndex.parse(bytes).manifestList();
    if (entries.size() > MAX_REFERRER_ENTRIES) {
      throw new IndexingException("image " + run.image() + ": the referrers tag " + tag + " lists " + entries.size()
          + " entries, more than the " + MAX_REFERRER_ENTRIES + " read; clean it up");
    }
    return entries;
  }

  private void checkEntries(int n, String what) {
    if (n > MAX_REFERRER_ENTRIES) {
      throw new IndexingException("image " + run.image() + ": " + what + " are " + n + " entries, more than the "
          + MAX_REFERRER_ENTRIES + " read");
    }
  }
}
