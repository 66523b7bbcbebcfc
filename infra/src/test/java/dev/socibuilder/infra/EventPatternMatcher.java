package dev.socibuilder.infra;

import java.util.List;
import java.util.Map;

/**
 * The part of EventBridge's event pattern matching the stack's rules use: a pattern is an object whose leaves are
 * lists of alternatives, each a literal string or {@code {"prefix": "..."}}; an event field matches when it (or,
 * for a list field, one of its elements) equals a literal or starts with a prefix. Test-only.
 */
final class EventPatternMatcher {

  private EventPatternMatcher() {}

  static boolean matches(Map<?, ?> pattern, Map<?, ?> event) {
    for (Map.Entry<?, ?> field : pattern.entrySet()) {
      Object value = event.get(field.getKey());
      if (field.getValue() instanceof Map<?, ?> nested) {
        if (!(value instanceof Map<?, ?> nestedEvent) || !matches(nested, nestedEvent)) {
          return false;
        }
      } else if (field.getValue() instanceof List<?> alternatives) {
        List<?> values = value instanceof List<?> l ? l : value == null ? List.of() : List.of(value);
        if (values.stream().noneMatch(v -> alternatives.stream().anyMatch(a -> matchesOne(a, v)))) {
          return false;
        }
      } else {
        throw new IllegalArgumentException("pattern leaves must be lists: " + field);
      }
    }
    return true;
  }

  private static boolean matchesOne(Object alternative, Object value) {
    if (alternative instanceof Map<?, ?> m && m.size() == 1 && m.containsKey("prefix")) {
      return value instanceof String s && s.startsWith(m.get("prefix").toString());
    }
    if (alternative instanceof String) {
      return alternative.equals(value);
    }
    throw new IllegalArgumentException("unsupported pattern " + alternative);
  }
}
