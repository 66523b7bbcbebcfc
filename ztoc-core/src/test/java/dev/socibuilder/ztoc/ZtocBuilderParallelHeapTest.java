package dev.socibuilder.ztoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.digest.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Builds the zTOC of a 400 MB layer, generated on the fly and never held in memory, on several
 * threads in a JVM with a 128 MiB heap (this class runs in its own surefire execution with {@code
 * -Xmx128m}): the parallel build's memory is bounded by the chunks in flight, not by the layer. The
 * layer is the worst case for that bound: text that compresses twentyfold and whose copies of the
 * unknown window never die out, so workers hold markers (two bytes per byte) for whole chunks.
 */
class ZtocBuilderParallelHeapTest {
  private static final long LAYER_TAR_BYTES = 400L << 20;

  /** The generated layer as a stream, written by a thread through a pipe; its digest when done. */
  private static InputStream layer(AtomicReference<Digest> written, AtomicReference<Throwable> failure)
      throws IOException {
    PipedInputStream layer = new PipedInputStream(1 << 16);
    PipedOutputStream sink = new PipedOutputStream(layer);
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
                ZtocBuilderSmallHeapTest.writeTar(gz, LAYER_TAR_BYTES);
              } catch (Throwable t) {
                failure.set(t);
              }
              written.set(Digest.sha256(sha.digest()));
            },
            "layer-generator");
    producer.setDaemon(true);
    producer.start();
    return layer;
  }

  @Test
  void buildsAFourHundredMegabyteLayerOnThreeThreadsInA128MebibyteHeapAsTheSequentialBuilderDoes()
      throws Exception {
    assertThat(Runtime.getRuntime().maxMemory()).as("runs with -Xmx128m").isLessThanOrEqualTo(144L << 20)
        .as("a heap in which the parallel path runs").isGreaterThanOrEqualTo(ZtocBuilder.PARALLEL_MIN_HEAP);
    ZtocBuilder builder = ZtocBuilder.of(ZtocBuilder.DEFAULT_SPAN_SIZE, "test", ZoneOffset.UTC);

    AtomicReference<Digest> written = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    MessageDigest read = Digest.newSha256();
    ZtocBuilder.Result parallel =
        builder.withParallelism(3).build(new DigestInputStream(layer(written, failure), read), CompressionAlgorithm.GZIP);
    assertThat(failure.get()).isNull();
    assertThat(Digest.sha256(read.digest())).as("every byte read once").isEqualTo(written.get());

    // The same layer again (the generator is deterministic), through the reference path.
    ZtocBuilder.Result sequential =
        builder.withParallelism(1).build(layer(new AtomicReference<>(), failure), CompressionAlgorithm.GZIP);
    assertThat(failure.get()).isNull();
    assertThat(parallel.ztoc().uncompressedArchiveSize()).isGreaterThanOrEqualTo(LAYER_TAR_BYTES);
    assertThat(parallel.bytes()).isEqualTo(sequential.bytes());
  }

  @Test
  void aGzipBombBuildsOnThreeThreadsInA128MebibyteHeap() throws Exception {
    // 1 GiB of zeros (a few MB of gzip) in blocks of 1 MiB + 64 KiB, at 1 MiB spans: 964 checkpoints, a
    // 32 MiB zTOC, next to the chunks in flight (whose output a ratio of 1000 must not blow up).
    ZtocBuilder builder = ZtocBuilder.of(1 << 20, "test", ZoneOffset.UTC);
    ZtocBuilder.Result parallel;
    try (InputStream layer = HostileLayers.gzipStream(
        HostileLayers.zeros(1L << 30, (1 << 20) + (64 << 10)), Deflater.BEST_SPEED)) {
      parallel = builder.withParallelism(3).build(layer, CompressionAlgorithm.GZIP);
    }
    Digest sequential;
    try (InputStream layer = HostileLayers.gzipStream(
        HostileLayers.zeros(1L << 30, (1 << 20) + (64 << 10)), Deflater.BEST_SPEED)) {
      sequential = builder.withParallelism(1).build(layer, CompressionAlgorithm.GZIP).ztocDigest();
    }

    assertThat(parallel.spanCount()).isEqualTo(964);
    assertThat(parallel.ztocDigest()).isEqualTo(sequential);
  }

  @Test
  void aPaxXattrBombFailsOnThreeThreadsWithTheXattrLimitInsteadOfRunningOutOfMemory() throws Exception {
    try (InputStream layer = HostileLayers.gzipStream(HostileLayers.paxXattrs(1 << 20, 400L << 20), Deflater.BEST_SPEED)) {
      ZtocBuilder builder = ZtocBuilder.of(ZtocBuilder.DEFAULT_SPAN_SIZE, "test", ZoneOffset.UTC,
          ZtocLimits.parse("xattr-bytes=16MiB")).withParallelism(3);
      assertThatThrownBy(() -> builder.build(layer, CompressionAlgorithm.GZIP))
          .isInstanceOfSatisfying(ZtocLimitException.class, e -> assertThat(e.limit()).isEqualTo("xattr-bytes"));
    }
  }
}
