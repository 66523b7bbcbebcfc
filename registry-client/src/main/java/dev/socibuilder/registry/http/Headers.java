package dev.socibuilder.registry.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/** HTTP header fields: names compared without case, each with its values in order. Immutable. */
public final class Headers {
  private static final Headers EMPTY = new Headers(new TreeMap<>(String.CASE_INSENSITIVE_ORDER));

  private final Map<String, List<String>> map;

  private Headers(TreeMap<String, List<String>> map) {
    this.map = Collections.unmodifiableMap(map);
  }

  /** No fields. */
  public static Headers empty() {
    return EMPTY;
  }

  /** The fields of {@code fields} (names merged without case, values in order); copied. */
  public static Headers of(Map<String, List<String>> fields) {
    TreeMap<String, List<String>> m = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    fields.forEach((name, values) -> m.computeIfAbsent(name, k -> new ArrayList<>(values.size())).addAll(values));
    m.replaceAll((k, v) -> List.copyOf(v));
    return new Headers(m);
  }

  /** The first value of {@code name}, if any. */
  public Optional<String> firstValue(String name) {
    List<String> v = map.get(name);
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
  }

  /**
   * The first value of {@code name} as a decimal number, if any.
   *
   * @throws NumberFormatException if it is not one
   */
  public OptionalLong firstValueAsLong(String name) {
    Optional<String> v = firstValue(name);
    return v.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(v.get()));
  }

  /** Every value of {@code name}, in order; empty if there is none. */
  public List<String> allValues(String name) {
    List<String> v = map.get(name);
    return v == null ? List.of() : v;
  }

  /** All fields: a map whose keys compare without case. */
  public Map<String, List<String>> map() {
    return map;
  }

  @Override
  public String toString() {
    return map.toString();
  }
}
