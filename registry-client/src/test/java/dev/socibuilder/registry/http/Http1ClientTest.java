package dev.socibuilder.registry.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.testing.registry.HostileRegistry;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP/1.1 client against a scripted server on 127.0.0.1 that controls every byte and counts
 * connections, a TLS server with its own certificate, and a CONNECT proxy. Time limits are short ones
 * from the requests and read guards; the class timeout only keeps a regression from hanging the build.
 */
@Timeout(60)
class Http1ClientTest {
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  Script server;
  Http1Client client = new Http1Client(null, TIMEOUT, null);

  @AfterEach
  void stop() throws IOException {
    client.close();
    if (server != null) {
      server.close();
    }
  }

  /** A read guard with a fixed limit and a recognizable failure. */
  static ReadGuard guard(Duration limit) {
    return new ReadGuard() {
      @Override
      public Duration nextReadLimit() {
        return limit;
      }

      @Override
      public HttpTimeoutException timedOut(Duration l) {
        return new HttpTimeoutException("nothing for " + l.toMillis() + " ms");
      }
    };
  }

  static final ReadGuard PATIENT = guard(TIMEOUT);

  Response get(String path) throws Exception {
    return client.send(Request.newBuilder(server.uri(path)).GET().timeout(TIMEOUT).build(), PATIENT);
  }

  static String text(Response r) throws IOException {
    try (InputStream in = r.body()) {
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  // ------------------------------------------------------------------ bodies and connections

  @Test
  void aContentLengthBodyIsReadAndItsConnectionReused() throws Exception {
    server = Script.keepAlive((req, out) -> out.write(reply(200, "hello " + req.target(), "X-Thing", "a", "x-thing", "b")));

    Response first = get("/one?q=1");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().allValues("X-THING")).containsExactly("a", "b");
    assertThat(text(first)).isEqualTo("hello /one?q=1");
    assertThat(text(get("/two"))).isEqualTo("hello /two");

    assertThat(server.connections()).isEqualTo(1);
    assertThat(server.requests()).extracting(r -> r.headers().get("host"))
        .containsOnly("127.0.0.1:" + server.port());
  }

  @Test
  void aChunkedBodyIsDecodedThroughExtensionsAndTrailers() throws Exception {
    server = Script.keepAlive((req, out) -> out.write(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "5;name=value\r\nhello\r\n1\r\n \r\nB\r\nchunked wor\r\n2\r\nld\r\n0\r\nTrailer-Field: x\r\n\r\n")));

    assertThat(text(get("/c"))).isEqualTo("hello chunked world");
    assertThat(text(get("/c"))).isEqualTo("hello chunked world");
    assertThat(server.connections()).isEqualTo(1);
  }

  @Test
  void aBodyWithoutLengthIsReadToTheConnectionsEndAndNotReused() throws Exception {
    server = Script.start((req, out) -> {
      out.write(ascii("HTTP/1.1 200 OK\r\n\r\nuntil the end"));
      return false; // close
    });

    assertThat(text(get("/a"))).isEqualTo("until the end");
    assertThat(text(get("/b"))).isEqualTo("until the end");
    assertThat(server.connections()).isEqualTo(2);
  }

  @Test
  void aHeadAnswerHasNoBodyWhateverItsContentLength() throws Exception {
    server = Script.keepAlive((req, out) -> out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n")));

    Response r = client.send(Request.newBuilder(server.uri("/h")).HEAD().timeout(TIMEOUT).build(), PATIENT);
    assertThat(r.headers().firstValueAsLong("Content-Length")).hasValue(1234);
    assertThat(r.body().read()).isEqualTo(-1);
    assertThat(text(client.send(Request.newBuilder(server.uri("/h")).HEAD().timeout(TIMEOUT).build(), PATIENT)))
        .isEmpty();
    assertThat(server.connections()).isEqualTo(1);
  }

  @Test
  void aBodyClosedBeforeItsEndClosesItsConnection() throws Exception {
    server = Script.keepAlive((req, out) -> out.write(reply(200, "x".repeat(100_000))));

    Response r = get("/big");
    assertThat(r.body().read(new byte[10])).isEqualTo(10);
    r.body().close();
    assertThat(text(get("/big"))).hasSize(100_000);

    assertThat(server.connections()).isEqualTo(2);
  }

  @Test
  void aConnectionTheServerClosedWhileIdleIsReplacedWithoutAFailure() throws Exception {
    // The server answers with keep-alive framing but drops each connection right after: the client finds
    // out only when it sends the next request on it.
    server = Script.start((req, out) -> {
      out.write(reply(200, "once"));
      return false;
    });

    assertThat(text(get("/1"))).isEqualTo("once");
    assertThat(text(get("/2"))).isEqualTo("once");
    assertThat(server.requests()).hasSize(2);
  }

  @Test
  void requestBodiesAreSentWithTheirLengthAndEmptyOnesWithZero() throws Exception {
    server = Script.keepAlive((req, out) -> out.write(reply(201, req.method() + " " + req.body().length + " "
        + req.headers().get("content-length") + " " + (req.body().length < 100 ? new String(req.body(),
        StandardCharsets.UTF_8) : "..."))));
    byte[] big = new byte[200_000];
    new Random(1).nextBytes(big);

    assertThat(text(client.send(Request.newBuilder(server.uri("/p")).PUT("a body".getBytes(StandardCharsets.UTF_8))
        .header("Content-Type", "text/plain").timeout(TIMEOUT).build(), PATIENT))).isEqualTo("PUT 6 6 a body");
    assertThat(text(client.send(Request.newBuilder(server.uri("/p")).POST(new byte[0]).timeout(TIMEOUT).build(),
        PATIENT))).isEqualTo("POST 0 0 ");
    assertThat(text(client.send(Request.newBuilder(server.uri("/p")).method("PATCH", big).timeout(TIMEOUT).build(),
        PATIENT))).isEqualTo("PATCH 200000 200000 ...");
    assertThat(server.requests().get(0).headers()).containsEntry("content-type", "text/plain");
    assertThat(server.requests().get(2).body()).isEqualTo(big);
  }

  @Test
  void interimAnswersAreSkipped() throws Exception {
    server = Script.keepAlive((req, out) -> out.write(ascii("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n"
        + "Link: </x>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n")));

    Response r = get("/i");
    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(text(r)).isEmpty();
  }

  // ------------------------------------------------------------------ time limits

  @Test
  void aBodyThatStallsFailsWithTheGuardsTimeoutAndLaterReadsFailToo() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    server = Script.start((req, out) -> {
      out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst"));
      out.flush();
      release.await(20, TimeUnit.SECONDS);
      return false;
    });
    Response r = client.send(Request.newBuilder(server.uri("/s")).GET().timeout(TIMEOUT).build(),
        guard(Duration.ofMillis(200)));
    byte[] buf = new byte[100];

    assertThat(r.body().read(buf)).isEqualTo(5);
    assertThatThrownBy(() -> r.body().read(buf)).isInstanceOf(HttpTimeoutException.class)
        .hasMessage("nothing for 200 ms");
    assertThatThrownBy(() -> r.body().read(buf)).isInstanceOf(IOException.class)
        .hasMessageContaining("cut off by an earlier failure");
    release.countDown();
  }

  @Test
  void aGuardWithNoTimeLeftFailsTheReadAtOnce() throws Exception {
    server = Script.keepAlive((req, out) -> out.write(reply(200, "never read")));
    Response r = client.send(Request.newBuilder(server.uri("/d")).GET().timeout(TIMEOUT).build(), guard(Duration.ZERO));

    assertThatThrownBy(() -> r.body().read()).isInstanceOf(HttpTimeoutException.class).hasMessage("nothing for 0 ms");
  }

  @Test
  void headersThatDoNotArriveWithinTheRequestsTimeoutFail() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    server = Script.start((req, out) -> {
      out.write(ascii("HTTP/1.1 200 OK\r\n")); // and the rest never comes
      out.flush();
      release.await(20, TimeUnit.SECONDS);
      return false;
    });
    long start = System.nanoTime();

    assertThatThrownBy(() -> client.send(Request.newBuilder(server.uri("/t")).GET()
        .timeout(Duration.ofMillis(300)).build(), PATIENT))
        .isInstanceOf(HttpTimeoutException.class).hasMessage("request timed out");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    release.countDown();
  }

  @Test
  void aServerThatStopsReadingARequestBodyIsCutOffWhenTheTimeoutPasses() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (ServerSocket deaf = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        try (Socket s = deaf.accept()) {
          s.setReceiveBufferSize(4096);
          release.await(20, TimeUnit.SECONDS); // never reads
        } catch (IOException | InterruptedException ignored) {
          // test over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      byte[] body = new byte[32 << 20]; // far more than both sockets' buffers hold

      assertThatThrownBy(() -> client.send(Request.newBuilder(URI.create("http://127.0.0.1:" + deaf.getLocalPort() + "/u"))
          .PUT(body).timeout(Duration.ofMillis(500)).build(), PATIENT))
          .isInstanceOf(HttpTimeoutException.class).hasMessage("request timed out");
      release.countDown();
    }
  }

  @Test
  void aReadInAnInterruptedThreadFails() throws Exception {
    server = Script.keepAlive((req, out) -> out.write(reply(200, "body")));
    Response r = get("/x");

    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> r.body().read()).isInstanceOf(InterruptedIOException.class);
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void aRefusedConnectionIsAConnectException() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    assertThatThrownBy(() -> client.send(Request.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
        .GET().timeout(TIMEOUT).build(), PATIENT))
        .isInstanceOf(java.net.ConnectException.class).isNotInstanceOf(HttpConnectTimeoutException.class);
  }

  // ------------------------------------------------------------------ what a server may not send

  @Test
  void malformedOrOversizedAnswersFailClearly() throws Exception {
    Map<String, String> answers = new LinkedHashMap<>();
    answers.put("/status", "HTTP/1.1 2OO OK\r\n\r\n");
    answers.put("/not-http", "SSH-2.0-OpenSSH\r\n\r\n");
    answers.put("/lengths", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!");
    answers.put("/length", "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n");
    answers.put("/header", "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n");
    answers.put("/folded", "HTTP/1.1 200 OK\r\nA: b\r\n  folded\r\n\r\n");
    answers.put("/long-line", "HTTP/1.1 200 OK\r\nA: " + "x".repeat(70_000) + "\r\n\r\n");
    answers.put("/many", "HTTP/1.1 200 OK\r\n" + "A: b\r\n".repeat(1001) + "\r\n");
    answers.put("/huge", "HTTP/1.1 200 OK\r\n" + ("A: " + "x".repeat(60_000) + "\r\n").repeat(5) + "\r\n");
    server = Script.start((req, out) -> {
      out.write(ascii(answers.get(req.target())));
      return false;
    });
    Map<String, String> messages = new LinkedHashMap<>();
    for (String path : answers.keySet()) {
      try {
        text(get(path));
        messages.put(path, "no failure");
      } catch (IOException e) {
        messages.put(path, e.getMessage());
      }
    }

    assertThat(messages).containsExactly(
        Map.entry("/status", "malformed HTTP status line 'HTTP/1.1 2OO OK'"),
        Map.entry("/not-http", "malformed HTTP status line 'SSH-2.0-OpenSSH'"),
        Map.entry("/lengths", "conflicting Content-Length values 5 and 6"),
        Map.entry("/length", "malformed Content-Length '-5'"),
        Map.entry("/header", "malformed response header line 'No colon here'"),
        Map.entry("/folded", "malformed response header line '  folded'"),
        Map.entry("/long-line", "response line or header longer than 65536 bytes"),
        Map.entry("/many", "response headers larger than 262144 bytes or 1000 lines"),
        Map.entry("/huge", "response headers larger than 262144 bytes or 1000 lines"));
  }

  @Test
  void aBodyCutShortOfItsLengthOrInAChunkIsAnError() throws Exception {
    server = Script.start((req, out) -> {
      out.write(ascii(req.target().equals("/short") ? "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"
          : req.target().equals("/chunk") ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc"
          : "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"));
      return false;
    });

    assertThatThrownBy(() -> text(get("/short"))).isInstanceOf(EOFException.class)
        .hasMessage("connection closed after 3 of 10 bytes");
    assertThatThrownBy(() -> text(get("/chunk"))).isInstanceOf(EOFException.class)
        .hasMessage("connection closed in a chunk after 3 bytes");
    assertThatThrownBy(() -> text(get("/size"))).isInstanceOf(IOException.class)
        .hasMessage("malformed chunked response: chunk size 'zz'");
  }

  // ------------------------------------------------------------------ TLS and proxies

  @Test
  void httpsUsesTheGivenTlsContextAndChecksTheHostName() throws Exception {
    HostileRegistry tls = HostileRegistry.startTls();
    try (Http1Client trusting = new Http1Client(tls.clientSslContext(), TIMEOUT, null);
        Http1Client defaults = new Http1Client(null, TIMEOUT, null)) {
      tls.respond("GET", "/v2/", HostileRegistry.ALWAYS, 200, ascii("{}"), "Content-Type", "application/json");
      URI uri = URI.create(tls.origin() + "/v2/");

      assertThat(text(trusting.send(Request.newBuilder(uri).GET().timeout(TIMEOUT).build(), PATIENT))).isEqualTo("{}");
      // The JDK's trust store does not know the test certificate.
      assertThatThrownBy(() -> defaults.send(Request.newBuilder(uri).GET().timeout(TIMEOUT).build(), PATIENT))
          .isInstanceOf(IOException.class);
    } finally {
      tls.close();
    }
  }

  @Test
  void anHttpProxyGetsAbsoluteRequestsAndTunnelsHttps() throws Exception {
    HostileRegistry tls = HostileRegistry.startTls();
    tls.respond("GET", "/v2/", HostileRegistry.ALWAYS, 200, ascii("through the tunnel"));
    List<String> proxied = Collections.synchronizedList(new ArrayList<>());
    // The proxy: answers plain requests itself, tunnels CONNECT to the TLS server.
    server = Script.startRaw(socket -> {
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      String line = Script.readLine(in);
      proxied.add(line);
      while (!Script.readLine(in).isEmpty()) {
        // headers
      }
      if (!line.startsWith("CONNECT ")) {
        out.write(reply(200, "from the proxy"));
        return;
      }
      try (Socket upstream = new Socket("127.0.0.1", Integer.parseInt(tls.hostPort().split(":")[1]))) {
        out.write(ascii("HTTP/1.1 200 Connection Established\r\n\r\n"));
        out.flush();
        Thread back = new Thread(() -> {
          try {
            upstream.getInputStream().transferTo(out);
          } catch (IOException ignored) {
            // tunnel closed
          }
        });
        back.start();
        try {
          in.transferTo(upstream.getOutputStream());
        } catch (IOException ignored) {
          // tunnel closed
        }
        back.join(5000);
      }
    });
    ProxySelector viaProxy = ProxySelector.of(new InetSocketAddress("127.0.0.1", server.port()));

    try (Http1Client proxiedClient = new Http1Client(tls.clientSslContext(), TIMEOUT, viaProxy)) {
      assertThat(text(proxiedClient.send(Request.newBuilder(URI.create("http://registry.example:5000/v2/x?y=1"))
          .GET().timeout(TIMEOUT).build(), PATIENT))).isEqualTo("from the proxy");
      assertThat(text(proxiedClient.send(Request.newBuilder(URI.create(tls.origin() + "/v2/")).GET()
          .timeout(TIMEOUT).build(), PATIENT))).isEqualTo("through the tunnel");
    } finally {
      tls.close();
    }
    assertThat(proxied).containsExactly("GET http://registry.example:5000/v2/x?y=1 HTTP/1.1",
        "CONNECT " + tls.hostPort() + " HTTP/1.1");
  }

  // ------------------------------------------------------------------ the scripted server

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static byte[] reply(int status, String body, String... headers) {
    StringBuilder sb = new StringBuilder("HTTP/1.1 " + status + " X\r\nContent-Length: " + body.length() + "\r\n");
    for (int i = 0; i < headers.length; i += 2) {
      sb.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    return ascii(sb.append("\r\n").append(body).toString());
  }

  /** A received request: method, target, headers (names lower-cased) and body. */
  record Received(String method, String target, Map<String, String> headers, byte[] body) {}

  /** Writes the answer to one request; returns whether to keep the connection open for the next. */
  @FunctionalInterface
  interface Handler {
    boolean answer(Received request, OutputStream out) throws Exception;
  }

  /** Writes answers; the connection is kept open (returns true). */
  @FunctionalInterface
  interface Writer {
    void write(Received request, OutputStream out) throws Exception;
  }

  @FunctionalInterface
  interface RawHandler {
    void handle(Socket socket) throws Exception;
  }

  /** A server on 127.0.0.1 that answers each request of each connection with a handler. */
  static final class Script implements AutoCloseable {
    private final ServerSocket socket;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "script-server");
      t.setDaemon(true);
      return t;
    });
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Received> requests = Collections.synchronizedList(new ArrayList<>());

    private Script(RawHandler handler) throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      threads.execute(() -> {
        while (!socket.isClosed()) {
          try {
            Socket s = socket.accept();
            connections.incrementAndGet();
            threads.execute(() -> {
              try (s) {
                handler.handle(s);
              } catch (Exception ignored) {
                // the client went away
              }
            });
          } catch (IOException e) {
            return;
          }
        }
      });
    }

    static Script keepAlive(Writer writer) throws IOException {
      return start((req, out) -> {
        writer.write(req, out);
        return true;
      });
    }

    static Script start(Handler handler) throws IOException {
      Script[] self = new Script[1];
      self[0] = new Script(s -> {
        InputStream in = new BufferedInputStream(s.getInputStream());
        OutputStream out = s.getOutputStream();
        while (true) {
          Received r = read(in);
          if (r == null) {
            return;
          }
          self[0].requests.add(r);
          boolean keep = handler.answer(r, out);
          out.flush();
          if (!keep) {
            return;
          }
        }
      });
      return self[0];
    }

    static Script startRaw(RawHandler handler) throws IOException {
      return new Script(handler);
    }

    static Received read(InputStream in) throws IOException {
      String line = readLine(in);
      if (line == null || line.isEmpty()) {
        return null;
      }
      String[] parts = line.split(" ");
      Map<String, String> headers = new LinkedHashMap<>();
      for (String h = readLine(in); h != null && !h.isEmpty(); h = readLine(in)) {
        int colon = h.indexOf(':');
        headers.put(h.substring(0, colon).toLowerCase(Locale.ROOT), h.substring(colon + 1).strip());
      }
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      byte[] body = in.readNBytes(length);
      return new Received(parts[0], parts[1], headers, body);
    }

    static String readLine(InputStream in) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
        }
        if (c != '\r') {
          b.write(c);
        }
      }
      return b.toString(StandardCharsets.ISO_8859_1);
    }

    URI uri(String path) {
      return URI.create("http://127.0.0.1:" + port() + path);
    }

    int port() {
      return socket.getLocalPort();
    }

    int connections() {
      return connections.get();
    }

    List<Received> requests() {
      return List.copyOf(requests);
    }

    @Override
    public void close() throws IOException {
      socket.close();
      threads.shutdownNow();
    }
  }
}
