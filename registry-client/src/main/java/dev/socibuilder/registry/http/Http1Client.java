package dev.socibuilder.registry.http;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A small blocking HTTP/1.1 client for the registry client: a {@link Request} is sent and its
 * {@link Response} returned once the headers have arrived; the body is read straight from the socket in
 * the reader's thread.
 *
 * <p>Why not {@link java.net.http.HttpClient}: it delivers a body through its selector thread, a
 * reactive pipeline and a queue of 16 KiB buffers copied into the reader's array, and starts slowly
 * (TLS provider and trust store loaded at construction even for plain http, a large class graph: about
 * 0.5 s before the first request in a fresh JVM). On a 140 MB layer it cost about 1 s of CPU in a fresh
 * JVM, more than the layer's SHA-256 and span digests together. Here a read of a layer is one
 * {@code read} system call into the reader's buffer.
 *
 * <p><b>Time limits.</b> The request's {@linkplain Request#timeout() timeout} (required) bounds
 * connecting, the TLS handshake, sending the request and the arrival of the response headers: each
 * socket read waits at most the time left, and a request with a body is aborted by a timer if sending it
 * blocks past that time. Then every read of the body waits at most what the {@link ReadGuard} allows,
 * as a socket timeout ({@link Socket#setSoTimeout}): no thread and no timer per read.
 *
 * <p><b>Connections</b> are kept per origin (and proxy) and reused once a response body has been read to
 * its end; a body closed earlier closes its connection. A request that fails on a reused connection
 * before any byte of the answer arrived (the server had closed it while idle) is sent again on a new
 * one. Proxies come from the given {@link ProxySelector} (HTTP proxies only: plain requests in absolute
 * form, https through {@code CONNECT}). Redirects are not followed; there are no cookies, no
 * compression, no HTTP/2.
 *
 * <p>Limits on what a server sends: a status line or header line of at most 64 KiB, at most 256 KiB and
 * 1,000 header lines per response.
 *
 * <p>Thread-safe.
 */
public final class Http1Client implements AutoCloseable {
  static final int MAX_LINE = 64 * 1024;
  static final int MAX_HEADER_BYTES = 256 * 1024;
  static final int MAX_HEADER_LINES = 1000;
  private static final int MAX_IDLE_PER_ORIGIN = 16;
  private static final long MAX_IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);
  /** Request bodies up to this size are sent in the same write as the request head. */
  private static final int COALESCE_BODY = 64 * 1024;

  private final SSLContext sslContext;
  private final Duration connectTimeout;
  private final ProxySelector proxies;
  private final Map<String, ArrayDeque<Connection>> idle = new HashMap<>();
  private final ScheduledThreadPoolExecutor sendTimer;
  private volatile SSLSocketFactory tls;
  private volatile boolean closed;

  /**
   * @param sslContext the TLS context for https, or null for the JDK's default (loaded on the first
   *     https request)
   * @param connectTimeout the longest a TCP connect may take (also capped by each request's timeout)
   * @param proxies where requests go through a proxy, or null for direct connections only
   */
  public Http1Client(SSLContext sslContext, Duration connectTimeout, ProxySelector proxies) {
    this.sslContext = sslContext;
    this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
    if (!positive(connectTimeout)) {
      throw new IllegalArgumentException("connect timeout must be positive: " + connectTimeout);
    }
    this.proxies = proxies;
    // Only requests with a body use it; its thread ends when idle.
    this.sendTimer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "http-send-timer");
      t.setDaemon(true);
      return t;
    });
    sendTimer.setKeepAliveTime(10, TimeUnit.SECONDS);
    sendTimer.allowCoreThreadTimeOut(true);
    sendTimer.setRemoveOnCancelPolicy(true);
  }

  /**
   * Sends {@code request} and returns once the response headers have arrived; the caller reads and
   * closes the body.
   *
   * @param guard the time limit of each read of the response body
   * @throws HttpTimeoutException if connecting, sending or the headers took longer than the request's
   *     timeout ({@link HttpConnectTimeoutException} for the connect)
   * @throws ConnectException if no connection could be made
   * @throws IOException on any other failure, or a malformed response
   * @throws IllegalArgumentException if the request has no timeout
   */
  public Response send(Request request, ReadGuard guard) throws IOException, InterruptedException {
    Objects.requireNonNull(guard, "guard");
    Duration timeout = request.timeout()
        .orElseThrow(() -> new IllegalArgumentException("a request needs a timeout: " + request.uri()));
    long endNanos = System.nanoTime() + timeout.toNanos();
    Target target = Target.of(request.uri(), proxyFor(request.uri()));
    byte[] body = request.body();
    byte[] head = head(request, target, body);
    while (true) {
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted before sending " + request.method() + " " + request.uri());
      }
      if (closed) {
        throw new IOException("HTTP client closed");
      }
      Connection c = pooled(target.key);
      boolean reused = c != null;
      if (c == null) {
        c = connect(target, endNanos);
      }
      try {
        return exchange(c, request, head, body, endNanos, guard);
      } catch (HttpTimeoutException e) {
        throw e;
      } catch (IOException e) {
        if (reused && !c.receivedAny()) {
          continue; // closed by the server while it was idle: send it again on a new connection
        }
        throw e;
      }
    }
  }

  private Response exchange(Connection c, Request request, byte[] head, byte[] body,
      long endNanos, ReadGuard guard) throws IOException {
    ScheduledFuture<?> alarm = null;
    if (body != null && body.length > 0) {
      // A blocked socket write has no timeout of its own: a server that stops reading the body is cut
      // off when the request's time is up.
      alarm = sendTimer.schedule(c::abort, Math.max(1, endNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
    int status;
    Map<String, List<String>> headers;
    boolean http11;
    try {
      c.startResponse();
      if (body != null && body.length > 0 && body.length <= COALESCE_BODY) {
        byte[] both = new byte[head.length + body.length];
        System.arraycopy(head, 0, both, 0, head.length);
        System.arraycopy(body, 0, both, head.length, body.length);
        c.write(both, 0, both.length);
      } else {
        c.write(head, 0, head.length);
        if (body != null && body.length > 0) {
          c.write(body, 0, body.length);
        }
      }
      c.flush();
      while (true) {
        String statusLine = c.readLine(MAX_LINE, headerWait(endNanos));
        http11 = statusLine.startsWith("HTTP/1.1 ");
        status = parseStatus(statusLine);
        headers = readHeaders(c, endNanos);
        if (status >= 200 || status == 101) {
          break;
        }
        // 1xx interim answers (100 Continue, 103 Early Hints): the real one follows.
      }
    } catch (SocketTimeoutException e) {
      c.close();
      throw timeout(request, e);
    } catch (IOException e) {
      c.close();
      if (c.aborted()) {
        throw timeout(request, e);
      }
      throw e;
    } finally {
      if (alarm != null) {
        alarm.cancel(false);
      }
    }
    if (c.aborted()) { // the alarm went off just as the headers arrived
      throw timeout(request, null);
    }
    if (status == 101) {
      c.close();
      throw new IOException("unexpected 101 Switching Protocols from " + request.uri());
    }
    Headers h = Headers.of(headers);
    ResponseBody.Framing framing;
    long length;
    try {
      length = contentLength(h); // checked even where it does not frame the body (HEAD)
    } catch (IOException e) {
      c.close();
      throw e;
    }
    boolean noBody = request.method().equals("HEAD") || status == 204 || status == 304;
    List<String> te = h.allValues("Transfer-Encoding");
    if (noBody) {
      framing = ResponseBody.Framing.EMPTY;
    } else if (!te.isEmpty()) {
      String last = te.get(te.size() - 1);
      int comma = last.lastIndexOf(',');
      String coding = (comma >= 0 ? last.substring(comma + 1) : last).strip().toLowerCase(Locale.ROOT);
      framing = coding.equals("chunked") ? ResponseBody.Framing.CHUNKED : ResponseBody.Framing.UNTIL_CLOSE;
    } else {
      framing = length >= 0 ? ResponseBody.Framing.LENGTH : ResponseBody.Framing.UNTIL_CLOSE;
    }
    boolean reusable = http11 && framing != ResponseBody.Framing.UNTIL_CLOSE && !hasToken(h, "Connection", "close");
    ResponseBody responseBody = new ResponseBody(this, c, framing, length, reusable, guard);
    return new Response(status, h, responseBody, request.uri());
  }

  private static HttpTimeoutException timeout(Request request, Throwable cause) {
    HttpTimeoutException e = new HttpTimeoutException("request timed out");
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }

  private static int headerWait(long endNanos) throws HttpTimeoutException {
    long left = endNanos - System.nanoTime();
    if (left <= 0) {
      throw new HttpTimeoutException("request timed out");
    }
    return ceilMillis(left);
  }

  private static int parseStatus(String line) throws IOException {
    // HTTP-version SP 3DIGIT [SP reason]
    if (!line.startsWith("HTTP/1.") || line.length() < 12 || line.charAt(8) != ' '
        || (line.length() > 12 && line.charAt(12) != ' ')) {
      throw new IOException("malformed HTTP status line '" + printable(line) + "'");
    }
    int status = 0;
    for (int i = 9; i < 12; i++) {
      char ch = line.charAt(i);
      if (ch < '0' || ch > '9') {
        throw new IOException("malformed HTTP status line '" + printable(line) + "'");
      }
      status = status * 10 + (ch - '0');
    }
    if (status < 100) {
      throw new IOException("malformed HTTP status line '" + printable(line) + "'");
    }
    return status;
  }

  private static Map<String, List<String>> readHeaders(Connection c, long endNanos) throws IOException {
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    int bytes = 0;
    int lines = 0;
    for (String line = c.readLine(MAX_LINE, headerWait(endNanos)); !line.isEmpty();
        line = c.readLine(MAX_LINE, headerWait(endNanos))) {
      bytes += line.length() + 2;
      if (bytes > MAX_HEADER_BYTES || ++lines > MAX_HEADER_LINES) {
        throw new IOException("response headers larger than " + MAX_HEADER_BYTES + " bytes or "
            + MAX_HEADER_LINES + " lines");
      }
      int colon = line.indexOf(':');
      if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t' || !isToken(line, colon)) {
        throw new IOException("malformed response header line '" + printable(line) + "'");
      }
      headers.computeIfAbsent(line.substring(0, colon), k -> new ArrayList<>(1))
          .add(line.substring(colon + 1).strip());
    }
    return headers;
  }

  private static boolean isToken(String s, int end) {
    for (int i = 0; i < end; i++) {
      char ch = s.charAt(i);
      if (ch <= ' ' || ch >= 0x7f || "\"(),/:;<=>?@[\\]{}".indexOf(ch) >= 0) {
        return false;
      }
    }
    return true;
  }

  /** The Content-Length, or -1 if there is none. */
  private static long contentLength(Headers h) throws IOException {
    long length = -1;
    for (String v : h.allValues("Content-Length")) {
      for (String part : v.split(",", -1)) {
        long n;
        try {
          String p = part.strip();
          if (p.isEmpty() || p.length() > 18 || !p.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            throw new NumberFormatException();
          }
          n = Long.parseLong(p);
        } catch (NumberFormatException e) {
          throw new IOException("malformed Content-Length '" + printable(v) + "'");
        }
        if (length >= 0 && n != length) {
          throw new IOException("conflicting Content-Length values " + length + " and " + n);
        }
        length = n;
      }
    }
    return length;
  }

  private static boolean hasToken(Headers h, String name, String token) {
    for (String v : h.allValues(name)) {
      for (String part : v.split(",")) {
        if (part.strip().equalsIgnoreCase(token)) {
          return true;
        }
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- the request

  private static byte[] head(Request request, Target target, byte[] body) {
    StringBuilder sb = new StringBuilder(256);
    sb.append(request.method()).append(' ').append(target.requestTarget).append(" HTTP/1.1\r\n");
    sb.append("Host: ").append(target.hostHeader).append("\r\n");
    request.headers().map().forEach((name, values) -> {
      for (String v : values) {
        sb.append(name).append(": ").append(v).append("\r\n");
      }
    });
    String m = request.method();
    if (body != null && (body.length > 0 || m.equals("POST") || m.equals("PUT") || m.equals("PATCH"))) {
      sb.append("Content-Length: ").append(body.length).append("\r\n");
    }
    sb.append("\r\n");
    return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Where a request goes: the origin, the proxy if any, and what the request line and Host say. */
  private record Target(String scheme, String host, int port, Proxy proxy, String key, String hostHeader,
      String requestTarget) {
    static Target of(URI uri, Proxy proxy) {
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new IllegalArgumentException("not an http(s) URL: " + uri);
      }
      String host = uri.getHost();
      if (host == null || host.isEmpty()) {
        throw new IllegalArgumentException("URL without a host: " + uri);
      }
      int defaultPort = scheme.equals("https") ? 443 : 80;
      int port = uri.getPort() < 0 ? defaultPort : uri.getPort();
      String hostHeader = port == defaultPort ? host : host + ":" + port;
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      String requestTarget = path + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
      String key = scheme + "://" + host.toLowerCase(Locale.ROOT) + ":" + port;
      if (proxy != null) {
        key += " via " + proxy.address();
        if (scheme.equals("http")) {
          requestTarget = scheme + "://" + hostHeader + requestTarget; // absolute form, for the proxy
        }
      }
      return new Target(scheme, host, port, proxy, key, hostHeader, requestTarget);
    }

    /** The host as a name or address, without an IPv6 literal's brackets. */
    String bareHost() {
      return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
  }

  private Proxy proxyFor(URI uri) {
    if (proxies == null) {
      return null;
    }
    List<Proxy> chosen;
    try {
      chosen = proxies.select(uri);
    } catch (RuntimeException e) {
      return null;
    }
    if (chosen != null) {
      for (Proxy p : chosen) {
        if (p.type() == Proxy.Type.HTTP && p.address() instanceof InetSocketAddress) {
          return p;
        }
        if (p.type() == Proxy.Type.DIRECT) {
          return null;
        }
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- connections

  private Connection connect(Target target, long endNanos) throws IOException {
    String connectHost;
    int connectPort;
    if (target.proxy != null) {
      InetSocketAddress pa = (InetSocketAddress) target.proxy.address();
      connectHost = pa.getHostString();
      connectPort = pa.getPort();
    } else {
      connectHost = target.bareHost();
      connectPort = target.port;
    }
    Socket socket = openSocket(connectHost, connectPort, endNanos);
    try {
      socket.setTcpNoDelay(true);
      if (target.proxy != null && target.scheme.equals("https")) {
        tunnel(socket, target, endNanos);
      }
      if (target.scheme.equals("https")) {
        SSLSocket ssl = (SSLSocket) tlsFactory().createSocket(socket, target.bareHost(), target.port, true);
        SSLParameters params = ssl.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        ssl.setSSLParameters(params);
        ssl.setSoTimeout(headerWait(endNanos));
        try {
          ssl.startHandshake();
        } catch (SocketTimeoutException e) {
          throw timeoutOfConnect(e);
        }
        socket = ssl;
      }
      return new Connection(target.key, socket);
    } catch (IOException | RuntimeException e) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // the failure above is what matters
      }
      throw e;
    }
  }

  private Socket openSocket(String host, int port, long endNanos) throws IOException {
    InetAddress[] addresses = InetAddress.getAllByName(host);
    IOException last = null;
    for (InetAddress a : addresses) {
      long left = Math.min(connectTimeout.toNanos(), endNanos - System.nanoTime());
      if (left <= 0) {
        break;
      }
      Socket s = new Socket();
      try {
        s.connect(new InetSocketAddress(a, port), ceilMillis(left));
        return s;
      } catch (SocketTimeoutException e) {
        s.close();
        last = timeoutOfConnect(e);
      } catch (IOException e) {
        s.close();
        last = e instanceof ConnectException ? e : (IOException) new ConnectException(e.getMessage()).initCause(e);
      }
    }
    if (last == null) {
      last = new HttpConnectTimeoutException("HTTP connect timed out");
    }
    throw last;
  }

  private static HttpConnectTimeoutException timeoutOfConnect(Throwable cause) {
    HttpConnectTimeoutException e = new HttpConnectTimeoutException("HTTP connect timed out");
    e.initCause(cause);
    return e;
  }

  /** Asks an HTTP proxy for a tunnel to the target ({@code CONNECT host:port}). */
  private void tunnel(Socket socket, Target target, long endNanos) throws IOException {
    String authority = target.host + ":" + target.port;
    byte[] connect = ("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
    socket.getOutputStream().write(connect);
    socket.getOutputStream().flush();
    Connection c = new Connection(target.key, socket);
    c.startResponse();
    try {
      int status = parseStatus(c.readLine(MAX_LINE, headerWait(endNanos)));
      readHeaders(c, endNanos);
      if (status != 200) {
        throw new ConnectException("the proxy " + target.proxy.address() + " refused a tunnel to " + authority
            + ": HTTP " + status);
      }
      if (c.hasBuffered()) {
        throw new IOException("the proxy " + target.proxy.address() + " sent data before the tunnel was used");
      }
    } catch (SocketTimeoutException e) {
      throw timeoutOfConnect(e);
    }
  }

  private SSLSocketFactory tlsFactory() throws IOException {
    SSLSocketFactory f = tls;
    if (f == null) {
      try {
        f = (sslContext != null ? sslContext : SSLContext.getDefault()).getSocketFactory();
      } catch (NoSuchAlgorithmException e) {
        throw new IOException("no TLS available: " + e.getMessage(), e);
      }
      tls = f;
    }
    return f;
  }

  private Connection pooled(String key) {
    List<Connection> expired = new ArrayList<>();
    Connection found = null;
    synchronized (idle) {
      ArrayDeque<Connection> q = idle.get(key);
      while (q != null && found == null && !q.isEmpty()) {
        Connection c = q.pollLast();
        if (System.nanoTime() - c.idleSinceNanos > MAX_IDLE_NANOS) {
          expired.add(c);
        } else {
          found = c;
        }
      }
    }
    expired.forEach(Connection::close);
    return found;
  }

  /** Takes back the connection of a response read to its end. */
  void release(Connection c) {
    Connection evicted = null;
    synchronized (idle) {
      if (!closed) {
        c.idleSinceNanos = System.nanoTime();
        ArrayDeque<Connection> q = idle.computeIfAbsent(c.origin, k -> new ArrayDeque<>());
        q.addLast(c);
        if (q.size() > MAX_IDLE_PER_ORIGIN) {
          evicted = q.pollFirst();
        }
        c = null;
      }
    }
    if (c != null) {
      c.close();
    }
    if (evicted != null) {
      evicted.close();
    }
  }

  /** Closes the idle connections; responses still being read keep theirs until they end. */
  @Override
  public void close() {
    List<Connection> all = new ArrayList<>();
    synchronized (idle) {
      closed = true;
      idle.values().forEach(all::addAll);
      idle.clear();
    }
    all.forEach(Connection::close);
    sendTimer.shutdownNow();
  }

  // ---------------------------------------------------------------- helpers

  static boolean positive(Duration d) {
    return !d.isNegative() && !d.isZero();
  }

  /**
   * A positive duration as socket timeout milliseconds, rounded up so that a read times out no earlier
   * than the limit (a deadline has passed when it fails); at least 1 (0 would mean "forever").
   */
  static int millis(Duration d) {
    return ceilMillis(d.toNanos());
  }

  private static int ceilMillis(long nanos) {
    long ms = nanos / 1_000_000 + (nanos % 1_000_000 > 0 ? 1 : 0);
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
  }

  /** Server text for a message: control characters replaced, at most 100 characters. */
  static String printable(String s) {
    StringBuilder sb = new StringBuilder(Math.min(s.length(), 100));
    for (int i = 0; i < s.length() && sb.length() < 100; i++) {
      char ch = s.charAt(i);
      sb.append(ch < 0x20 || (ch >= 0x7f && ch < 0xa0) ? '?' : ch);
    }
    return sb.toString();
  }
}
