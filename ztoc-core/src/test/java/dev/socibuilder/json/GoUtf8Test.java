package dev.socibuilder.json;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GoUtf8Test {

  /** {rune, size} of the rune at {@code i}. */
  private static long[] decode(int i, int... bytes) {
    byte[] b = new byte[bytes.length];
    for (int k = 0; k < b.length; k++) {
      b[k] = (byte) bytes[k];
    }
    long r = GoUtf8.decodeRune(b, i);
    return new long[] {r >>> 8, r & 0xff};
  }

  @Test
  void validSequencesDecodeToTheirRuneAndWidth() {
    assertThat(decode(0, 'a')).containsExactly('a', 1);
    assertThat(decode(0, 0xc3, 0xa9)).containsExactly(0xe9, 2);
    assertThat(decode(0, 0xe2, 0x80, 0xa8)).containsExactly(0x2028, 3);
    assertThat(decode(0, 0xf0, 0x9f, 0x98, 0x80)).containsExactly(0x1f600, 4);
    assertThat(decode(1, 'x', 0xf4, 0x8f, 0xbf, 0xbf)).containsExactly(0x10ffff, 4);
  }

  @Test
  void everyInvalidStartIsOneReplacementCharacterOfWidthOne() {
    assertThat(decode(0, 0xff)).containsExactly(0xfffd, 1);
    assertThat(decode(0, 0x80)).containsExactly(0xfffd, 1); // lone continuation byte
    assertThat(decode(0, 0xc0, 0x80)).containsExactly(0xfffd, 1); // overlong NUL
    assertThat(decode(0, 0xe0, 0x80, 0x80)).containsExactly(0xfffd, 1); // overlong 3-byte form
    assertThat(decode(0, 0xf0, 0x80, 0x80, 0x80)).containsExactly(0xfffd, 1); // overlong 4-byte form
    assertThat(decode(0, 0xed, 0xa0, 0x80)).containsExactly(0xfffd, 1); // an encoded surrogate
    assertThat(decode(0, 0xf4, 0x90, 0x80, 0x80)).containsExactly(0xfffd, 1); // above U+10FFFF
    assertThat(decode(0, 0xe2, 0x28, 0xa1)).containsExactly(0xfffd, 1); // bad second byte
    assertThat(decode(0, 0xe2, 0x82)).containsExactly(0xfffd, 1); // truncated at the end
  }
}
