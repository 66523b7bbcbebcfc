package dev.socibuilder.json;

import dev.socibuilder.json.JsonValue.JsonArray;
import dev.socibuilder.json.JsonValue.JsonBool;
import dev.socibuilder.json.JsonValue.JsonNull;
import dev.socibuilder.json.JsonValue.JsonNumber;
import dev.socibuilder.json.JsonValue.JsonObject;
import dev.socibuilder.json.JsonValue.JsonString;
import dev.socibuilder.json.JsonValue.Member;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Writes JSON byte for byte as Go's {@code json.Marshal} does (Go 1.22+): compact, no trailing
 * newline, and Go's string escaping:
 *
 * <ul>
 *   <li>{@code "} and {@code \} are backslash-escaped; {@code /} is not;
 *   <li>control characters use {@code \b \f \n \r \t} (Go 1.22 added {@code \b} and {@code \f}),
 *       the rest {@code &#92;u00XX} with lowercase hex;
 *   <li>{@code < > &} become {@code &#92;u003c &#92;u003e &#92;u0026} (Go's default HTML escaping);
 *   <li>U+2028 and U+2029 become {@code &#92;u2028} and {@code &#92;u2029};
 *   <li>a lone surrogate (the Java image of invalid UTF-8) becomes {@code &#92;ufffd}; everything else,
 *       DEL included, is written as raw UTF-8.
 * </ul>
 *
 * <p>Struct field order is the caller's: call {@link #name} in Go declaration order and skip
 * {@code omitempty} fields yourself. Maps go through {@link #stringMap}, which sorts keys bytewise
 * as Go does. Not thread-safe.
 */
public final class GoJsonWriter {
  /**
   * Go's map-key order: bytewise on UTF-8, which equals code point order. (Java's
   * {@code String.compareTo} compares UTF-16 units and disagrees above U+E000 vs supplementary.)
   */
  public static final Comparator<String> KEY_ORDER = GoJsonWriter::compareCodePoints;

  private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
  // One entry per open container: whether a value was already written in it.
  private final List<Boolean> hasValue = new ArrayList<>();
  private boolean afterName;

  /** A writer with an empty buffer. */
  public GoJsonWriter() {}

  /** Opens an object (as a value). */
  public GoJsonWriter beginObject() {
    beforeValue();
    out.write('{');
    hasValue.add(false);
    return this;
  }

  /** Closes the innermost object. */
  public GoJsonWriter endObject() {
    close();
    out.write('}');
    return this;
  }

  /** Opens an array (as a value). */
  public GoJsonWriter beginArray() {
    beforeValue();
    out.write('[');
    hasValue.add(false);
    return this;
  }

  /** Closes the innermost array. */
  public GoJsonWriter endArray() {
    close();
    out.write(']');
    return this;
  }

  /** Writes an object member name; the next call must write its value. */
  public GoJsonWriter name(String name) {
    if (hasValue.isEmpty() || afterName) {
      throw new IllegalStateException("name outside an object or after another name");
    }
    int top = hasValue.size() - 1;
    if (hasValue.get(top)) {
      out.write(',');
    }
    hasValue.set(top, true);
    appendString(out, name);
    out.write(':');
    afterName = true;
    return this;
  }

  /** Writes a string value with Go escaping. */
  public GoJsonWriter value(String s) {
    beforeValue();
    appendString(out, s);
    return this;
  }

  /** Writes an integer value in decimal. */
  public GoJsonWriter value(long n) {
    beforeValue();
    writeAscii(Long.toString(n));
    return this;
  }

  /** Writes a boolean value. */
  public GoJsonWriter value(boolean b) {
    beforeValue();
    writeAscii(b ? "true" : "false");
    return this;
  }

  /** Writes {@code null}. */
  public GoJsonWriter nullValue() {
    beforeValue();
    writeAscii("null");
    return this;
  }

  /** Writes a {@code []byte} value the way Go does: standard base64 with padding, as a string. */
  public GoJsonWriter base64(byte[] data) {
    return value(Base64.getEncoder().encodeToString(data));
  }

  /** Writes a {@code map[string]string}: keys sorted by {@link #KEY_ORDER}. */
  public GoJsonWriter stringMap(Map<String, String> map) {
    List<String> keys = new ArrayList<>(map.keySet());
    keys.sort(KEY_ORDER);
    beginObject();
    for (String k : keys) {
      name(k).value(map.get(k));
    }
    return endObject();
  }

  /** Writes a {@code []string} (a null list writes {@code null}, as Go writes a nil slice). */
  public GoJsonWriter stringList(List<String> list) {
    if (list == null) {
      return nullValue();
    }
    beginArray();
    for (String s : list) {
      value(s);
    }
    return endArray();
  }

  /**
   * Writes a parsed tree. Object members keep their order (a Go struct's order is the caller's
   * business); numbers are written as their source text.
   */
  public GoJsonWriter value(JsonValue v) {
    if (v instanceof JsonObject o) {
      beginObject();
      for (Member m : o.members()) {
        name(m.name()).value(m.value());
      }
      endObject();
    } else if (v instanceof JsonArray a) {
      beginArray();
      for (JsonValue e : a.elements()) {
        value(e);
      }
      endArray();
    } else if (v instanceof JsonString s) {
      value(s.value());
    } else if (v instanceof JsonNumber n) {
      beforeValue();
      writeAscii(n.text());
    } else if (v instanceof JsonBool b) {
      value(b.value());
    } else if (v instanceof JsonNull) {
      nullValue();
    }
    return this;
  }

  /** The bytes written so far. Fails if a container is still open. */
  public byte[] toByteArray() {
    if (!hasValue.isEmpty() || afterName) {
      throw new IllegalStateException("unclosed object or array");
    }
    return out.toByteArray();
  }

  /** {@code s} as a Go-escaped JSON string literal, quotes included. */
  public static byte[] quote(String s) {
    ByteArrayOutputStream b = new ByteArrayOutputStream(s.length() + 2);
    appendString(b, s);
    return b.toByteArray();
  }

  private void beforeValue() {
    if (afterName) {
      afterName = false;
      return;
    }
    if (hasValue.isEmpty()) {
      if (out.size() > 0) {
        throw new IllegalStateException("a second top-level value");
      }
      return;
    }
    // Inside an array (inside an object a name must come first).
    int top = hasValue.size() - 1;
    if (hasValue.get(top)) {
      out.write(',');
    }
    hasValue.set(top, true);
  }

  private void close() {
    if (hasValue.isEmpty() || afterName) {
      throw new IllegalStateException("nothing to close, or a name without a value");
    }
    hasValue.remove(hasValue.size() - 1);
  }

  private void writeAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      out.write(s.charAt(i));
    }
  }

  private static void appendString(ByteArrayOutputStream out, String s) {
    out.write('"');
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        switch (c) {
          case '"', '\\' -> {
            out.write('\\');
            out.write(c);
          }
          case '\b' -> {
            out.write('\\');
            out.write('b');
          }
          case '\f' -> {
            out.write('\\');
            out.write('f');
          }
          case '\n' -> {
            out.write('\\');
            out.write('n');
          }
          case '\r' -> {
            out.write('\\');
            out.write('r');
          }
          case '\t' -> {
            out.write('\\');
            out.write('t');
          }
          default -> {
            if (c < 0x20 || c == '<' || c == '>' || c == '&') {
              unicodeEscape(out, c);
            } else {
              out.write(c);
            }
          }
        }
      } else if (c == '\u2028' || c == '\u2029') {
        unicodeEscape(out, c);
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(i + 1));
        i++;
        out.write(0xF0 | (cp >> 18));
        out.write(0x80 | ((cp >> 12) & 0x3F));
        out.write(0x80 | ((cp >> 6) & 0x3F));
        out.write(0x80 | (cp & 0x3F));
      } else if (Character.isSurrogate(c)) {
        // A lone surrogate cannot be UTF-8; Go writes invalid UTF-8 as the backslash-ufffd escape.
        unicodeEscape(out, '\uFFFD');
      } else if (c < 0x800) {
        out.write(0xC0 | (c >> 6));
        out.write(0x80 | (c & 0x3F));
      } else {
        out.write(0xE0 | (c >> 12));
        out.write(0x80 | ((c >> 6) & 0x3F));
        out.write(0x80 | (c & 0x3F));
      }
    }
    out.write('"');
  }

  private static void unicodeEscape(ByteArrayOutputStream out, char c) {
    out.write('\\');
    out.write('u');
    out.write(HEX[(c >> 12) & 0xF]);
    out.write(HEX[(c >> 8) & 0xF]);
    out.write(HEX[(c >> 4) & 0xF]);
    out.write(HEX[c & 0xF]);
  }

  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(sortKey(ca), sortKey(cb));
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  // A lone surrogate is written as U+FFFD, so it sorts like one.
  private static int sortKey(int cp) {
    return cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp;
  }
}
