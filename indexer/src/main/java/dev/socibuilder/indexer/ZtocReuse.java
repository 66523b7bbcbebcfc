package dev.socibuilder.indexer;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.indexer.IndexReport.BlobOutcome;
import dev.socibuilder.indexer.cache.BadCacheEntryException;
import dev.socibuilder.indexer.cache.CacheEntry;
import dev.socibuilder.indexer.cache.CacheKey;
import dev.socibuilder.indexer.cache.ZtocCache;
import dev.socibuilder.indexer.cache.ZtocCacheException;
import dev.socibuilder.indexer.store.RegistryLocation;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.soci.Optimization;
import dev.socibuilder.ztoc.CompressionAlgorithm;
import dev.socibuilder.ztoc.Ztoc;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The zTOC cache as one indexing run uses it: a layer's zTOC is looked up before it is built and
 * verified before use ({@link CacheEntry#verify}); a bad entry is deleted and the zTOC built; a built
 * zTOC is stored, recording the target repository as where its blob will be; after publishing, a reused
 * entry is rewritten when its blob had to be uploaded (its recorded repository could not provide it) or
 * when it was last written more than {@link #REFRESH_AFTER} ago.
 *
 * <p>The cache never fails a run: an unavailable cache (I/O error, access denied, service error,
 * timeout) is not used again in this run, and every layer it could not serve says why; every problem is
 * one line on the layer's report.
 */
final class ZtocReuse {

  /**
   * A reused entry last written longer ago is written again, so that expiry counted from an entry's
   * last write (as S3 lifecycle rules count from an object's creation) only removes entries unused for
   * that long.
   */
  static final Duration REFRESH_AFTER = Duration.ofDays(1);

  /**
   * A verified entry, its zTOC's span count, whether its TOC has no extended attributes and no opaque
   * whiteout (decided from the decoded zTOC, as for a built one), and when it was last written.
   */
  record Hit(CacheEntry entry, int spans, boolean xattrFree, Instant storedAt) {}

  /** A lookup: the hit (or null), and the problem that kept the cache from helping (null for a plain miss). */
  record Lookup(Hit hit, String problem) {}

  private final ZtocCache cache;
  private final RunContext run;
  private final RegistryLocation target;
  private final Map<String, Hit> hits = new ConcurrentHashMap<>();
  private final AtomicReference<String> unavailable = new AtomicReference<>();

  ZtocReuse(ZtocCache cache, RunContext run) {
    this.cache = cache;
    this.run = run;
    this.target = run.store().location().orElse(null);
  }

  /** The key of {@code layer}'s zTOC with this run's options. */
  CacheKey key(Descriptor layer, CompressionAlgorithm compression) {
    IndexOptions o = run.options();
    return new CacheKey(layer.parsedDigest(), o.spanSize(), o.buildTool(), compression, o.zone());
  }

  /** Looks {@code layer}'s zTOC up; a bad entry is deleted. */
  Lookup lookup(Descriptor layer, CacheKey key) {
    if (unavailable.get() != null) {
      return new Lookup(null, skipped());
    }
    Optional<ZtocCache.Stored> stored;
    try {
      stored = cache.get(key.id());
    } catch (ZtocCacheException e) {
      return new Lookup(null, unavailable(e) + "; zTOC built without it");
    } catch (BadCacheEntryException e) {
      return new Lookup(null, discard(key, e));
    }
    if (stored.isEmpty()) {
      return new Lookup(null, null);
    }
    try {
      CacheEntry entry = CacheEntry.decode(stored.get().bytes());
      Ztoc z = entry.verify(key, layer.size());
      Hit hit = new Hit(entry, z.compressionInfo().spanDigests().size(), Optimization.shouldDisableXattrs(z.toc()),
          stored.get().storedAt());
      hits.put(layer.digest(), hit);
      return new Lookup(hit, null);
    } catch (BadCacheEntryException e) {
      return new Lookup(null, discard(key, e));
    }
  }

  /**
   * The repository of the target's registry the hit's blob can be mounted from, or null (another
   * registry, the target itself, not a registry, or unknown).
   */
  String mountSource(Hit hit) {
    CacheEntry e = hit.entry();
    if (target == null || e.registry() == null || !e.registry().equals(target.registry())
        || e.repository().equals(target.repository())) {
      return null;
    }
    return e.repository();
  }

  /**
   * Stores a zTOC just built, recording the target repository (when it is one) as where its blob is.
   *
   * @return the problem, or null if stored
   */
  String store(CacheKey key, byte[] ztoc, Digest digest) {
    if (unavailable.get() != null) {
      return null; // the lookup already said so
    }
    CacheEntry entry = CacheEntry.of(key, ztoc, digest);
    if (target != null) {
      entry = entry.pushedTo(target.registry(), target.repository());
    }
    try {
      cache.put(key.id(), entry.encode());
      return null;
    } catch (ZtocCacheException e) {
      return unavailable(e) + "; zTOC not stored";
    }
  }

  /**
   * After publishing: rewrites the reused entries whose blob had to be uploaded, was found in a registry
   * other than the one recorded, or that were last written more than {@link #REFRESH_AFTER} ago.
   *
   * @param blobs how each layer's zTOC blob was published, by layer digest
   * @return the problems, by layer digest
   */
  Map<String, String> recordPublished(Map<String, BlobOutcome> blobs) {
    Map<String, String> problems = new LinkedHashMap<>();
    Instant stale = Instant.now().minus(REFRESH_AFTER);
    for (Map.Entry<String, Hit> e : hits.entrySet()) {
      Hit hit = e.getValue();
      CacheEntry entry = hit.entry();
      boolean moved = target != null && (blobs.get(e.getKey()) == BlobOutcome.UPLOADED || entry.registry() == null
          || !entry.registry().equals(target.registry()));
      if (!moved && !hit.storedAt().isBefore(stale)) {
        continue;
      }
      if (unavailable.get() != null) {
        problems.put(e.getKey(), unavailable.get() + "; entry not updated");
        continue;
      }
      CacheEntry updated = target == null ? entry : entry.pushedTo(target.registry(), target.repository());
      try {
        cache.put(updated.keyId(), updated.encode());
      } catch (ZtocCacheException ex) {
        problems.put(e.getKey(), unavailable(ex) + "; entry not updated");
      }
    }
    return problems;
  }

  private String discard(CacheKey key, BadCacheEntryException e) {
    String problem = "bad zTOC cache entry " + key.id() + " (" + e.getMessage() + ")";
    try {
      cache.delete(key.id());
      return problem + ": deleted, zTOC built";
    } catch (ZtocCacheException d) {
      return problem + " not deleted: " + unavailable(d) + "; zTOC built";
    }
  }

  private String unavailable(ZtocCacheException e) {
    String why = "zTOC cache " + cache.describe() + " unavailable: " + e.getMessage();
    unavailable.compareAndSet(null, why);
    return why;
  }

  /** A layer after the cache failed on another: the same reason, the cache is not tried again. */
  private String skipped() {
    return unavailable.get() + "; zTOC built without it";
  }
}
