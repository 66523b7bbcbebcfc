package dev.socibuilder.testing.lambda;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local implementation of the Lambda Runtime API (version 2018-06-01), the HTTP interface between
 * a Lambda runtime and the Lambda service: enough for the real runtime interface client to start a
 * function, take invocations and report results.
 *
 * <ul>
 *   <li>{@code GET /2018-06-01/runtime/invocation/next} blocks until {@link #submit} queues an event,
 *       then returns it with the {@code Lambda-Runtime-*} headers;
 *   <li>{@code POST /2018-06-01/runtime/invocation/{id}/response} and {@code .../{id}/error} complete
 *       the invocation's future;
 *   <li>{@code POST /2018-06-01/runtime/init/error} completes {@link #initError()}.
 * </ul>
 *
 * <p>Not specific to any function: point {@code AWS_LAMBDA_RUNTIME_API} at {@link #address()}.
 */
public final class LambdaRuntimeApiServer implements AutoCloseable {

  /**
   * The outcome of one invocation as the runtime reported it.
   *
   * @param requestId the request id the server assigned
   * @param success whether the runtime posted a response (true) or an error (false)
   * @param body the response body, or the error document ({@code errorMessage}, {@code errorType}, ...)
   * @param errorType the {@code Lambda-Runtime-Function-Error-Type} header of an error, else {@code null}
   */
  public record InvocationResult(String requestId, boolean success, String body, String errorType) {}

  private static final String PREFIX = "/2018-06-01/runtime/";
  private static final Pattern RESULT = Pattern.compile(PREFIX + "invocation/([^/]+)/(response|error)");
  private static final long DEADLINE_MILLIS = 900_000;

  private record Pending(String requestId, String payload) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "lambda-runtime-api");
    t.setDaemon(true);
    return t;
  });
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Map<String, CompletableFuture<InvocationResult>> inFlight = new ConcurrentHashMap<>();
  private final CompletableFuture<String> initError = new CompletableFuture<>();
  private final CompletableFuture<Long> firstNext = new CompletableFuture<>();
  private final List<String> requestLog = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private LambdaRuntimeApiServer(HttpServer server) {
    this.server = server;
  }

  /** Starts a server on 127.0.0.1 with a free port. */
  public static LambdaRuntimeApiServer start() throws IOException {
    HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    LambdaRuntimeApiServer api = new LambdaRuntimeApiServer(http);
    http.createContext(PREFIX, api::handle);
    // A blocked GET .../next must not hold up the POST that reports the previous result.
    http.setExecutor(api.executor);
    http.start();
    return api;
  }

  /** {@code host:port}, the value for {@code AWS_LAMBDA_RUNTIME_API}. */
  public String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * Queues one invocation with {@code payload} as the event.
   *
   * @return completes when the runtime posts the invocation's response or error
   */
  public CompletableFuture<InvocationResult> submit(String payload) {
    String requestId = UUID.randomUUID().toString();
    CompletableFuture<InvocationResult> result = new CompletableFuture<>();
    inFlight.put(requestId, result);
    queue.add(new Pending(requestId, payload));
    return result;
  }

  /** Completes with the error document if the runtime reports an initialization error. */
  public CompletableFuture<String> initError() {
    return initError;
  }

  /**
   * Completes with the {@link System#nanoTime()} at which the runtime first asked for an invocation:
   * the end of its initialization (for benchmarks).
   */
  public CompletableFuture<Long> firstNextNanos() {
    return firstNext;
  }

  /** Every request received, as {@code METHOD path}, for diagnostics. */
  public List<String> requestLog() {
    return List.copyOf(requestLog);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      requestLog.add(method + " " + path);
      String body;
      try (InputStream in = exchange.getRequestBody()) {
        body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (method.equals("GET") && path.equals(PREFIX + "invocation/next")) {
        firstNext.complete(System.nanoTime());
        next(exchange);
        return;
      }
      Matcher result = RESULT.matcher(path);
      if (method.equals("POST") && result.matches()) {
        CompletableFuture<InvocationResult> future = inFlight.remove(result.group(1));
        if (future == null) {
          respond(exchange, 400, "{\"errorMessage\":\"unknown request id\",\"errorType\":\"InvalidRequestID\"}");
          return;
        }
        boolean success = result.group(2).equals("response");
        future.complete(new InvocationResult(result.group(1), success, body,
            success ? null : exchange.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type")));
        respond(exchange, 202, "{\"status\":\"OK\"}");
        return;
      }
      if (method.equals("POST") && path.equals(PREFIX + "init/error")) {
        initError.complete(body);
        respond(exchange, 202, "{\"status\":\"OK\"}");
        return;
      }
      respond(exchange, 404, "{\"errorMessage\":\"not implemented: " + method + " " + path + "\"}");
    }
  }

  private void next(HttpExchange exchange) throws IOException {
    Pending pending = null;
    try {
      while (pending == null && !closed) {
        pending = queue.poll(200, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (pending == null) {
      respond(exchange, 500, "{\"errorMessage\":\"runtime API server closed\"}");
      return;
    }
    var headers = exchange.getResponseHeaders();
    headers.add("Lambda-Runtime-Aws-Request-Id", pending.requestId());
    headers.add("Lambda-Runtime-Deadline-Ms", Long.toString(System.currentTimeMillis() + DEADLINE_MILLIS));
    headers.add("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:local");
    headers.add("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0");
    respond(exchange, 200, pending.payload());
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** Stops the server; a runtime blocked on {@code next} gets an error. */
  @Override
  public void close() {
    closed = true;
    server.stop(0);
    executor.shutdownNow();
  }
}
