package dev.socibuilder.oci;

import dev.socibuilder.json.GoJsonWriter;
import dev.socibuilder.json.JsonException;
import dev.socibuilder.json.JsonParser;
import dev.socibuilder.json.JsonValue;
import dev.socibuilder.json.JsonValue.JsonArray;
import dev.socibuilder.json.JsonValue.JsonNull;
import dev.socibuilder.json.JsonValue.JsonNumber;
import dev.socibuilder.json.JsonValue.JsonObject;
import dev.socibuilder.json.JsonValue.JsonString;
import dev.socibuilder.json.JsonValue.Member;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The parts of Go's {@code encoding/json} decoding that decide what an ocispec value looks like
 * after {@code json.Unmarshal}, which is what soci re-marshals:
 *
 * <ul>
 *   <li>object keys match struct fields exactly first, then case-insensitively (Go folds ASCII
 *       case and Unicode simple folds, so {@code "MediaType"} or {@code "ſize"} still match);
 *       unknown keys are dropped;
 *   <li>a repeated key is decoded again into the same field: the last scalar wins, while a
 *       repeated object merges into the struct or map decoded so far;
 *   <li>{@code null} leaves a string, number or struct unchanged and resets a slice, map or pointer;
 *   <li>a JSON type that does not fit the field fails the whole decode (Go reports the first
 *       {@code UnmarshalTypeError} after decoding the rest).
 * </ul>
 */
final class GoDecode {
  private GoDecode() {}

  /** Parses {@code json}, wrapping syntax errors so callers see what document failed. */
  static JsonValue parse(byte[] json, String what) {
    try {
      return JsonParser.parse(json);
    } catch (JsonException e) {
      throw new OciFormatException(what + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  /** Go's field lookup: exact name first, then the case-folded name. Returns -1 if unknown. */
  static int field(String key, String[] names) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(key)) {
        return i;
      }
    }
    String folded = fold(key);
    for (int i = 0; i < names.length; i++) {
      if (fold(names[i]).equals(folded)) {
        return i;
      }
    }
    return -1;
  }

  /** Go 1.21+ {@code foldName}: ASCII to upper case, other runes to the smallest rune of their fold orbit. */
  static String fold(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    s.codePoints()
        .forEach(
            c -> {
              if (c < 0x80) {
                sb.append((char) (c >= 'a' && c <= 'z' ? c - 32 : c));
              } else {
                sb.appendCodePoint(foldRune(c));
              }
            });
    return sb.toString();
  }

  private static int foldRune(int c) {
    int min = c;
    int[] candidates = {
      Character.toUpperCase(c),
      Character.toLowerCase(c),
      Character.toTitleCase(c),
      Character.toUpperCase(Character.toLowerCase(c)),
      Character.toLowerCase(Character.toUpperCase(c))
    };
    for (int x : candidates) {
      // Only runes that fold back to c belong to its orbit (e.g. U+0130 lower-cases to 'i', but
      // 'i' does not fold to U+0130, and Go keeps them apart).
      if (x < min && (Character.toUpperCase(x) == Character.toUpperCase(c)
          || Character.toLowerCase(x) == Character.toLowerCase(c))) {
        min = x;
      }
    }
    return min;
  }

  /** The object members of a struct value; null for JSON null; a type error otherwise. */
  static List<Member> structMembers(JsonValue v, String goType, String path) {
    if (v instanceof JsonNull) {
      return null;
    }
    if (v instanceof JsonObject o) {
      return o.members();
    }
    throw typeError(v, goType, path);
  }

  static String string(JsonValue v, String current, String path) {
    if (v instanceof JsonNull) {
      return current;
    }
    if (v instanceof JsonString s) {
      return s.value();
    }
    throw typeError(v, "string", path);
  }

  static long int64(JsonValue v, long current, String path) {
    if (v instanceof JsonNull) {
      return current;
    }
    if (v instanceof JsonNumber n) {
      if (n.isIntegerLiteral()) {
        try {
          return Long.parseLong(n.text());
        } catch (NumberFormatException e) {
          // fall through: out of range
        }
      }
      throw new OciFormatException(
          "json: cannot unmarshal number " + n.text() + " into Go struct field " + path + " of type int64");
    }
    throw typeError(v, "int64", path);
  }

  /**
   * A {@code []string}: null resets to nil (returned as null). Like Go, elements within the length
   * of the slice decoded so far (a repeated key) are decoded into the existing elements.
   */
  static List<String> stringList(JsonValue v, List<String> current, String path) {
    if (v instanceof JsonNull) {
      return null;
    }
    if (v instanceof JsonArray a) {
      List<String> out = new ArrayList<>(a.elements().size());
      for (int i = 0; i < a.elements().size(); i++) {
        String existing = current != null && i < current.size() ? current.get(i) : "";
        out.add(string(a.elements().get(i), existing, path));
      }
      return out;
    }
    throw typeError(v, "[]string", path);
  }

  /** A {@code map[string]string}: a repeated key merges into the map decoded so far. */
  static SortedMap<String, String> stringMap(
      JsonValue v, SortedMap<String, String> current, String path) {
    if (v instanceof JsonNull) {
      return null;
    }
    if (v instanceof JsonObject o) {
      SortedMap<String, String> out = new TreeMap<>(GoJsonWriter.KEY_ORDER);
      if (current != null) {
        out.putAll(current);
      }
      for (Member m : o.members()) {
        // A null element decodes into a fresh zero string.
        out.put(m.name(), string(m.value(), "", path));
      }
      return out;
    }
    throw typeError(v, "map[string]string", path);
  }

  /** A {@code []byte}: a base64 string (StdEncoding, which skips CR and LF) or an array of bytes. */
  static byte[] bytes(JsonValue v, String path) {
    if (v instanceof JsonNull) {
      return null;
    }
    if (v instanceof JsonString s) {
      String b64 = s.value().replace("\r", "").replace("\n", "");
      // Go's StdEncoding requires padding; Java's decoder would accept its absence.
      if (b64.length() % 4 != 0) {
        throw new OciFormatException("illegal base64 data in Go struct field " + path);
      }
      try {
        return Base64.getDecoder().decode(b64);
      } catch (IllegalArgumentException e) {
        throw new OciFormatException("illegal base64 data in Go struct field " + path, e);
      }
    }
    if (v instanceof JsonArray a) {
      byte[] out = new byte[a.elements().size()];
      for (int i = 0; i < out.length; i++) {
        long b = int64(a.elements().get(i), 0, path);
        if (b < 0 || b > 255) {
          throw new OciFormatException(
              "json: cannot unmarshal number " + b + " into Go struct field " + path + " of type uint8");
        }
        out[i] = (byte) b;
      }
      return out;
    }
    throw typeError(v, "[]uint8", path);
  }

  /**
   * A {@code []Descriptor}: null resets to nil (returned as null). Like Go, elements within the
   * length of the slice decoded so far (a repeated key) are decoded into, i.e. merged with, the
   * existing elements; a JSON null element leaves its element unchanged.
   */
  static List<Descriptor> descriptorList(JsonValue v, List<Descriptor> current, String path) {
    if (v instanceof JsonNull) {
      return null;
    }
    if (v instanceof JsonArray a) {
      List<Descriptor> out = new ArrayList<>(a.elements().size());
      for (int i = 0; i < a.elements().size(); i++) {
        Descriptor existing = current != null && i < current.size() ? current.get(i) : Descriptor.ZERO;
        Descriptor d = Descriptor.decode(a.elements().get(i), existing, path);
        out.add(d == null ? existing : d);
      }
      return out;
    }
    throw typeError(v, "[]v1.Descriptor", path);
  }

  static OciFormatException typeError(JsonValue v, String goType, String path) {
    return new OciFormatException(
        "json: cannot unmarshal " + v.typeName() + " into Go struct field " + path + " of type " + goType);
  }

  /**
   * containerd's {@code validateMediaType}: a document fetched as a manifest must not look like an
   * index and the other way round, and schema 1 is refused.
   */
  static void validateDocument(JsonValue root, boolean expectManifest, String what) {
    if (!(root instanceof JsonObject o)) {
      return;
    }
    String[] names = {"mediaType", "config", "layers", "manifests", "fsLayers"};
    String mediaType = "";
    boolean config = false;
    boolean layers = false;
    boolean manifests = false;
    boolean fsLayers = false;
    for (Member m : o.members()) {
      int f = field(m.name(), names);
      // These are json.RawMessage fields in containerd: even a JSON null is stored (as "null"),
      // so a present key counts whatever its value.
      boolean present = true;
      switch (f) {
        case 0 -> mediaType = m.value() instanceof JsonString s ? s.value() : mediaType;
        case 1 -> config = present;
        case 2 -> layers = present;
        case 3 -> manifests = present;
        case 4 -> fsLayers = present;
        default -> {}
      }
    }
    if (fsLayers) {
      throw new OciFormatException(what + ": media-type: schema 1 not supported");
    }
    if (expectManifest && (manifests || MediaTypes.isIndex(mediaType))) {
      throw new OciFormatException(what + ": media-type: expected manifest but found index");
    }
    if (!expectManifest && (config || layers || MediaTypes.isManifest(mediaType))) {
      throw new OciFormatException(what + ": media-type: expected index but found manifest");
    }
  }
}
