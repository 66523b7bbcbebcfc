package dev.socibuilder.testing.registry;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * An HTTP/1.1 reverse proxy on 127.0.0.1 in front of a registry that injects faults. Each
 * {@link Rule} matches a method (or any) and a regex found in the request path (and query), and
 * fires for the first {@code times} matching requests: drop the connection after N response-body
 * bytes, answer a status (500, 429 with {@code Retry-After}, ...) without forwarding, flip one byte
 * of the response body, delay before forwarding, forward without the query string, or answer with another
 * {@code Content-Range}; a rule may also be limited to requests whose Range header matches. Every request
 * is recorded (method, path, Range header, Authorization scheme). Absolute {@code Location} headers
 * pointing at the upstream are rewritten to point at the proxy, so uploads keep flowing through it.
 */
public final class FaultProxy implements AutoCloseable {
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "te",
      "trailer", "upgrade", "proxy-authorization", "proxy-authenticate", "content-length", "host", "expect", "date");

  /**
   * A recorded request. {@code range} is the Range header or null; {@code authScheme} is the
   * Authorization header's scheme ("Basic", "Bearer") or null - never the credentials.
   */
  public record Request(String method, String path, String range, String authScheme) {}

  private enum Kind { DROP, STATUS, FLIP, DELAY, IGNORE_RANGE, REDIRECT, STALL, DROP_QUERY, CONTENT_RANGE }

  /** A fault; {@link #fired()} counts how often it was applied. */
  public static final class Rule {
    private final String method;
    private final Pattern path;
    private final Kind kind;
    private final long bytes;
    private final int status;
    private final Integer retryAfterSeconds;
    private final Duration delay;
    private String target;
    private volatile Pattern range;
    private volatile String errorCode = "INJECTED";
    private volatile String errorMessage;
    private final AtomicInteger remaining;
    private final AtomicInteger fired = new AtomicInteger();

    /**
     * Limits the rule to requests with a Range header in which {@code rangeRegex} is found (e.g.
     * {@code "^bytes=8388608-"}); requests without one never match.
     */
    public Rule onRange(String rangeRegex) {
      this.range = Pattern.compile(rangeRegex);
      return this;
    }

    /** For a status rule: the OCI error code in the body (default {@code INJECTED}). */
    public Rule withErrorCode(String code) {
      this.errorCode = code;
      return this;
    }

    /** For a status rule: the OCI error message in the body (default {@code fault proxy answered <status>}). */
    public Rule withErrorMessage(String message) {
      this.errorMessage = message;
      return this;
    }

    private Rule(String method, String pathRegex, Kind kind, long bytes, int status, Integer retryAfterSeconds,
        Duration delay, int times) {
      this.method = method;
      this.path = Pattern.compile(pathRegex);
      this.kind = kind;
      this.bytes = bytes;
      this.status = status;
      this.retryAfterSeconds = retryAfterSeconds;
      this.delay = delay;
      this.remaining = new AtomicInteger(times);
    }

    boolean tryFire(String m, String p, String rangeHeader) {
      if ((method != null && !method.equalsIgnoreCase(m)) || !path.matcher(p).find()) {
        return false;
      }
      Pattern onRange = range;
      if (onRange != null && (rangeHeader == null || !onRange.matcher(rangeHeader).find())) {
        return false;
      }
      if (remaining.getAndUpdate(r -> r > 0 ? r - 1 : r) <= 0) {
        return false;
      }
      fired.incrementAndGet();
      return true;
    }

    public int fired() {
      return fired.get();
    }
  }

  private final String upstream;
  private final HttpServer server;
  private final ExecutorService executor;
  private final HttpClient client;
  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private volatile boolean relativeLocations;

  private FaultProxy(String upstream) throws IOException {
    this.upstream = upstream;
    this.executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "fault-proxy");
      t.setDaemon(true);
      return t;
    });
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER).executor(executor).build();
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  /** Starts a proxy forwarding to {@code http://upstreamHostPort}. */
  public static FaultProxy start(String upstreamHostPort) {
    try {
      return new FaultProxy(upstreamHostPort);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code 127.0.0.1:<port>} of the proxy. */
  public String hostPort() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** Sends the first {@code bytes} of the response body, then drops the connection; {@code times} times. */
  public Rule dropAfterBytes(String method, String pathRegex, long bytes, int times) {
    return add(new Rule(method, pathRegex, Kind.DROP, bytes, 0, null, null, times));
  }

  /** Answers {@code status} (with an OCI error body) without forwarding, {@code times} times. */
  public Rule respond(String method, String pathRegex, int status, int times) {
    return add(new Rule(method, pathRegex, Kind.STATUS, 0, status, null, null, times));
  }

  /** Answers 429 with {@code Retry-After: retryAfterSeconds}, {@code times} times. */
  public Rule tooManyRequests(String method, String pathRegex, int retryAfterSeconds, int times) {
    return add(new Rule(method, pathRegex, Kind.STATUS, 0, 429, retryAfterSeconds, null, times));
  }

  /** Flips (xor 0xff) the response body byte at {@code offset}, {@code times} times. */
  public Rule flipByte(String method, String pathRegex, long offset, int times) {
    return add(new Rule(method, pathRegex, Kind.FLIP, offset, 0, null, null, times));
  }

  /** Waits {@code delay} before forwarding, {@code times} times. */
  public Rule delay(String method, String pathRegex, Duration delay, int times) {
    return add(new Rule(method, pathRegex, Kind.DELAY, 0, 0, null, delay, times));
  }

  /**
   * Sends the first {@code bytes} of the response body, then sends nothing for {@code stall} before
   * continuing (a hung connection), {@code times} times.
   */
  public Rule stallAfterBytes(String method, String pathRegex, long bytes, Duration stall, int times) {
    return add(new Rule(method, pathRegex, Kind.STALL, bytes, 0, null, stall, times));
  }

  /** Forwards without the Range header, so the upstream answers 200 with the whole body; {@code times} times. */
  public Rule ignoreRange(String method, String pathRegex, int times) {
    return add(new Rule(method, pathRegex, Kind.IGNORE_RANGE, 0, 0, null, null, times));
  }

  /**
   * Forwards the request but answers with {@code Content-Range: contentRange} instead of the upstream's
   * (the body unchanged), {@code times} times.
   */
  public Rule contentRange(String method, String pathRegex, String contentRange, int times) {
    Rule r = new Rule(method, pathRegex, Kind.CONTENT_RANGE, 0, 0, null, null, times);
    r.target = contentRange;
    return add(r);
  }

  /**
   * Forwards the request without its query string, {@code times} times: a cross-repository mount
   * ({@code POST .../blobs/uploads/?mount=..&from=..}) then reaches the registry as a plain upload start,
   * which it answers 202 with an upload session, as a registry that declines the mount does.
   */
  public Rule dropQuery(String method, String pathRegex, int times) {
    return add(new Rule(method, pathRegex, Kind.DROP_QUERY, 0, 0, null, null, times));
  }

  /**
   * Answers 307 with {@code Location: targetBase + path} without forwarding (as registries do to
   * send blob downloads to pre-signed storage), {@code times} times.
   */
  public Rule redirect(String method, String pathRegex, String targetBase, int times) {
    Rule r = new Rule(method, pathRegex, Kind.REDIRECT, 0, 307, null, null, times);
    r.target = targetBase;
    return add(r);
  }

  private Rule add(Rule r) {
    rules.add(r);
    return r;
  }

  /**
   * Rewrites absolute {@code Location} headers to relative ones ({@code /v2/...}), as some registries
   * send them.
   */
  public void relativeLocations(boolean on) {
    relativeLocations = on;
  }

  /** Removes all rules and forgets the recorded requests. */
  public void reset() {
    rules.clear();
    requests.clear();
  }

  /** Every request so far, in arrival order. */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** How many requests had {@code method} (null = any) and a path matching {@code pathRegex}. */
  public long count(String method, String pathRegex) {
    Pattern p = Pattern.compile(pathRegex);
    return requests.stream()
        .filter(r -> (method == null || r.method().equalsIgnoreCase(method)) && p.matcher(r.path()).find())
        .count();
  }

  private void handle(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    URI uri = ex.getRequestURI();
    String path = uri.getRawPath() + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
    String authorization = ex.getRequestHeaders().getFirst("Authorization");
    String scheme = authorization == null ? null : authorization.split(" ", 2)[0];
    String rangeHeader = ex.getRequestHeaders().getFirst("Range");
    requests.add(new Request(method, path, rangeHeader, scheme));
    List<Rule> firing = new ArrayList<>();
    for (Rule r : rules) {
      if (r.tryFire(method, path, rangeHeader)) {
        firing.add(r);
      }
    }
    try (ex) {
      byte[] body = ex.getRequestBody().readAllBytes();
      for (Rule r : firing) {
        if (r.kind == Kind.DELAY) {  // (STALL also carries a delay, applied mid-body)
          Thread.sleep(r.delay.toMillis());
        }
        if (r.kind == Kind.REDIRECT) {
          ex.getResponseHeaders().set("Location", r.target + path);
          ex.sendResponseHeaders(307, -1);
          return;
        }
        if (r.kind == Kind.STATUS) {
          String message = r.errorMessage != null ? r.errorMessage : "fault proxy answered " + r.status;
          byte[] err = ("{\"errors\":[{\"code\":\"" + r.errorCode + "\",\"message\":\"" + jsonEscape(message) + "\"}]}")
              .getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().set("Content-Type", "application/json");
          if (r.retryAfterSeconds != null) {
            ex.getResponseHeaders().set("Retry-After", String.valueOf(r.retryAfterSeconds));
          }
          if (method.equals("HEAD")) {
            ex.sendResponseHeaders(r.status, -1);
          } else {
            ex.sendResponseHeaders(r.status, err.length);
            ex.getResponseBody().write(err);
          }
          return;
        }
      }
      forward(ex, method, path, body, firing);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void forward(HttpExchange ex, String method, String path, byte[] body, List<Rule> firing)
      throws IOException, InterruptedException {
    String forwarded = firing.stream().anyMatch(x -> x.kind == Kind.DROP_QUERY) && path.indexOf('?') >= 0
        ? path.substring(0, path.indexOf('?')) : path;
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + upstream + forwarded))
        .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    boolean ignoreRange = firing.stream().anyMatch(x -> x.kind == Kind.IGNORE_RANGE);
    for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (!HOP_BY_HOP.contains(name) && !(ignoreRange && name.equals("range"))) {
        for (String v : h.getValue()) {
          b.header(h.getKey(), v);
        }
      }
    }
    HttpResponse<InputStream> r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    Headers out = ex.getResponseHeaders();
    Rule contentRange = firing.stream().filter(x -> x.kind == Kind.CONTENT_RANGE).findFirst().orElse(null);
    if (contentRange != null) {
      out.set("Content-Range", contentRange.target);
    }
    for (Map.Entry<String, List<String>> h : r.headers().map().entrySet()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (HOP_BY_HOP.contains(name) || name.equals(":status")
          || (contentRange != null && name.equals("content-range"))) {
        continue;
      }
      for (String v : h.getValue()) {
        out.add(h.getKey(), name.equals("location")
            ? v.replace("http://" + upstream, relativeLocations ? "" : "http://" + hostPort()) : v);
      }
    }
    long length = r.headers().firstValueAsLong("Content-Length").orElse(-1);
    int status = r.statusCode();
    try (InputStream in = r.body()) {
      if (method.equals("HEAD") || status == 204 || status == 304) {
        if (length >= 0 && method.equals("HEAD")) {
          out.set("Content-Length", String.valueOf(length));
        }
        ex.sendResponseHeaders(status, -1);
        return;
      }
      ex.sendResponseHeaders(status, length > 0 ? length : length == 0 ? -1 : 0);
      OutputStream os = ex.getResponseBody();
      byte[] buf = new byte[64 * 1024];
      long sent = 0;
      Rule drop = firing.stream().filter(x -> x.kind == Kind.DROP).findFirst().orElse(null);
      Rule flip = firing.stream().filter(x -> x.kind == Kind.FLIP).findFirst().orElse(null);
      Rule stall = firing.stream().filter(x -> x.kind == Kind.STALL).findFirst().orElse(null);
      int n;
      while ((n = in.read(buf)) > 0) {
        if (flip != null && flip.bytes >= sent && flip.bytes < sent + n) {
          buf[(int) (flip.bytes - sent)] ^= (byte) 0xff;
        }
        if (stall != null && sent + n >= stall.bytes) {
          int first = (int) (stall.bytes - sent);
          os.write(buf, 0, first);
          os.flush();
          Thread.sleep(stall.delay.toMillis());
          os.write(buf, first, n - first);
          sent += n;
          stall = null;
          continue;
        }
        if (drop != null && sent + n >= drop.bytes) {
          os.write(buf, 0, (int) (drop.bytes - sent));
          os.flush();
          // An exception out of the handler makes HttpServer close the connection mid-body.
          throw new IOException("fault proxy: dropping connection after " + drop.bytes + " bytes");
        }
        os.write(buf, 0, n);
        sent += n;
      }
    }
  }

  private static String jsonEscape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
