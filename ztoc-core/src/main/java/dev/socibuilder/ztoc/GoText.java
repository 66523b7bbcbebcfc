package dev.socibuilder.ztoc;

/**
 * Go's view of byte strings as text: UTF-8 decoding as {@code unicode/utf8.DecodeRune} does it (every
 * byte that does not start a valid sequence is one U+FFFD), and {@code encoding/json} string
 * escaping (HTML-safe, Go 1.22+ {@code \b}/{@code \f}, U+2028/U+2029 escaped, invalid bytes as
 * {@code \ufffd}). soci's JSON output follows these rules, so byte identity depends on them.
 */
final class GoText {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private GoText() {}

  /**
   * Decodes one rune at {@code i}. Returns {@code rune << 8 | size}; an invalid or truncated
   * sequence gives U+FFFD with size 1, as Go's {@code utf8.DecodeRune}.
   */
  static long decodeRune(byte[] s, int i) {
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

  /** The bytes as a Java string, decoding UTF-8 like Go (invalid bytes become U+FFFD each). */
  static String decode(byte[] s) {
    StringBuilder sb = new StringBuilder(s.length);
    for (int i = 0; i < s.length; ) {
      long r = decodeRune(s, i);
      sb.appendCodePoint((int) (r >>> 8));
      i += (int) (r & 0xff);
    }
    return sb.toString();
  }

  /** Appends {@code s} as a quoted JSON string exactly as Go's {@code encoding/json} writes it. */
  static void appendJsonString(StringBuilder out, byte[] s) {
    out.append('"');
    for (int i = 0; i < s.length; ) {
      int b = s[i] & 0xff;
      if (b < 0x80) {
        switch (b) {
          case '"' -> out.append("\\\"");
          case '\\' -> out.append("\\\\");
          case '\b' -> out.append("\\b");
          case '\f' -> out.append("\\f");
          case '\n' -> out.append("\\n");
          case '\r' -> out.append("\\r");
          case '\t' -> out.append("\\t");
          default -> {
            if (b < 0x20 || b == '<' || b == '>' || b == '&') {
              out.append("\\u00").append(HEX[b >> 4]).append(HEX[b & 0xf]);
            } else {
              out.append((char) b);
            }
          }
        }
        i++;
        continue;
      }
      long r = decodeRune(s, i);
      int rune = (int) (r >>> 8);
      int size = (int) (r & 0xff);
      if (rune == 0xfffd && size == 1) {
        out.append("\\ufffd");
      } else if (rune == 0x2028 || rune == 0x2029) {
        out.append("\\u202").append(HEX[rune & 0xf]);
      } else {
        out.appendCodePoint(rune);
      }
      i += size;
    }
    out.append('"');
  }
}
