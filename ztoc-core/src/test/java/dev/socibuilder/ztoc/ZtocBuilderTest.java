package dev.socibuilder.ztoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.layer.LayerDataException;
import dev.socibuilder.testing.conformance.ConformanceCorpus;
import dev.socibuilder.testing.conformance.ConformanceCorpus.Case;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
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
}
