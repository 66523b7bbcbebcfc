package dev.socibuilder.ztoc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Access to the conformance corpus copy in {@code src/test/resources/conformance} (soci's own
 * outputs), with a minimal JSON reader for {@code cases.json}.
 */
final class ModelCorpus {
  private ModelCorpus() {}

  /** One case of cases.json. */
  record Case(Map<String, Object> json) {
    String name() {
      return (String) json.get("name");
    }

    boolean ok() {
      return "ok".equals(json.get("expect"));
    }

    boolean readbackOk() {
      return "ok".equals(json.get("ref_readback"));
    }

    String compression() {
      return (String) json.get("compression");
    }

    long number(String key) {
      return ((Number) json.get(key)).longValue();
    }

    byte[] ztoc() {
      return read("expected/" + name() + ".ztoc");
    }

    String infoJson() {
      return new String(read("expected/" + name() + ".info.json"), StandardCharsets.UTF_8);
    }

    byte[] layer() {
      return read((String) json.get("layer"));
    }

    @Override
    public String toString() {
      return name();
    }
  }

  static Path root() {
    try {
      return Path.of(ModelCorpus.class.getResource("/conformance/cases.json").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] read(String relative) {
    try {
      return Files.readAllBytes(root().resolve(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  static List<Case> cases() {
    List<Object> list =
        (List<Object>) new Json(new String(read("cases.json"), StandardCharsets.UTF_8)).value();
    List<Case> cases = new ArrayList<>();
    for (Object o : list) {
      cases.add(new Case((Map<String, Object>) o));
    }
    return cases;
  }

  static List<Case> okCases() {
    return cases().stream().filter(Case::ok).toList();
  }

  static Case named(String name) {
    return cases().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  /** A small recursive-descent JSON reader (objects, arrays, strings, numbers, literals). */
  private static final class Json {
    private final String s;
    private int i;

    Json(String s) {
      this.s = s;
    }

    Object value() {
      skip();
      char c = s.charAt(i);
      switch (c) {
        case '{':
          return object();
        case '[':
          return array();
        case '"':
          return string();
        case 't':
          i += 4;
          return Boolean.TRUE;
        case 'f':
          i += 5;
          return Boolean.FALSE;
        case 'n':
          i += 4;
          return null;
        default:
          return number();
      }
    }

    private Map<String, Object> object() {
      Map<String, Object> m = new LinkedHashMap<>();
      i++;
      skip();
      if (s.charAt(i) == '}') {
        i++;
        return m;
      }
      while (true) {
        skip();
        String k = string();
        skip();
        i++; // ':'
        m.put(k, value());
        skip();
        if (s.charAt(i++) == '}') {
          return m;
        }
      }
    }

    private List<Object> array() {
      List<Object> l = new ArrayList<>();
      i++;
      skip();
      if (s.charAt(i) == ']') {
        i++;
        return l;
      }
      while (true) {
        l.add(value());
        skip();
        if (s.charAt(i++) == ']') {
          return l;
        }
      }
    }

    private String string() {
      StringBuilder sb = new StringBuilder();
      i++;
      while (true) {
        char c = s.charAt(i++);
        if (c == '"') {
          return sb.toString();
        }
        if (c == '\\') {
          char e = s.charAt(i++);
          switch (e) {
            case 'n' -> sb.append('\n');
            case 't' -> sb.append('\t');
            case 'r' -> sb.append('\r');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'u' -> {
              sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
              i += 4;
            }
            default -> sb.append(e);
          }
        } else {
          sb.append(c);
        }
      }
    }

    private Number number() {
      int start = i;
      while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
        i++;
      }
      String n = s.substring(start, i);
      return n.contains(".") || n.contains("e") || n.contains("E")
          ? Double.parseDouble(n)
          : Long.parseLong(n);
    }

    private void skip() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }
  }
}
