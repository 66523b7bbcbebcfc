package dev.socibuilder.ztoc.bench;

import dev.socibuilder.ztoc.CompressionAlgorithm;
import dev.socibuilder.ztoc.ZtocBuilder;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.zip.GZIPInputStream;

/**
 * Benchmark main (not a test): the cost of building a zTOC relative to native zlib simply inflating
 * the same layer, both measured in this JVM in one run, best of N after warm-up.
 *
 * <pre>
 * mvn -q -pl ztoc-core test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.socibuilder.ztoc.bench.ZtocBuildBenchmark -Dexec.args="/tmp/jdk.tar.gz 5"
 * </pre>
 *
 * <p>The layer is read from the page cache (read once before timing) so that disk speed does not
 * blur the ratio. {@code GZIPInputStream} is java.util.zip over the system zlib.
 */
public final class ZtocBuildBenchmark {
  private ZtocBuildBenchmark() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: ZtocBuildBenchmark LAYER.tar.gz [ROUNDS]");
      System.exit(2);
    }
    Path layer = Path.of(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    long size = Files.size(layer);
    ZtocBuilder builder = ZtocBuilder.of(ZtocBuilder.DEFAULT_SPAN_SIZE, "benchmark", ZoneOffset.UTC);

    long bestZlib = Long.MAX_VALUE;
    long bestZtoc = Long.MAX_VALUE;
    long inflated = 0;
    int spans = 0;
    // Interleave the two so that machine noise hits both alike; round 0 is warm-up.
    for (int r = 0; r <= rounds; r++) {
      long t0 = System.nanoTime();
      inflated = zlibInflate(layer);
      long t1 = System.nanoTime();
      try (InputStream in = new BufferedInputStream(Files.newInputStream(layer), 1 << 16)) {
        spans = builder.build(in, CompressionAlgorithm.GZIP).spanCount();
      }
      long t2 = System.nanoTime();
      if (r > 0) {
        bestZlib = Math.min(bestZlib, t1 - t0);
        bestZtoc = Math.min(bestZtoc, t2 - t1);
      }
    }
    System.out.printf(
        "layer %s: %.1f MB compressed, %.1f MB tar, %d spans%n", layer, size / 1e6, inflated / 1e6, spans);
    System.out.printf("zlib inflate (GZIPInputStream, null sink): %.3f s (%.0f MB/s of tar)%n",
        bestZlib / 1e9, inflated / 1e3 / (bestZlib / 1e6));
    System.out.printf("zTOC build (single pass)                 : %.3f s (%.0f MB/s of tar)%n",
        bestZtoc / 1e9, inflated / 1e3 / (bestZtoc / 1e6));
    System.out.printf("ratio zTOC build / zlib inflate          : %.2f%n", (double) bestZtoc / bestZlib);
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
