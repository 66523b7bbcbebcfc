package dev.socibuilder.ztoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ZtocLimitsTest {

  @Test
  void defaultsAreFarAboveRealLayersAndBelowTheFormatsBound() {
    ZtocLimits d = ZtocLimits.DEFAULTS;

    assertThat(d.maxTocEntries()).isEqualTo(4_194_304);
    assertThat(d.maxXattrBytes()).isEqualTo(256L << 20);
    assertThat(d.maxZtocBytes()).isEqualTo(512L << 20).isLessThan(Integer.MAX_VALUE);
    assertThat(d.minSpanSize()).isEqualTo(1024);
  }

  @Test
  void parseChangesOnlyTheNamedLimitsAndAcceptsBinarySuffixes() {
    ZtocLimits l = ZtocLimits.parse("toc-entries=1000, ztoc-bytes=64MiB,xattr-bytes=3 KiB");

    assertThat(l).isEqualTo(new ZtocLimits(1000, 3 * 1024, 64L << 20, ZtocLimits.DEFAULT_MIN_SPAN_SIZE));
    assertThat(ZtocLimits.parse("min-span-size=1GiB").minSpanSize()).isEqualTo(1L << 30);
    assertThat(ZtocLimits.parse("")).isEqualTo(ZtocLimits.DEFAULTS);
  }

  @Test
  void toStringIsWhatParseReads() {
    ZtocLimits l = new ZtocLimits(7, 8, 9, 10);

    assertThat(l.toString()).isEqualTo("toc-entries=7,xattr-bytes=8,ztoc-bytes=9,min-span-size=10");
    assertThat(ZtocLimits.parse(l.toString())).isEqualTo(l);
  }

  @Test
  void parseNamesWhatIsWrong() {
    assertThatThrownBy(() -> ZtocLimits.parse("entries=5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown limit 'entries' (names: toc-entries, xattr-bytes, ztoc-bytes, min-span-size)");
    assertThatThrownBy(() -> ZtocLimits.parse("ztoc-bytes=lots"))
        .hasMessage("limit ztoc-bytes=lots is not a number (of bytes, or with KiB, MiB or GiB)");
    assertThatThrownBy(() -> ZtocLimits.parse("ztoc-bytes"))
        .hasMessageStartingWith("limit 'ztoc-bytes' is not NAME=VALUE");
    assertThatThrownBy(() -> ZtocLimits.parse("ztoc-bytes=3GiB"))
        .hasMessage("ztoc-bytes must be at most 2147483639");
    assertThatThrownBy(() -> ZtocLimits.parse("toc-entries=0"))
        .hasMessage("limit toc-entries must be positive, got 0");
    assertThatThrownBy(() -> ZtocLimits.parse("xattr-bytes=99999999999 GiB"))
        .hasMessage("limit xattr-bytes=99999999999 GiB is too large");
    assertThatThrownBy(() -> ZtocLimits.parse("toc-entries=1,,"))
        .hasMessageStartingWith("limit '' is not NAME=VALUE");
  }

  @Test
  void spanSizesBelowTheFloorAreRejectedAndTheCorpussSmallestSpanIsNot() {
    ZtocLimits.DEFAULTS.checkSpanSize(4096); // the smallest span of soci's conformance corpus
    ZtocLimits.DEFAULTS.checkSpanSize(1024);

    assertThatThrownBy(() -> ZtocLimits.DEFAULTS.checkSpanSize(1023))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("span size 1023 is below the minimum of 1024 bytes (limit min-span-size)");
    assertThatThrownBy(() -> ZtocBuilder.of(1, "t", java.time.ZoneOffset.UTC))
        .hasMessageStartingWith("span size 1 is below the minimum of 1024 bytes");
    assertThat(ZtocBuilder.of(100, "t", java.time.ZoneOffset.UTC, ZtocLimits.parse("min-span-size=100")).spanSize())
        .isEqualTo(100);
  }
}
