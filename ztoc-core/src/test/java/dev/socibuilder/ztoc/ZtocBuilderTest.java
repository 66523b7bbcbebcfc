package dev.socibuilder.ztoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.layer.LayerDataException;
import dev.socibuilder.testing.conformance.ConformanceCorpus.Case;
import dev.socibuilder.testing.conformance.ConformanceCorpus;
import dev.socibuilder.testing.tar.UstarHeader;
import dev.socibuilder.ztoc.inflate.CheckpointingInflater;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The builder against soci's own outputs: every case of the conformance corpus, byte for byte. */
class ZtocBuilderTest {

  static Stream<Case> okCases() {
    return ConformanceCorpus.okCases().stream();
  }

  static Stream<Case> errorCases() {
    return ConformanceCorpus.errorCases().stream();
  }

  static ZtocBuilder.Result build(Case c) throws IOException {
    ZtocBuilder builder = ZtocBuilder.of(c.spanSize(), c.buildTool(), ZoneOffset.UTC);
    CompressionAlgorithm alg = c.gzip() ? CompressionAlgorithm.GZIP : CompressionAlgorithm.UNCOMPRESSED;
    return builder.build(new ByteArrayInputStream(ConformanceCorpus.layerBytes(c)), alg);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("okCases")
  void buildsExactlyTheBytesSociBuilt(Case c) throws IOException {
    ZtocBuilder.Result result = build(c);

    byte[] expected = ConformanceCorpus.expectedZtoc(c);
    assertThat(result.bytes().length).as("zTOC size of %s", c.name()).isEqualTo(expected.length);
    assertThat(result.bytes()).as("zTOC bytes of %s (%s)", c.name(), c.notes()).isEqualTo(expected);
    assertThat(result.ztocDigest().hex()).isEqualTo(c.ztocSha256());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("okCases")
  void reportsTheLayerSizeSpansAndFiles(Case c) throws IOException {
    ZtocBuilder.Result result = build(c);

    assertThat(result.layerSize()).isEqualTo(c.layerSize());
    assertThat(Digest.sha256Of(result.bytes())).isEqualTo(result.ztocDigest());
    assertThat(result.ztoc().compressionInfo().spanDigests()).hasSize(c.numSpans());
    assertThat(result.ztoc().toc()).hasSize(c.numFiles());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errorCases")
  void rejectsBadLayersWithOneClearError(Case c) {
    assertThatThrownBy(() -> build(c))
        .as("%s: %s", c.name(), c.notes())
        .isInstanceOf(LayerDataException.class)
        .satisfies(
            e -> {
              LayerDataException lde = (LayerDataException) e;
              assertThat(lde.getMessage()).isNotBlank();
              // Every failure says where: the compressed offset for gzip, the tar offset for raw tars.
              if (c.gzip()) {
                assertThat(lde.compressedOffset()).as("compressed offset").isBetween(0L, c.layerSize());
              } else {
                // A raw tar fails where its bytes end or where the bad header starts (a 512-byte block).
                assertThat(lde.uncompressedOffset()).as("uncompressed offset")
                    .satisfiesAnyOf(o -> assertThat(o).isEqualTo(c.layerSize()), o -> assertThat(o % 512).isZero());
              }
              if (c.errorReason().startsWith("unsupported")) {
                assertThat(lde.getMessage()).contains(c.errorReason().substring(c.errorReason().length() - 3));
              } else if (c.errorReason().startsWith("tar:")) {
                assertThat(lde.getMessage()).startsWith("tar:");
              }
            });
  }

  /**
   * The broken gzip streams (soci reports them all as zlib error -3): each gets zlib's own problem text
   * and the compressed offset where zlib stops, derived here from the stream's structure (RFC 1952
   * header fields, the member's end found by {@link Inflater}, the 8-byte trailer), not from the builder.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("gzipStreamErrors")
  void reportsZlibsProblemAndWhereTheGzipStreamBreaks(String name, String problem, String where) throws IOException {
    Case c = ConformanceCorpus.named(name);
    byte[] layer = ConformanceCorpus.layerBytes(c);
    long expectedOffset = switch (where) {
      case "end" -> layer.length;
      case "trailer" -> layer.length - 8; // CRC32 first
      case "isize" -> layer.length - 4;
      case "member-end" -> GzipStructure.firstMemberEnd(layer);
      case "header-end" -> GzipStructure.headerLength(layer);
      case "magic" -> 2; // zlib reads the two magic bytes before it rejects them
      default -> throw new IllegalArgumentException(where);
    };
    assertThatThrownBy(() -> build(c))
        .isInstanceOfSatisfying(LayerDataException.class, e -> {
          assertThat(e.problem()).isEqualTo(problem);
          assertThat(e.compressedOffset()).isEqualTo(expectedOffset);
          assertThat(e.getMessage()).isEqualTo(problem + " at compressed offset " + expectedOffset
              + " (uncompressed offset " + e.uncompressedOffset() + ")");
        });
  }

  static Stream<Arguments> gzipStreamErrors() {
    return Stream.of(
        Arguments.of("err-gz-truncated", "unexpected end of compressed data", "end"),
        Arguments.of("err-gz-corrupt-middle", "incorrect data check", "trailer"),
        Arguments.of("err-gz-bad-crc32", "incorrect data check", "trailer"),
        Arguments.of("err-gz-bad-isize", "incorrect length check", "isize"),
        Arguments.of("err-gz-trailing-garbage", "trailing data after gzip member is not a gzip member", "member-end"),
        Arguments.of("err-gz-trailing-zeros", "trailing data after gzip member is not a gzip member", "member-end"),
        Arguments.of("err-gz-bad-header-crc16", "header crc mismatch", "header-end"),
        Arguments.of("err-not-gzip-plain-tar", "not a gzip stream (bad magic)", "magic"),
        Arguments.of("err-not-gzip-random", "not a gzip stream (bad magic)", "magic"),
        Arguments.of("err-not-gzip-zlib-wrapper", "not a gzip stream (bad magic)", "magic"));
  }

  /** Just enough RFC 1952 to find where a header and the first member end, with java.util.zip. */
  static final class GzipStructure {
    static int headerLength(byte[] gz) {
      int flags = gz[3] & 0xff;
      int p = 10;
      if ((flags & 4) != 0) { // FEXTRA
        p += 2 + ((gz[p] & 0xff) | (gz[p + 1] & 0xff) << 8);
      }
      if ((flags & 8) != 0) { // FNAME
        while (gz[p++] != 0) {
          // skip
        }
      }
      if ((flags & 16) != 0) { // FCOMMENT
        while (gz[p++] != 0) {
          // skip
        }
      }
      if ((flags & 2) != 0) { // FHCRC
        p += 2;
      }
      return p;
    }

    static long firstMemberEnd(byte[] gz) {
      int header = headerLength(gz);
      Inflater inflater = new Inflater(true);
      try {
        inflater.setInput(gz, header, gz.length - header);
        byte[] sink = new byte[1 << 16];
        while (!inflater.finished()) {
          inflater.inflate(sink);
        }
        return header + inflater.getBytesRead() + 8;
      } catch (DataFormatException e) {
        throw new IllegalStateException(e);
      } finally {
        inflater.end();
      }
    }
  }

  @Test
  void buildingTheSameLayerTwiceGivesTheSameBytes() throws IOException {
    Case c = ConformanceCorpus.okCases().stream().filter(x -> x.name().equals("gz-multimember-3")).findFirst().orElseThrow();
    byte[] first = build(c).bytes();
    byte[] second = build(c).bytes();
    assertThat(second).isEqualTo(first);
  }

  @Test
  void readsTheLayerInTinyChunksTheSameAsWhole() throws IOException {
    // A stream that returns 1..7 bytes per read exercises every buffer boundary of the single pass.
    for (String name : List.of("gz-py-l6", "gz-header-big-extra", "deflate-empty-first-blocks", "uncompressed-pax")) {
      Case c = ConformanceCorpus.okCases().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
      byte[] layer = ConformanceCorpus.layerBytes(c);
      InputStream trickle =
          new ByteArrayInputStream(layer) {
            private int n;

            @Override
            public synchronized int read(byte[] b, int off, int len) {
              return super.read(b, off, Math.min(len, 1 + (n++ % 7)));
            }
          };
      ZtocBuilder builder = ZtocBuilder.of(c.spanSize(), c.buildTool(), ZoneOffset.UTC);
      CompressionAlgorithm alg = c.gzip() ? CompressionAlgorithm.GZIP : CompressionAlgorithm.UNCOMPRESSED;
      assertThat(builder.build(trickle, alg).bytes()).as(name).isEqualTo(ConformanceCorpus.expectedZtoc(c));
    }
  }

  @Test
  void writesModTimesInTheRequestedZone() throws IOException {
    Case c = ConformanceCorpus.okCases().stream().filter(x -> x.name().equals("gz-py-l6")).findFirst().orElseThrow();
    byte[] layer = ConformanceCorpus.layerBytes(c);
    Ztoc utc = ZtocBuilder.of(c.spanSize(), c.buildTool(), ZoneOffset.UTC)
        .build(new ByteArrayInputStream(layer), CompressionAlgorithm.GZIP).ztoc();
    Ztoc kolkata = ZtocBuilder.of(c.spanSize(), c.buildTool(), java.time.ZoneId.of("Asia/Kolkata"))
        .build(new ByteArrayInputStream(layer), CompressionAlgorithm.GZIP).ztoc();
    String utcTime = new String(utc.toc().get(0).modTime(), java.nio.charset.StandardCharsets.UTF_8);
    String indiaTime = new String(kolkata.toc().get(0).modTime(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(utcTime).endsWith("Z");
    assertThat(indiaTime).endsWith("+05:30");
    assertThat(java.time.OffsetDateTime.parse(indiaTime).toInstant())
        .isEqualTo(java.time.OffsetDateTime.parse(utcTime).toInstant());
  }

  private static byte[] gzipped(HostileLayers.TarWriter tar) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    HostileLayers.gzip(tar, out, java.util.zip.Deflater.BEST_SPEED);
    return out.toByteArray();
  }

  private static ZtocBuilder.Result build(byte[] gz, long spanSize, String limits) throws IOException {
    return ZtocBuilder.of(spanSize, "t", ZoneOffset.UTC, ZtocLimits.parse(limits))
        .build(new ByteArrayInputStream(gz), CompressionAlgorithm.GZIP);
  }

  @Test
  void aLayerWithMoreTarEntriesThanTheLimitFailsNamingTheLimitAndWhere() throws IOException {
    byte[] layer = gzipped(HostileLayers.emptyFiles(1000));

    assertThat(build(layer, 1 << 22, "toc-entries=1000").tocEntries()).isEqualTo(1000);
    assertThatThrownBy(() -> build(layer, 1 << 22, "toc-entries=999"))
        .isInstanceOfSatisfying(ZtocLimitException.class, e -> {
          assertThat(e.limit()).isEqualTo("toc-entries");
          assertThat(e.value()).isEqualTo(999);
          // The 1000th entry's data starts after its header, the 1000th 512-byte block.
          assertThat(e.getMessage()).isEqualTo(
              "the layer has more than 999 tar entries, at uncompressed offset 512000 (zTOC limit toc-entries=999)");
        });
  }

  @Test
  void paxRecordsPastTheXattrLimitFailNamingTheLimit() throws IOException {
    byte[] layer = gzipped(HostileLayers.paxXattrs(64 << 10, 1 << 20));

    assertThatThrownBy(() -> build(layer, 1 << 22, "xattr-bytes=500000"))
        .isInstanceOfSatisfying(ZtocLimitException.class, e -> {
          assertThat(e.limit()).isEqualTo("xattr-bytes");
          assertThat(e.getMessage()).startsWith("the layer's PAX records (xattrs) exceed 500000 bytes, at uncompressed offset ")
              .endsWith(" (zTOC limit xattr-bytes=500000)");
        });
    assertThat(build(layer, 1 << 22, "xattr-bytes=2MiB").ztoc().toc().get(0).xattrs()).hasSizeGreaterThan(10);
  }

  @Test
  void theZtocSizeLimitIsExactAtTheEnd() throws IOException {
    byte[] layer = gzipped(HostileLayers.emptyFiles(2000));
    int size = build(layer, 1 << 22, "").bytes().length;

    assertThat(build(layer, 1 << 22, "ztoc-bytes=" + size).bytes()).hasSize(size);
    assertThatThrownBy(() -> build(layer, 1 << 22, "ztoc-bytes=" + (size - 1)))
        .isInstanceOfSatisfying(ZtocLimitException.class, e -> assertThat(e.getMessage())
            .isEqualTo("the zTOC would exceed " + (size - 1) + " bytes (it is at least " + size
                + ") (zTOC limit ztoc-bytes=" + (size - 1) + ")"));
  }

  @Test
  void theZtocSizeLimitStopsTheBuildWhileTheLayerIsRead() throws IOException {
    // 100,000 entries make a zTOC of about 16 MB; a 1 MiB limit stops the scan long before the end.
    byte[] layer = gzipped(HostileLayers.emptyFiles(100_000));

    assertThatThrownBy(() -> build(layer, 1 << 22, "ztoc-bytes=1MiB"))
        .isInstanceOfSatisfying(ZtocLimitException.class, e -> {
          assertThat(e.limit()).isEqualTo("ztoc-bytes");
          long atLeast = Long.parseLong(e.getMessage().replaceAll(".*it is at least (\\d+)\\).*", "$1"));
          assertThat(atLeast).isBetween(1L << 20, (1L << 20) + 1000);
        });
  }

  @Test
  void checkpointsCountTowardsTheZtocSizeLimitAsTheyAreTaken() throws IOException {
    // 64 MiB of zeros in blocks of 1 MiB + 64 KiB, at 1 MiB spans: a checkpoint at each of the 60 block
    // boundaries, a 2 MB zTOC with no TOC entry at all.
    byte[] layer = gzipped(HostileLayers.zeros(64 << 20, (1 << 20) + (64 << 10)));

    assertThat(build(layer, 1 << 20, "").spanCount()).isEqualTo(61);
    assertThatThrownBy(() -> build(layer, 1 << 20, "ztoc-bytes=1MiB"))
        .isInstanceOfSatisfying(ZtocLimitException.class, e -> assertThat(e.getMessage())
            .startsWith("the zTOC would exceed 1048576 bytes (it is at least 10").contains("ztoc-bytes=1048576"));
  }

  @Test
  void spansOfAnUncompressedLayerCountTowardsTheZtocSizeLimit() throws IOException {
    java.io.ByteArrayOutputStream tar = new java.io.ByteArrayOutputStream();
    HostileLayers.zeros(1 << 20).write(tar);
    ZtocBuilder builder = ZtocBuilder.of(1024, "t", ZoneOffset.UTC, ZtocLimits.parse("ztoc-bytes=40000"));

    // 1024 spans of 1 KiB: 1024 span digests of 80 encoded bytes each.
    assertThatThrownBy(() -> builder.build(new ByteArrayInputStream(tar.toByteArray()), CompressionAlgorithm.UNCOMPRESSED))
        .isInstanceOfSatisfying(ZtocLimitException.class, e -> assertThat(e.limit()).isEqualTo("ztoc-bytes"));
  }

  @Test
  void theResultCarriesTheCountsOfTheZtocItsBytesDecodeTo() throws IOException {
    Case c = ConformanceCorpus.named("gz-py-l6");
    ZtocBuilder.Result r = build(c);
    Ztoc decoded = ZtocCodec.decode(r.bytes());

    assertThat(r.spanCount()).isEqualTo(decoded.compressionInfo().spanDigests().size()).isEqualTo(c.numSpans());
    assertThat(r.tocEntries()).isEqualTo(decoded.toc().size()).isEqualTo(c.numFiles());
  }

  @Test
  void inflatesOnAllProcessorsOnlyWhereTheParallelPathPaysOff() {
    int processors = Runtime.getRuntime().availableProcessors();
    int many = processors >= 4 ? processors : 1;
    int few = processors > 1 ? processors : 1;

    assertThat(ZtocBuilder.parallelismFor(0)).isEqualTo(1);
    assertThat(ZtocBuilder.parallelismFor((32L << 20) - 1)).isEqualTo(1);
    assertThat(ZtocBuilder.parallelismFor(32L << 20)).isEqualTo(many);
    assertThat(ZtocBuilder.parallelismFor((256L << 20) - 1)).isEqualTo(many);
    assertThat(ZtocBuilder.parallelismFor(256L << 20)).isEqualTo(few);
    assertThat(ZtocBuilder.parallelismFor(10L << 30)).isEqualTo(few);
    assertThat(ZtocBuilder.parallelismFor(-1)).as("unknown size").isEqualTo(many);
    assertThat(ZtocBuilder.defaultParallelism()).isEqualTo(many);
    assertThat(ZtocBuilder.of("t").parallelism()).isEqualTo(many);
  }

  /** A 3 MB tar of generated files whose fourth header has a wrong checksum, and that header's offset. */
  static byte[] tarWithBadFourthHeader(long[] headerOffset) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    ZtocBuilderSmallHeapTest.writeTar(bos, 3_000_000);
    byte[] tar = bos.toByteArray();
    long h = 0;
    for (int i = 0; i < 3; i++) {
      long size = Long.parseLong(new String(tar, (int) h + 124, 11, java.nio.charset.StandardCharsets.US_ASCII), 8);
      h += 512 + (size + 511) / 512 * 512;
    }
    tar[(int) h + 148] ^= 1; // checksum digit
    headerOffset[0] = h;
    return tar;
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bos, 1 << 16)) {
      gz.write(data);
    }
    return bos.toByteArray();
  }

  @Test
  void placesATarFaultAtTheStartOfTheSpanHoldingIt() throws IOException {
    long[] header = new long[1];
    byte[] layer = gzip(tarWithBadFourthHeader(header));
    long span = 65536;
    // The checkpoints, by zran's rule, from the (valid) gzip stream.
    List<long[]> checkpoints = new ArrayList<>();
    long[] last = {0};
    CheckpointingInflater.gzip(
            new ByteArrayInputStream(layer),
            (bit, out, fin) -> {
              if (!fin && (out == 0 || out - last[0] > span)) {
                last[0] = out;
                long in = (bit + 7) >>> 3;
                checkpoints.add(new long[] {in, in * 8 - bit, out});
              }
            })
        .drain();
    long faultAt = header[0] + 512; // the reader stands after the bad header
    long[] holding = checkpoints.stream().filter(c -> c[2] <= faultAt - 1).reduce((a, b) -> b).orElseThrow();
    assertThat(checkpoints.indexOf(holding)).as("the fault is not in the first span").isGreaterThan(0);

    assertThatThrownBy(
            () -> ZtocBuilder.of(span, "test", ZoneOffset.UTC)
                .build(new ByteArrayInputStream(layer), CompressionAlgorithm.GZIP))
        .isInstanceOfSatisfying(
            LayerDataException.class,
            e -> {
              assertThat(e.problem()).isEqualTo("tar: invalid header");
              assertThat(e.uncompressedOffset()).isEqualTo(faultAt);
              assertThat(e.compressedOffset()).isEqualTo(holding[0] - (holding[1] != 0 ? 1 : 0));
            });
  }

  @Test
  void reportsAGzipFaultAfterATarFaultLikeSociWhoseZlibPassRunsFirst() throws IOException {
    long[] header = new long[1];
    byte[] layer = gzip(tarWithBadFourthHeader(header));
    layer[layer.length - 8] ^= 1; // the trailer's CRC-32, megabytes after the bad tar header

    assertThatThrownBy(
            () -> ZtocBuilder.of(65536, "test", ZoneOffset.UTC)
                .build(new ByteArrayInputStream(layer), CompressionAlgorithm.GZIP))
        .isInstanceOfSatisfying(
            LayerDataException.class,
            e -> {
              assertThat(e.problem()).isEqualTo("incorrect data check");
              assertThat(e.compressedOffset()).isEqualTo(layer.length - 8);
            });
  }

  /**
   * The parallel build against the sequential reference: soci's bytes for every corpus case with
   * layers cut into many chunks, and the same bytes or the same fault on generated layers.
   */
  @Nested
  // A hang guard (a stitcher that stops making progress), not a speed test.
  @Timeout(value = 600, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  class Parallel {
    static final int[] CHUNKS = {64, 777, 4096, 65536};

    ZtocBuilder parallel(Case c, int threads, int chunk) {
      return ZtocBuilder.of(c.spanSize(), c.buildTool(), ZoneOffset.UTC)
          .withParallelism(threads)
          .withChunkSize(chunk);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.socibuilder.ztoc.ZtocBuilderTest#okCases")
    void buildsExactlyTheBytesSociBuiltFromChunksOfAnySize(Case c) throws IOException {
      byte[] layer = ConformanceCorpus.layerBytes(c);
      byte[] expected = ConformanceCorpus.expectedZtoc(c);
      CompressionAlgorithm alg = c.gzip() ? CompressionAlgorithm.GZIP : CompressionAlgorithm.UNCOMPRESSED;
      for (int chunk : CHUNKS) {
        for (int threads : new int[] {2, 3}) {
          ZtocBuilder.Result result = parallel(c, threads, chunk).build(new ByteArrayInputStream(layer), alg);
          assertThat(result.bytes()).as("%s, chunks of %d, %d threads", c.name(), chunk, threads).isEqualTo(expected);
        }
      }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.socibuilder.ztoc.ZtocBuilderTest#errorCases")
    void rejectsBadLayersWithTheSequentialBuildersFault(Case c) {
      byte[] layer = ConformanceCorpus.layerBytes(c);
      CompressionAlgorithm alg = c.gzip() ? CompressionAlgorithm.GZIP : CompressionAlgorithm.UNCOMPRESSED;
      String expected = faultOf(ZtocBuilder.of(c.spanSize(), c.buildTool(), ZoneOffset.UTC).withParallelism(1), layer, alg);
      assertThat(expected).as(c.name()).isNotNull();
      for (int chunk : CHUNKS) {
        assertThat(faultOf(parallel(c, 2, chunk), layer, alg)).as("%s, chunks of %d", c.name(), chunk).isEqualTo(expected);
      }
    }

    @Test
    void buildsTheSequentialBytesOrFaultOnGeneratedLayers() throws IOException {
      long seed = new Random().nextLong();
      Random r = new Random(seed);
      int faults = 0;
      for (int round = 0; round < 80; round++) {
        byte[] layer = generatedLayer(r);
        int mode = r.nextInt(4);
        if (mode == 1) {
          layer = Arrays.copyOf(layer, r.nextInt(layer.length)); // truncated
        } else if (mode == 2) {
          for (int i = 1 + r.nextInt(3); i > 0; i--) {
            layer[r.nextInt(layer.length)] ^= (byte) (1 << r.nextInt(8)); // bit flips
          }
        }
        long span = r.nextBoolean() ? 65536 : 1024 + r.nextInt(300_000);
        int chunk = r.nextInt(3) == 0 ? 64 + r.nextInt(4096) : 4096 + r.nextInt(Math.max(1, layer.length / 2));
        String msg = "seed " + seed + " round " + round + " mode " + mode + " chunk " + chunk;
        ZtocBuilder sequential = ZtocBuilder.of(span, "test", ZoneOffset.UTC).withParallelism(1);
        ZtocBuilder parallel = sequential.withParallelism(1 + r.nextInt(4)).withChunkSize(chunk);
        String fault = faultOf(sequential, layer, CompressionAlgorithm.GZIP);
        if (fault != null) {
          faults++;
          assertThat(faultOf(parallel, layer, CompressionAlgorithm.GZIP)).as(msg).isEqualTo(fault);
        } else {
          byte[] expected = sequential.build(new ByteArrayInputStream(layer), CompressionAlgorithm.GZIP).bytes();
          byte[] actual = parallel.build(new ByteArrayInputStream(layer), CompressionAlgorithm.GZIP).bytes();
          assertThat(actual).as(msg).isEqualTo(expected);
        }
      }
      assertThat(faults).as("seed %d: rounds with a fault", seed).isBetween(10, 70);
    }

    @Test
    void buildsTheSequentialBytesForManySmallMembersAndEmptyBlocks() throws IOException {
      long seed = new Random().nextLong();
      Random r = new Random(seed);
      byte[] tar = generatedTar(r, 400_000);
      // One gzip member per few kilobytes, each with SYNC/FULL flushes (empty stored blocks).
      java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
      for (int at = 0; at < tar.length; ) {
        int n = Math.min(tar.length - at, 1 + r.nextInt(20_000));
        gz.writeBytes(gzipMember(Arrays.copyOfRange(tar, at, at + n), r.nextInt(10), r));
        at += n;
      }
      byte[] layer = gz.toByteArray();
      ZtocBuilder sequential = ZtocBuilder.of(4096, "test", ZoneOffset.UTC).withParallelism(1);
      byte[] expected = sequential.build(new ByteArrayInputStream(layer), CompressionAlgorithm.GZIP).bytes();
      for (int chunk : new int[] {100, 1000, 5000, 30_000}) {
        byte[] actual = sequential.withParallelism(2).withChunkSize(chunk)
            .build(new ByteArrayInputStream(layer), CompressionAlgorithm.GZIP).bytes();
        assertThat(actual).as("seed %d chunk %d", seed, chunk).isEqualTo(expected);
      }
    }
  }

  static String faultOf(ZtocBuilder builder, byte[] layer, CompressionAlgorithm alg) {
    try {
      builder.build(new ByteArrayInputStream(layer), alg);
      return null;
    } catch (LayerDataException e) {
      return e.getMessage();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A tar of random files (random, text, zero and self-repeating content) up to about maxBytes. */
  static byte[] generatedTar(Random r, int maxBytes) {
    java.io.ByteArrayOutputStream tar = new java.io.ByteArrayOutputStream();
    int target = r.nextInt(maxBytes);
    String[] words = {"class ", "java/lang/", "Object", " void", "\n", "0000", "lib/modules ", "tar "};
    for (int f = 0; tar.size() < target; f++) {
      int size = r.nextInt(4) == 0 ? 0 : r.nextInt(r.nextBoolean() ? 2000 : 120_000);
      byte[] data = new byte[size];
      int kind = r.nextInt(4);
      for (int i = 0; i < size; ) {
        switch (kind) {
          case 0 -> data[i++] = (byte) r.nextInt(256);
          case 1 -> {
            for (byte b : words[r.nextInt(words.length)].getBytes(java.nio.charset.StandardCharsets.US_ASCII)) {
              if (i < size) {
                data[i++] = b;
              }
            }
          }
          case 2 -> i++; // zeros
          default -> {
            int dist = 1 + r.nextInt(Math.min(i + 1, 32768));
            data[i] = i >= dist ? data[i - dist] : (byte) r.nextInt(8);
            i++;
          }
        }
      }
      tar.writeBytes(UstarHeader.file("dir/file-" + f, size));
      tar.writeBytes(data);
      tar.writeBytes(new byte[(512 - size % 512) % 512]);
    }
    tar.writeBytes(new byte[1024]);
    return tar.toByteArray();
  }

  /** A gzip layer of a generated tar: one or more members, random levels, flushes (empty stored blocks). */
  static byte[] generatedLayer(Random r) throws IOException {
    byte[] tar = generatedTar(r, 600_000);
    if (r.nextInt(4) == 0) {
      return gzip(tar);
    }
    java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
    int members = r.nextInt(3) == 0 ? 2 + r.nextInt(3) : 1;
    int at = 0;
    for (int m = 0; m < members; m++) {
      int n = m == members - 1 ? tar.length - at : r.nextInt(tar.length - at + 1);
      gz.writeBytes(gzipMember(Arrays.copyOfRange(tar, at, at + n), r.nextInt(10), r));
      at += n;
    }
    return gz.toByteArray();
  }

  /** One gzip member: raw deflate at {@code level} with random SYNC/FULL flushes and level changes. */
  static byte[] gzipMember(byte[] data, int level, Random r) {
    Deflater d = new Deflater(level, true);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3});
    byte[] buf = new byte[8192];
    for (int pos = 0; pos < data.length; ) {
      int n = Math.min(data.length - pos, 1 + r.nextInt(60_000));
      d.setInput(data, pos, n);
      pos += n;
      int flush = r.nextInt(3) == 0 ? (r.nextBoolean() ? Deflater.SYNC_FLUSH : Deflater.FULL_FLUSH) : Deflater.NO_FLUSH;
      if (r.nextInt(6) == 0) {
        d.setLevel(r.nextInt(10));
      }
      int k;
      do {
        k = d.deflate(buf, 0, buf.length, flush);
        out.write(buf, 0, k);
      } while (k == buf.length || !d.needsInput());
    }
    d.finish();
    while (!d.finished()) {
      out.write(buf, 0, d.deflate(buf));
    }
    d.end();
    CRC32 crc = new CRC32();
    crc.update(data);
    for (long v : new long[] {crc.getValue(), data.length}) {
      for (int i = 0; i < 4; i++) {
        out.write((int) (v >>> (8 * i)));
      }
    }
    return out.toByteArray();
  }
}
