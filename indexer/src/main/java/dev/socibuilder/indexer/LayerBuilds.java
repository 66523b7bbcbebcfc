package dev.socibuilder.indexer;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.indexer.IndexReport.ZtocReport;
import dev.socibuilder.indexer.IndexReport.ZtocSource;
import dev.socibuilder.indexer.cache.CacheEntry;
import dev.socibuilder.indexer.cache.CacheKey;
import dev.socibuilder.layer.LayerDataException;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.soci.LayerSelection;
import dev.socibuilder.soci.Optimization;
import dev.socibuilder.ztoc.CompressionAlgorithm;
import dev.socibuilder.ztoc.ZtocBuilder;
import dev.socibuilder.ztoc.ZtocLimitException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * The build step: streams each planned layer once from the store through the zTOC builder, layers in
 * parallel up to the options' parallelism (a bounded pool). With a zTOC cache, a layer whose verified
 * zTOC is in the cache is not read, and a built zTOC is stored. All or nothing: the first failing layer
 * cancels the others and fails the run, so nothing is published.
 */
final class LayerBuilds {

  /**
   * A layer's zTOC: its bytes, digest and report, whether its TOC has no extended attributes and no
   * opaque whiteout ({@link Optimization#shouldDisableXattrs}, decided from the TOC whether the zTOC was
   * built or reused), and for a zTOC reused from the cache the repository of the target's registry its
   * blob can be mounted from (or null).
   */
  record Built(byte[] bytes, Digest digest, ZtocReport report, boolean xattrFree, String mountFrom) {
    Built(byte[] bytes, Digest digest, ZtocReport report, boolean xattrFree) {
      this(bytes, digest, report, xattrFree, null);
    }
  }

  /**
   * The smallest heap in which the indexer inflates a layer on several threads: the parallel inflater's
   * chunks in flight (48 MiB and a 4 MiB input copy per thread, {@link ZtocBuilder#PARALLEL_MIN_HEAP})
   * must fit beside the layer downloads, which may hold a quarter of the heap in ranged parts.
   */
  static final long PARALLEL_MIN_HEAP = 256L << 20;

  private final RunContext run;
  private final ZtocReuse reuse;
  private final Semaphore parallelInflates;

  LayerBuilds(RunContext run) {
    this(run, null, new Semaphore(1));
  }

  /**
   * @param reuse the zTOC cache for this run, or null to build every zTOC
   * @param parallelInflates a permit per layer that may be inflated on several threads at once (shared by
   *     the runs of one service): one such layer already takes every processor, and each holds 48 MiB
   */
  LayerBuilds(RunContext run, ZtocReuse reuse, Semaphore parallelInflates) {
    this.run = run;
    this.reuse = reuse;
    this.parallelInflates = parallelInflates;
  }

  /** Builds the zTOC of every layer in {@code layers} (keyed by digest); the result has the same order. */
  Map<String, Built> buildAll(Map<String, Descriptor> layers) {
    run.listener().layersPlanned(layers.size(), layers.values().stream().mapToLong(Descriptor::size).sum());
    Map<String, Built> out = new LinkedHashMap<>();
    if (layers.isEmpty()) {
      return out;
    }
    int threads = Math.min(run.options().parallelism(), layers.size());
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
          throw new IllegalStateException("interrupted while indexing " + run.image(), ex);
        }
        String digest = pending.remove(f);
        try {
          byDigest.put(digest, f.get());
        } catch (ExecutionException ex) {
          pending.keySet().forEach(other -> other.cancel(true));
          throw unwrap(digest, ex.getCause());
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while indexing " + run.image(), ex);
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

  private RuntimeException unwrap(String digest, Throwable cause) {
    if (cause instanceof RuntimeException re) {
      return re;
    }
    if (cause instanceof IOException io) {
      return new UncheckedIOException("reading layer " + digest + " of " + run.image() + ": " + io.getMessage(), io);
    }
    if (cause instanceof Error e) {
      throw e;
    }
    return new IllegalStateException(cause);
  }

  private Built build(Descriptor layer) throws IOException {
    IndexOptions options = run.options();
    LayerSelection sel = LayerSelection.classify(layer, options.minLayerSize());
    CompressionAlgorithm alg =
        sel.decision() == LayerSelection.Decision.GZIP ? CompressionAlgorithm.GZIP : CompressionAlgorithm.UNCOMPRESSED;
    CacheKey key = null;
    String cacheProblem = null;
    if (reuse != null) {
      key = reuse.key(layer, alg);
      ZtocReuse.Lookup found = reuse.lookup(layer, key);
      if (found.hit() != null) {
        CacheEntry e = found.hit().entry();
        ZtocReport report = new ZtocReport(layer.digest(), layer.size(), e.ztocDigest().toString(), e.ztoc().length,
            found.hit().spans(), ZtocSource.CACHED, null, null);
        run.listener().layerDone(layer, report);
        return new Built(e.ztoc(), e.ztocDigest(), report, found.hit().xattrFree(), reuse.mountSource(found.hit()));
      }
      cacheProblem = found.problem();
    }
    int threads = options.inflateThreadsFor(layer.size());
    boolean parallel = threads > 1 && Runtime.getRuntime().maxMemory() >= PARALLEL_MIN_HEAP
        && parallelInflates.tryAcquire();
    ZtocBuilder builder = ZtocBuilder.of(options.spanSize(), options.buildTool(), options.zone(), options.limits())
        .withParallelism(parallel ? threads : 1);
    ZtocBuilder.Result r;
    try (InputStream in = counting(run.store().openBlob(layer), layer)) {
      r = builder.build(in, alg);
    } catch (LayerDataException | ZtocLimitException e) {
      throw new IndexingException("image " + run.image() + ": layer " + layer.digest() + " (" + layer.mediaType()
          + "): " + e.getMessage(), e);
    } finally {
      if (parallel) {
        parallelInflates.release();
      }
    }
    // The store's stream has verified the digest by now (it is read to its end).
    if (r.layerSize() != layer.size()) {
      throw new IndexingException("image " + run.image() + ": layer " + layer.digest() + " is " + r.layerSize()
          + " bytes, its descriptor says " + layer.size());
    }
    if (reuse != null) {
      String notStored = reuse.store(key, r.bytes(), r.ztocDigest());
      if (notStored != null) {
        cacheProblem = cacheProblem == null ? notStored : cacheProblem + "; " + notStored;
      }
    }
    ZtocReport report = new ZtocReport(layer.digest(), layer.size(), r.ztocDigest().toString(), r.bytes().length,
        r.spanCount(), ZtocSource.BUILT, null, cacheProblem);
    run.listener().layerDone(layer, report);
    // Decoding the zTOC model costs several times its bytes: only when the optimization needs the TOC.
    boolean xattrFree = options.disablesXattrs() && Optimization.shouldDisableXattrs(r.ztoc().toc());
    return new Built(r.bytes(), r.ztocDigest(), report, xattrFree);
  }


  /** Reports progress, and stops at the deadline (an OCI layout's files have no deadline of their own). */
  private InputStream counting(InputStream in, Descriptor layer) {
    return new FilterInputStream(in) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (run.deadline().expired()) {
          run.checkDeadline("reading layer " + layer.digest() + "; nothing was published");
        }
        int n = super.read(b, off, len);
        if (n > 0) {
          run.listener().bytesRead(layer, n);
        }
        return n;
      }
    };
  }
}
