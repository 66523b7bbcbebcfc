package dev.socibuilder.ztoc.bench;

import dev.socibuilder.ztoc.CompressionAlgorithm;
import dev.socibuilder.ztoc.HostileLayers;
import dev.socibuilder.ztoc.ZtocBuilder;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;

/**
 * Benchmark main (not a test): the memory one zTOC build needs, for hostile layers. {@code bench/ztoc-memory.sh}
 * runs it in JVMs of decreasing {@code -Xmx} to find the smallest heap that builds the zTOC.
 *
 * <pre>
 * ZtocMemoryBenchmark generate empty-files 1000000 OUT.tar.gz   # 10^6 empty files
 * ZtocMemoryBenchmark generate pax 419430400 OUT.tar.gz         # 400 MiB of PAX xattr records
 * ZtocMemoryBenchmark generate zeros 4294967296 OUT.tar.gz      # a gzip bomb: 4 GiB of zeros
 * ZtocMemoryBenchmark build LAYER.tar.gz                        # prints one line of figures
 * </pre>
 *
 * <p>{@code build} prints the zTOC size, the TOC entry count, the time, and the process's peak resident
 * set ({@code VmHWM}); it exits 3 on {@link OutOfMemoryError}.
 */
public final class ZtocMemoryBenchmark {
  private ZtocMemoryBenchmark() {}

  public static void main(String[] args) throws IOException {
    if (args.length == 4 && args[0].equals("generate")) {
      long n = Long.parseLong(args[2]);
      HostileLayers.TarWriter tar = switch (args[1]) {
        case "empty-files" -> HostileLayers.emptyFiles(Math.toIntExact(n));
        case "pax" -> HostileLayers.paxXattrs(1 << 20, n);
        case "zeros" -> HostileLayers.zeros(n);
        default -> throw new IllegalArgumentException("unknown kind " + args[1]);
      };
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(Path.of(args[3])), 1 << 16)) {
        HostileLayers.gzip(tar, out);
      }
      System.out.printf("%s: %d bytes%n", args[3], Files.size(Path.of(args[3])));
      return;
    }
    if (args.length != 2 || !args[0].equals("build")) {
      System.err.println("usage: ZtocMemoryBenchmark generate empty-files|pax|zeros N OUT | build LAYER");
      System.exit(2);
    }
    Path layer = Path.of(args[1]);
    ZtocBuilder builder = ZtocBuilder.of(ZtocBuilder.DEFAULT_SPAN_SIZE, "benchmark", ZoneOffset.UTC);
    long t0 = System.nanoTime();
    ZtocBuilder.Result r;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(layer), 1 << 16)) {
      r = builder.build(in, CompressionAlgorithm.GZIP);
    } catch (OutOfMemoryError e) {
      System.out.printf("OOM at -Xmx%dm%n", Runtime.getRuntime().maxMemory() >> 20);
      System.exit(3);
      return;
    }
    long t1 = System.nanoTime();
    System.out.printf("layer %d bytes: zTOC %d bytes, %d entries, %.1f s, max heap %d MiB, peak RSS %s%n",
        Files.size(layer), r.bytes().length, r.tocEntries(), (t1 - t0) / 1e9,
        Runtime.getRuntime().maxMemory() >> 20, peakRss());
  }

  private static String peakRss() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return line.substring(6).trim();
      }
    }
    return "?";
  }
}
