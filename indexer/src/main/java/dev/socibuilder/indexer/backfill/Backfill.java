package dev.socibuilder.indexer.backfill;

import dev.socibuilder.filter.rules.FilterRule;
import dev.socibuilder.indexer.IndexOptions;
import dev.socibuilder.indexer.IndexReport;
import dev.socibuilder.indexer.IndexingService;
import dev.socibuilder.indexer.backfill.ImageResult.Status;
import dev.socibuilder.indexer.store.RegistryImageStore;
import dev.socibuilder.registry.ImageReference;
import dev.socibuilder.registry.RegistryClient;
import dev.socibuilder.registry.RegistryException;
import dev.socibuilder.soci.SociIndex;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Indexes the images already in a registry: every tag of every repository of its catalog (or of one
 * repository) that the filters select, skipping
 * <ul>
 *   <li>the builder's own output: tags ending in the SOCI tag suffix (v2 SOCI-enabled images) and
 *       {@code sha256-<hex>} referrers tags (v1 SOCI indexes on registries without the referrers API);
 *   <li>with SOCI index v2 and without {@link IndexOptions#force()}, tags whose {@code <tag><suffix>} tag
 *       is in the same tag list: found without a request per image, which is what makes a second backfill
 *       of a large registry cheap. (The indexer itself also recognises SOCI artifacts and existing v1
 *       indexes, at the cost of a few requests per image.)
 * </ul>
 * The rest go to the {@link IndexingService}, {@link BackfillOptions#concurrency()} images at a time,
 * while the listing goes on. A failing image (or repository listing) is recorded and the others go on; a
 * catalog the registry does not offer fails the whole run
 * ({@link dev.socibuilder.registry.CatalogUnsupportedException}), so that the caller can ask for a repository.
 */
public final class Backfill {
  // the referrers tag schema: <algorithm>-<hex digest>, as ORAS and this builder write it
  private static final Pattern REFERRERS_TAG = Pattern.compile("sha256-[0-9a-f]{64}|sha512-[0-9a-f]{128}");

  private final RegistryClient client;
  private final IndexingService indexer;
  private final IndexOptions options;
  private final BackfillOptions backfill;
  private final BackfillListener listener;

  /**
   * @param client the registry client (not closed here)
   * @param options how each image is indexed
   * @param backfill which images, how many at once, dry run, listing bounds
   * @param listener progress, or null
   */
  public Backfill(RegistryClient client, IndexOptions options, BackfillOptions backfill, BackfillListener listener) {
    this(client, new IndexingService(options, null), backfill, listener);
  }

  /**
   * @param client the registry client (not closed here)
   * @param indexer indexes each image, with its options (and its zTOC cache and deadline)
   * @param backfill which images, how many at once, dry run, listing bounds
   * @param listener progress, or null
   */
  public Backfill(RegistryClient client, IndexingService indexer, BackfillOptions backfill,
      BackfillListener listener) {
    this.client = Objects.requireNonNull(client, "client");
    this.indexer = Objects.requireNonNull(indexer, "indexer");
    this.options = indexer.options();
    this.backfill = Objects.requireNonNull(backfill, "backfill");
    this.listener = listener == null ? BackfillListener.NONE : listener;
  }

  /**
   * Backfills one repository, or the whole catalog.
   *
   * @param repository the repository, or null for every repository of the catalog
   * @throws dev.socibuilder.registry.CatalogUnsupportedException if {@code repository} is null and the
   *     registry does not list its repositories
   * @throws RegistryException if the catalog cannot be listed
   */
  public BackfillReport run(String registry, String repository) {
    long start = System.nanoTime();
    List<String> repositories = repository != null
        ? List.of(repository) : client.listRepositories(registry, backfill.listing());
    listener.repositoriesListed(repositories.size());
    Queue<ImageResult> results = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(backfill.concurrency(), r -> {
      Thread t = new Thread(r, "backfill");
      t.setDaemon(true);
      return t;
    });
    // At most this many images waiting or running: the listing never gets far ahead of the indexing.
    Semaphore slots = new Semaphore(backfill.concurrency() * 2);
    try {
      for (String repo : repositories) {
        backfillRepository(registry, repo, results, pool, slots);
      }
      pool.shutdown();
      while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
        // waiting for the last images
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("backfill interrupted", e);
    } finally {
      pool.shutdownNow();
    }
    return new BackfillReport(registry, repository, backfill.filters().toString(), backfill.dryRun(),
        new ArrayList<>(results), Duration.ofNanos(System.nanoTime() - start));
  }

  private void backfillRepository(String registry, String repository, Queue<ImageResult> results,
      ExecutorService pool, Semaphore slots) throws InterruptedException {
    if (!validRepository(registry, repository)) {
      record(results, new ImageResult(repository, null, Status.FAILED,
          "the registry listed an invalid repository name", null));
      return;
    }
    if (!backfill.filters().mightSelectRepository(repository)) {
      record(results, new ImageResult(repository, null, Status.EXCLUDED,
          "no filter selects a tag of this repository (filters " + backfill.filters() + ")", null));
      return;
    }
    List<String> tags;
    try {
      tags = new ArrayList<>(client.listTags(registry, repository, backfill.listing()));
    } catch (RegistryException e) {
      record(results, new ImageResult(repository, null, Status.FAILED, e.getMessage(), null));
      return;
    }
    tags.sort(null);
    Set<String> present = new HashSet<>(tags);
    for (String tag : tags) {
      ImageResult decided = decide(repository, tag, present);
      if (decided != null) {
        record(results, decided);
        continue;
      }
      slots.acquire();
      listener.queued(repository, tag);
      try {
        pool.execute(() -> {
          try {
            record(results, index(registry, repository, tag));
          } finally {
            slots.release();
          }
        });
      } catch (RuntimeException e) {
        slots.release();
        throw e;
      }
    }
  }

  /** The outcome of an image decided without indexing it, or null if it goes to the indexer. */
  private ImageResult decide(String repository, String tag, Set<String> present) {
    if (!validTag(tag)) {
      return new ImageResult(repository, tag, Status.FAILED, "the registry listed an invalid tag", null);
    }
    if (tag.endsWith(options.tagSuffix())) {
      return new ImageResult(repository, tag, Status.SKIPPED,
          "the tag ends with the SOCI tag suffix " + options.tagSuffix() + ": the builder's own output", null);
    }
    if (REFERRERS_TAG.matcher(tag).matches()) {
      return new ImageResult(repository, tag, Status.SKIPPED,
          "a referrers tag (<algorithm>-<hex>): SOCI indexes v1, not an image", null);
    }
    Optional<FilterRule> rule = backfill.filters().decidingRule(repository, tag);
    if (!backfill.filters().selects(repository, tag)) {
      return new ImageResult(repository, tag, Status.EXCLUDED, rule.map(r -> "excluded by filter " + r.text())
          .orElse("no filter matches " + repository + ":" + tag + " (filters " + backfill.filters() + ")"), null);
    }
    if (options.version() == SociIndex.Version.V2 && !options.force()
        && present.contains(tag + options.tagSuffix())) {
      return new ImageResult(repository, tag, Status.ALREADY_INDEXED,
          "already indexed: " + tag + options.tagSuffix() + " exists", null);
    }
    if (backfill.dryRun()) {
      return new ImageResult(repository, tag, Status.WOULD_INDEX, rule.map(r -> "selected by filter " + r.text())
          .orElse("not excluded by any filter (filters " + backfill.filters() + ")"), null);
    }
    return null;
  }

  private ImageResult index(String registry, String repository, String tag) {
    try {
      IndexReport report = indexer.index(new RegistryImageStore(client, registry, repository), tag, null);
      return new ImageResult(repository, tag, Status.INDEXER, report.message(), report);
    } catch (RuntimeException e) {
      // Whatever went wrong with this image (registry, bad layer, bad manifest) stays with this image.
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return new ImageResult(repository, tag, Status.FAILED, message, null);
    }
  }

  private void record(Queue<ImageResult> results, ImageResult r) {
    results.add(r);
    listener.done(r);
  }

  private static boolean validRepository(String registry, String repository) {
    try {
      new ImageReference(registry, repository, "latest", null);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean validTag(String tag) {
    try {
      new ImageReference("localhost", "a", tag, null);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
