package dev.socibuilder.ztoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.testing.conformance.ConformanceCorpus;
import dev.socibuilder.testing.conformance.ConformanceCorpus.Case;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TarZinfoTest {
  // soci-format.md §2.3, produced by the real Go flatbuffers library with soci's call order.
  private static final String GO_BYTES =
      "140000000000000000000a001c0018000c0004000a000000000800000000000000004000000000000000000002000000";

  @Test
  void encodesTheSpecWorkedExampleByteForByte() {
    byte[] bytes = TarZinfo.of(4_194_304, 2048).encode();

    assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(GO_BYTES);
  }

  @Test
  void parsesTheSpecWorkedExample() {
    TarZinfo z = TarZinfo.parse(HexFormat.of().parseHex(GO_BYTES));

    assertThat(z).isEqualTo(new TarZinfo(2, 4_194_304, 2048));
    assertThat(z.spanCount()).isEqualTo(1);
  }

  static Stream<Case> uncompressedCases() {
    return ConformanceCorpus.okCases().stream().filter(c -> c.compression().equals("uncompressed"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("uncompressedCases")
  void socisTarZinfoRoundTripsAndItsSpansHashToSocisDigests(Case c) {
    Ztoc ztoc = ZtocCodec.decode(ConformanceCorpus.expectedZtoc(c));
    byte[] soci = ztoc.compressionInfo().checkpoints();
    byte[] layer = ConformanceCorpus.layerBytes(c);

    TarZinfo z = TarZinfo.parse(soci);

    assertThat(z).isEqualTo(TarZinfo.of(c.spanSize(), layer.length));
    assertThat(z.encode()).isEqualTo(soci);
    assertThat(z.spanCount()).isEqualTo(c.numSpans());
    for (int i = 0; i < z.spanCount(); i++) {
      long start = i * z.spanSize();
      long end = Math.min(start + z.spanSize(), layer.length);
      assertThat(Digest.sha256Of(Arrays.copyOfRange(layer, (int) start, (int) end)))
          .as("span %d", i)
          .isEqualTo(ztoc.compressionInfo().spanDigests().get(i));
    }
  }

  @Test
  void spanCountRoundsUpAndExactMultiplesDoNotAddASpan() {
    assertThat(TarZinfo.of(100, 1).spanCount()).isEqualTo(1);
    assertThat(TarZinfo.of(100, 100).spanCount()).isEqualTo(1);
    assertThat(TarZinfo.of(100, 101).spanCount()).isEqualTo(2);
    assertThat(TarZinfo.of(100, 1000).spanCount()).isEqualTo(10);
    assertThat(TarZinfo.of(100, 0).spanCount()).isZero();
  }

  @Test
  void spanOfDividesBySpanSize() {
    TarZinfo z = TarZinfo.of(100, 1000);

    assertThat(z.spanOf(0)).isZero();
    assertThat(z.spanOf(99)).isZero();
    assertThat(z.spanOf(100)).isEqualTo(1);
    assertThat(z.spanOf(1000)).isEqualTo(10); // not clamped, as in soci
  }

  @Test
  void zeroFieldsAreOmittedFromTheFlatBuffer() {
    byte[] all = new TarZinfo(2, 100, 5).encode();
    byte[] noSize = new TarZinfo(2, 100, 0).encode();

    assertThat(noSize.length).isLessThan(all.length);
    assertThat(TarZinfo.parse(noSize)).isEqualTo(new TarZinfo(2, 100, 0));
  }

  @Test
  void rejectsGarbageAndNonPositiveSpanSizes() {
    assertThatThrownBy(() -> TarZinfo.parse(new byte[3])).isInstanceOf(InvalidZtocException.class);
    assertThatThrownBy(() -> TarZinfo.parse(new byte[] {(byte) 0xff, 0, 0, 0}))
        .isInstanceOf(InvalidZtocException.class);
    assertThatThrownBy(() -> new TarZinfo(2, 0, 10)).isInstanceOf(IllegalArgumentException.class);
  }
}
