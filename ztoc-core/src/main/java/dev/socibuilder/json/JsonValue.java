package dev.socibuilder.json;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A parsed JSON value. Objects keep their members in document order, duplicates included (Go's
 * decoder gives the last occurrence of a struct field or map key the final say, so the tree must
 * not merge them early). Numbers keep their source text, so no precision is lost before a
 * consumer decides how to read them.
 */
public sealed interface JsonValue
    permits JsonValue.JsonObject,
        JsonValue.JsonArray,
        JsonValue.JsonString,
        JsonValue.JsonNumber,
        JsonValue.JsonBool,
        JsonValue.JsonNull {

  /** A short name of the JSON type ("object", "array", "string", "number", "bool", "null"). */
  String typeName();

  /** One object member. */
  record Member(String name, JsonValue value) {
    public Member {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
    }
  }

  /** A JSON object; members in document order, duplicates kept. */
  record JsonObject(List<Member> members) implements JsonValue {
    public JsonObject {
      members = List.copyOf(members);
    }

    /** The value of the last member named exactly {@code name}, or null. */
    public JsonValue get(String name) {
      JsonValue found = null;
      for (Member m : members) {
        if (m.name().equals(name)) {
          found = m.value();
        }
      }
      return found;
    }

    /** The member names in document order (duplicates kept). */
    public List<String> names() {
      List<String> names = new ArrayList<>(members.size());
      for (Member m : members) {
        names.add(m.name());
      }
      return names;
    }

    @Override
    public String typeName() {
      return "object";
    }
  }

  /** A JSON array. */
  record JsonArray(List<JsonValue> elements) implements JsonValue {
    public JsonArray {
      elements = List.copyOf(elements);
    }

    @Override
    public String typeName() {
      return "array";
    }
  }

  /** A JSON string, already unescaped (invalid UTF-8 and lone surrogates became U+FFFD). */
  record JsonString(String value) implements JsonValue {
    public JsonString {
      Objects.requireNonNull(value, "value");
    }

    @Override
    public String typeName() {
      return "string";
    }
  }

  /** A JSON number, as its exact source text (valid RFC 8259 number syntax). */
  record JsonNumber(String text) implements JsonValue {
    public JsonNumber {
      Objects.requireNonNull(text, "text");
    }

    /** True if the text is an integer literal (no fraction, no exponent), as Go's int decoding requires. */
    public boolean isIntegerLiteral() {
      return text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0;
    }

    @Override
    public String typeName() {
      return "number";
    }
  }

  /** A JSON boolean. */
  record JsonBool(boolean value) implements JsonValue {
    @Override
    public String typeName() {
      return "bool";
    }
  }

  /** The JSON null literal. */
  record JsonNull() implements JsonValue {
    /** The one instance the parser returns. */
    public static final JsonNull INSTANCE = new JsonNull();

    @Override
    public String typeName() {
      return "null";
    }
  }
}
