package dev.socibuilder.indexer.bench;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.indexer.IndexOptions;
import dev.socibuilder.indexer.IndexReport;
import dev.socibuilder.indexer.IndexingService;
import dev.socibuilder.indexer.backfill.Backfill;
import dev.socibuilder.indexer.backfill.BackfillOptions;
import dev.socibuilder.indexer.backfill.BackfillReport;
import dev.socibuilder.indexer.store.RegistryImageStore;
import dev.socibuilder.oci.MediaTypes;
import dev.socibuilder.registry.RegistryClient;
import dev.socibuilder.registry.RetryPolicy;
import dev.socibuilder.testing.registry.RegistryServer;
import dev.socibuilder.testing.tar.UstarHeader;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * Benchmark main (not a test): a backfill of a registry whose images are all indexed already, the case of
 * every scheduled run after the first. A local Distribution registry holds REPOS x TAGS images (each its own
 * one-layer image), indexed once; then, best of N after a warm-up, interleaved:
 * <ul>
 *   <li>{@code backfill}: the second backfill (catalog, one tag list per repository, the {@code -soci} tags
 *       found in those lists; nothing else is fetched);
 *   <li>{@code index each}: what one would do without backfill, {@code soci-builder index} of every image
 *       with the same concurrency (each run finds the existing index the thorough way, a few requests each);
 *   <li>{@code skopeo list-tags}: an external tool only listing the tags of every repository (one process per
 *       repository), the floor for "looking at every tag" from outside.
 * </ul>
 *
 * <pre>
 * mvn -q -DskipTests install
 * mvn -q -pl indexer org.codehaus.mojo:exec-maven-plugin:3.5.0:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.socibuilder.indexer.bench.BackfillBenchmark -Dexec.args="ROUNDS [REPOS TAGS]"
 * </pre>
 */
public final class BackfillBenchmark {
  private BackfillBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int repos = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int tags = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    int threads = Runtime.getRuntime().availableProcessors();
    IndexOptions options = IndexOptions.defaults("benchmark").withMinLayerSize(64 << 10).withSpanSize(64 << 10);
    try (RegistryServer registry = RegistryServer.anonymous().start();
        RegistryClient client = new RegistryClient(null, RetryPolicy.defaults(), true, Duration.ofSeconds(60))) {
      String host = registry.hostPort();
      for (int r = 0; r < repos; r++) {
        for (int t = 0; t < tags; t++) {
          pushImage(client, host, String.format("bench/r%02d", r), String.format("v%02d", t), r * 1000 + t);
        }
      }
      BackfillOptions backfillOptions = BackfillOptions.defaults();
      BackfillReport first = new Backfill(client, options, backfillOptions, null).run(host, null);
      System.out.printf("registry: %d repositories x %d tags; first backfill: %s in %.1f s%n", repos, tags,
          first.counts(), first.duration().toMillis() / 1000.0);

      long bestBackfill = Long.MAX_VALUE;
      long bestIndexEach = Long.MAX_VALUE;
      long bestSkopeo = Long.MAX_VALUE;
      for (int round = 0; round <= rounds; round++) {
        long t0 = System.nanoTime();
        BackfillReport again = new Backfill(client, options, backfillOptions, null).run(host, null);
        long t1 = System.nanoTime();
        indexEach(client, host, options, repos, tags, threads);
        long t2 = System.nanoTime();
        for (int r = 0; r < repos; r++) {
          skopeoListTags(host, String.format("bench/r%02d", r));
        }
        long t3 = System.nanoTime();
        Map<String, Integer> counts = again.counts();
        if (counts.getOrDefault("already_indexed", 0) != repos * tags || counts.containsKey("indexed")) {
          throw new IllegalStateException("second backfill did not find every index: " + counts);
        }
        if (round > 0) {
          bestBackfill = Math.min(bestBackfill, t1 - t0);
          bestIndexEach = Math.min(bestIndexEach, t2 - t1);
          bestSkopeo = Math.min(bestSkopeo, t3 - t2);
        }
      }
      int images = repos * tags;
      System.out.printf("backfill, all %d already indexed       : %.3f s (%.2f ms per image)%n", images,
          bestBackfill / 1e9, bestBackfill / 1e6 / images);
      System.out.printf("index each image (%d at once)           : %.3f s%n", threads, bestIndexEach / 1e9);
      System.out.printf("skopeo list-tags of each repository     : %.3f s%n", bestSkopeo / 1e9);
      System.out.printf("ratio backfill / index each             : %.3f%n", (double) bestBackfill / bestIndexEach);
      System.out.printf("ratio backfill / skopeo list-tags       : %.3f%n", (double) bestBackfill / bestSkopeo);
    }
  }

  private static void indexEach(RegistryClient client, String host, IndexOptions options, int repos, int tags,
      int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<IndexReport>> done = new ArrayList<>();
      for (int r = 0; r < repos; r++) {
        for (int t = 0; t < tags; t++) {
          String repo = String.format("bench/r%02d", r);
          String tag = String.format("v%02d", t);
          done.add(pool.submit(() -> new IndexingService(options, null)
              .index(new RegistryImageStore(client, host, repo), tag, null)));
        }
      }
      for (Future<IndexReport> f : done) {
        if (f.get().outcome() != IndexReport.Outcome.ALREADY_INDEXED) {
          throw new IllegalStateException("expected already_indexed: " + f.get().message());
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void skopeoListTags(String host, String repository) throws Exception {
    Process p = new ProcessBuilder("skopeo", "list-tags", "--tls-verify=false", "docker://" + host + "/" + repository)
        .redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("skopeo list-tags failed for " + repository);
    }
  }

  /** A one-layer image (a 96 KiB tar of one random file, gzipped) under its own tag. */
  private static void pushImage(RegistryClient client, String host, String repository, String tag, long seed)
      throws Exception {
    byte[] content = new byte[96 << 10];
    new Random(seed).nextBytes(content);
    byte[] tar = tar("data.bin", content);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(tar);
    }
    byte[] layer = gz.toByteArray();
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
        + Digest.sha256Of(tar) + "\"]}}").getBytes(StandardCharsets.UTF_8);
    client.pushBlob(host, repository, Digest.sha256Of(layer), layer);
    client.pushBlob(host, repository, Digest.sha256Of(config), config);
    String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
        + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256Of(config) + "\",\"size\":" + config.length
        + "},\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"" + Digest.sha256Of(layer)
        + "\",\"size\":" + layer.length + "}]}";
    client.putManifest(host, repository, tag, manifest.getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_MANIFEST);
  }

  /** A ustar archive of one regular file. */
  private static byte[] tar(String name, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(UstarHeader.of(name, content.length, '0', 0644, 0, 1704067200L, ""));
    out.writeBytes(content);
    out.writeBytes(new byte[(512 - content.length % 512) % 512 + 1024]);
    return out.toByteArray();
  }
}
