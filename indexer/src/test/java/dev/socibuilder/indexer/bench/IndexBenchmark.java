package dev.socibuilder.indexer.bench;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.indexer.IndexOptions;
import dev.socibuilder.indexer.IndexReport;
import dev.socibuilder.indexer.IndexingService;
import dev.socibuilder.indexer.store.RegistryImageStore;
import dev.socibuilder.registry.RegistryClient;
import dev.socibuilder.registry.RetryPolicy;
import dev.socibuilder.testing.registry.RegistryServer;
import dev.socibuilder.testing.registry.Skopeo;
import dev.socibuilder.testing.registry.TestImages;
import dev.socibuilder.testing.registry.TestImages.LayerSpec;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Benchmark main (not a test): indexing an image of several hundred MB from a local registry versus
 * only downloading its layers with the same client and the same parallelism, in one run, best of N
 * after a warm-up, interleaved.
 *
 * <pre>
 * mvn -q -DskipTests install
 * mvn -q -pl lambda-indexer org.codehaus.mojo:exec-maven-plugin:3.5.0:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.socibuilder.indexer.bench.IndexBenchmark -Dexec.args="ROUNDS [THREADS]"
 * </pre>
 */
public final class IndexBenchmark {
  private IndexBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
    Path work = Files.createTempDirectory("index-bench");
    try (RegistryServer registry = RegistryServer.anonymous().start();
        RegistryClient client = new RegistryClient(null, RetryPolicy.defaults(), true, Duration.ofSeconds(60))) {
      // Two large layers of half-random, half-text files (like binaries plus resources) and a small one.
      TestImages.TestImage image = TestImages.singlePlatform(work.resolve("layout"), "bench",
          new LayerSpec(6, 40 << 20, 0.5, false, 1),
          new LayerSpec(6, 40 << 20, 0.5, false, 2),
          LayerSpec.compressible(64 << 10, 3));
      Skopeo.copy(image.ociReference(), "docker://" + registry.hostPort() + "/bench:latest");
      List<TestImages.Layer> layers = image.manifests().get(0).layers();
      long total = layers.stream().mapToLong(TestImages.Layer::size).sum();
      System.out.printf("image: %d layers, %.1f MB compressed%n", layers.size(), total / 1e6);

      RegistryImageStore store = new RegistryImageStore(client, registry.hostPort(), "bench");
      IndexOptions options = IndexOptions.defaults("benchmark").withForce(true).withParallelism(threads);
      IndexingService service = new IndexingService(options, null);

      long bestPull = Long.MAX_VALUE;
      long bestIndex = Long.MAX_VALUE;
      for (int r = 0; r <= rounds; r++) {
        long t0 = System.nanoTime();
        pullAll(client, registry.hostPort(), layers, threads);
        long t1 = System.nanoTime();
        IndexReport report = service.index(store, "latest", null);
        long t2 = System.nanoTime();
        if (report.outcome() != IndexReport.Outcome.INDEXED) {
          throw new IllegalStateException("unexpected outcome " + report.outcome());
        }
        if (r > 0) {
          bestPull = Math.min(bestPull, t1 - t0);
          bestIndex = Math.min(bestIndex, t2 - t1);
        }
      }
      System.out.printf("download layers only (%d threads): %.3f s (%.0f MB/s)%n", threads, bestPull / 1e9,
          total / 1e3 / (bestPull / 1e6));
      System.out.printf("index (download + zTOCs + publish): %.3f s%n", bestIndex / 1e9);
      System.out.printf("ratio index / download             : %.2f%n", (double) bestIndex / bestPull);
    } finally {
      try (var s = Files.walk(work)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void pullAll(RegistryClient client, String registry, List<TestImages.Layer> layers, int threads)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Long>> done = new ArrayList<>();
      for (TestImages.Layer layer : layers) {
        done.add(pool.submit(() -> drain(client, registry, Digest.parse(layer.digest()), layer.size())));
      }
      for (Future<Long> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static long drain(RegistryClient client, String registry, Digest digest, long size) throws Exception {
    byte[] buf = new byte[1 << 16];
    long n = 0;
    try (InputStream in = client.openBlob(registry, "bench", digest, size)) {
      for (int r; (r = in.read(buf)) >= 0; ) {
        n += r;
      }
    }
    return n;
  }
}
