package dev.socibuilder.ztoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.testing.tar.UstarHeader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.ZoneOffset;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Builds the zTOC of a large layer, generated on the fly and never held in memory, in a JVM with a
 * 64 MiB heap (this class runs in its own surefire execution with {@code -Xmx64m}), on the calling
 * thread alone: nothing in the single pass may grow with the layer size beyond the zTOC itself.
 */
class ZtocBuilderSmallHeapTest {
  private static final long LAYER_TAR_BYTES = 400L << 20;

  @Test
  void buildsAFourHundredMegabyteLayerInASixtyFourMegabyteHeap() throws Exception {
    assertThat(Runtime.getRuntime().maxMemory()).as("runs with -Xmx64m").isLessThanOrEqualTo(80L << 20);

    PipedInputStream layer = new PipedInputStream(1 << 16);
    PipedOutputStream sink = new PipedOutputStream(layer);
    AtomicReference<Digest> written = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long[] files = new long[1];
    Thread producer =
        new Thread(
            () -> {
              MessageDigest sha = Digest.newSha256();
              try (OutputStream out = new DigestOutputStream(sink, sha);
                  GZIPOutputStream gz =
                      new GZIPOutputStream(out, 1 << 16) {
                        {
                          def.setLevel(Deflater.BEST_SPEED);
                        }
                      }) {
                files[0] = writeTar(gz, LAYER_TAR_BYTES);
              } catch (Throwable t) {
                failure.set(t);
              }
              written.set(Digest.sha256(sha.digest()));
            },
            "layer-generator");
    producer.start();

    MessageDigest read = Digest.newSha256();
    ZtocBuilder.Result result =
        ZtocBuilder.of(ZtocBuilder.DEFAULT_SPAN_SIZE, "test", ZoneOffset.UTC)
            .withParallelism(1) // the sequential path; ZtocBuilderParallelHeapTest covers the parallel one
            .build(new java.security.DigestInputStream(layer, read), CompressionAlgorithm.GZIP);
    producer.join();

    assertThat(failure.get()).isNull();
    assertThat(Digest.sha256(read.digest())).as("every byte read once").isEqualTo(written.get());
    assertThat(result.ztoc().toc()).hasSize((int) files[0]);
    assertThat(result.ztoc().uncompressedArchiveSize()).isGreaterThanOrEqualTo(LAYER_TAR_BYTES);
    // A checkpoint lands at the first block boundary after more than a span of output, so spans are
    // a little longer than 4 MiB: at most size/span + 1 of them, and not far fewer.
    int spans = result.ztoc().compressionInfo().spanDigests().size();
    long perSpan = ZtocBuilder.DEFAULT_SPAN_SIZE;
    assertThat(spans).isBetween((int) (LAYER_TAR_BYTES / (perSpan + perSpan / 10)), (int) (LAYER_TAR_BYTES / perSpan) + 1);
    assertThat(ZtocCodec.decode(result.bytes()).toc()).hasSize((int) files[0]);
  }

  @Test
  void aGzipBombBuildsInASixtyFourMegabyteHeap() throws Exception {
    // 1 GiB of zeros (a few MB of gzip) in blocks of 1 MiB + 64 KiB, at 1 MiB spans: a checkpoint at
    // each of the 964 block boundaries, a 32 MiB zTOC, which must be the only large thing in the heap
    // (the windows are kept deflated until the zTOC is written).
    ZtocBuilder.Result r;
    try (InputStream layer = HostileLayers.gzipStream(
        HostileLayers.zeros(1L << 30, (1 << 20) + (64 << 10)), Deflater.BEST_SPEED)) {
      r = ZtocBuilder.of(1 << 20, "test", ZoneOffset.UTC).withParallelism(1).build(layer, CompressionAlgorithm.GZIP);
    }

    assertThat(r.spanCount()).isEqualTo(964);
    assertThat(r.bytes().length).isGreaterThan(964 * GzipZinfo.CHECKPOINT_SIZE);
    assertThat(r.tocEntries()).isZero();
  }

  @Test
  void aPaxXattrBombFailsWithTheXattrLimitInsteadOfRunningOutOfMemory() throws Exception {
    try (InputStream layer = HostileLayers.gzipStream(HostileLayers.paxXattrs(1 << 20, 400L << 20), Deflater.BEST_SPEED)) {
      ZtocBuilder builder = ZtocBuilder.of(ZtocBuilder.DEFAULT_SPAN_SIZE, "test", ZoneOffset.UTC,
          ZtocLimits.parse("xattr-bytes=16MiB")).withParallelism(1);
      assertThatThrownBy(() -> builder.build(layer, CompressionAlgorithm.GZIP))
          .isInstanceOfSatisfying(ZtocLimitException.class, e -> assertThat(e.limit()).isEqualTo("xattr-bytes"));
    }
  }

  /** Writes a USTAR archive of files of 64 KiB..2 MiB of semi-compressible text; returns the entry count. */
  static long writeTar(OutputStream out, long targetBytes) throws IOException {
    SplittableRandom rnd = new SplittableRandom(42);
    byte[] words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
        .getBytes(StandardCharsets.US_ASCII);
    byte[] chunk = new byte[1 << 16];
    long written = 0;
    long count = 0;
    while (written < targetBytes) {
      long size = 65536 + rnd.nextInt(2 << 20);
      out.write(UstarHeader.file("data/file-" + count + ".txt", size));
      written += 512;
      long left = size;
      while (left > 0) {
        int n = (int) Math.min(chunk.length, left);
        for (int i = 0; i < n; i++) {
          chunk[i] = (i & 63) == 0 ? (byte) ('0' + rnd.nextInt(10)) : words[(i + (int) count) % words.length];
        }
        out.write(chunk, 0, n);
        left -= n;
      }
      int pad = (int) ((512 - size % 512) % 512);
      out.write(new byte[pad]);
      written += size + pad;
      count++;
    }
    out.write(new byte[1024]);
    return count;
  }
}
