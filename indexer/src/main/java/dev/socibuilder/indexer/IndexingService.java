package dev.socibuilder.indexer;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.indexer.IndexReport.BlobOutcome;
import dev.socibuilder.indexer.IndexReport.Outcome;
import dev.socibuilder.indexer.IndexReport.PlatformReport;
import dev.socibuilder.indexer.IndexReport.ZtocReport;
import dev.socibuilder.indexer.IndexReport.ZtocSource;
import dev.socibuilder.indexer.cache.ZtocCache;
import dev.socibuilder.indexer.store.ImageStore;
import dev.socibuilder.indexer.store.OciLayoutException;
import dev.socibuilder.oci.OciFormatException;
import dev.socibuilder.oci.StoredManifest;
import dev.socibuilder.registry.Deadline;
import dev.socibuilder.registry.DeadlineExceededException;
import dev.socibuilder.soci.LayerMediaTypeException;
import dev.socibuilder.soci.SociIndex;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;

/**
 * Indexes one image, as a pipeline of small steps:
 * <ol>
 *   <li>{@link ImageResolver}: what the reference points at and which platform images to index;
 *   <li>{@link ExistingIndex}: a matching SOCI index that is already there (unless
 *       {@link IndexOptions#force()});
 *   <li>{@link IndexPlan} and {@link LayerBuilds}: each eligible layer streamed once through the zTOC
 *       builder, layers in parallel in a bounded pool; with a {@link ZtocCache}, a layer whose verified
 *       zTOC is cached is not read at all;
 *   <li>{@link Publisher}: blobs (a cached zTOC's blob mounted from the repository it was last pushed
 *       to, when the registry allows), SOCI index manifests, rewritten image manifests, the image index,
 *       and the tag last, right after checking that the source tag still names the indexed image (else
 *       the run is {@link Outcome#SUPERSEDED} and nothing is tagged).
 * </ol>
 *
 * <p>Nothing is published until every zTOC is built, so a bad layer or a registry failure during
 * reading leaves the store untouched. Everything pushed is content-addressed, so concurrent runs on
 * the same image converge on the same result.
 *
 * <p><b>Deadline.</b> A run given a {@link Deadline} checks it between steps, while streaming layers
 * and before publishing begins, and fails with a {@link DeadlineExceededException} once it has passed
 * (the store's registry client, given the same deadline, stops its requests at it too). A run stopped
 * before publishing has published nothing; one stopped while publishing has pushed no tag, since the
 * tag is always last.
 *
 * <p>Idempotent: an image that already has a matching SOCI index is reported and left alone unless
 * {@link IndexOptions#force()}; a SOCI-enabled image (one that already carries SOCI indexes, such as
 * this builder's own v2 output) is never indexed again.
 */
public final class IndexingService {
  private final IndexOptions options;
  private final IndexListener listener;
  private final ZtocCache cache;
  private final Deadline deadline;
  /** One layer at a time is inflated on several threads, across all runs of this service (see LayerBuilds). */
  private final Semaphore parallelInflates = new Semaphore(1);

  /** A service that builds every zTOC (no cache) and whose runs have no deadline. */
  public IndexingService(IndexOptions options, IndexListener listener) {
    this(options, listener, null, Deadline.none());
  }

  /** A service with a zTOC cache (or null) and no deadline. */
  public IndexingService(IndexOptions options, IndexListener listener, ZtocCache cache) {
    this(options, listener, cache, Deadline.none());
  }

  /** A service without a cache whose runs must be over by {@code deadline}. */
  public IndexingService(IndexOptions options, IndexListener listener, Deadline deadline) {
    this(options, listener, null, deadline);
  }

  /**
   * @param cache where zTOCs are reused from and stored (see {@link ZtocCache}), or null to build every
   *     zTOC; the cache never fails a run: its problems are reported on the layers
   * @param deadline when every run must be over (give the store's registry client the same one, so that
   *     no request goes past it either); {@link Deadline#none()} for no limit
   */
  public IndexingService(IndexOptions options, IndexListener listener, ZtocCache cache, Deadline deadline) {
    this.options = Objects.requireNonNull(options, "options");
    this.listener = listener == null ? IndexListener.NONE : listener;
    this.cache = cache;
    this.deadline = Objects.requireNonNull(deadline, "deadline");
  }

  /** How this service indexes each image. */
  public IndexOptions options() {
    return options;
  }

  /**
   * Indexes the image at {@code tag} or {@code digest}. When both are given (a push event), the
   * image is read by its digest, so that a tag moved meanwhile cannot swap the content, and the v2
   * result is tagged {@code tag + tagSuffix} only if {@code tag} still names that digest right before
   * tagging (else the outcome is {@link Outcome#SUPERSEDED}); the same holds for a tag alone. With a
   * digest only, the v2 image index is pushed by digest and nothing is tagged.
   *
   * @throws IndexingException for a permanent failure (bad layer data, unsupported manifest...)
   * @throws dev.socibuilder.registry.RegistryException for a registry failure (see isTransient)
   * @throws DeadlineExceededException when the deadline passed (transient: nothing incomplete was tagged)
   */
  public IndexReport index(ImageStore store, String tag, Digest digest) {
    long start = System.nanoTime();
    String reference = digest != null ? digest.toString() : tag;
    if (reference == null) {
      throw new IllegalArgumentException("a tag or a digest is required");
    }
    String image = store.name() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    RunContext run = new RunContext(store, image, tag, options, listener, deadline);
    run.checkDeadline("before starting; nothing was published");
    if (tag != null && options.version() == SociIndex.Version.V2) {
      // Checked before anything is read, built or pushed: the result's tag is the last thing pushed.
      String problem = store.tagProblem(tag + options.tagSuffix());
      if (problem != null) {
        throw new IndexingException("image " + image + ": the result cannot be tagged " + tag + options.tagSuffix()
            + ": it " + problem);
      }
    }
    StoredManifest top =
        store.manifest(reference).orElseThrow(() -> new IndexingException("image " + image + " not found"));
    try {
      return execute(run, top, start);
    } catch (OciFormatException | LayerMediaTypeException | OciLayoutException e) {
      // Bad content in the store (a manifest we cannot read, a layout blob that is not what its digest
      // says): permanent, and named after the image.
      throw new IndexingException("image " + image + ": " + e.getMessage(), e);
    }
  }

  private IndexReport execute(RunContext run, StoredManifest top, long start) {
    ImageResolver.Resolution resolved = new ImageResolver(run).resolve(top);
    if (resolved.leaveAlone() != null) {
      return done(run, start, Outcome.SOCI_ENABLED_IMAGE, resolved.leaveAlone(), List.of(), null, null);
    }
    List<Target> targets = resolved.targets();
    run.checkDeadline("after resolving the image; nothing was published");

    if (!options.force()) {
      Optional<ExistingIndex.Found> existing = new ExistingIndex(run).find(targets);
      if (existing.isPresent()) {
        ExistingIndex.Found f = existing.get();
        return done(run, start, Outcome.ALREADY_INDEXED, f.message(), f.platforms(), f.imageIndexDigest(), f.tag());
      }
    }

    run.checkDeadline("before building zTOCs; nothing was published");
    IndexPlan plan = new IndexPlan(options, targets);
    ZtocReuse reuse = cache == null ? null : new ZtocReuse(cache, run);
    Map<String, LayerBuilds.Built> built =
        new LayerBuilds(run, reuse, parallelInflates).buildAll(plan.layersToBuild());
    IndexPlan.Indexes indexes = plan.indexes(built);
    if (indexes.indexes().isEmpty()) {
      return done(run, start, Outcome.NOTHING_TO_INDEX,
          "no layer qualifies for a zTOC (all smaller than " + options.minLayerSize()
              + " bytes or in an unsupported compression); nothing was pushed", indexes.reports(), null, null);
    }

    run.checkDeadline("before publishing; nothing was published");
    Publisher publisher = new Publisher(run);
    Map<String, BlobOutcome> blobs = publisher.pushIndexes(built.values(), indexes.indexes());
    List<PlatformReport> reports = IndexPlan.withFinalZtocs(indexes.reports(), finalZtocs(built, blobs, reuse));
    String ztocs = ztocSummary(reports);
    if (options.version() == SociIndex.Version.V1) {
      publisher.linkReferrers(indexes.indexes());
      return done(run, start, Outcome.INDEXED, ztocs + "; pushed "
          + indexes.indexes().size() + " SOCI index(es) v1" + cacheProblems(reports), reports, null, null);
    }
    Publisher.Published published = publisher.convert(top, resolved.sourceIndex(), targets, indexes.indexes());
    if (published.supersededBy() != null) {
      return done(run, start, Outcome.SUPERSEDED, "superseded: tag " + run.tag() + " now points at "
          + published.supersededBy() + ", no longer at the indexed " + top.digest() + ", so "
          + run.tag() + options.tagSuffix() + " was left as it was; the " + built.size() + " zTOC(s), SOCI index "
          + "manifest(s) and rewritten image manifest(s) already pushed are content-addressed and harmless "
          + "(nothing refers to them)", indexes.reports(), null, null);
    }
    String msg = ztocs + "; SOCI-enabled image index " + published.imageIndexDigest()
        + (published.tag() != null ? " tagged " + published.tag()
            : " pushed by digest only (the source was a digest reference)") + cacheProblems(reports);
    return done(run, start, Outcome.INDEXED, msg, reports, published.imageIndexDigest(), published.tag());
  }

  /** Each layer's zTOC report with its blob's outcome and any cache problem found after publishing. */
  private static Map<String, ZtocReport> finalZtocs(Map<String, LayerBuilds.Built> built,
      Map<String, BlobOutcome> blobs, ZtocReuse reuse) {
    Map<String, String> problems = reuse == null ? Map.of() : reuse.recordPublished(blobs);
    Map<String, ZtocReport> out = new LinkedHashMap<>();
    for (Map.Entry<String, LayerBuilds.Built> e : built.entrySet()) {
      out.put(e.getKey(), e.getValue().report().withBlob(blobs.get(e.getKey()))
          .withCacheProblem(problems.get(e.getKey())));
    }
    return out;
  }

  /** {@code built N zTOC(s)}, and how many were reused from the cache if any. */
  private static String ztocSummary(List<PlatformReport> reports) {
    Map<String, ZtocSource> sources = new LinkedHashMap<>();
    reports.forEach(p -> p.ztocs().forEach(z -> sources.put(z.layerDigest(), z.source())));
    long cached = sources.values().stream().filter(s -> s == ZtocSource.CACHED).count();
    return "built " + (sources.size() - cached) + " zTOC(s)"
        + (cached > 0 ? ", reused " + cached + " from the zTOC cache" : "");
  }

  /** The first cache problem and how many layers had one, or nothing. */
  private static String cacheProblems(List<PlatformReport> reports) {
    Map<String, String> problems = new LinkedHashMap<>();
    reports.forEach(p -> p.ztocs().stream().filter(z -> z.cacheProblem() != null)
        .forEach(z -> problems.putIfAbsent(z.layerDigest(), z.cacheProblem())));
    if (problems.isEmpty()) {
      return "";
    }
    return "; zTOC cache problem on " + problems.size() + " layer(s), first: "
        + problems.values().iterator().next();
  }

  private IndexReport done(RunContext run, long start, Outcome outcome, String message,
      List<PlatformReport> platforms, String indexDigest, String newTag) {
    listener.step(message);
    String version = options.version() == SociIndex.Version.V2 ? "v2" : "v1";
    return new IndexReport(run.image(), outcome, message, version, platforms, indexDigest, newTag,
        Duration.ofNanos(System.nanoTime() - start));
  }
}
