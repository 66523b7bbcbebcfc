package dev.socibuilder.ztoc.inflate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class Crc32CombineTest {

  private static long crc(byte[] b, int off, int len) {
    CRC32 c = new CRC32();
    c.update(b, off, len);
    return c.getValue();
  }

  @Test
  void combiningThePartsGivesTheCrcOfTheWhole() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    for (int round = 0; round < 200; round++) {
      byte[] b = new byte[r.nextInt(round < 20 ? 16 : 200_000)];
      r.nextBytes(b);
      int cut = b.length == 0 ? 0 : r.nextInt(b.length + 1);
      long combined = Crc32Combine.combine(crc(b, 0, cut), crc(b, cut, b.length - cut), b.length - cut);
      assertThat(combined).as("seed %d round %d cut %d of %d", seed, round, cut, b.length)
          .isEqualTo(crc(b, 0, b.length));
    }
  }

  @Test
  void anEmptySecondPartLeavesTheFirstCrc() {
    byte[] b = "member data".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    assertThat(Crc32Combine.combine(crc(b, 0, b.length), 0, 0)).isEqualTo(crc(b, 0, b.length));
    assertThat(Crc32Combine.combine(0, crc(b, 0, b.length), b.length)).isEqualTo(crc(b, 0, b.length));
  }

  @Test
  void combinesOverLengthsBeyondFourGibibytes() {
    // crc(zeros(n)) for n = 2^32 + 5, built by doubling, must equal combining crc(zeros(2^32)) and crc(zeros(5)).
    long z1 = crc(new byte[1], 0, 1);
    long zeros = z1;
    long len = 1;
    for (int i = 0; i < 32; i++) {
      zeros = Crc32Combine.combine(zeros, zeros, len);
      len *= 2;
    }
    long five = crc(new byte[5], 0, 5);
    long big = Crc32Combine.combine(zeros, five, 5);
    long stepwise = zeros;
    for (int i = 0; i < 5; i++) {
      stepwise = Crc32Combine.combine(stepwise, z1, 1);
    }
    assertThat(big).isEqualTo(stepwise);
  }
}
