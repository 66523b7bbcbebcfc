package dev.socibuilder.indexer;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.indexer.IndexReport.Outcome;
import dev.socibuilder.indexer.IndexReport.PlatformReport;
import dev.socibuilder.indexer.IndexReport.SkippedLayer;
import dev.socibuilder.indexer.IndexReport.ZtocReport;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.ImageIndex;
import dev.socibuilder.oci.ImageManifest;
import dev.socibuilder.oci.MediaTypes;
import dev.socibuilder.oci.OciFormatException;
import dev.socibuilder.oci.Platform;
import dev.socibuilder.oci.Platforms;
import dev.socibuilder.soci.LayerMediaTypeException;
import dev.socibuilder.soci.LayerSelection;
import dev.socibuilder.soci.ReferrersTagIndex;
import dev.socibuilder.soci.SociConvert;
import dev.socibuilder.soci.SociIndex;
import dev.socibuilder.soci.ZtocDescriptor;
import dev.socibuilder.ztoc.CompressionAlgorithm;
import dev.socibuilder.layer.LayerDataException;
import dev.socibuilder.ztoc.ZtocBuilder;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Indexes one image: reads its manifests, streams each eligible layer once through the zTOC builder
 * (layers in parallel), then publishes the SOCI artifacts in an order that never leaves a tag
 * pointing at something incomplete: blobs, SOCI index manifests, rewritten image manifests, the image
 * index, and the tag last.
 *
 * <p>Nothing is published until every zTOC is built, so a bad layer or a registry failure during
 * reading leaves the store untouched. Everything pushed is content-addressed, so concurrent runs on
 * the same image converge on the same result.
 *
 * <p>Idempotent: an image that already has a matching SOCI index is reported and left alone unless
 * {@link IndexOptions#force()}; a SOCI-enabled image (one that already carries SOCI indexes, such as
 * this builder's own v2 output) is never indexed again.
 */
public final class IndexingService {
  private final IndexOptions options;
  private final IndexListener listener;

  public IndexingService(IndexOptions options, IndexListener listener) {
    this.options = Objects.requireNonNull(options, "options");
    this.listener = listener == null ? IndexListener.NONE : listener;
  }

  /**
   * Indexes the image at {@code tag} or {@code digest}. When both are given (a push event), the
   * image is read by its digest, so that a tag moved meanwhile cannot swap the content, and the v2
   * result is still tagged {@code tag + tagSuffix}. With a digest only, the v2 image index is pushed
   * by digest and nothing is tagged.
   *
   * @throws IndexingException for a permanent failure (bad layer data, unsupported manifest...)
   * @throws dev.socibuilder.registry.RegistryException for a registry failure (see isTransient)
   */
  public IndexReport index(ImageStore store, String tag, Digest digest) {
    long start = System.nanoTime();
    String reference = digest != null ? digest.toString() : tag;
    if (reference == null) {
      throw new IllegalArgumentException("a tag or a digest is required");
    }
    String image = store.name() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    String version = options.version() == SociIndex.Version.V2 ? "v2" : "v1";
    ImageStore.StoredManifest top =
        store.manifest(reference)
            .orElseThrow(() -> new IndexingException("image " + image + " not found"));
    Run run = new Run(store, image, tag, top);
    try {
      return run.execute(start, version);
    } catch (OciFormatException | LayerMediaTypeException e) {
      throw new IndexingException("image " + image + ": " + e.getMessage(), e);
    }
  }

  /** One platform's image manifest, as listed in the source. */
  private record Target(Platform platform, Descriptor descriptor, byte[] bytes, ImageManifest manifest) {}

  /** The state of one indexing run. */
  private final class Run {
    private final ImageStore store;
    private final String image;
    private final String tag; // null for a digest-only reference
    private final ImageStore.StoredManifest top;

    Run(ImageStore store, String image, String tag, ImageStore.StoredManifest top) {
      this.store = store;
      this.image = image;
      this.tag = tag;
      this.top = top;
    }

    IndexReport execute(long start, String version) {
      String mediaType = top.mediaType();
      List<Target> targets;
      ImageIndex sourceIndex = null;
      if (MediaTypes.isIndex(mediaType)) {
        sourceIndex = ImageIndex.parse(top.bytes());
        if (SociConvert.isSociEnabled(sourceIndex)) {
          return done(start, version, Outcome.SOCI_ENABLED_IMAGE,
              "the image index already lists SOCI indexes (a SOCI-enabled image); left alone", List.of(), null, null);
        }
        if (onlySociIndexes(sourceIndex)) {
          // e.g. a v1 referrers tag index (sha256-<hex>): SOCI artifacts, not an image
          return done(start, version, Outcome.SOCI_ENABLED_IMAGE,
              "the image index lists only SOCI indexes (a referrers index); left alone", List.of(), null, null);
        }
        targets = selectFromIndex(sourceIndex);
      } else if (MediaTypes.isManifest(mediaType)) {
        ImageManifest m = ImageManifest.parse(top.bytes());
        String why = sociArtifact(m);
        if (why != null) {
          return done(start, version, Outcome.SOCI_ENABLED_IMAGE, why, List.of(), null, null);
        }
        Platform platform = Platforms.configPlatform(readConfig(m));
        targets = List.of(new Target(platform, top.descriptor(), top.bytes(), m));
      } else {
        throw new IndexingException("image " + image + ": unsupported manifest media type " + mediaType);
      }
      for (Target t : targets) {
        String why = sociArtifact(t.manifest());
        if (why != null) {
          return done(start, version, Outcome.SOCI_ENABLED_IMAGE, why, List.of(), null, null);
        }
      }

      if (!options.force()) {
        IndexReport existing = existingIndex(start, version, targets);
        if (existing != null) {
          return existing;
        }
      }

      // Plan: which layers get a zTOC (each distinct layer is built once, even if platforms share it).
      Map<String, Descriptor> toBuild = new LinkedHashMap<>();
      for (Target t : targets) {
        for (Descriptor layer : t.manifest().layers()) {
          LayerSelection sel = LayerSelection.classify(layer, options.minLayerSize());
          if (sel.indexed()) {
            toBuild.putIfAbsent(layer.digest(), layer);
          }
        }
      }
      Map<String, Built> built = buildAll(toBuild);

      List<PlatformReport> reports = new ArrayList<>();
      List<PlatformIndex> indexes = new ArrayList<>();
      for (Target t : targets) {
        List<ZtocDescriptor> ztocs = new ArrayList<>();
        List<ZtocReport> ztocReports = new ArrayList<>();
        List<SkippedLayer> skipped = new ArrayList<>();
        for (Descriptor layer : t.manifest().layers()) {
          LayerSelection sel = LayerSelection.classify(layer, options.minLayerSize());
          if (sel.indexed()) {
            Built b = built.get(layer.digest());
            ztocs.add(new ZtocDescriptor(layer.digest(), layer.mediaType(), b.digest.toString(), b.bytes.length,
                options.spanSize()));
            ztocReports.add(b.report);
          } else if (sel.decision() != LayerSelection.Decision.IGNORE_PREFETCH) {
            skipped.add(new SkippedLayer(layer.digest(), layer.size(), layer.mediaType(),
                sel.reason(layer, options.minLayerSize())));
          }
        }
        byte[] indexBytes = null;
        Descriptor indexDesc = null;
        if (!ztocs.isEmpty()) {
          Descriptor subject = options.version() == SociIndex.Version.V1 ? t.descriptor().withoutExtras() : null;
          indexBytes = SociIndex.build(options.version(), ztocs, subject, options.buildTool());
          indexDesc = SociIndex.descriptor(indexBytes, options.version());
          indexes.add(new PlatformIndex(t, indexBytes, indexDesc));
        }
        reports.add(new PlatformReport(t.platform(), t.descriptor().digest(),
            indexDesc == null ? null : indexDesc.digest(), ztocReports, skipped));
      }
      if (indexes.isEmpty()) {
        return done(start, version, Outcome.NOTHING_TO_INDEX,
            "no layer qualifies for a zTOC (all smaller than " + options.minLayerSize()
                + " bytes or in an unsupported compression); nothing was pushed", reports, null, null);
      }

      // Publish: blobs first, then manifests, then the index, then the tag.
      listener.step("pushing " + built.size() + " zTOC(s)");
      for (Built b : built.values()) {
        pushBlobIfAbsent(b.digest, b.bytes);
      }
      pushBlobIfAbsent(SociIndex.EMPTY_CONFIG_DIGEST, SociIndex.emptyConfig());
      for (PlatformIndex pi : indexes) {
        store.pushManifest(pi.bytes, MediaTypes.OCI_MANIFEST);
      }
      if (options.version() == SociIndex.Version.V1) {
        for (PlatformIndex pi : indexes) {
          linkReferrer(pi);
        }
        return done(start, version, Outcome.INDEXED,
            "built " + built.size() + " zTOC(s); pushed " + indexes.size() + " SOCI index(es) v1", reports, null, null);
      }
      List<SociConvert.ConvertedPlatform> converted = new ArrayList<>();
      for (PlatformIndex pi : indexes) {
        converted.add(new SociConvert.ConvertedPlatform(
            pi.target.platform(), pi.target.descriptor(), pi.target.bytes(), pi.descriptor));
      }
      SociConvert.Result result =
          sourceIndex != null
              ? SociConvert.fromIndex(sourceIndex, converted)
              : SociConvert.fromManifest(top.descriptor(), targets.get(0).platform(), converted.get(0));
      for (SociConvert.RewrittenManifest rm : result.manifests()) {
        store.pushManifest(rm.bytes(), rm.descriptor().mediaType());
      }
      byte[] indexBytes = result.indexBytes();
      String newTag = null;
      if (tag != null) {
        // Pushed under its tag in one request: a push by digest first would be one more (untagged)
        // ECR push event for the filter to ignore.
        newTag = tag + options.tagSuffix();
        store.tag(newTag, indexBytes, MediaTypes.OCI_INDEX);
      } else {
        store.pushManifest(indexBytes, MediaTypes.OCI_INDEX);
      }
      String msg = "built " + built.size() + " zTOC(s); SOCI-enabled image index " + result.indexDescriptor().digest()
          + (newTag != null ? " tagged " + newTag : " pushed by digest only (the source was a digest reference)");
      return done(start, version, Outcome.INDEXED, msg, reports, result.indexDescriptor().digest(), newTag);
    }

    private IndexReport done(long start, String version, Outcome outcome, String message,
        List<PlatformReport> platforms, String indexDigest, String newTag) {
      listener.step(message);
      return new IndexReport(image, outcome, message, version, platforms, indexDigest, newTag,
          Duration.ofNanos(System.nanoTime() - start));
    }

    /** Why a manifest must not be indexed (a SOCI artifact or a SOCI-enabled image), or null. */
    private String sociArtifact(ImageManifest m) {
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

    private boolean onlySociIndexes(ImageIndex index) {
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
          ImageManifest m = ImageManifest.parse(fetch(d).bytes());
          if (!MediaTypes.isConfig(m.config().mediaType())) {
            continue;
          }
          t = new Target(Platforms.configPlatform(readConfig(m)), d, null, m);
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
      if (options.platforms().isEmpty()) {
        chosen.addAll(candidates);
      } else {
        for (Platform wanted : options.platforms()) {
          Target match = candidates.stream()
              .filter(t -> Platforms.matchesStrict(wanted, t.platform()))
              .findFirst()
              .orElseThrow(() -> new IndexingException("image " + image + " has no platform "
                  + Platforms.format(wanted)));
          if (!chosen.contains(match)) {
            chosen.add(match);
          }
        }
      }
      if (chosen.isEmpty()) {
        throw new IndexingException("image " + image + ": the image index lists no platform image manifest");
      }
      List<Target> targets = new ArrayList<>();
      for (Target t : chosen) {
        ImageStore.StoredManifest sm = fetch(t.descriptor());
        targets.add(new Target(t.platform(), t.descriptor(), sm.bytes(), ImageManifest.parse(sm.bytes())));
      }
      return targets;
    }

    /** An index entry's manifest, checked against the entry's digest. */
    private ImageStore.StoredManifest fetch(Descriptor d) {
      ImageStore.StoredManifest sm = store.manifest(d.digest())
          .orElseThrow(() -> new IndexingException("image " + image + ": manifest " + d.digest()
              + (d.platform() != null ? " for " + Platforms.format(d.platform()) : "") + " is missing"));
      if (!sm.digest().toString().equals(d.digest())) {
        throw new IndexingException("image " + image + ": manifest " + d.digest() + " has digest " + sm.digest());
      }
      return sm;
    }

    private byte[] readConfig(ImageManifest m) {
      try {
        return store.readBlob(m.config());
      } catch (IOException e) {
        throw new UncheckedIOException("reading config " + m.config().digest() + " of " + image, e);
      }
    }

    /** The existing SOCI index that already covers every target, as a report; null if there is none. */
    private IndexReport existingIndex(long start, String version, List<Target> targets) {
      if (options.version() == SociIndex.Version.V2) {
        if (tag == null) {
          return null; // a digest reference has no -soci tag to find an earlier result by
        }
        String sociTag = tag + options.tagSuffix();
        Optional<ImageStore.StoredManifest> existing = store.manifest(sociTag);
        if (existing.isEmpty() || !MediaTypes.isIndex(existing.get().mediaType())) {
          return null;
        }
        ImageIndex idx = ImageIndex.parse(existing.get().bytes());
        List<PlatformReport> reports = new ArrayList<>();
        for (Target t : targets) {
          String sociDigest = coveringSociIndex(idx, t);
          if (sociDigest == null) {
            return null;
          }
          reports.add(new PlatformReport(t.platform(), t.descriptor().digest(), sociDigest, List.of(), List.of()));
        }
        return done(start, version, Outcome.ALREADY_INDEXED,
            "already indexed: " + sociTag + " is a SOCI-enabled image of this image (use --force to rebuild)",
            reports, existing.get().digest().toString(), sociTag);
      }
      List<PlatformReport> reports = new ArrayList<>();
      for (Target t : targets) {
        String sociDigest = existingReferrer(Digest.parse(t.descriptor().digest()));
        if (sociDigest == null) {
          return null;
        }
        reports.add(new PlatformReport(t.platform(), t.descriptor().digest(), sociDigest, List.of(), List.of()));
      }
      return done(start, version, Outcome.ALREADY_INDEXED,
          "already indexed: every platform has a SOCI index v1 referrer (use --force to rebuild)", reports, null, null);
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
        Optional<ImageStore.StoredManifest> m = store.manifest(d.digest());
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
      Optional<ImageStore.StoredManifest> soci = store.manifest(sociDigest);
      if (soci.isEmpty()) {
        return false;
      }
      String span = Long.toString(options.spanSize());
      for (Descriptor z : ImageManifest.parse(soci.get().bytes()).layers()) {
        String s = z.annotation(SociIndex.ANNOTATION_SPAN_SIZE);
        if (MediaTypes.OCTET_STREAM.equals(z.mediaType()) && s != null && !s.equals(span)) {
          return false;
        }
      }
      return true;
    }

    private List<String> layerDigests(ImageManifest m) {
      return m.layers().stream().map(Descriptor::digest).toList();
    }

    /** The digest of an existing v1 SOCI index referring to {@code subject}, or null. */
    private String existingReferrer(Digest subject) {
      Optional<List<Descriptor>> api = store.referrers(subject, MediaTypes.SOCI_INDEX_V1);
      List<Descriptor> entries;
      if (api.isPresent()) {
        entries = api.get();
      } else {
        Optional<ImageStore.StoredManifest> tagIndex = store.manifest(ReferrersTagIndex.tagFor(subject));
        if (tagIndex.isEmpty()) {
          return null;
        }
        entries = ImageIndex.parse(tagIndex.get().bytes()).manifestList();
      }
      for (Descriptor d : entries) {
        if (MediaTypes.SOCI_INDEX_V1.equals(d.artifactType()) && store.manifest(d.digest()).isPresent()) {
          return d.digest();
        }
      }
      return null;
    }

    /** v1: makes the pushed index findable from its subject, through the referrers tag if needed. */
    private void linkReferrer(PlatformIndex pi) {
      Digest subject = Digest.parse(pi.target.descriptor().digest());
      if (store.referrers(subject, MediaTypes.SOCI_INDEX_V1).isPresent()) {
        return; // the store maintains referrers itself
      }
      String referrersTag = ReferrersTagIndex.tagFor(subject);
      byte[] existing = store.manifest(referrersTag).map(ImageStore.StoredManifest::bytes).orElse(null);
      byte[] updated = ReferrersTagIndex.update(existing, ReferrersTagIndex.entryFor(pi.descriptor, pi.bytes));
      if (existing == null || !Arrays.equals(existing, updated)) {
        store.tag(referrersTag, updated, MediaTypes.OCI_INDEX);
      }
    }

    private void pushBlobIfAbsent(Digest d, byte[] content) {
      if (!store.hasBlob(d)) {
        store.pushBlob(d, content);
      }
    }

    /** Builds every planned zTOC, layers in parallel; all or nothing. */
    private Map<String, Built> buildAll(Map<String, Descriptor> layers) {
      listener.layersPlanned(layers.size(), layers.values().stream().mapToLong(Descriptor::size).sum());
      Map<String, Built> out = new LinkedHashMap<>();
      if (layers.isEmpty()) {
        return out;
      }
      int threads = Math.min(options.parallelism(), layers.size());
      ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "ztoc-builder");
        t.setDaemon(true);
        return t;
      });
      try {
        // Completion order, not submission order: the first failing layer fails the image at once.
        CompletionService<Built> done = new ExecutorCompletionService<>(pool);
        Map<Future<Built>, String> pending = new HashMap<>();
        for (Descriptor layer : layers.values()) {
          pending.put(done.submit(() -> build(layer)), layer.digest());
        }
        Map<String, Built> byDigest = new HashMap<>();
        while (!pending.isEmpty()) {
          Future<Built> f;
          try {
            f = done.take();
          } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while indexing " + image, ex);
          }
          String digest = pending.remove(f);
          try {
            byDigest.put(digest, f.get());
          } catch (ExecutionException ex) {
            pending.keySet().forEach(other -> other.cancel(true));
            Throwable cause = ex.getCause();
            if (cause instanceof RuntimeException re) {
              throw re;
            }
            if (cause instanceof IOException io) {
              throw new UncheckedIOException("reading layer " + digest + " of " + image + ": " + io.getMessage(), io);
            }
            throw new IllegalStateException(cause);
          } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while indexing " + image, ex);
          }
        }
        for (String digest : layers.keySet()) {
          out.put(digest, byDigest.get(digest));
        }
      } finally {
        pool.shutdownNow();
      }
      return out;
    }

    private Built build(Descriptor layer) throws IOException {
      LayerSelection sel = LayerSelection.classify(layer, options.minLayerSize());
      CompressionAlgorithm alg =
          sel.decision() == LayerSelection.Decision.GZIP ? CompressionAlgorithm.GZIP : CompressionAlgorithm.UNCOMPRESSED;
      ZtocBuilder builder = ZtocBuilder.of(options.spanSize(), options.buildTool(), options.zone());
      ZtocBuilder.Result r;
      try (InputStream in = counting(store.openBlob(layer), layer)) {
        r = builder.build(in, alg);
      } catch (LayerDataException e) {
        throw new IndexingException("image " + image + ": layer " + layer.digest() + " (" + layer.mediaType()
            + "): " + e.getMessage(), e);
      }
      // The store's stream has verified the digest by now (it is read to its end).
      if (r.layerSize() != layer.size()) {
        throw new IndexingException("image " + image + ": layer " + layer.digest() + " is " + r.layerSize()
            + " bytes, its descriptor says " + layer.size());
      }
      ZtocReport report = new ZtocReport(layer.digest(), layer.size(), r.ztocDigest().toString(), r.bytes().length,
          r.ztoc().compressionInfo().spanDigests().size());
      listener.layerDone(layer, report);
      return new Built(r.bytes(), r.ztocDigest(), report);
    }

    private InputStream counting(InputStream in, Descriptor layer) {
      return new FilterInputStream(in) {
        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          int n = super.read(b, off, len);
          if (n > 0) {
            listener.bytesRead(layer, n);
          }
          return n;
        }
      };
    }
  }

  private record Built(byte[] bytes, Digest digest, ZtocReport report) {}

  private record PlatformIndex(Target target, byte[] bytes, Descriptor descriptor) {}
}
