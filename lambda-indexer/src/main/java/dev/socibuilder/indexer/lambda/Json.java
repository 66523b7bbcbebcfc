package dev.socibuilder.indexer.lambda;

import dev.socibuilder.json.GoJsonWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Compact JSON of plain values (maps in their iteration order, lists, strings, whole numbers, booleans,
 * null) for log lines and event details. Control characters are escaped, so a value can never break the
 * one-object-per-line shape of the log, and strings longer than {@value #MAX_STRING_CHARS} characters are
 * cut (a request may carry a repository name of megabytes: it must not flood the log or the event).
 */
final class Json {
  /** The longest string written whole; longer ones keep this many characters and say how many more. */
  static final int MAX_STRING_CHARS = 2048;

  private Json() {}

  /** Room for the "... (N more characters)" note, so that a string cut once is not cut again. */
  private static final int NOTE_CHARS = 48;

  /**
   * {@code s} cut to {@value #MAX_STRING_CHARS} characters, saying how many were left out; a string
   * already cut is returned as it is.
   */
  static String bounded(String s) {
    if (s.length() <= MAX_STRING_CHARS + NOTE_CHARS) {
      return s;
    }
    int cut = MAX_STRING_CHARS;
    if (Character.isHighSurrogate(s.charAt(cut - 1))) {
      cut--; // never split a surrogate pair
    }
    return s.substring(0, cut) + "... (" + (s.length() - cut) + " more characters)";
  }

  static String write(Object value) {
    GoJsonWriter w = new GoJsonWriter();
    write(w, value);
    return new String(w.toByteArray(), StandardCharsets.UTF_8);
  }

  private static void write(GoJsonWriter w, Object value) {
    if (value == null) {
      w.nullValue();
    } else if (value instanceof String s) {
      w.value(bounded(s));
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
      w.value(bounded(value.toString()));
    }
  }
}
