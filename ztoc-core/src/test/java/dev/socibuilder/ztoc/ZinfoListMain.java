package dev.socibuilder.ztoc;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;

/**
 * The checkpoints of our zTOC build for each gzip tar given, one line per checkpoint in the format of {@code
 * zinfo.c} (soci's zlib loop): in, out, bits and an FNV-1a 64 hash of the window, for {@code
 * src/test/differential/zinfo-vs-zlib.sh}. A layer the build rejects is one {@code ERR} line. Not a test.
 *
 * <pre>ZinfoListMain SPAN THREADS CHUNK_BYTES FILE.tar.gz...</pre>
 */
public final class ZinfoListMain {
  private ZinfoListMain() {}

  public static void main(String[] args) throws IOException {
    long span = Long.parseLong(args[0]);
    ZtocBuilder builder = ZtocBuilder.of(span, ZtocBuilder.SOCI_CLI_BUILD_TOOL, ZoneOffset.UTC)
        .withParallelism(Integer.parseInt(args[1])).withChunkSize(Integer.parseInt(args[2]));
    PrintStream out = new PrintStream(new BufferedOutputStream(System.out), false);
    byte[] window = new byte[GzipZinfo.WINDOW_SIZE];
    for (int a = 3; a < args.length; a++) {
      out.println("CASE " + args[a]);
      try (InputStream in = Files.newInputStream(Path.of(args[a]))) {
        Ztoc z = ZtocCodec.decodeUnchecked(builder.build(in, CompressionAlgorithm.GZIP).bytes());
        GzipZinfo zinfo = GzipZinfo.parse(z.compressionInfo().checkpoints());
        for (int i = 0; i < zinfo.checkpointCount(); i++) {
          zinfo.copyWindow(i, window, 0);
          out.printf("C %d %d %d %016x%n", zinfo.in(i), zinfo.out(i), zinfo.bits(i), fnv(window));
        }
        out.println("END");
      } catch (IOException | RuntimeException e) {
        out.println("ERR " + e.getClass().getSimpleName() + " " + e.getMessage());
      }
    }
    out.flush();
  }

  private static long fnv(byte[] b) {
    long h = 0xcbf29ce484222325L;
    for (byte x : b) {
      h ^= x & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }
}
