package dev.socibuilder.testing.registry;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * A malicious (or merely broken) registry on 127.0.0.1 and a free port, written on raw sockets so that
 * a test controls every byte: headers followed by a stalled body, a body trickled a byte at a time, a
 * {@code Retry-After} of eleven days, a referrers index of 150,000 entries, an upload {@code Location}
 * on another origin, a Bearer realm over plain http, error bodies with terminal escapes and an echoed
 * {@code Authorization} header, redirects to {@code file:} URLs or malformed {@code Location}s.
 *
 * <p>Each request is matched against the {@link Rule}s in the order they were added (method, a regex
 * found in the path with its query, and how many more times the rule fires); the first match answers.
 * Unmatched requests get {@code 404} with an OCI error body. Every response carries
 * {@code Connection: close}, and every request is recorded with all its headers (the Authorization
 * header too: a test checks where credentials went, so this server keeps them; it is test-only).
 *
 * <p>{@link #startTls()} serves https with a self-signed certificate for 127.0.0.1, which
 * {@link #clientSslContext()} trusts.
 */
public final class HostileRegistry implements AutoCloseable {

  /** A received request: method, request target (path and query) and headers (names lower-cased, first value). */
  public record Request(String method, String target, Map<String, String> headers, int bodyLength) {
    /** The header's first value, or null. */
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The target without its query. */
    public String path() {
      int q = target.indexOf('?');
      return q < 0 ? target : target.substring(0, q);
    }
  }

  /** Writes the whole response (status line, headers and body, or less) for one request. */
  @FunctionalInterface
  public interface Reply {
    void write(Request request, OutputStream out, HostileRegistry server) throws IOException, InterruptedException;
  }

  /** A rule: which requests it answers, and how; {@link #fired()} counts its answers. */
  public static final class Rule {
    private final String method;
    private final Pattern path;
    private final AtomicInteger remaining;
    private final Reply reply;
    private final Predicate<Request> unless;
    private final AtomicInteger fired = new AtomicInteger();

    private Rule(String method, String pathRegex, int times, Reply reply, Predicate<Request> unless) {
      this.method = method;
      this.path = Pattern.compile(pathRegex);
      this.remaining = new AtomicInteger(times);
      this.reply = reply;
      this.unless = unless;
    }

    private boolean tryFire(Request r) {
      if ((method != null && !method.equalsIgnoreCase(r.method())) || !path.matcher(r.target()).find()
          || unless.test(r)) {
        return false;
      }
      if (remaining.getAndUpdate(n -> n > 0 ? n - 1 : n) <= 0) {
        return false;
      }
      fired.incrementAndGet();
      return true;
    }

    public int fired() {
      return fired.get();
    }
  }

  /** Unlimited times, for rules. */
  public static final int ALWAYS = Integer.MAX_VALUE;

  private final ServerSocket server;
  private final SSLContext clientSsl;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "hostile-registry");
    t.setDaemon(true);
    return t;
  });
  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final CountDownLatch closed = new CountDownLatch(1);

  private HostileRegistry(ServerSocket server, SSLContext clientSsl) {
    this.server = server;
    this.clientSsl = clientSsl;
    executor.execute(this::acceptLoop);
  }

  /** A plain-http hostile registry. */
  public static HostileRegistry start() {
    try {
      return new HostileRegistry(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")), null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * An https hostile registry, with a fresh self-signed certificate for {@code 127.0.0.1} (made with
   * the JDK's {@code keytool}); clients trust it through {@link #clientSslContext()}.
   */
  public static HostileRegistry startTls() {
    try {
      Path dir = Files.createTempDirectory("hostile-registry-tls");
      Path store = dir.resolve("server.p12");
      char[] pass = "hostile-test-store".toCharArray();
      Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
      Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "hostile", "-keyalg", "EC",
          "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
          "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", new String(pass),
          "-keypass", new String(pass)).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("keytool failed: " + out);
      }
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(store)) {
        ks.load(in, pass);
      }
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, pass);
      SSLContext serverSsl = SSLContext.getInstance("TLS");
      serverSsl.init(kmf.getKeyManagers(), null, null);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("hostile", ks.getCertificate("hostile"));
      SSLContext clientSsl = TlsTrust.trusting(trust);
      SSLServerSocket socket = (SSLServerSocket) serverSsl.getServerSocketFactory()
          .createServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
      Files.delete(store);
      Files.delete(dir);
      return new HostileRegistry(socket, clientSsl);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up TLS", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code 127.0.0.1:<port>}. */
  public String hostPort() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  /** {@code http://127.0.0.1:<port>} or {@code https://...}. */
  public String origin() {
    return (clientSsl != null ? "https://" : "http://") + hostPort();
  }

  /** A TLS context that trusts this server's certificate (only for {@link #startTls()}). */
  public SSLContext clientSslContext() {
    if (clientSsl == null) {
      throw new IllegalStateException("not a TLS server");
    }
    return clientSsl;
  }

  /** Every request so far, in arrival order. */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** The requests whose method is {@code method} (null: any) and whose target contains a match of {@code regex}. */
  public List<Request> requests(String method, String regex) {
    Pattern p = Pattern.compile(regex);
    return requests.stream()
        .filter(r -> (method == null || r.method().equalsIgnoreCase(method)) && p.matcher(r.target()).find())
        .toList();
  }

  // ------------------------------------------------------------------ modes

  /** Answers with {@code reply}, {@code times} times (or {@link #ALWAYS}). */
  public Rule on(String method, String pathRegex, int times, Reply reply) {
    Rule r = new Rule(method, pathRegex, times, reply, req -> false);
    rules.add(r);
    return r;
  }

  /** Answers {@code status} with the given headers (name, value, name, value...) and body. */
  public Rule respond(String method, String pathRegex, int times, int status, byte[] body, String... headers) {
    return on(method, pathRegex, times, (req, out, s) -> writeResponse(req, out, status, body, headers));
  }

  /**
   * Sends the status line and headers (with {@code Content-Length: declaredLength}), then
   * {@code prefix}, then nothing more until the server is closed: a body that stalls.
   */
  public Rule stallAfterHeaders(String method, String pathRegex, int times, int status, byte[] prefix,
      long declaredLength, String... headers) {
    return on(method, pathRegex, times, (req, out, s) -> {
      out.write(head(status, declaredLength, headers));
      out.write(prefix);
      out.flush();
      closed.await();
    });
  }

  /** Sends {@code body} (with its Content-Length) one byte every {@code interval}. */
  public Rule trickle(String method, String pathRegex, int times, byte[] body, Duration interval, String... headers) {
    return on(method, pathRegex, times, (req, out, s) -> {
      out.write(head(200, body.length, headers));
      out.flush();
      for (byte b : body) {
        if (closed.await(interval.toNanos(), TimeUnit.NANOSECONDS)) {
          return;
        }
        out.write(b);
        out.flush();
      }
    });
  }

  /** Answers {@code status} (429, 503) with {@code Retry-After: retryAfter} and an OCI error body. */
  public Rule retryAfter(String method, String pathRegex, int times, int status, String retryAfter) {
    return respond(method, pathRegex, times, status,
        errorJson("TOOMANYREQUESTS", "slow down"), "Content-Type", "application/json", "Retry-After", retryAfter);
  }

  /**
   * Serves an OCI image index of {@code entries} descriptors of {@code artifactType} (each a distinct
   * made-up manifest digest), streamed without a Content-Length so it never sits in memory: a
   * referrers list (or a referrers tag index) that is far too long.
   */
  public Rule hugeIndex(String method, String pathRegex, int times, int entries, String artifactType) {
    return on(method, pathRegex, times, (req, out, s) -> {
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.index.v1+json\r\n"
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      if (req.method().equals("HEAD")) {
        return;
      }
      out.write("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
          .getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < entries; i++) {
        String entry = (i > 0 ? "," : "") + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"digest\":\"sha256:" + String.format("%064x", i) + "\",\"size\":1234,\"artifactType\":\""
            + artifactType + "\"}";
        out.write(entry.getBytes(StandardCharsets.US_ASCII));
      }
      out.write("]}".getBytes(StandardCharsets.US_ASCII));
    });
  }

  /** Answers {@code POST .../blobs/uploads/} with 202 and {@code Location: locationBase + /upload/N}. */
  public Rule uploadLocation(String locationBase, int times) {
    AtomicInteger n = new AtomicInteger();
    return on("POST", "/blobs/uploads/$", times, (req, out, s) -> writeResponse(req, out, 202, new byte[0],
        "Location", locationBase + "/upload/" + n.incrementAndGet(), "Docker-Upload-UUID", "u" + n.get()));
  }

  /** Completes any {@code PUT ...?digest=D} with 201 and {@code Docker-Content-Digest: D}, as a registry does. */
  public Rule acceptUploads() {
    return on("PUT", "[?&]digest=", ALWAYS, (req, out, s) -> {
      String d = URLDecoder.decode(req.target().replaceAll(".*[?&]digest=([^&]*).*", "$1"),
          StandardCharsets.UTF_8);
      writeResponse(req, out, 201, new byte[0], "Docker-Content-Digest", d);
    });
  }

  /**
   * Answers every request without {@code Authorization: Basic base64(user:password)} with a Basic
   * challenge, before any other rule.
   */
  public Rule requireBasic(String user, String password) {
    String expected = "Basic " + Base64.getEncoder()
        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    Rule r = new Rule(null, "", ALWAYS, (req, out, s) -> writeResponse(req, out, 401,
        errorJson("UNAUTHORIZED", "authentication required"), "Content-Type", "application/json",
        "WWW-Authenticate", "Basic realm=\"hostile\""), req -> expected.equals(req.header("Authorization")));
    rules.add(0, r);
    return r;
  }

  /**
   * Answers every {@code /v2/} request that has no {@code Authorization: Bearer ...} with a Bearer
   * challenge naming {@code realm}, before any other rule.
   */
  public Rule bearerChallenge(String realm) {
    Rule r = new Rule(null, "^/v2/", ALWAYS, (req, out, s) -> writeResponse(req, out, 401,
        errorJson("UNAUTHORIZED", "authentication required"), "Content-Type", "application/json",
        "WWW-Authenticate", "Bearer realm=\"" + realm + "\",service=\"hostile\""),
        req -> String.valueOf(req.header("Authorization")).startsWith("Bearer "));
    rules.add(0, r);
    return r;
  }

  /** Answers {@code status} with {@code Location: rawLocation} (written as given, malformed or not). */
  public Rule redirect(String method, String pathRegex, int times, int status, String rawLocation) {
    return respond(method, pathRegex, times, status, new byte[0], "Location", rawLocation);
  }

  /** An OCI error body {@code {"errors":[{"code":..,"message":..}]}} with {@code message} escaped as JSON. */
  public static byte[] errorJson(String code, String message) {
    return ("{\"errors\":[{\"code\":\"" + jsonEscape(code) + "\",\"message\":\"" + jsonEscape(message) + "\"}]}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** {@code s} as the inside of a JSON string (control characters as {@code \\uXXXX}). */
  public static String jsonEscape(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  // ------------------------------------------------------------------ plumbing

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        return;
      }
      open.add(s);
      executor.execute(() -> serve(s));
    }
  }

  private void serve(Socket s) {
    try (s) {
      s.setSoTimeout(30_000);
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      Request req = readRequest(in);
      if (req == null) {
        return;
      }
      requests.add(req);
      Rule rule = null;
      for (Rule r : rules) {
        if (r.tryFire(req)) {
          rule = r;
          break;
        }
      }
      if (rule == null) {
        writeResponse(req, out, 404, errorJson("NAME_UNKNOWN", "not here"), "Content-Type", "application/json");
      } else {
        rule.reply.write(req, out, this);
      }
      out.flush();
    } catch (IOException | RuntimeException e) {
      // the client went away, or a reply chose to break the connection
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      open.remove(s);
    }
  }

  private static Request readRequest(InputStream in) throws IOException {
    String requestLine = readLine(in);
    if (requestLine == null || requestLine.isEmpty()) {
      return null;
    }
    String[] parts = requestLine.split(" ");
    if (parts.length < 3) {
      return null;
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.putIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
    }
    long length = headers.containsKey("content-length") ? Long.parseLong(headers.get("content-length")) : 0;
    in.skipNBytes(length);
    return new Request(parts[0], parts[1], Collections.unmodifiableMap(headers), (int) length);
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        byte[] b = line.toByteArray();
        int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
        return new String(b, 0, len, StandardCharsets.ISO_8859_1);
      }
      line.write(c);
      if (line.size() > 64 * 1024) {
        throw new IOException("request line too long");
      }
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }

  /** The status line and headers, with {@code Content-Length} (when {@code length >= 0}) and {@code Connection: close}. */
  public static byte[] head(int status, long length, String... headers) {
    StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
    for (int i = 0; i + 1 < headers.length; i += 2) {
      sb.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    if (length >= 0) {
      sb.append("Content-Length: ").append(length).append("\r\n");
    }
    sb.append("Connection: close\r\n\r\n");
    return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static void writeResponse(Request req, OutputStream out, int status, byte[] body, String... headers)
      throws IOException {
    out.write(head(status, body.length, headers));
    if (!req.method().equals("HEAD")) {
      out.write(body);
    }
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 201 -> "Created";
      case 202 -> "Accepted";
      case 301 -> "Moved Permanently";
      case 302 -> "Found";
      case 307 -> "Temporary Redirect";
      case 401 -> "Unauthorized";
      case 404 -> "Not Found";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 503 -> "Service Unavailable";
      default -> "Status";
    };
  }

  /** Stops accepting, ends every stalled reply and closes every connection. */
  @Override
  public void close() {
    closed.countDown();
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (Socket s : new ArrayList<>(open)) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    executor.shutdownNow();
  }
}
