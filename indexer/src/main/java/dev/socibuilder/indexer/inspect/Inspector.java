package dev.socibuilder.indexer.inspect;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.indexer.IndexingException;
import dev.socibuilder.indexer.inspect.Inspection.IndexFound;
import dev.socibuilder.indexer.inspect.Inspection.LayerWithoutZtoc;
import dev.socibuilder.indexer.inspect.Inspection.PlatformInspection;
import dev.socibuilder.indexer.inspect.Inspection.ZtocFound;
import dev.socibuilder.indexer.store.ImageStore;
import dev.socibuilder.indexer.store.OciLayoutException;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.ImageIndex;
import dev.socibuilder.oci.ImageManifest;
import dev.socibuilder.oci.MediaTypes;
import dev.socibuilder.oci.OciFormatException;
import dev.socibuilder.oci.Platform;
import dev.socibuilder.oci.Platforms;
import dev.socibuilder.oci.StoredManifest;
import dev.socibuilder.registry.RegistryException;
import dev.socibuilder.soci.LayerMediaTypeException;
import dev.socibuilder.soci.LayerSelection;
import dev.socibuilder.soci.ReferrersTagIndex;
import dev.socibuilder.soci.SociConvert;
import dev.socibuilder.soci.SociIndex;
import dev.socibuilder.ztoc.InvalidZtocException;
import dev.socibuilder.ztoc.Ztoc;
import dev.socibuilder.ztoc.ZtocCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Answers "is this image lazy-loadable?" without changing anything: for each platform image it looks for
 * <ul>
 *   <li>a SOCI index v2: in the image itself when it is a SOCI-enabled image (its manifests carry
 *       {@code com.amazon.soci.index-digest}), else in the {@code <tag><suffix>} SOCI-enabled image index,
 *       whose entry for the platform must have the same config and layers;
 *   <li>SOCI indexes v1: referrers of the platform manifest, through the referrers API (or an OCI layout's
 *       {@code index.json}) or, on registries without it, the {@code sha256-<hex>} referrers tag;
 * </ul>
 * and reads each index's zTOCs (span size, spans, files) and explains each layer that has none. zTOCs are
 * read whole (at most {@link #MAX_ZTOC_BYTES}) and verified against their digest.
 */
public final class Inspector {
  /** The largest zTOC read. */
  public static final int MAX_ZTOC_BYTES = 256 << 20;

  private final String tagSuffix;
  private final long minLayerSize;

  /**
   * @param tagSuffix the v2 SOCI tag suffix ({@code -soci})
   * @param minLayerSize the minimum layer size the indexes were built with: explains layers without a zTOC
   */
  public Inspector(String tagSuffix, long minLayerSize) {
    this.tagSuffix = Objects.requireNonNull(tagSuffix, "tagSuffix");
    this.minLayerSize = minLayerSize;
  }

  /** One platform image of what was inspected. */
  private record PlatformImage(Platform platform, Descriptor descriptor, ImageManifest manifest) {}

  /**
   * Inspects the image at {@code tag} or {@code digest} (the digest wins when both are given; the v2 index is
   * looked up by the tag).
   *
   * @throws IndexingException if the image is not found or is not an image
   * @throws RegistryException if the registry fails
   */
  public Inspection inspect(ImageStore store, String tag, Digest digest) {
    String reference = digest != null ? digest.toString() : tag;
    if (reference == null) {
      throw new IllegalArgumentException("a tag or a digest is required");
    }
    String image = store.name() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    StoredManifest top = store.manifest(reference)
        .orElseThrow(() -> new IndexingException("image " + image + " not found"));
    try {
      return inspect(store, image, tag, top);
    } catch (OciFormatException | OciLayoutException e) {
      throw new IndexingException("image " + image + ": " + e.getMessage(), e);
    }
  }

  private Inspection inspect(ImageStore store, String image, String tag, StoredManifest top) {
    String type = top.mediaType();
    List<PlatformImage> images = new ArrayList<>();
    boolean sociEnabled;
    if (MediaTypes.isIndex(type)) {
      ImageIndex index = ImageIndex.parse(top.bytes());
      sociEnabled = SociConvert.isSociEnabled(index);
      if (!sociEnabled && !index.manifestList().isEmpty() && index.manifestList().stream().allMatch(Inspector::isSociEntry)) {
        throw new IndexingException("image " + image + " lists only SOCI indexes (a referrers index), not images");
      }
      for (Descriptor d : index.manifestList()) {
        if (!MediaTypes.isManifest(d.mediaType()) || !d.artifactType().isEmpty()
            || (sociEnabled && d.annotation(SociIndex.ANNOTATION_INDEX_DIGEST) == null)) {
          continue; // SOCI indexes, signatures and other artifacts
        }
        ImageManifest m = ImageManifest.parse(fetch(store, image, d).bytes());
        if (!MediaTypes.isConfig(m.config().mediaType())) {
          continue; // an artifact listed without an artifactType
        }
        Platform p = d.platform() != null ? d.platform() : Platforms.configPlatform(readConfig(store, m));
        if ("unknown".equals(p.os()) && "unknown".equals(p.architecture())) {
          continue; // build attestations
        }
        images.add(new PlatformImage(p, d, m));
      }
    } else if (MediaTypes.isManifest(type)) {
      ImageManifest m = ImageManifest.parse(top.bytes());
      if (isSociIndex(m)) {
        throw new IndexingException("image " + image + " is itself a SOCI index; inspect the image it indexes");
      }
      sociEnabled = SociConvert.isSociEnabled(m);
      images.add(new PlatformImage(Platforms.configPlatform(readConfig(store, m)), top.descriptor(), m));
    } else {
      throw new IndexingException("image " + image + ": unsupported manifest media type " + type);
    }

    Optional<StoredManifest> sociImage = Optional.empty();
    if (!sociEnabled && tag != null) {
      sociImage = store.manifest(tag + tagSuffix).filter(sm -> MediaTypes.isIndex(sm.mediaType()));
    }
    List<PlatformInspection> platforms = new ArrayList<>();
    for (PlatformImage p : images) {
      List<IndexFound> found = new ArrayList<>();
      List<String> notes = new ArrayList<>();
      if (sociEnabled) {
        String sociDigest = p.descriptor().annotation(SociIndex.ANNOTATION_INDEX_DIGEST);
        if (sociDigest == null) {
          sociDigest = p.manifest().annotation(SociIndex.ANNOTATION_INDEX_DIGEST);
        }
        found.add(describe(store, p, sociDigest, "the image's own " + SociIndex.ANNOTATION_INDEX_DIGEST, null));
      } else {
        findV2(store, tag, sociImage, p, found, notes);
        findV1(store, p, found, notes);
      }
      platforms.add(new PlatformInspection(p.platform(), p.descriptor().digest(), found, notes));
    }
    return new Inspection(image, type, top.digest().toString(), sociEnabled, platforms);
  }

  private void findV2(ImageStore store, String tag, Optional<StoredManifest> sociImage, PlatformImage p,
      List<IndexFound> found, List<String> notes) {
    if (tag == null) {
      notes.add("no SOCI index v2 looked for: it is found through the image's tag (TAG" + tagSuffix
          + "), and this is a digest reference");
      return;
    }
    String sociTag = tag + tagSuffix;
    if (sociImage.isEmpty()) {
      notes.add("no SOCI index v2: there is no SOCI-enabled image index tagged " + sociTag);
      return;
    }
    ImageIndex index = ImageIndex.parse(sociImage.get().bytes());
    for (Descriptor d : index.manifestList()) {
      String sociDigest = d.annotation(SociIndex.ANNOTATION_INDEX_DIGEST);
      if (sociDigest == null || !MediaTypes.isManifest(d.mediaType())) {
        continue;
      }
      Optional<StoredManifest> rewritten = store.manifest(d.digest());
      if (rewritten.isPresent() && sameImage(ImageManifest.parse(rewritten.get().bytes()), p.manifest())) {
        found.add(describe(store, p, sociDigest, "tag " + sociTag, sociImage.get().digest().toString()));
        return;
      }
    }
    notes.add("no SOCI index v2: " + sociTag + " does not hold this image (was " + tag + " moved after indexing?)");
  }

  private void findV1(ImageStore store, PlatformImage p, List<IndexFound> found, List<String> notes) {
    Digest subject = p.descriptor().parsedDigest();
    Optional<List<Descriptor>> api = store.referrers(subject, MediaTypes.SOCI_INDEX_V1);
    List<Descriptor> entries;
    String through;
    if (api.isPresent()) {
      entries = api.get();
      through = "referrers";
    } else {
      String referrersTag = ReferrersTagIndex.tagFor(subject);
      Optional<StoredManifest> tagIndex = store.manifest(referrersTag);
      entries = tagIndex.isEmpty() || !MediaTypes.isIndex(tagIndex.get().mediaType())
          ? List.of() : ImageIndex.parse(tagIndex.get().bytes()).manifestList();
      through = "referrers tag " + referrersTag;
    }
    int before = found.size();
    for (Descriptor d : entries) {
      if (MediaTypes.SOCI_INDEX_V1.equals(d.artifactType())) {
        found.add(describe(store, p, d.digest(), through, null));
      }
    }
    if (found.size() == before) {
      notes.add("no SOCI index v1 (looked up through the " + through + ")");
    }
  }

  /** A SOCI index of a platform image: its zTOCs, and the image's layers it has none for. */
  private IndexFound describe(ImageStore store, PlatformImage p, String sociDigest, String through,
      String imageIndexDigest) {
    Optional<StoredManifest> stored = store.manifest(sociDigest);
    if (stored.isEmpty()) {
      return new IndexFound("?", sociDigest, through, imageIndexDigest, null, "the SOCI index manifest is missing",
          List.of(), List.of());
    }
    ImageManifest index;
    SociIndex.Version version;
    try {
      index = ImageManifest.parse(stored.get().bytes());
      version = SociIndex.versionOf(index);
    } catch (OciFormatException e) {
      return new IndexFound("?", sociDigest, through, imageIndexDigest, null, "not a SOCI index: " + e.getMessage(),
          List.of(), List.of());
    }
    List<ZtocFound> ztocs = new ArrayList<>();
    Set<String> covered = new HashSet<>();
    for (Descriptor z : index.layers()) {
      String layerDigest = z.annotation(SociIndex.ANNOTATION_IMAGE_LAYER_DIGEST);
      if (!MediaTypes.OCTET_STREAM.equals(z.mediaType()) || layerDigest == null) {
        continue; // a prefetch artifact or something else that is not a zTOC
      }
      covered.add(layerDigest);
      long layerSize = p.manifest().layers().stream().filter(l -> l.digest().equals(layerDigest))
          .mapToLong(Descriptor::size).findFirst().orElse(-1);
      ztocs.add(readZtoc(store, z, layerDigest, layerSize));
    }
    List<LayerWithoutZtoc> without = new ArrayList<>();
    for (Descriptor layer : p.manifest().layers()) {
      if (!covered.contains(layer.digest())) {
        String reason = whyNoZtoc(layer);
        if (reason != null) {
          without.add(new LayerWithoutZtoc(layer.digest(), layer.size(), layer.mediaType(), reason));
        }
      }
    }
    return new IndexFound(version.name().toLowerCase(Locale.ROOT), sociDigest, through, imageIndexDigest,
        index.annotation(SociIndex.ANNOTATION_BUILD_TOOL_ID), null, ztocs, without);
  }

  private static ZtocFound readZtoc(ImageStore store, Descriptor z, String layerDigest, long layerSize) {
    String problem = layerSize < 0 ? "the image has no layer " + layerDigest : null;
    if (z.size() > MAX_ZTOC_BYTES) {
      return new ZtocFound(layerDigest, layerSize, z.digest(), z.size(), -1, -1, -1,
          "larger than " + MAX_ZTOC_BYTES + " bytes; not read");
    }
    try (InputStream in = store.openBlob(z)) {
      byte[] bytes = in.readNBytes(MAX_ZTOC_BYTES + 1);
      Ztoc ztoc = ZtocCodec.decode(bytes);
      return new ZtocFound(layerDigest, layerSize, z.digest(), z.size(), ztoc.compressionInfo().spanSize(),
          ztoc.compressionInfo().maxSpanId() + 1, ztoc.toc().size(), problem);
    } catch (InvalidZtocException e) {
      return new ZtocFound(layerDigest, layerSize, z.digest(), z.size(), -1, -1, -1, "invalid zTOC: " + e.getMessage());
    } catch (IOException | UncheckedIOException | RegistryException | OciLayoutException e) {
      return new ZtocFound(layerDigest, layerSize, z.digest(), z.size(), -1, -1, -1, "cannot read: " + e.getMessage());
    }
  }

  /** Why a layer has no zTOC; null for what is not an image layer (a prefetch artifact). */
  private String whyNoZtoc(Descriptor layer) {
    LayerSelection selection;
    try {
      selection = LayerSelection.classify(layer, minLayerSize);
    } catch (LayerMediaTypeException e) {
      return e.getMessage();
    }
    if (selection.decision() == LayerSelection.Decision.IGNORE_PREFETCH) {
      return null;
    }
    if (selection.indexed()) {
      return "no zTOC in this index, although the layer is " + layer.size() + " bytes (built with a minimum layer"
          + " size above it?)";
    }
    return selection.reason(layer, minLayerSize);
  }

  private static boolean sameImage(ImageManifest a, ImageManifest b) {
    return a.config().digest().equals(b.config().digest())
        && a.layers().stream().map(Descriptor::digest).toList().equals(b.layers().stream().map(Descriptor::digest).toList());
  }

  private static boolean isSociEntry(Descriptor d) {
    return MediaTypes.SOCI_INDEX_V1.equals(d.artifactType()) || MediaTypes.SOCI_INDEX_V2.equals(d.artifactType());
  }

  private static boolean isSociIndex(ImageManifest m) {
    String config = m.config().mediaType();
    return MediaTypes.SOCI_INDEX_V1.equals(config) || MediaTypes.SOCI_INDEX_V2.equals(config)
        || MediaTypes.SOCI_INDEX_V1.equals(m.artifactType()) || MediaTypes.SOCI_INDEX_V2.equals(m.artifactType());
  }

  private static StoredManifest fetch(ImageStore store, String image, Descriptor d) {
    StoredManifest sm = store.manifest(d.digest())
        .orElseThrow(() -> new IndexingException("image " + image + ": manifest " + d.digest() + " is missing"));
    if (!sm.digest().toString().equals(d.digest())) {
      throw new IndexingException("image " + image + ": manifest " + d.digest() + " has digest " + sm.digest());
    }
    return sm;
  }

  private static byte[] readConfig(ImageStore store, ImageManifest m) {
    try {
      return store.readBlob(m.config());
    } catch (IOException e) {
      throw new UncheckedIOException("reading config " + m.config().digest(), e);
    }
  }
}
