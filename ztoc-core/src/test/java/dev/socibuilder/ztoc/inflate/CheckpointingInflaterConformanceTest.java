package dev.socibuilder.ztoc.inflate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.layer.LayerDataException;
import dev.socibuilder.ztoc.ZtocCodec;
import dev.socibuilder.testing.conformance.ConformanceCorpus;
import dev.socibuilder.testing.conformance.ConformanceCorpus.Case;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Boundaries, errors and resumption checked against soci's own zTOCs (the conformance corpus). */
// A hang guard (a decoder that stops making progress loops forever), not a speed test.
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CheckpointingInflaterConformanceTest {

  record Checkpoint(long in, long out, int bits, byte[] window) {}

  /**
   * The checkpoints stored in the expected zTOC of an ok gzip case, read straight from the zInfo
   * blob's layout {@code [int32 N][int64 span]} then N times {@code [int64 in][int64 out][uint8
   * bits][32 KiB window]} (soci-format.md §4.3), not through the GzipZinfo under test elsewhere.
   */
  static List<Checkpoint> expectedCheckpoints(Case c) {
    byte[] blob =
        ZtocCodec.decodeUnchecked(ConformanceCorpus.expectedZtoc(c)).compressionInfo().checkpoints();
    int n = c.numSpans();
    assertThat(blob.length).as(c.name() + " zinfo blob length").isEqualTo(12 + 32785 * n);
    ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(b.getInt(0)).as(c.name() + " checkpoint count").isEqualTo(n);
    assertThat(b.getLong(4)).as(c.name() + " span size").isEqualTo(c.spanSize());
    List<Checkpoint> out = new ArrayList<>();
    int p = 12;
    for (int i = 0; i < n; i++) {
      long in = b.getLong(p);
      long o = b.getLong(p + 8);
      int bits = blob[p + 16] & 0xff;
      byte[] window = Arrays.copyOfRange(blob, p + 17, p + 17 + 32768);
      out.add(new Checkpoint(in, o, bits, window));
      p += 32785;
    }
    return out;
  }

  static Stream<Case> okGzipCases() {
    return ConformanceCorpus.cases().stream()
        .filter(c -> c.compression().equals("gzip") && c.expect().equals("ok"));
  }

  static Stream<Case> zlibErrorCases() {
    return ConformanceCorpus.cases().stream()
        .filter(
            c ->
                c.compression().equals("gzip")
                    && c.expect().equals("error")
                    && (c.errorReason().startsWith("zlib")
                        || c.name().equals("err-not-gzip-zlib-wrapper")));
  }

  /** Layers that fail only in the tar reader: their gzip stream itself is fine. */
  static Stream<Case> tarErrorCases() {
    return ConformanceCorpus.cases().stream()
        .filter(
            c ->
                c.compression().equals("gzip")
                    && c.expect().equals("error")
                    && !c.errorReason().startsWith("zlib")
                    && !c.name().equals("err-not-gzip-zlib-wrapper"));
  }

  /** soci's gzip_zinfo.c / zran.c rule (soci-format.md §4.1), applied to our boundary reports. */
  static final class CheckpointCollector implements CheckpointingInflater.BoundaryListener {
    final long span;
    long last;
    CheckpointingInflater inflater;
    final List<Checkpoint> checkpoints = new ArrayList<>();
    final List<Checkpoint> allBoundaries = new ArrayList<>();
    /** Every report as (bitOffset, out, final), final blocks included. */
    final List<List<Long>> reports = new ArrayList<>();

    CheckpointCollector(long span) {
      this.span = span;
    }

    @Override
    public void onBoundary(long bitOffset, long out, boolean finalBlock) {
      assertThat(inflater.uncompressedPosition()).isEqualTo(out);
      assertThat(inflater.compressedBitPosition()).isEqualTo(bitOffset);
      reports.add(List.of(bitOffset, out, finalBlock ? 1L : 0L));
      long in = (bitOffset + 7) / 8;
      int bits = (int) (in * 8 - bitOffset);
      if (!finalBlock) {
        byte[] window = new byte[32768];
        inflater.copyWindow(window, 0);
        Checkpoint cp = new Checkpoint(in, out, bits, window);
        allBoundaries.add(cp);
        if (out == 0 || out - last > span) {
          checkpoints.add(cp);
          last = out;
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("okGzipCases")
  void boundaryReportsReproduceSociCheckpointsExactly(Case c) throws IOException {
    CheckpointCollector collector = new CheckpointCollector(c.spanSize());
    CheckpointingInflater inf =
        CheckpointingInflater.gzip(new ByteArrayInputStream(ConformanceCorpus.layerBytes(c)), collector);
    collector.inflater = inf;
    inf.drain();

    List<Checkpoint> expected = expectedCheckpoints(c);
    assertThat(collector.checkpoints).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      Checkpoint e = expected.get(i);
      Checkpoint a = collector.checkpoints.get(i);
      String where = c.name() + " checkpoint " + i;
      assertThat(new long[] {a.in(), a.out(), a.bits()})
          .as(where)
          .containsExactly(e.in(), e.out(), e.bits());
      assertThat(Arrays.equals(a.window(), e.window())).as(where + " window").isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("okGzipCases")
  void readingYieldsTheSameBytesAsJavaUtilZip(Case c) throws IOException {
    byte[] layer = ConformanceCorpus.layerBytes(c);
    byte[] expected = CheckpointingInflaterTest.jdkGunzip(layer);
    byte[] actual =
        CheckpointingInflater.gzip(new ByteArrayInputStream(layer), null).readAllBytes();
    assertThat(actual.length).isEqualTo(expected.length);
    assertThat(Arrays.equals(actual, expected)).as(c.name()).isTrue();
  }

  /** The fault each broken layer must report, from what its notes say was done to it. */
  private static final Map<String, String> EXPECTED_PROBLEM =
      Map.of(
          "err-gz-truncated", "unexpected end of compressed data",
          "err-gz-trailing-garbage", "trailing data after gzip member is not a gzip member",
          "err-gz-trailing-zeros", "trailing data after gzip member is not a gzip member",
          "err-not-gzip-plain-tar", "not a gzip stream (bad magic)",
          "err-not-gzip-zlib-wrapper", "not a gzip stream (bad magic)",
          "err-not-gzip-random", "not a gzip stream (bad magic)",
          "err-gz-bad-crc32", "incorrect data check",
          "err-gz-bad-isize", "incorrect length check",
          "err-gz-bad-header-crc16", "header crc mismatch");

  @ParameterizedTest(name = "{0}")
  @MethodSource("zlibErrorCases")
  void brokenGzipLayersAreRejected(Case c) {
    byte[] layer = ConformanceCorpus.layerBytes(c);
    assertThatThrownBy(
            () -> CheckpointingInflater.gzip(new ByteArrayInputStream(layer), null).drain())
        .as(c.name())
        .isInstanceOfSatisfying(
            LayerDataException.class,
            e -> {
              String want = EXPECTED_PROBLEM.get(c.name());
              if (want != null) {
                assertThat(e.problem()).as(c.name()).isEqualTo(want);
              }
            });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tarErrorCases")
  void layersBrokenOnlyInTheTarDecodeCleanly(Case c) throws IOException {
    byte[] layer = ConformanceCorpus.layerBytes(c);
    long total = CheckpointingInflater.gzip(new ByteArrayInputStream(layer), null).drain();
    assertThat(total).isEqualTo(CheckpointingInflaterTest.jdkGunzip(layer).length);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("okGzipCases")
  void resumingAtEveryBoundaryGivesTheSameBytesAsTheFullDecode(Case c) throws IOException {
    byte[] layer = ConformanceCorpus.layerBytes(c);
    CheckpointCollector collector = new CheckpointCollector(c.spanSize());
    CheckpointingInflater full = CheckpointingInflater.gzip(new ByteArrayInputStream(layer), collector);
    collector.inflater = full;
    byte[] all = full.readAllBytes();
    List<Checkpoint> points = collector.allBoundaries;
    // Keep the test lean on big layers: up to 40 boundaries spread over the stream.
    int step = Math.max(1, points.size() / 40);
    for (int i = 0; i < points.size(); i += step) {
      Checkpoint cp = points.get(i);
      List<Long> report = List.of(cp.in() * 8 - cp.bits(), cp.out(), 0L);
      List<List<Long>> later =
          collector.reports.subList(collector.reports.indexOf(report) + 1, collector.reports.size());
      List<List<Long>> resumedReports = new ArrayList<>();
      int startByte = (int) (cp.in() - (cp.bits() != 0 ? 1 : 0));
      CheckpointingInflater resumed =
          CheckpointingInflater.resumeGzip(
              new ByteArrayInputStream(layer, startByte, layer.length - startByte),
              cp.in(),
              cp.bits(),
              cp.window(),
              cp.out(),
              (b, o, f) -> resumedReports.add(List.of(b, o, f ? 1L : 0L)));
      String where = c.name() + " resume at boundary " + i + " " + cp.in() + "/" + cp.bits();
      assertThat(resumed.compressedBitPosition()).as(where).isEqualTo(cp.in() * 8 - cp.bits());
      byte[] tail = resumed.readAllBytes();
      assertThat(tail.length).as(where).isEqualTo(all.length - cp.out());
      assertThat(Arrays.equals(tail, 0, tail.length, all, (int) cp.out(), all.length))
          .as(where)
          .isTrue();
      assertThat(resumedReports).as(where + " boundaries").isEqualTo(later);
    }
  }

  /** A source that hands out 1..7 bytes per read, so the decoder runs mostly on its slow path. */
  static InputStream trickle(byte[] data, int from, long seed) {
    Random r = new Random(seed);
    return new ByteArrayInputStream(data, from, data.length - from) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, 1 + r.nextInt(7)));
      }
    };
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("okGzipCases")
  void aTricklingSourceGivesTheSameBytesAndBoundaries(Case c) throws IOException {
    byte[] layer = ConformanceCorpus.layerBytes(c);
    if (layer.length > 2_000_000) {
      return; // the big layers add time, not coverage
    }
    long seed = new Random().nextLong();
    CheckpointCollector normal = new CheckpointCollector(c.spanSize());
    normal.inflater = CheckpointingInflater.gzip(new ByteArrayInputStream(layer), normal);
    byte[] expected = normal.inflater.readAllBytes();
    CheckpointCollector slow = new CheckpointCollector(c.spanSize());
    slow.inflater = CheckpointingInflater.gzip(trickle(layer, 0, seed), slow);
    byte[] actual = slow.inflater.readAllBytes();
    String where = c.name() + " seed " + seed;
    assertThat(Arrays.equals(actual, expected)).as(where).isTrue();
    assertThat(slow.reports).as(where).isEqualTo(normal.reports);

    // And resumed from the middle boundary, mid-byte if possible.
    Checkpoint cp = normal.allBoundaries.get(normal.allBoundaries.size() / 2);
    for (Checkpoint p : normal.allBoundaries) {
      if (p.bits() != 0) {
        cp = p;
        break;
      }
    }
    int startByte = (int) (cp.in() - (cp.bits() != 0 ? 1 : 0));
    byte[] tail =
        CheckpointingInflater.resumeGzip(
                trickle(layer, startByte, seed), cp.in(), cp.bits(), cp.window(), cp.out(), null)
            .readAllBytes();
    assertThat(Arrays.equals(tail, 0, tail.length, expected, (int) cp.out(), expected.length))
        .as(where + " resumed at " + cp.in() + "/" + cp.bits())
        .isTrue();
  }
}
