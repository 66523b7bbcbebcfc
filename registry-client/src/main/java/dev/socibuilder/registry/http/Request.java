package dev.socibuilder.registry.http;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * An HTTP/1.1 request: method, URI, header fields, a body (or none) and the time allowed for its
 * response headers to arrive. Immutable; made with a {@link Builder}. The body array is not copied:
 * callers do not change it afterwards.
 */
public final class Request {
  /** Fields the client writes itself. */
  private static final Set<String> RESTRICTED =
      Set.of("host", "content-length", "connection", "transfer-encoding", "expect", "upgrade", "te", "trailer");

  private final String method;
  private final URI uri;
  private final Headers headers;
  private final byte[] body;
  private final Duration timeout;

  private Request(String method, URI uri, Headers headers, byte[] body, Duration timeout) {
    this.method = method;
    this.uri = uri;
    this.headers = headers;
    this.body = body;
    this.timeout = timeout;
  }

  /** A GET of {@code uri}, to be completed. */
  public static Builder newBuilder(URI uri) {
    return new Builder(uri);
  }

  public String method() {
    return method;
  }

  public URI uri() {
    return uri;
  }

  public Headers headers() {
    return headers;
  }

  /** The body, or null for a request without one (GET, HEAD). */
  public byte[] body() {
    return body;
  }

  /** The time allowed from sending the request to the arrival of the response's headers, if set. */
  public Optional<Duration> timeout() {
    return Optional.ofNullable(timeout);
  }

  /** This request with another timeout. */
  public Request withTimeout(Duration t) {
    return new Request(method, uri, headers, body, positive(t));
  }

  @Override
  public String toString() {
    return method + " " + uri;
  }

  private static Duration positive(Duration t) {
    Objects.requireNonNull(t, "timeout");
    if (t.isNegative() || t.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + t);
    }
    return t;
  }

  /** Builds a {@link Request}; not thread-safe. */
  public static final class Builder {
    private final URI uri;
    private String method = "GET";
    private byte[] body;
    private Duration timeout;
    private final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    private Builder(URI uri) {
      this.uri = Objects.requireNonNull(uri, "uri");
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new IllegalArgumentException("not an http(s) URI: " + uri);
      }
      if (uri.getHost() == null || uri.getHost().isEmpty()) {
        throw new IllegalArgumentException("URI without a host: " + uri);
      }
    }

    public Builder GET() {
      return method("GET", null);
    }

    public Builder HEAD() {
      return method("HEAD", null);
    }

    public Builder POST(byte[] content) {
      return method("POST", Objects.requireNonNull(content, "content"));
    }

    public Builder PUT(byte[] content) {
      return method("PUT", Objects.requireNonNull(content, "content"));
    }

    /**
     * Any method, e.g. {@code PATCH}, with {@code content} as its body (null for none; a POST, PUT or
     * PATCH without one is sent with {@code Content-Length: 0}).
     */
    public Builder method(String name, byte[] content) {
      Objects.requireNonNull(name, "method");
      if (name.isEmpty() || !isToken(name)) {
        throw new IllegalArgumentException("invalid method '" + name + "'");
      }
      this.method = name;
      this.body = content;
      return this;
    }

    /** Adds a value of a header field. */
    public Builder header(String name, String value) {
      check(name, value);
      headers.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
      return this;
    }

    /** Sets a header field to one value, replacing any. */
    public Builder setHeader(String name, String value) {
      check(name, value);
      List<String> one = new ArrayList<>(1);
      one.add(value);
      headers.put(name, one);
      return this;
    }

    public Builder timeout(Duration t) {
      this.timeout = positive(t);
      return this;
    }

    public Request build() {
      return new Request(method, uri, Headers.of(headers), body, timeout);
    }

    private static void check(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if (name.isEmpty() || !isToken(name)) {
        throw new IllegalArgumentException("invalid header name '" + name + "'");
      }
      if (RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException("header " + name + " is set by the client");
      }
      for (int i = 0; i < value.length(); i++) {
        char ch = value.charAt(i);
        if (ch == '\r' || ch == '\n' || ch == 0 || ch > 0xff) {
          throw new IllegalArgumentException("invalid character in the value of header " + name);
        }
      }
    }

    private static boolean isToken(String s) {
      for (int i = 0; i < s.length(); i++) {
        char ch = s.charAt(i);
        if (ch <= ' ' || ch >= 0x7f || "\"(),/:;<=>?@[\\]{}".indexOf(ch) >= 0) {
          return false;
        }
      }
      return true;
    }
  }
}
