package dev.socibuilder.testing.aws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

/**
 * A local stand-in for the AWS Lambda API's Invoke operation
 * ({@code POST /2015-03-31/functions/{name}/invocations}): records every request and answers 202 as
 * an accepted asynchronous invoke, or, when told to fail, a Lambda-style error.
 */
public final class FakeLambdaApi implements AutoCloseable {

  /** One recorded HTTP request. */
  public record Recorded(String method, String path, Map<String, List<String>> headers, String body) {
    public String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0))
          .findFirst()
          .orElse(null);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  private volatile int failStatus;

  private FakeLambdaApi(HttpServer server) {
    this.server = server;
  }

  public static FakeLambdaApi start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    FakeLambdaApi api = new FakeLambdaApi(server);
    server.createContext("/", api::handle);
    server.setExecutor(api.executor);
    server.start();
    return api;
  }

  /** From now on, answer every request with this HTTP status and a Lambda error body. */
  public void failWith(int status) {
    this.failStatus = status;
  }

  /** Forgets the recorded requests and answers 202 again. */
  public void reset() {
    requests.clear();
    failStatus = 0;
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  public List<Recorded> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange; InputStream in = exchange.getRequestBody()) {
      String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      requests.add(new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
          Map.copyOf(exchange.getRequestHeaders()), body));
      int status = failStatus;
      byte[] out;
      if (status != 0) {
        String type = status == 429 ? "TooManyRequestsException" : "ServiceException";
        out = ("{\"Type\":\"Service\",\"message\":\"fake failure\"}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("x-amzn-ErrorType", type);
      } else {
        status = 202;
        out = new byte[0];
      }
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.getResponseHeaders().add("x-amzn-RequestId", "fake-" + requests.size());
      exchange.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
      if (out.length > 0) {
        try (OutputStream os = exchange.getResponseBody()) {
          os.write(out);
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
