package dev.socibuilder.indexer.lambda;

import dev.socibuilder.json.GoJsonWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Compact JSON of plain values (maps in their iteration order, lists, strings, whole numbers, booleans,
 * null) for log lines and event details. Control characters are escaped, so a value can never break the
 * one-object-per-line shape of the log.
 */
final class Json {

  private Json() {}

  static String write(Object value) {
    GoJsonWriter w = new GoJsonWriter();
    write(w, value);
    return new String(w.toByteArray(), StandardCharsets.UTF_8);
  }

  private static void write(GoJsonWriter w, Object value) {
    if (value == null) {
      w.nullValue();
    } else if (value instanceof String s) {
      w.value(s);
    } else if (value instanceof Boolean b) {
      w.value(b);
    } else if (value instanceof Long || value instanceof Integer || value instanceof Short) {
      w.value(((Number) value).longValue());
    } else if (value instanceof Map<?, ?> map) {
      w.beginObject();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        w.name(String.valueOf(e.getKey()));
        write(w, e.getValue());
      }
      w.endObject();
    } else if (value instanceof List<?> list) {
      w.beginArray();
      for (Object o : list) {
        write(w, o);
      }
      w.endArray();
    } else {
      w.value(value.toString());
    }
  }
}
