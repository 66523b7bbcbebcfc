package dev.socibuilder.ztoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.testing.conformance.ConformanceCorpus;
import dev.socibuilder.testing.conformance.ConformanceCorpus.Case;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class GzipZinfoTest {
  private static final int CP = GzipZinfo.CHECKPOINT_SIZE;

  static Stream<Case> gzipCases() {
    return ConformanceCorpus.okCases().stream().filter(c -> c.compression().equals("gzip"));
  }

  private static Ztoc decode(Case c) {
    return ZtocCodec.decodeUnchecked(ConformanceCorpus.expectedZtoc(c));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("gzipCases")
  void spanByteRangesHashToSocisSpanDigests(Case c) {
    Ztoc z = decode(c);
    byte[] layer = ConformanceCorpus.layerBytes(c);
    GzipZinfo zinfo = GzipZinfo.parse(z.compressionInfo().checkpoints());

    assertThat(zinfo.checkpointCount()).isEqualTo(c.numSpans());
    assertThat(zinfo.spanSize()).isEqualTo(c.spanSize());
    for (int i = 0; i < zinfo.checkpointCount(); i++) {
      byte[] span =
          Arrays.copyOfRange(layer, (int) zinfo.spanCompressedStart(i),
              (int) zinfo.spanCompressedEnd(i, layer.length));
      assertThat(Digest.sha256Of(span)).as("span %d", i)
          .isEqualTo(z.compressionInfo().spanDigests().get(i));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("gzipCases")
  void writerReproducesSocisBlobFromItsCheckpoints(Case c) {
    byte[] soci = decode(c).compressionInfo().checkpoints();
    GzipZinfo parsed = GzipZinfo.parse(soci);
    GzipZinfo.Writer w = new GzipZinfo.Writer(parsed.spanSize());
    byte[] window = new byte[GzipZinfo.WINDOW_SIZE + 7];
    for (int i = 0; i < parsed.checkpointCount(); i++) {
      parsed.copyWindow(i, window, 7);
      w.add(parsed.in(i), parsed.out(i), parsed.bits(i), window, 7);
    }

    assertThat(w.count()).isEqualTo(parsed.checkpointCount());
    assertThat(w.toBlob()).isEqualTo(soci);
  }

  @Test
  void firstCheckpointIsAtTheGzipHeaderEndWithAnEmptyWindow() {
    GzipZinfo z = GzipZinfo.parse(decode(ConformanceCorpus.named("gz-py-l6")).compressionInfo()
        .checkpoints());
    byte[] window = new byte[GzipZinfo.WINDOW_SIZE];
    window[0] = 1;
    z.copyWindow(0, window, 0);

    assertThat(z.out(0)).isZero();
    assertThat(z.bits(0)).isZero();
    assertThat(z.in(0)).isGreaterThanOrEqualTo(10);
    assertThat(window).containsOnly(0);
    assertThat(z.out(1)).isGreaterThan(z.spanSize());
  }

  @Test
  void legacyV1BlobsGetASynthesizedCheckpointZero() {
    byte[] v2 = decode(ConformanceCorpus.named("gz-py-l6")).compressionInfo().checkpoints();
    GzipZinfo current = GzipZinfo.parse(v2);
    // A v1 blob: same header (N counts checkpoint 0) but checkpoint 0 not stored.
    byte[] v1 = new byte[v2.length - CP];
    System.arraycopy(v2, 0, v1, 0, 12);
    System.arraycopy(v2, 12 + CP, v1, 12, v2.length - 12 - CP);

    GzipZinfo legacy = GzipZinfo.parse(v1);

    assertThat(legacy.isLegacyV1()).isTrue();
    assertThat(current.isLegacyV1()).isFalse();
    assertThat(legacy.checkpointCount()).isEqualTo(current.checkpointCount());
    assertThat(legacy.in(0)).isEqualTo(10);
    assertThat(legacy.out(0)).isZero();
    assertThat(legacy.bits(0)).isZero();
    for (int i = 1; i < current.checkpointCount(); i++) {
      assertThat(legacy.in(i)).isEqualTo(current.in(i));
      assertThat(legacy.out(i)).isEqualTo(current.out(i));
      assertThat(legacy.bits(i)).isEqualTo(current.bits(i));
    }
  }

  @Test
  void rejectsBlobsWhoseLengthMatchesNeitherForm() {
    GzipZinfo.Writer w = new GzipZinfo.Writer(1 << 20);
    w.add(10, 0, 0, new byte[GzipZinfo.WINDOW_SIZE], 0);
    w.add(500, 2_000_000, 3, new byte[GzipZinfo.WINDOW_SIZE], 0);
    byte[] blob = w.toBlob();

    assertThatThrownBy(() -> GzipZinfo.parse(Arrays.copyOf(blob, blob.length - 1)))
        .isInstanceOf(InvalidZtocException.class)
        .hasMessageContaining("cannot convert blob to gzip_zinfo");
    assertThatThrownBy(() -> GzipZinfo.parse(Arrays.copyOf(blob, blob.length + 1)))
        .isInstanceOf(InvalidZtocException.class);
    assertThatThrownBy(() -> GzipZinfo.parse(new byte[11]))
        .isInstanceOf(InvalidZtocException.class);
    assertThatThrownBy(() -> GzipZinfo.parse(new byte[0]))
        .isInstanceOf(InvalidZtocException.class)
        .hasMessageContaining("empty checkpoints");
    assertThatThrownBy(() -> GzipZinfo.parse(new byte[12])) // N = 0
        .isInstanceOf(InvalidZtocException.class);
  }

  @Test
  void writerLaysOutHeaderAndCheckpointsLittleEndian() {
    GzipZinfo.Writer w = new GzipZinfo.Writer(0x0102030405L);
    byte[] window = new byte[GzipZinfo.WINDOW_SIZE];
    window[0] = 9;
    window[GzipZinfo.WINDOW_SIZE - 1] = 8;
    w.add(0x1122, 0x33445566778899L, 5, window, 0);

    byte[] blob = w.toBlob();

    assertThat(blob).hasSize(12 + CP);
    assertThat(Arrays.copyOfRange(blob, 0, 12 + 17))
        .containsExactly(1, 0, 0, 0, 5, 4, 3, 2, 1, 0, 0, 0,
            0x22, 0x11, 0, 0, 0, 0, 0, 0,
            0x99, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0,
            5);
    assertThat(blob[12 + 17]).isEqualTo((byte) 9);
    assertThat(blob[blob.length - 1]).isEqualTo((byte) 8);
  }

  @Test
  void writerTreatsAWindowSizedArrayAsARingBuffer() {
    byte[] ring = new byte[GzipZinfo.WINDOW_SIZE];
    for (int i = 0; i < ring.length; i++) {
      ring[i] = (byte) i;
    }
    GzipZinfo.Writer w = new GzipZinfo.Writer(100);
    w.add(10, 0, 0, ring, 1000); // oldest byte at index 1000

    GzipZinfo z = GzipZinfo.parse(w.toBlob());
    byte[] window = new byte[GzipZinfo.WINDOW_SIZE];
    z.copyWindow(0, window, 0);

    assertThat(window[0]).isEqualTo((byte) 1000);
    assertThat(window[GzipZinfo.WINDOW_SIZE - 1000]).isEqualTo((byte) 0);
    assertThat(window[GzipZinfo.WINDOW_SIZE - 1]).isEqualTo((byte) 999);
  }

  @Test
  void writerIsClosedByToBlob() {
    GzipZinfo.Writer w = new GzipZinfo.Writer(100);
    for (int i = 0; i < 5; i++) {
      w.add(10 + i, 200L * i, 0, new byte[GzipZinfo.WINDOW_SIZE], 0);
    }
    byte[] blob = w.toBlob();

    assertThat(blob).hasSize(12 + 5 * CP);
    assertThat(w.blobSize()).isEqualTo(blob.length);
    assertThat(w.toBlob()).isSameAs(blob);
    assertThat(w.count()).isEqualTo(5);
    assertThatThrownBy(() -> w.add(1, 1, 0, new byte[GzipZinfo.WINDOW_SIZE], 0))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void writerKeepsIncompressibleAndCompressibleWindowsExactly() {
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
    byte[][] windows = new byte[4][GzipZinfo.WINDOW_SIZE];
    rnd.nextBytes(windows[0]); // random: stored raw
    java.util.Arrays.fill(windows[2], (byte) 'x'); // deflates to a few bytes
    for (int i = 0; i < windows[3].length; i++) {
      windows[3][i] = (byte) (i % 251);
    }
    GzipZinfo.Writer w = new GzipZinfo.Writer(100);
    for (int i = 0; i < windows.length; i++) {
      w.add(10 + i, 200L * i, i % 8, windows[i], 0);
    }
    GzipZinfo z = GzipZinfo.parse(w.toBlob());

    byte[] window = new byte[GzipZinfo.WINDOW_SIZE];
    for (int i = 0; i < windows.length; i++) {
      z.copyWindow(i, window, 0);
      assertThat(window).as("window %d", i).isEqualTo(windows[i]);
      assertThat(z.bits(i)).isEqualTo(i % 8);
      assertThat(z.in(i)).isEqualTo(10 + i);
      assertThat(z.out(i)).isEqualTo(200L * i);
    }
  }

  @Test
  void spanOfFindsTheLastCheckpointAtOrBeforeTheOffset() {
    // outs 0, 0, 100, 200: a repeated out=0 checkpoint happens (soci-format.md §4.1).
    GzipZinfo z = zinfo(new long[] {10, 12, 50, 90}, new long[] {0, 0, 100, 200});

    assertThat(z.spanOf(0)).isEqualTo(1);
    assertThat(z.spanOf(99)).isEqualTo(1);
    assertThat(z.spanOf(100)).isEqualTo(2);
    assertThat(z.spanOf(199)).isEqualTo(2);
    assertThat(z.spanOf(200)).isEqualTo(3);
    assertThat(z.spanOf(Long.MAX_VALUE)).isEqualTo(3);
  }

  @Test
  void compressedSpanRangesIncludeTheSharedByteAndEndAtTheLayerSize() {
    GzipZinfo.Writer w = new GzipZinfo.Writer(100);
    byte[] window = new byte[GzipZinfo.WINDOW_SIZE];
    w.add(10, 0, 0, window, 0);
    w.add(60, 150, 3, window, 0);
    w.add(90, 300, 0, window, 0);
    GzipZinfo z = GzipZinfo.parse(w.toBlob());

    assertThat(z.spanCompressedStart(0)).isEqualTo(10);
    assertThat(z.spanCompressedEnd(0, 1000)).isEqualTo(60);
    assertThat(z.spanCompressedStart(1)).isEqualTo(59); // bits != 0: starts one byte earlier
    assertThat(z.spanCompressedEnd(1, 1000)).isEqualTo(90);
    assertThat(z.spanCompressedStart(2)).isEqualTo(90);
    assertThat(z.spanCompressedEnd(2, 1000)).isEqualTo(1000);
  }

  private static GzipZinfo zinfo(long[] in, long[] out) {
    GzipZinfo.Writer w = new GzipZinfo.Writer(100);
    for (int i = 0; i < in.length; i++) {
      w.add(in[i], out[i], 0, new byte[GzipZinfo.WINDOW_SIZE], 0);
    }
    return GzipZinfo.parse(w.toBlob());
  }
}
