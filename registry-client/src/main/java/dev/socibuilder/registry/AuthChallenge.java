package dev.socibuilder.registry;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed {@code WWW-Authenticate} challenge (RFC 7235): a scheme ({@code basic} or {@code bearer},
 * lower-cased) and its auth-params, e.g. {@code Bearer realm="https://auth.docker.io/token",
 * service="registry.docker.io",scope="repository:library/ubuntu:pull"}.
 */
record AuthChallenge(String scheme, Map<String, String> params) {
  /** Parses the first challenge of a header value, or returns null if there is none. */
  static AuthChallenge parse(String header) {
    if (header == null) {
      return null;
    }
    String h = header.trim();
    int sp = 0;
    while (sp < h.length() && !Character.isWhitespace(h.charAt(sp))) {
      sp++;
    }
    if (sp == 0) {
      return null;
    }
    String scheme = h.substring(0, sp).toLowerCase(Locale.ROOT);
    Map<String, String> params = new LinkedHashMap<>();
    int i = sp;
    while (i < h.length()) {
      while (i < h.length() && (Character.isWhitespace(h.charAt(i)) || h.charAt(i) == ',')) {
        i++;
      }
      int eq = h.indexOf('=', i);
      if (eq < 0) {
        break;
      }
      String key = h.substring(i, eq).trim().toLowerCase(Locale.ROOT);
      i = eq + 1;
      StringBuilder value = new StringBuilder();
      if (i < h.length() && h.charAt(i) == '"') {
        i++;
        while (i < h.length() && h.charAt(i) != '"') {
          if (h.charAt(i) == '\\' && i + 1 < h.length()) {
            i++;
          }
          value.append(h.charAt(i++));
        }
        i++;
      } else {
        while (i < h.length() && h.charAt(i) != ',') {
          value.append(h.charAt(i++));
        }
      }
      params.put(key, value.toString().trim());
    }
    return new AuthChallenge(scheme, Map.copyOf(params));
  }

  boolean isBasic() {
    return scheme.equals("basic");
  }

  boolean isBearer() {
    return scheme.equals("bearer");
  }
}
