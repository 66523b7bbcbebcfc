package dev.socibuilder.digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DigestTest {
  private static final String HEX = "e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f";

  @Test
  void parsesOciDigestsWithAlgorithmsOfSeveralComponents() {
    assertThat(Digest.parse("sha256:" + HEX)).isEqualTo(new Digest("sha256", HEX));
    assertThat(Digest.parse("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8").algorithm())
        .isEqualTo("multihash+base58");
  }

  @Test
  void rejectsMalformedAlgorithms() {
    for (String bad : new String[] {"SHA256", "sha256+", "+sha", "sha..256", "sha 256"}) {
      assertThatThrownBy(() -> new Digest(bad, "abc")).as(bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("invalid digest algorithm: ");
    }
  }

  @Test
  void aHugeHostileDigestIsRejectedWithAShortMessageNotAStackOverflow() {
    String algorithm = "a.".repeat(1_000_000) + "a";

    assertThat(new Digest(algorithm, "abc").algorithm()).hasSize(2_000_001);
    assertThatThrownBy(() -> Digest.parse(algorithm + "!:abc"))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(250).endsWith("(1999842 more characters)"));
  }
}
