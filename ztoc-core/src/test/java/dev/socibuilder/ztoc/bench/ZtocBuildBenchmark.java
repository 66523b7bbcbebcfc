package dev.socibuilder.ztoc.bench;

import dev.socibuilder.ztoc.CompressionAlgorithm;
import dev.socibuilder.ztoc.ZtocBuilder;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Benchmark main (not a test): the cost of building a zTOC relative to native zlib simply inflating
 * the same layer, both measured in this JVM in one run, best of N after warm-up; the build on 1
 * thread (the sequential reference path) and on each of the given thread counts (the parallel
 * inflater).
 *
 * <pre>
 * mvn -q -pl ztoc-core test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.socibuilder.ztoc.bench.ZtocBuildBenchmark -Dexec.args="/tmp/jdk.tar.gz 5 1 2"
 * </pre>
 *
 * <p>Arguments: the layer, the rounds (default 5), then thread counts (default {@code 1} and the
 * number of processors). The layer is read from the page cache (read once before timing) so that
 * disk speed does not blur the ratio. {@code GZIPInputStream} is java.util.zip over the system zlib.
 * All measurements of a round are interleaved so that machine noise hits them alike; round 0 is
 * warm-up.
 */
public final class ZtocBuildBenchmark {
  private ZtocBuildBenchmark() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: ZtocBuildBenchmark LAYER.tar.gz [ROUNDS] [THREADS...]");
      System.exit(2);
    }
    Path layer = Path.of(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int[] threads =
        args.length > 2
            ? Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray()
            : new int[] {1, Runtime.getRuntime().availableProcessors()};
    long size = Files.size(layer);
    ZtocBuilder builder = ZtocBuilder.of(ZtocBuilder.DEFAULT_SPAN_SIZE, "benchmark", ZoneOffset.UTC);

    long bestZlib = Long.MAX_VALUE;
    long[] bestZtoc = new long[threads.length];
    Arrays.fill(bestZtoc, Long.MAX_VALUE);
    long inflated = 0;
    int spans = 0;
    String digest = null;
    for (int r = 0; r <= rounds; r++) {
      long t0 = System.nanoTime();
      inflated = zlibInflate(layer);
      long t1 = System.nanoTime();
      if (r > 0) {
        bestZlib = Math.min(bestZlib, t1 - t0);
      }
      for (int i = 0; i < threads.length; i++) {
        long s = System.nanoTime();
        ZtocBuilder.Result result;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(layer), 1 << 16)) {
          result = builder.withParallelism(threads[i]).build(in, CompressionAlgorithm.GZIP);
        }
        long e = System.nanoTime();
        spans = result.spanCount();
        if (digest == null) {
          digest = result.ztocDigest().toString();
        } else if (!digest.equals(result.ztocDigest().toString())) {
          throw new IllegalStateException("zTOC differs on " + threads[i] + " threads: " + result.ztocDigest());
        }
        if (r > 0) {
          bestZtoc[i] = Math.min(bestZtoc[i], e - s);
        }
      }
    }
    System.out.printf(
        "layer %s: %.1f MB compressed, %.1f MB tar, %d spans, zTOC %s%n",
        layer, size / 1e6, inflated / 1e6, spans, digest);
    System.out.printf("zlib inflate (GZIPInputStream, null sink): %.3f s (%.0f MB/s of tar)%n",
        bestZlib / 1e9, inflated / 1e3 / (bestZlib / 1e6));
    for (int i = 0; i < threads.length; i++) {
      System.out.printf("zTOC build, %d thread%s                   : %.3f s (%.0f MB/s of tar), %.2f x zlib%n",
          threads[i], threads[i] == 1 ? " " : "s", bestZtoc[i] / 1e9,
          inflated / 1e3 / (bestZtoc[i] / 1e6), (double) bestZtoc[i] / bestZlib);
    }
  }

  private static long zlibInflate(Path layer) throws IOException {
    byte[] buf = new byte[1 << 16];
    long total = 0;
    try (InputStream in = new GZIPInputStream(Files.newInputStream(layer), 1 << 16)) {
      for (int n; (n = in.read(buf)) >= 0; ) {
        total += n;
      }
    }
    return total;
  }
}
