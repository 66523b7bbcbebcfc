package dev.socibuilder.registry;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.json.JsonException;
import dev.socibuilder.json.JsonParser;
import dev.socibuilder.json.JsonValue;
import dev.socibuilder.json.JsonValue.JsonObject;
import dev.socibuilder.json.JsonValue.JsonString;
import dev.socibuilder.registry.http.Headers;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Parsing of the header values the distribution API uses: {@code Retry-After}, {@code Range} (an upload's
 * progress), {@code Content-Range} (a resumed download), {@code Docker-Content-Digest}, {@code Content-Type}
 * and {@code Link} (the next page of a listing). Lenient: a value that does not parse is reported as absent,
 * never thrown.
 */
final class HeaderValues {
  /**
   * The longest {@code Retry-After} represented (longer values read as this): a guard against overflow
   * only. How long the client actually waits is {@link RetryPolicy#maxWait()}.
   */
  static final Duration MAX_RETRY_AFTER = Duration.ofDays(1);

  private HeaderValues() {}

  /** {@code Retry-After} as delay-seconds or an HTTP date, capped at {@link #MAX_RETRY_AFTER}; null if absent. */
  static Duration retryAfter(Headers headers) {
    String v = headers.firstValue("Retry-After").orElse(null);
    if (v == null) {
      return null;
    }
    Duration d;
    try {
      d = Duration.ofSeconds(Long.parseLong(v.trim()));
    } catch (NumberFormatException e) {
      try {
        d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
      } catch (RuntimeException e2) {
        return null;
      }
    }
    if (d.isNegative()) {
      return Duration.ZERO;
    }
    return d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d;
  }

  /** {@code "0-1023"} or {@code "bytes=0-1023"} → 1023; -2 if unparseable. */
  static long rangeEnd(String range) {
    String r = range.trim();
    if (r.startsWith("bytes=")) {
      r = r.substring(6);
    }
    int dash = r.indexOf('-');
    try {
      return Long.parseLong(r.substring(dash + 1).trim());
    } catch (RuntimeException e) {
      return -2;
    }
  }

  /** {@code "bytes 100-199/200"} → 100; -1 if unparseable. */
  static long contentRangeStart(String contentRange) {
    String r = contentRange.trim();
    if (r.startsWith("bytes ")) {
      r = r.substring(6);
    }
    int dash = r.indexOf('-');
    try {
      return Long.parseLong(r.substring(0, dash).trim());
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** {@code "bytes 100-199/200"} → 199; -1 if unparseable. */
  static long contentRangeEnd(String contentRange) {
    String r = contentRange.trim();
    int dash = r.indexOf('-');
    int slash = r.indexOf('/');
    if (dash < 0 || slash < dash) {
      return -1;
    }
    try {
      return Long.parseLong(r.substring(dash + 1, slash).trim());
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** {@code "bytes 100-199/200"} → 200; -1 if unknown ({@code *}) or unparseable. */
  static long contentRangeTotal(String contentRange) {
    int slash = contentRange.indexOf('/');
    try {
      return Long.parseLong(contentRange.substring(slash + 1).trim());
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** {@code Docker-Content-Digest}, or null if absent or not a digest. */
  static Digest contentDigest(Headers h) {
    String v = h.firstValue("Docker-Content-Digest").orElse(null);
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      return Digest.parse(v.trim());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** A media type without its parameters: {@code "a/b; charset=utf-8"} → {@code "a/b"}. */
  static String stripParams(String contentType) {
    int semi = contentType.indexOf(';');
    return (semi >= 0 ? contentType.substring(0, semi) : contentType).trim();
  }

  /**
   * A fetched manifest's media type: the {@code Content-Type}, unless it is a generic type (or absent),
   * then the document's own {@code mediaType} field.
   */
  static String manifestMediaType(Headers h, byte[] bytes) {
    String ct = h.firstValue("Content-Type").map(HeaderValues::stripParams).orElse("");
    if (!ct.isEmpty() && !ct.equals("application/json") && !ct.equals("text/plain")
        && !ct.equals("application/octet-stream")) {
      return ct;
    }
    try {
      String own = stringMember(JsonParser.parse(bytes), "mediaType");
      if (own != null && !own.isEmpty()) {
        return own;
      }
    } catch (JsonException notJson) {
      // keep the header's type
    }
    return ct.isEmpty() ? "application/json" : ct;
  }

  /** The string member {@code key} of {@code v} if v is an object, else null. */
  static String stringMember(JsonValue v, String key) {
    return v instanceof JsonObject o && o.get(key) instanceof JsonString str ? str.value() : null;
  }

  /**
   * The target of the {@code rel="next"} link of the {@code Link} headers (RFC 8288), as written between
   * {@code <} and {@code >} (usually relative, e.g. {@code /v2/_catalog?last=b&n=100}); null if none.
   */
  static String nextLink(Headers h) {
    for (String value : h.allValues("Link")) {
      int i = 0;
      while (i < value.length()) {
        int open = value.indexOf('<', i);
        int close = open < 0 ? -1 : value.indexOf('>', open);
        if (close < 0) {
          break;
        }
        String target = value.substring(open + 1, close).trim();
        // the link's parameters run to the next comma outside quotes
        int end = close + 1;
        boolean quoted = false;
        while (end < value.length() && (quoted || value.charAt(end) != ',')) {
          if (value.charAt(end) == '"') {
            quoted = !quoted;
          }
          end++;
        }
        if (isNextRelation(value.substring(close + 1, end))) {
          return target;
        }
        i = end + 1;
      }
    }
    return null;
  }

  /** Whether link parameters such as {@code ; rel="next"} name the {@code next} relation. */
  private static boolean isNextRelation(String params) {
    for (String param : params.split(";")) {
      int eq = param.indexOf('=');
      if (eq < 0 || !param.substring(0, eq).trim().equalsIgnoreCase("rel")) {
        continue;
      }
      String rel = param.substring(eq + 1).trim();
      if (rel.length() >= 2 && rel.startsWith("\"") && rel.endsWith("\"")) {
        rel = rel.substring(1, rel.length() - 1);
      }
      for (String r : rel.trim().split("\\s+")) {
        if (r.equalsIgnoreCase("next")) {
          return true;
        }
      }
    }
    return false;
  }
}
