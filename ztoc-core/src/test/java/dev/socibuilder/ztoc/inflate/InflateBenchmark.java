package dev.socibuilder.ztoc.inflate;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Benchmark main (not a test): compares java.util.zip's native-zlib GZIPInputStream with
 * CheckpointingInflater, both decoding an in-memory .tar.gz into a null sink, best of N runs after
 * warm-up in one JVM.
 *
 * <p>Usage: {@code java -cp ztoc-core/target/classes:ztoc-core/target/test-classes
 * dev.socibuilder.ztoc.inflate.InflateBenchmark /tmp/jdk.tar.gz [runs]}
 */
public final class InflateBenchmark {
  private InflateBenchmark() {}

  public static void main(String[] args) throws IOException {
    byte[] gz = Files.readAllBytes(Path.of(args[0]));
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    byte[] sink = new byte[64 * 1024];
    long[] boundaries = new long[1];
    CheckpointingInflater.BoundaryListener listener = (bit, out, fin) -> boundaries[0]++;

    for (int i = 0; i < 2; i++) { // warm-up
      jdk(gz, sink);
      ours(gz, listener);
      oursRead(gz, listener, sink);
    }
    long bestJdk = Long.MAX_VALUE;
    long bestOurs = Long.MAX_VALUE;
    long bestOursRead = Long.MAX_VALUE;
    long total = 0;
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      total = jdk(gz, sink);
      long t1 = System.nanoTime();
      long t = ours(gz, listener);
      long t2 = System.nanoTime();
      long t3 = oursRead(gz, listener, sink);
      long t4 = System.nanoTime();
      if (t != total || t3 != total) {
        throw new IllegalStateException("size mismatch " + total + " " + t + " " + t3);
      }
      bestJdk = Math.min(bestJdk, t1 - t0);
      bestOurs = Math.min(bestOurs, t2 - t1);
      bestOursRead = Math.min(bestOursRead, t4 - t2);
    }
    System.out.printf(
        "input %d bytes -> %d bytes, %d boundaries/run%n", gz.length, total, boundaries[0] / (runs + 2) / 2);
    System.out.printf("GZIPInputStream (zlib)        %8.1f ms  %7.1f MB/s%n", bestJdk / 1e6, total / (bestJdk / 1e3));
    System.out.printf("CheckpointingInflater.drain   %8.1f ms  %7.1f MB/s  ratio %.3f%n",
        bestOurs / 1e6, total / (bestOurs / 1e3), (double) bestOurs / bestJdk);
    System.out.printf("CheckpointingInflater.read    %8.1f ms  %7.1f MB/s  ratio %.3f%n",
        bestOursRead / 1e6, total / (bestOursRead / 1e3), (double) bestOursRead / bestJdk);
  }

  private static long jdk(byte[] gz, byte[] sink) throws IOException {
    long n = 0;
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz), 64 * 1024)) {
      int r;
      while ((r = in.read(sink)) > 0) {
        n += r;
      }
    }
    return n;
  }

  private static long ours(byte[] gz, CheckpointingInflater.BoundaryListener listener)
      throws IOException {
    return CheckpointingInflater.gzip(new ByteArrayInputStream(gz), listener).drain();
  }

  private static long oursRead(byte[] gz, CheckpointingInflater.BoundaryListener listener, byte[] sink)
      throws IOException {
    CheckpointingInflater in = CheckpointingInflater.gzip(new ByteArrayInputStream(gz), listener);
    long n = 0;
    int r;
    while ((r = in.read(sink)) > 0) {
      n += r;
    }
    return n;
  }
}
