package dev.socibuilder.indexer;

import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.ImageIndex;
import dev.socibuilder.oci.ImageManifest;
import dev.socibuilder.oci.MediaTypes;
import dev.socibuilder.oci.Platform;
import dev.socibuilder.oci.Platforms;
import dev.socibuilder.oci.StoredManifest;
import dev.socibuilder.soci.SociConvert;
import dev.socibuilder.soci.SociIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The first step of a run: what the reference points at, and which platform images to index. An image
 * index is narrowed to its platform images (skipping artifacts and build attestations) and to the
 * platforms asked for; SOCI artifacts and SOCI-enabled images are recognized and left alone.
 */
final class ImageResolver {

  /**
   * The outcome of resolving: either a reason to leave the image alone, or the targets (and the
   * source image index, null for a single manifest).
   */
  record Resolution(String leaveAlone, List<Target> targets, ImageIndex sourceIndex) {
    static Resolution leftAlone(String why) {
      return new Resolution(why, List.of(), null);
    }
  }

  /** The largest image config read (whole): real ones are kilobytes, the registry client's manifest limit. */
  static final int MAX_CONFIG_BYTES = 32 << 20;

  private final RunContext run;

  ImageResolver(RunContext run) {
    this.run = run;
  }

  Resolution resolve(StoredManifest top) {
    String mediaType = top.mediaType();
    List<Target> targets;
    ImageIndex sourceIndex = null;
    if (MediaTypes.isIndex(mediaType)) {
      sourceIndex = ImageIndex.parse(top.bytes());
      if (SociConvert.isSociEnabled(sourceIndex)) {
        return Resolution.leftAlone(
            "the image index already lists SOCI indexes (a SOCI-enabled image); left alone");
      }
      if (onlySociIndexes(sourceIndex)) {
        // e.g. a v1 referrers tag index (sha256-<hex>): SOCI artifacts, not an image
        return Resolution.leftAlone("the image index lists only SOCI indexes (a referrers index); left alone");
      }
      targets = selectFromIndex(sourceIndex);
    } else if (MediaTypes.isManifest(mediaType)) {
      ImageManifest m = ImageManifest.parse(top.bytes());
      String why = sociArtifact(m);
      if (why != null) {
        return Resolution.leftAlone(why);
      }
      Platform platform = Platforms.configPlatform(readConfig(top.digest().toString(), m));
      targets = List.of(new Target(platform, top.descriptor(), top.bytes(), m));
    } else {
      throw new IndexingException("image " + run.image() + ": unsupported manifest media type " + mediaType);
    }
    for (Target t : targets) {
      String why = sociArtifact(t.manifest());
      if (why != null) {
        return Resolution.leftAlone(why);
      }
    }
    for (Target t : targets) {
      for (Descriptor layer : t.manifest().layers()) {
        run.digestOf(layer, "manifest " + t.descriptor().digest() + ": layer");
      }
    }
    return new Resolution(null, targets, sourceIndex);
  }

  /** Why a manifest must not be indexed (a SOCI artifact or a SOCI-enabled image), or null. */
  private static String sociArtifact(ImageManifest m) {
    if (SociConvert.isSociEnabled(m)) {
      return "the image manifest already carries " + SociIndex.ANNOTATION_INDEX_DIGEST
          + " (a SOCI-enabled image); left alone";
    }
    String configType = m.config() == null ? "" : m.config().mediaType();
    if (MediaTypes.SOCI_INDEX_V1.equals(configType) || MediaTypes.SOCI_INDEX_V2.equals(configType)
        || MediaTypes.SOCI_INDEX_V1.equals(m.artifactType()) || MediaTypes.SOCI_INDEX_V2.equals(m.artifactType())) {
      return "the manifest is itself a SOCI index; left alone";
    }
    return null;
  }

  private static boolean onlySociIndexes(ImageIndex index) {
    List<Descriptor> entries = index.manifestList();
    return !entries.isEmpty() && entries.stream().allMatch(d ->
        MediaTypes.SOCI_INDEX_V1.equals(d.artifactType()) || MediaTypes.SOCI_INDEX_V2.equals(d.artifactType()));
  }

  private List<Target> selectFromIndex(ImageIndex index) {
    List<Target> candidates = new ArrayList<>();
    for (Descriptor d : index.manifestList()) {
      if (!MediaTypes.isManifest(d.mediaType())) {
        continue;
      }
      if (d.artifactType() != null && !d.artifactType().isEmpty()) {
        continue; // an artifact (SOCI index, signature...), not a platform image
      }
      Target t;
      if (d.platform() == null) {
        // As containerd's images.Manifest: an entry without a platform is an image of the
        // platform its config names; one whose config is not an image config is an artifact.
        ImageManifest m = ImageManifest.parse(run.fetch(d).bytes());
        if (!MediaTypes.isConfig(m.config().mediaType())) {
          continue;
        }
        t = new Target(Platforms.configPlatform(readConfig(d.digest(), m)), d, null, m);
      } else {
        t = new Target(d.platform(), d, null, null);
      }
      Platform p = t.platform();
      if ("unknown".equals(p.os()) && "unknown".equals(p.architecture())) {
        continue; // build attestations
      }
      candidates.add(t);
    }
    List<Target> chosen = new ArrayList<>();
    if (run.options().platforms().isEmpty()) {
      chosen.addAll(candidates);
    } else {
      for (Platform wanted : run.options().platforms()) {
        Target match = candidates.stream()
            .filter(t -> Platforms.matchesStrict(wanted, t.platform()))
            .findFirst()
            .orElseThrow(() -> new IndexingException("image " + run.image() + " has no platform "
                + Platforms.format(wanted)));
        if (!chosen.contains(match)) {
          chosen.add(match);
        }
      }
    }
    if (chosen.isEmpty()) {
      throw new IndexingException("image " + run.image() + ": the image index lists no platform image manifest");
    }
    List<Target> targets = new ArrayList<>();
    for (Target t : chosen) {
      StoredManifest sm = run.fetch(t.descriptor());
      targets.add(new Target(t.platform(), t.descriptor(), sm.bytes(), ImageManifest.parse(sm.bytes())));
    }
    return targets;
  }

  private byte[] readConfig(String manifestDigest, ImageManifest m) {
    if (m.config().digest().isEmpty()) {
      throw new IndexingException("image " + run.image() + ": manifest " + manifestDigest + " has no config");
    }
    run.digestOf(m.config(), "manifest " + manifestDigest + ": config");
    if (m.config().size() > MAX_CONFIG_BYTES) {
      // Read whole (and verified against this size): a hostile manifest must not make us read gigabytes.
      throw new IndexingException("image " + run.image() + ": manifest " + manifestDigest + ": config is "
          + m.config().size() + " bytes, more than the " + MAX_CONFIG_BYTES + " read whole");
    }
    try {
      return run.store().readBlob(m.config());
    } catch (IOException e) {
      throw new UncheckedIOException("reading config " + m.config().digest() + " of " + run.image(), e);
    }
  }
}
