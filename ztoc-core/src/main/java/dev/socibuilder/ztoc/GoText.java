package dev.socibuilder.ztoc;

import dev.socibuilder.json.GoUtf8;

/**
 * Go's view of byte strings as text: UTF-8 decoding as {@code unicode/utf8.DecodeRune} does it (every
 * byte that does not start a valid sequence is one U+FFFD; see {@link GoUtf8}), and {@code encoding/json} string
 * escaping (HTML-safe, Go 1.22+ {@code \b}/{@code \f}, U+2028/U+2029 escaped, invalid bytes as
 * {@code \ufffd}). soci's JSON output follows these rules, so byte identity depends on them.
 */
final class GoText {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private GoText() {}

  /** The bytes as a Java string, decoding UTF-8 like Go (invalid bytes become U+FFFD each). */
  static String decode(byte[] s) {
    StringBuilder sb = new StringBuilder(s.length);
    for (int i = 0; i < s.length; ) {
      long r = GoUtf8.decodeRune(s, i);
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
      long r = GoUtf8.decodeRune(s, i);
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
