package dev.socibuilder.ztoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.layer.LayerDataException;
import dev.socibuilder.testing.conformance.ConformanceCorpus;
import dev.socibuilder.testing.conformance.ConformanceCorpus.Case;
import dev.socibuilder.ztoc.inflate.CheckpointingInflater;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.zip.GZIPOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
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
                assertThat(lde.uncompressedOffset()).as("uncompressed offset").isGreaterThanOrEqualTo(0L);
              }
              if (c.errorReason().startsWith("unsupported")) {
                assertThat(lde.getMessage()).contains(c.errorReason().substring(c.errorReason().length() - 3));
              } else if (c.errorReason().startsWith("tar:")) {
                assertThat(lde.getMessage()).startsWith("tar:");
              }
            });
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
}
