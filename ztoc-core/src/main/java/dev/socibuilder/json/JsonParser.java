package dev.socibuilder.json;

import dev.socibuilder.json.JsonValue.JsonArray;
import dev.socibuilder.json.JsonValue.JsonBool;
import dev.socibuilder.json.JsonValue.JsonNull;
import dev.socibuilder.json.JsonValue.JsonNumber;
import dev.socibuilder.json.JsonValue.JsonObject;
import dev.socibuilder.json.JsonValue.JsonString;
import dev.socibuilder.json.JsonValue.Member;
import java.util.ArrayList;
import java.util.List;

/**
 * A strict RFC 8259 parser that accepts exactly what Go's {@code encoding/json} accepts.
 *
 * <p>Grammar: no comments, no trailing commas, no leading zeros, no byte-order mark, only the four
 * JSON whitespace characters, exactly one value. Inside strings, control characters below 0x20 are
 * rejected. Like Go (and unlike a UTF-8-validating parser) invalid UTF-8 inside a string is not an
 * error: each invalid byte decodes to U+FFFD, and so does an escaped lone surrogate. This matters
 * because Go re-marshals what it decoded; mirroring its decoding keeps our re-marshalled bytes equal
 * to Go's. Nesting deeper than 10000 levels is rejected (Go's limit).
 */
public final class JsonParser {
  private static final int MAX_DEPTH = 10000;

  private final byte[] in;
  private int pos;
  private int depth;

  private JsonParser(byte[] in) {
    this.in = in;
  }

  /**
   * Parses one JSON text.
   *
   * @throws JsonException on any syntax error, with the byte offset
   */
  public static JsonValue parse(byte[] json) {
    JsonParser p = new JsonParser(json);
    p.skipWhitespace();
    JsonValue v = p.value();
    p.skipWhitespace();
    if (p.pos != json.length) {
      throw p.error("invalid character " + p.describe(p.pos) + " after top-level value");
    }
    return v;
  }

  /** One open object or array (the parser keeps its own stack so deep nesting cannot overflow the JVM's). */
  private static final class Frame {
    final boolean object;
    final List<Member> members = new ArrayList<>();
    final List<JsonValue> elements = new ArrayList<>();
    String pendingName;

    Frame(boolean object) {
      this.object = object;
    }
  }

  private JsonValue value() {
    ArrayList<Frame> stack = new ArrayList<>();
    while (true) {
      // Parse the start of a value at pos.
      if (pos >= in.length) {
        throw error("unexpected end of JSON input");
      }
      int c = in[pos] & 0xff;
      JsonValue complete;
      if (c == '{') {
        enter();
        pos++;
        skipWhitespace();
        if (peek() == '}') {
          pos++;
          depth--;
          complete = new JsonObject(List.of());
        } else {
          Frame f = new Frame(true);
          f.pendingName = objectKey();
          stack.add(f);
          continue;
        }
      } else if (c == '[') {
        enter();
        pos++;
        skipWhitespace();
        if (peek() == ']') {
          pos++;
          depth--;
          complete = new JsonArray(List.of());
        } else {
          stack.add(new Frame(false));
          continue;
        }
      } else {
        complete = scalar(c);
      }
      // Attach the completed value to its container; close containers as far as they end here.
      while (true) {
        if (stack.isEmpty()) {
          return complete;
        }
        Frame top = stack.get(stack.size() - 1);
        if (top.object) {
          top.members.add(new Member(top.pendingName, complete));
        } else {
          top.elements.add(complete);
        }
        skipWhitespace();
        int next = peek();
        if (next == ',') {
          pos++;
          skipWhitespace();
          if (top.object) {
            top.pendingName = objectKey();
          }
          break; // parse the next value
        }
        if (next == (top.object ? '}' : ']')) {
          pos++;
          depth--;
          stack.remove(stack.size() - 1);
          complete = top.object ? new JsonObject(top.members) : new JsonArray(top.elements);
          continue;
        }
        if (next < 0) {
          throw error("unexpected end of JSON input");
        }
        throw error(
            "invalid character " + describe(pos)
                + (top.object ? " after object key:value pair" : " after array element"));
      }
    }
  }

  /** Reads {@code "name" :} and leaves pos at the value. */
  private String objectKey() {
    skipWhitespace();
    if (peek() != '"') {
      throw error(
          pos >= in.length
              ? "unexpected end of JSON input"
              : "invalid character " + describe(pos) + " looking for beginning of object key string");
    }
    String name = string();
    skipWhitespace();
    if (peek() != ':') {
      throw error(
          pos >= in.length
              ? "unexpected end of JSON input"
              : "invalid character " + describe(pos) + " after object key");
    }
    pos++;
    skipWhitespace();
    return name;
  }

  private JsonValue scalar(int c) {
    switch (c) {
      case '"':
        return new JsonString(string());
      case 't':
        literal("true");
        return new JsonBool(true);
      case 'f':
        literal("false");
        return new JsonBool(false);
      case 'n':
        literal("null");
        return JsonNull.INSTANCE;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("invalid character " + describe(pos) + " looking for beginning of value");
    }
  }

  private void enter() {
    if (++depth > MAX_DEPTH) {
      throw error("exceeded max depth " + MAX_DEPTH);
    }
  }

  private void literal(String word) {
    for (int i = 0; i < word.length(); i++) {
      if (pos >= in.length) {
        throw error("unexpected end of JSON input");
      }
      if (in[pos] != word.charAt(i)) {
        throw error("invalid character " + describe(pos) + " in literal " + word);
      }
      pos++;
    }
  }

  private JsonNumber number() {
    int start = pos;
    if (in[pos] == '-') {
      pos++;
    }
    if (pos >= in.length) {
      throw error("unexpected end of JSON input");
    }
    if (in[pos] == '0') {
      pos++;
    } else if (in[pos] >= '1' && in[pos] <= '9') {
      while (pos < in.length && isDigit(in[pos])) {
        pos++;
      }
    } else {
      throw error("invalid character " + describe(pos) + " in numeric literal");
    }
    if (pos < in.length && in[pos] == '.') {
      pos++;
      if (pos >= in.length) {
        throw error("unexpected end of JSON input");
      }
      if (!isDigit(in[pos])) {
        throw error("invalid character " + describe(pos) + " after decimal point in numeric literal");
      }
      while (pos < in.length && isDigit(in[pos])) {
        pos++;
      }
    }
    if (pos < in.length && (in[pos] == 'e' || in[pos] == 'E')) {
      pos++;
      if (pos < in.length && (in[pos] == '+' || in[pos] == '-')) {
        pos++;
      }
      if (pos >= in.length) {
        throw error("unexpected end of JSON input");
      }
      if (!isDigit(in[pos])) {
        throw error("invalid character " + describe(pos) + " in exponent of numeric literal");
      }
      while (pos < in.length && isDigit(in[pos])) {
        pos++;
      }
    }
    return new JsonNumber(new String(in, start, pos - start, java.nio.charset.StandardCharsets.US_ASCII));
  }

  private static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }

  /** Reads a string token starting at the opening quote; decodes like Go's {@code unquote}. */
  private String string() {
    pos++; // opening quote
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= in.length) {
        throw error("unexpected end of JSON input");
      }
      int b = in[pos] & 0xff;
      if (b == '"') {
        pos++;
        return sb.toString();
      }
      if (b < 0x20) {
        throw error("invalid character " + describe(pos) + " in string literal");
      }
      if (b == '\\') {
        escape(sb);
      } else if (b < 0x80) {
        sb.append((char) b);
        pos++;
      } else {
        decodeUtf8(sb);
      }
    }
  }

  private void escape(StringBuilder sb) {
    pos++; // backslash
    if (pos >= in.length) {
      throw error("unexpected end of JSON input");
    }
    int c = in[pos] & 0xff;
    switch (c) {
      case '"', '\\', '/' -> {
        sb.append((char) c);
        pos++;
      }
      case 'b' -> {
        sb.append('\b');
        pos++;
      }
      case 'f' -> {
        sb.append('\f');
        pos++;
      }
      case 'n' -> {
        sb.append('\n');
        pos++;
      }
      case 'r' -> {
        sb.append('\r');
        pos++;
      }
      case 't' -> {
        sb.append('\t');
        pos++;
      }
      case 'u' -> {
        pos++;
        int u = hex4();
        if (Character.isHighSurrogate((char) u)) {
          // Go combines only a directly following \\uDC00-\\uDFFF escape; anything else leaves U+FFFD.
          if (pos + 1 < in.length && in[pos] == '\\' && in[pos + 1] == 'u') {
            int save = pos;
            pos += 2;
            int low = hex4();
            if (Character.isLowSurrogate((char) low)) {
              sb.append((char) u).append((char) low);
              return;
            }
            pos = save;
          }
          sb.append('\uFFFD');
        } else if (Character.isLowSurrogate((char) u)) {
          sb.append('\uFFFD');
        } else {
          sb.append((char) u);
        }
      }
      default -> throw error("invalid character " + describe(pos) + " in string escape code");
    }
  }

  private int hex4() {
    int v = 0;
    for (int i = 0; i < 4; i++) {
      if (pos >= in.length) {
        throw error("unexpected end of JSON input");
      }
      int d = Character.digit(in[pos] & 0xff, 16);
      if (d < 0 || (in[pos] & 0xff) > 0x7f) {
        throw error("invalid character " + describe(pos) + " in \\u hexadecimal character escape");
      }
      v = (v << 4) | d;
      pos++;
    }
    return v;
  }

  /** Decodes one UTF-8 sequence exactly like Go's utf8.DecodeRune: any invalid byte is U+FFFD, width 1. */
  private void decodeUtf8(StringBuilder sb) {
    long r = GoUtf8.decodeRune(in, pos);
    sb.appendCodePoint((int) (r >>> 8));
    pos += (int) (r & 0xff);
  }

  private int peek() {
    return pos < in.length ? in[pos] & 0xff : -1;
  }

  private void skipWhitespace() {
    while (pos < in.length) {
      byte b = in[pos];
      if (b == ' ' || b == '\t' || b == '\n' || b == '\r') {
        pos++;
      } else {
        return;
      }
    }
  }

  private String describe(int at) {
    int c = in[at] & 0xff;
    if (c == '\'') {
      return "'\\''";
    }
    if (c == '"') {
      return "'\"'";
    }
    if (c >= 0x20 && c < 0x7f) {
      return "'" + (char) c + "'";
    }
    return String.format("byte 0x%02x", c);
  }

  private JsonException error(String message) {
    return new JsonException(message, pos);
  }
}
