package dev.socibuilder.testing.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A local stand-in, at the HTTP level, for the three AWS APIs the pipeline calls: ECR
 * {@code GetAuthorizationToken} and EventBridge {@code PutEvents} (JSON 1.1, told apart by
 * {@code X-Amz-Target}), and Lambda {@code Invoke} ({@code POST /2015-03-31/functions/{name}/invocations},
 * answered 202 as an accepted asynchronous invoke). Every request is recorded; the SDK clients (or the
 * function under the runtime, through {@code AWS_ENDPOINT_URL_ECR} / {@code _EVENTBRIDGE} / {@code _LAMBDA})
 * are pointed at {@link #endpoint()}.
 */
public final class FakeAwsApi implements AutoCloseable {

  public static final String ECR_TARGET = "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken";
  public static final String PUT_EVENTS_TARGET = "AWSEvents.PutEvents";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One recorded request; {@code target} is the X-Amz-Target header (null for REST calls). */
  public record Recorded(String method, String path, String target, String body) {
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  private final String ecrPassword;
  private volatile String ecrError;
  private volatile int ecrStatus;
  private volatile boolean rejectEvents;
  private volatile int eventsStatus;

  private FakeAwsApi(HttpServer server, String ecrPassword) {
    this.server = server;
    this.ecrPassword = ecrPassword;
  }

  /** Starts the fake; GetAuthorizationToken hands out user {@code AWS} with {@code ecrPassword}. */
  public static FakeAwsApi start(String ecrPassword) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    FakeAwsApi api = new FakeAwsApi(server, ecrPassword);
    server.createContext("/", api::handle);
    server.setExecutor(api.executor);
    server.start();
    return api;
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** From now on GetAuthorizationToken answers 400 with this error type (e.g. AccessDeniedException). */
  public void failEcr(String errorType) {
    failEcr(errorType, 400);
  }

  /** From now on GetAuthorizationToken answers {@code status} with this error type. */
  public void failEcr(String errorType, int status) {
    ecrError = errorType;
    ecrStatus = status;
  }

  /** From now on PutEvents answers 200 with the entry rejected ({@code FailedEntryCount: 1}). */
  public void rejectEvents() {
    rejectEvents = true;
  }

  /** From now on PutEvents answers this HTTP status with an internal error. */
  public void failEvents(int status) {
    eventsStatus = status;
  }

  public void reset() {
    requests.clear();
    ecrError = null;
    rejectEvents = false;
    eventsStatus = 0;
  }

  public List<Recorded> requests() {
    return List.copyOf(requests);
  }

  public long tokenRequests() {
    return requests.stream().filter(r -> ECR_TARGET.equals(r.target())).count();
  }

  /** Every PutEvents entry received, in order (each with Source, DetailType, Detail, EventBusName...). */
  public List<JsonNode> eventEntries() {
    List<JsonNode> entries = new ArrayList<>();
    for (Recorded r : requests) {
      if (PUT_EVENTS_TARGET.equals(r.target())) {
        r.json().get("Entries").forEach(entries::add);
      }
    }
    return entries;
  }

  /** The parsed {@code Detail} of every entry. */
  public List<JsonNode> eventDetails() {
    List<JsonNode> details = new ArrayList<>();
    for (JsonNode e : eventEntries()) {
      try {
        details.add(JSON.readTree(e.get("Detail").asText()));
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }
    return details;
  }

  /** Bodies of the Lambda Invoke requests (the payloads). */
  public List<String> invokePayloads() {
    return requests.stream().filter(r -> r.path().matches("/2015-03-31/functions/[^/]+/invocations"))
        .map(Recorded::body).toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange; InputStream in = exchange.getRequestBody()) {
      String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      String path = exchange.getRequestURI().getRawPath();
      requests.add(new Recorded(exchange.getRequestMethod(), path, target, body));
      exchange.getResponseHeaders().add("x-amzn-RequestId", "fake-" + requests.size());
      if (ECR_TARGET.equals(target)) {
        if (ecrError != null) {
          respond(exchange, ecrStatus, "{\"__type\":\"" + ecrError + "\",\"message\":\"fake " + ecrError + "\"}");
          return;
        }
        String token = Base64.getEncoder().encodeToString(("AWS:" + ecrPassword).getBytes(StandardCharsets.UTF_8));
        long expires = System.currentTimeMillis() / 1000 + 12 * 3600;
        respond(exchange, 200, "{\"authorizationData\":[{\"authorizationToken\":\"" + token + "\",\"expiresAt\":"
            + expires + ",\"proxyEndpoint\":\"https://123456789012.dkr.ecr.us-west-2.amazonaws.com\"}]}");
      } else if (PUT_EVENTS_TARGET.equals(target)) {
        if (eventsStatus != 0) {
          respond(exchange, eventsStatus, "{\"__type\":\"InternalException\",\"message\":\"fake failure\"}");
        } else if (rejectEvents) {
          respond(exchange, 200, "{\"FailedEntryCount\":1,\"Entries\":[{\"ErrorCode\":\"InternalFailure\","
              + "\"ErrorMessage\":\"fake rejection\"}]}");
        } else {
          respond(exchange, 200, "{\"FailedEntryCount\":0,\"Entries\":[{\"EventId\":\"event-" + requests.size()
              + "\"}]}");
        }
      } else if (path.matches("/2015-03-31/functions/[^/]+/invocations")) {
        exchange.sendResponseHeaders(202, -1);
      } else {
        respond(exchange, 404, "{\"message\":\"not faked: " + target + " " + path + "\"}");
      }
    }
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] out = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
    exchange.sendResponseHeaders(status, out.length);
    try (OutputStream os = exchange.getResponseBody()) {
      os.write(out);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
