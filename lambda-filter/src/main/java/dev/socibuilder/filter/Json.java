package dev.socibuilder.filter;

import java.util.Map;

/**
 * Writes a flat JSON object of string, whole-number, boolean or null values, in the map's iteration order: the
 * indexer request, the sweep's continuation and the log lines are nothing more, so the functions carry no JSON
 * library of their own (the AWS SDK shades its own Jackson core; the Lambda runtime has another). Quotes,
 * backslashes, control characters and the Unicode line and paragraph separators are escaped, so a value can
 * never break the one-object-per-line shape of the log.
 */
public final class Json {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Json() {}

  /**
   * {@code {"key":value,...}}: strings quoted, {@link Long}/{@link Integer} and {@link Boolean} as JSON
   * numbers and booleans, {@code null} for null values; any other value is written as its string.
   */
  public static String object(Map<String, ?> fields) {
    StringBuilder out = new StringBuilder(64 + 32 * fields.size()).append('{');
    boolean first = true;
    for (Map.Entry<String, ?> field : fields.entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      string(out, field.getKey());
      out.append(':');
      Object value = field.getValue();
      if (value == null) {
        out.append("null");
      } else if (value instanceof Long || value instanceof Integer || value instanceof Boolean) {
        out.append(value);
      } else {
        string(out, value.toString());
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
