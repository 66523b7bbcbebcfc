package dev.socibuilder.ztoc.bench;

import dev.socibuilder.ztoc.CompressionAlgorithm;
import dev.socibuilder.ztoc.ZtocBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;

/**
 * One zTOC build in a fresh JVM, for whole-process timing against native tools ({@code
 * bench/ztoc-parallel.sh}): reads the layer file once as a stream, builds its zTOC on the given
 * number of threads, prints the zTOC digest. Not a test.
 *
 * <pre>
 * java -cp ztoc-core/target/classes:ztoc-core/target/test-classes \
 *   dev.socibuilder.ztoc.bench.ZtocBuildMain /tmp/jdk.tar.gz 2
 * </pre>
 */
public final class ZtocBuildMain {
  private ZtocBuildMain() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: ZtocBuildMain LAYER.tar.gz [THREADS]");
      System.exit(2);
    }
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
    ZtocBuilder builder =
        ZtocBuilder.of(ZtocBuilder.DEFAULT_SPAN_SIZE, ZtocBuilder.SOCI_CLI_BUILD_TOOL, ZoneOffset.UTC)
            .withParallelism(threads);
    // The builder reads in large chunks itself; no buffering layer in between.
    try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
      ZtocBuilder.Result r = builder.build(in, CompressionAlgorithm.GZIP);
      System.out.println(r.ztocDigest() + " " + r.bytes().length);
    }
  }
}
