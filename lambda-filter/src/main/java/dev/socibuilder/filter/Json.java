package dev.socibuilder.filter;

import java.util.Map;

/**
 * Writes a flat JSON object of string (or null) values, in the map's iteration order: the indexer request and
 * the log lines are nothing more, so the function carries no JSON library of its own (the AWS SDK shades its
 * own Jackson core; the Lambda runtime has another). Quotes, backslashes, control characters and the Unicode
 * line and paragraph separators are escaped, so a value can never break the one-object-per-line shape of the log.
 */
final class Json {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Json() {}

  /** {@code {"key":"value",...}}, with {@code null} for null values. */
  static String object(Map<String, String> fields) {
    StringBuilder out = new StringBuilder(64 + 32 * fields.size()).append('{');
    boolean first = true;
    for (Map.Entry<String, String> field : fields.entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      string(out, field.getKey());
      out.append(':');
      if (field.getValue() == null) {
        out.append("null");
      } else {
        string(out, field.getValue());
      }
    }
    return out.append('}').toString();
  }

  private static void string(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            out.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf])
                .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
