package dev.socibuilder.testing.aws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for the Amazon S3 object API, at the HTTP level, for the real SDK client pointed at
 * {@link #endpoint()} with path-style addressing ({@code /BUCKET/KEY}): {@code GetObject},
 * {@code HeadObject}, {@code PutObject} (plain or {@code aws-chunked} bodies) and {@code DeleteObject} on
 * the buckets it was started with, in memory. A missing key is 404 {@code NoSuchKey}, as S3 answers a
 * caller allowed {@code s3:ListBucket}. Every request is recorded; faults answer an S3 error (403
 * {@code AccessDenied}, 503 {@code SlowDown}...) or delay the answer, for the next N matching requests.
 */
public final class FakeS3 implements AutoCloseable {

  /** One recorded request: the HTTP method and the object key (URL-decoded), or "" for the bucket. */
  public record Request(String method, String bucket, String key) {}

  private record S3Object(byte[] bytes, Instant lastModified) {}

  private record Fault(String method, int status, String code, Duration delay, AtomicInteger remaining) {}

  private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fake-s3");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, Map<String, S3Object>> buckets = new ConcurrentHashMap<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final List<Fault> faults = new CopyOnWriteArrayList<>();

  private FakeS3(HttpServer server, List<String> bucketNames) {
    this.server = server;
    bucketNames.forEach(b -> buckets.put(b, new ConcurrentHashMap<>()));
  }

  /** Starts the fake on 127.0.0.1 with these (empty) buckets. */
  public static FakeS3 start(String... bucketNames) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      FakeS3 s3 = new FakeS3(server, List.of(bucketNames));
      server.createContext("/", s3::handle);
      server.setExecutor(s3.executor);
      server.start();
      return s3;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The endpoint to give the SDK ({@code endpointOverride}, with path-style access). */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /**
   * The next {@code times} requests with {@code method} (null: any) are answered {@code status} with the
   * S3 error {@code code} (e.g. 403 {@code AccessDenied}, 500 {@code InternalError}, 503 {@code SlowDown}).
   */
  public void fail(String method, int status, String code, int times) {
    faults.add(new Fault(method, status, code, null, new AtomicInteger(times)));
  }

  /** The next {@code times} requests with {@code method} (null: any) wait {@code delay} before being served. */
  public void delay(String method, Duration delay, int times) {
    faults.add(new Fault(method, 0, null, delay, new AtomicInteger(times)));
  }

  /** Every request so far, in arrival order. */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** How many requests had {@code method}. */
  public long count(String method) {
    return requests.stream().filter(r -> r.method().equals(method)).count();
  }

  /** Forgets the recorded requests and the faults still pending; keeps the objects. */
  public void reset() {
    requests.clear();
    faults.clear();
  }

  /** An object's bytes, if it exists. */
  public Optional<byte[]> object(String bucket, String key) {
    return Optional.ofNullable(bucket(bucket).get(key)).map(S3Object::bytes);
  }

  /** An object's Last-Modified, if it exists. */
  public Optional<Instant> lastModified(String bucket, String key) {
    return Optional.ofNullable(bucket(bucket).get(key)).map(S3Object::lastModified);
  }

  /** Stores an object directly (e.g. a corrupted one), with the given Last-Modified. */
  public void putObject(String bucket, String key, byte[] bytes, Instant lastModified) {
    bucket(bucket).put(key, new S3Object(bytes.clone(), lastModified.truncatedTo(ChronoUnit.SECONDS)));
  }

  /** The keys of a bucket. */
  public List<String> keys(String bucket) {
    return bucket(bucket).keySet().stream().sorted().toList();
  }

  private Map<String, S3Object> bucket(String name) {
    Map<String, S3Object> b = buckets.get(name);
    if (b == null) {
      throw new IllegalArgumentException("no bucket " + name);
    }
    return b;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String method = ex.getRequestMethod();
      String path = ex.getRequestURI().getRawPath();
      int slash = path.indexOf('/', 1);
      String bucketName = URLDecoder.decode(slash < 0 ? path.substring(1) : path.substring(1, slash),
          StandardCharsets.UTF_8);
      String key = slash < 0 ? "" : URLDecoder.decode(path.substring(slash + 1).replace("+", "%2B"),
          StandardCharsets.UTF_8);
      byte[] body = readBody(ex);
      requests.add(new Request(method, bucketName, key));
      ex.getResponseHeaders().set("x-amz-request-id", "fake-" + requests.size());
      for (Fault f : faults) {
        boolean matches = f.method() == null || f.method().equals(method);
        if (matches && f.remaining().getAndUpdate(n -> n > 0 ? n - 1 : n) > 0) {
          if (f.delay() != null) {
            Thread.sleep(f.delay().toMillis());
          } else {
            error(ex, method, f.status(), f.code(), "fake " + f.code());
            return;
          }
        }
      }
      Map<String, S3Object> bucket = buckets.get(bucketName);
      if (bucket == null) {
        error(ex, method, 404, "NoSuchBucket", "The specified bucket does not exist");
        return;
      }
      switch (method) {
        case "PUT" -> {
          bucket.put(key, new S3Object(body, Instant.now().truncatedTo(ChronoUnit.SECONDS)));
          ex.getResponseHeaders().set("ETag", etag(body));
          ex.sendResponseHeaders(200, -1);
        }
        case "GET", "HEAD" -> {
          S3Object o = bucket.get(key);
          if (o == null) {
            error(ex, method, 404, "NoSuchKey", "The specified key does not exist.");
            return;
          }
          ex.getResponseHeaders().set("ETag", etag(o.bytes()));
          ex.getResponseHeaders().set("Last-Modified", HTTP_DATE.format(o.lastModified()));
          ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
          if (method.equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", String.valueOf(o.bytes().length));
            ex.sendResponseHeaders(200, -1);
          } else {
            ex.sendResponseHeaders(200, o.bytes().length == 0 ? -1 : o.bytes().length);
            ex.getResponseBody().write(o.bytes());
          }
        }
        case "DELETE" -> {
          bucket.remove(key);
          ex.sendResponseHeaders(204, -1);
        }
        default -> error(ex, method, 405, "MethodNotAllowed", "not faked: " + method);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The request body; an {@code aws-chunked} one (the SDK's streaming signature) is decoded. */
  private static byte[] readBody(HttpExchange ex) throws IOException {
    byte[] raw;
    try (InputStream in = ex.getRequestBody()) {
      raw = in.readAllBytes();
    }
    String encoding = String.valueOf(ex.getRequestHeaders().getFirst("Content-Encoding"));
    String sha = String.valueOf(ex.getRequestHeaders().getFirst("x-amz-content-sha256"));
    if (!encoding.toLowerCase(Locale.ROOT).contains("aws-chunked") && !sha.startsWith("STREAMING-")) {
      return raw;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
    int pos = 0;
    while (pos < raw.length) {
      int eol = indexOfCrlf(raw, pos);
      String header = new String(raw, pos, eol - pos, StandardCharsets.US_ASCII);
      int size = Integer.parseInt(header.split(";", 2)[0].trim(), 16);
      pos = eol + 2;
      if (size == 0) {
        break; // trailers (checksums, signature) follow
      }
      out.write(raw, pos, size);
      pos += size + 2;
    }
    return out.toByteArray();
  }

  private static int indexOfCrlf(byte[] b, int from) {
    for (int i = from; i + 1 < b.length; i++) {
      if (b[i] == '\r' && b[i + 1] == '\n') {
        return i;
      }
    }
    throw new IllegalStateException("malformed aws-chunked body");
  }

  private static void error(HttpExchange ex, String method, int status, String code, String message)
      throws IOException {
    byte[] xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message
        + "</Message><RequestId>fake</RequestId></Error>").getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/xml");
    if (method.equals("HEAD")) {
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, xml.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(xml);
    }
  }

  private static String etag(byte[] body) {
    try {
      return "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body)) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
