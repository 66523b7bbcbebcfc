package dev.socibuilder.indexer;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.indexer.IndexReport.Outcome;
import dev.socibuilder.indexer.IndexReport.PlatformReport;
import dev.socibuilder.indexer.store.ImageStore;
import dev.socibuilder.indexer.store.OciLayoutException;
import dev.socibuilder.oci.OciFormatException;
import dev.socibuilder.oci.StoredManifest;
import dev.socibuilder.soci.LayerMediaTypeException;
import dev.socibuilder.soci.SociIndex;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Indexes one image, as a pipeline of small steps:
 * <ol>
 *   <li>{@link ImageResolver}: what the reference points at and which platform images to index;
 *   <li>{@link ExistingIndex}: a matching SOCI index that is already there (unless
 *       {@link IndexOptions#force()});
 *   <li>{@link IndexPlan} and {@link LayerBuilds}: each eligible layer streamed once through the zTOC
 *       builder, layers in parallel in a bounded pool;
 *   <li>{@link Publisher}: blobs, SOCI index manifests, rewritten image manifests, the image index, and
 *       the tag last, right after checking that the source tag still names the indexed image (else the
 *       run is {@link Outcome#SUPERSEDED} and nothing is tagged).
 * </ol>
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
   * result is tagged {@code tag + tagSuffix} only if {@code tag} still names that digest right before
   * tagging (else the outcome is {@link Outcome#SUPERSEDED}); the same holds for a tag alone. With a
   * digest only, the v2 image index is pushed by digest and nothing is tagged.
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
    RunContext run = new RunContext(store, image, tag, options, listener);
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

    if (!options.force()) {
      Optional<ExistingIndex.Found> existing = new ExistingIndex(run).find(targets);
      if (existing.isPresent()) {
        ExistingIndex.Found f = existing.get();
        return done(run, start, Outcome.ALREADY_INDEXED, f.message(), f.platforms(), f.imageIndexDigest(), f.tag());
      }
    }

    IndexPlan plan = new IndexPlan(options, targets);
    Map<String, LayerBuilds.Built> built = new LayerBuilds(run).buildAll(plan.layersToBuild());
    IndexPlan.Indexes indexes = plan.indexes(built);
    if (indexes.indexes().isEmpty()) {
      return done(run, start, Outcome.NOTHING_TO_INDEX,
          "no layer qualifies for a zTOC (all smaller than " + options.minLayerSize()
              + " bytes or in an unsupported compression); nothing was pushed", indexes.reports(), null, null);
    }

    Publisher publisher = new Publisher(run);
    publisher.pushIndexes(built.values(), indexes.indexes());
    if (options.version() == SociIndex.Version.V1) {
      publisher.linkReferrers(indexes.indexes());
      return done(run, start, Outcome.INDEXED, "built " + built.size() + " zTOC(s); pushed "
          + indexes.indexes().size() + " SOCI index(es) v1", indexes.reports(), null, null);
    }
    Publisher.Published published = publisher.convert(top, resolved.sourceIndex(), targets, indexes.indexes());
    if (published.supersededBy() != null) {
      return done(run, start, Outcome.SUPERSEDED, "superseded: tag " + run.tag() + " now points at "
          + published.supersededBy() + ", no longer at the indexed " + top.digest() + ", so "
          + run.tag() + options.tagSuffix() + " was left as it was; the " + built.size() + " zTOC(s), SOCI index "
          + "manifest(s) and rewritten image manifest(s) already pushed are content-addressed and harmless "
          + "(nothing refers to them)", indexes.reports(), null, null);
    }
    String msg = "built " + built.size() + " zTOC(s); SOCI-enabled image index " + published.imageIndexDigest()
        + (published.tag() != null ? " tagged " + published.tag()
            : " pushed by digest only (the source was a digest reference)");
    return done(run, start, Outcome.INDEXED, msg, indexes.reports(), published.imageIndexDigest(), published.tag());
  }

  private IndexReport done(RunContext run, long start, Outcome outcome, String message,
      List<PlatformReport> platforms, String indexDigest, String newTag) {
    listener.step(message);
    String version = options.version() == SociIndex.Version.V2 ? "v2" : "v1";
    return new IndexReport(run.image(), outcome, message, version, platforms, indexDigest, newTag,
        Duration.ofNanos(System.nanoTime() - start));
  }
}
