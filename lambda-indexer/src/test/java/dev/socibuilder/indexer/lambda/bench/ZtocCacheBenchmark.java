package dev.socibuilder.indexer.lambda.bench;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.indexer.IndexListener;
import dev.socibuilder.indexer.IndexOptions;
import dev.socibuilder.indexer.IndexReport;
import dev.socibuilder.indexer.IndexingService;
import dev.socibuilder.indexer.cache.CacheKey;
import dev.socibuilder.indexer.cache.ZtocCache;
import dev.socibuilder.indexer.lambda.S3ZtocCache;
import dev.socibuilder.indexer.store.RegistryImageStore;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.registry.RegistryClient;
import dev.socibuilder.registry.RetryPolicy;
import dev.socibuilder.soci.SociIndex;
import dev.socibuilder.testing.aws.FakeS3;
import dev.socibuilder.testing.registry.RegistryServer;
import dev.socibuilder.testing.registry.Skopeo;
import dev.socibuilder.testing.registry.TestImages;
import dev.socibuilder.testing.registry.TestImages.LayerSpec;
import dev.socibuilder.ztoc.CompressionAlgorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Benchmark main (not a test): what the zTOC cache saves. Image A (three large layers) is indexed into a
 * cold cache; image B, in another repository, shares A's two largest layers and adds a new one. B's
 * indexing time over A's should follow B's new bytes over A's bytes. The cache is the S3 one, through
 * the real SDK client against the S3 fake (whose requests are counted per entry); the registry is the
 * real Distribution registry. Each round uses fresh repositories and a fresh cache prefix; best of N
 * rounds after a warm-up. B indexed without a cache is the reference.
 *
 * <pre>
 * mvn -q -DskipTests install
 * MAVEN_OPTS=-Xmx3g mvn -q -pl lambda-indexer org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
 *   -Dexec.classpathScope=test -Dexec.mainClass=dev.socibuilder.indexer.lambda.bench.ZtocCacheBenchmark \
 *   -Dexec.args="ROUNDS [LAYER_MB]"     # LAYER_MB: the largest layer, uncompressed (default 180)
 * </pre>
 */
public final class ZtocCacheBenchmark {
  private ZtocCacheBenchmark() {}

  /** When each layer of a run was done, relative to the run's start, and whether it was read. */
  static final class Timeline implements IndexListener {
    final long start = System.nanoTime();
    final Map<String, Long> done = new ConcurrentHashMap<>();

    @Override
    public void layerDone(Descriptor layer, IndexReport.ZtocReport ztoc) {
      done.put(layer.digest(), System.nanoTime() - start);
    }
  }

  record Run(long nanos, IndexReport report, Timeline timeline, Map<String, Long> s3Requests) {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int mb = args.length > 1 ? Integer.parseInt(args[1]) : 180;
    Path work = Files.createTempDirectory("ztoc-cache-bench");
    String bucket = "bench-ztoc-cache";
    try (RegistryServer registry = RegistryServer.anonymous().start();
        FakeS3 fake = FakeS3.start(bucket);
        S3Client s3 = S3ZtocCache.clientBuilder().region(Region.US_WEST_2).endpointOverride(fake.endpoint())
            .forcePathStyle(true)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
            .build();
        RegistryClient client = new RegistryClient(null, RetryPolicy.defaults(), true, Duration.ofSeconds(60))) {
      // Half random, half text (binaries and resources): gzip keeps about 53 % of each.
      // With the default 180: layers of about 95, 79 and 63 MB compressed.
      LayerSpec big = layer(mb, 1);
      LayerSpec mid = layer(mb * 5 / 6, 2);
      LayerSpec small = layer(mb * 2 / 3, 3);
      LayerSpec fresh = layer(mb * 2 / 3, 4);
      System.out.printf("writing images (%d, %d, %d MB uncompressed layers)...%n", mb, mb * 5 / 6, mb * 2 / 3);
      TestImages.TestImage a = TestImages.singlePlatform(work.resolve("a"), "v1", big, mid, small);
      TestImages.TestImage b = TestImages.singlePlatform(work.resolve("b"), "v1", big, mid, fresh);
      List<TestImages.Layer> aLayers = a.manifests().get(0).layers();
      List<TestImages.Layer> bLayers = b.manifests().get(0).layers();
      long aBytes = aLayers.stream().mapToLong(TestImages.Layer::size).sum();
      long bNew = bLayers.get(2).size();
      IndexOptions options = IndexOptions.defaults("benchmark");

      Run bestA = null;
      Run bestB = null;
      Run bestUncached = null;
      for (int r = 0; r <= rounds; r++) {
        String ra = push(registry, a, "bench/a-" + r);
        String rb = push(registry, b, "bench/b-" + r);
        String rc = push(registry, b, "bench/c-" + r);
        ZtocCache cache = new S3ZtocCache(s3, bucket, "round-" + r + "/");
        fake.reset();
        Run runA = run(options, client, registry, ra, cache, fake);
        fake.reset();
        Run runB = run(options, client, registry, rb, cache, fake);
        Run uncached = run(options, client, registry, rc, null, fake);
        if (r == 0) {
          continue; // warm-up
        }
        bestA = bestA == null || runA.nanos() < bestA.nanos() ? runA : bestA;
        bestB = bestB == null || runB.nanos() < bestB.nanos() ? runB : bestB;
        bestUncached = bestUncached == null || uncached.nanos() < bestUncached.nanos() ? uncached : bestUncached;
      }

      System.out.printf("%nimage A: %d layers, %.1f MB compressed; image B shares A's two largest, new layer %.1f MB%n",
          aLayers.size(), aBytes / 1e6, bNew / 1e6);
      System.out.printf("A, cold cache            : %.3f s%n", bestA.nanos() / 1e9);
      System.out.printf("B, warm cache            : %.3f s%n", bestB.nanos() / 1e9);
      System.out.printf("B, no cache (reference)  : %.3f s%n", bestUncached.nanos() / 1e9);
      System.out.printf("ratio B / A              : %.3f  (new bytes / A's bytes: %.3f)%n",
          (double) bestB.nanos() / bestA.nanos(), (double) bNew / aBytes);
      System.out.printf("ratio B / B without cache: %.3f%n", (double) bestB.nanos() / bestUncached.nanos());
      breakdown("A", bestA);
      breakdown("B", bestB);
    } finally {
      try (var s = Files.walk(work)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static LayerSpec layer(int mb, long seed) {
    return new LayerSpec(8, (mb << 20) / 8, 0.5, false, seed);
  }

  private static String push(RegistryServer registry, TestImages.TestImage image, String repo) {
    Skopeo.copy(image.ociReference(), "docker://" + registry.hostPort() + "/" + repo + ":v1");
    return repo;
  }

  private static Run run(IndexOptions options, RegistryClient client, RegistryServer registry, String repo,
      ZtocCache cache, FakeS3 fake) {
    Timeline t = new Timeline();
    long start = System.nanoTime();
    IndexReport report = new IndexingService(options, t, cache)
        .index(new RegistryImageStore(client, registry.hostPort(), repo), "v1", null);
    long nanos = System.nanoTime() - start;
    if (report.outcome() != IndexReport.Outcome.INDEXED) {
      throw new IllegalStateException("unexpected outcome " + report.outcome() + ": " + report.message());
    }
    Map<String, Long> perKey = new ConcurrentHashMap<>();
    for (FakeS3.Request q : fake.requests()) {
      perKey.merge(q.key(), 1L, Long::sum);
    }
    return new Run(nanos, report, t, perKey);
  }

  private static void breakdown(String name, Run run) {
    System.out.printf("%nimage %s, per layer (best round; S3 requests counted on the fake):%n", name);
    System.out.printf("  %-14s %9s %-7s %-9s %10s %11s %s%n", "layer", "MB", "zTOC", "blob", "done at s", "S3 requests",
        "cache problem");
    List<IndexReport.ZtocReport> ztocs = new ArrayList<>(run.report().platforms().get(0).ztocs());
    for (IndexReport.ZtocReport z : ztocs) {
      long s3 = run.s3Requests().entrySet().stream().filter(e -> keyFor(e.getKey(), z)).mapToLong(Map.Entry::getValue)
          .sum();
      System.out.printf("  %-14s %9.1f %-7s %-9s %10.3f %11d %s%n", z.layerDigest().substring(7, 19),
          z.layerSize() / 1e6, z.source().jsonName(), z.blob() == null ? "-" : z.blob().jsonName(),
          run.timeline().done.getOrDefault(z.layerDigest(), 0L) / 1e9, s3,
          z.cacheProblem() == null ? "" : z.cacheProblem());
    }
    System.out.printf("  S3 requests in the run: %d%n", run.s3Requests().values().stream().mapToLong(Long::longValue)
        .sum());
  }

  /** Whether an S3 key is the entry of this layer's zTOC (the entry's id is not the layer digest: recompute it). */
  private static boolean keyFor(String s3Key, IndexReport.ZtocReport z) {
    String id = new CacheKey(Digest.parse(z.layerDigest()), SociIndex.DEFAULT_SPAN_SIZE, "benchmark",
        CompressionAlgorithm.GZIP, ZoneOffset.UTC).id();
    return s3Key.endsWith(id);
  }
}
