package dev.socibuilder.json;

/**
 * UTF-8 decoding exactly as Go's {@code unicode/utf8.DecodeRune}: a byte that does not start a
 * valid, complete, shortest-form sequence (surrogates and values above U+10FFFF included) decodes
 * as U+FFFD of width 1. Go's JSON decoder and encoder and soci's text output all see bytes this way,
 * so byte identity with them depends on it.
 */
public final class GoUtf8 {
  private GoUtf8() {}

  /**
   * Decodes one rune at {@code i}. Returns {@code rune << 8 | size}; an invalid or truncated
   * sequence gives U+FFFD with size 1, as Go's {@code utf8.DecodeRune}.
   */
  public static long decodeRune(byte[] s, int i) {
    int b0 = s[i] & 0xff;
    if (b0 < 0x80) {
      return (long) b0 << 8 | 1;
    }
    int n;
    int lo = 0x80;
    int hi = 0xbf;
    int rune;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      n = 2;
      rune = b0 & 0x1f;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      n = 3;
      rune = b0 & 0x0f;
      if (b0 == 0xe0) {
        lo = 0xa0;
      } else if (b0 == 0xed) {
        hi = 0x9f; // surrogates are invalid
      }
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      n = 4;
      rune = b0 & 0x07;
      if (b0 == 0xf0) {
        lo = 0x90;
      } else if (b0 == 0xf4) {
        hi = 0x8f;
      }
    } else {
      return 0xfffdL << 8 | 1;
    }
    if (i + n > s.length) {
      return 0xfffdL << 8 | 1;
    }
    int b1 = s[i + 1] & 0xff;
    if (b1 < lo || b1 > hi) {
      return 0xfffdL << 8 | 1;
    }
    rune = rune << 6 | (b1 & 0x3f);
    for (int k = 2; k < n; k++) {
      int b = s[i + k] & 0xff;
      if (b < 0x80 || b > 0xbf) {
        return 0xfffdL << 8 | 1;
      }
      rune = rune << 6 | (b & 0x3f);
    }
    return (long) rune << 8 | n;
  }
}
