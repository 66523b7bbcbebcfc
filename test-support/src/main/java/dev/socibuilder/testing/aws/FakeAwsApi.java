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
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in, at the HTTP level, for the AWS APIs the pipeline calls: ECR
 * {@code GetAuthorizationToken}, {@code DescribeRepositories} and {@code DescribeImages} and EventBridge
 * {@code PutEvents} (JSON 1.1, told apart by {@code X-Amz-Target}), and Lambda {@code Invoke}
 * ({@code POST /2015-03-31/functions/{name}/invocations}, answered 202 as an accepted asynchronous invoke).
 * Every request is recorded; the SDK clients (or the function under the runtime, through
 * {@code AWS_ENDPOINT_URL_ECR} / {@code _EVENTBRIDGE} / {@code _LAMBDA}) are pointed at {@link #endpoint()}.
 *
 * <p>The ECR listings serve the repositories and images added with {@link #addRepository} and
 * {@link #addImage}, in insertion order, paginated like ECR ({@code maxResults}, default 100, and an opaque
 * {@code nextToken}); {@link #throttleEcr} answers {@code ThrottlingException} a number of times first.
 */
public final class FakeAwsApi implements AutoCloseable {

  public static final String ECR_TARGET = "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken";
  public static final String PUT_EVENTS_TARGET = "AWSEvents.PutEvents";
  public static final String DESCRIBE_REPOSITORIES_TARGET =
      "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories";
  public static final String DESCRIBE_IMAGES_TARGET = "AmazonEC2ContainerRegistry_V20150921.DescribeImages";

  /** One image of a fake ECR repository: its digest, media types (null if absent) and tags (none: untagged). */
  public record EcrImage(String digest, String manifestMediaType, String artifactMediaType, List<String> tags) {
    public EcrImage {
      tags = List.copyOf(tags);
    }
  }

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
  private volatile int invokeStatus;
  private final Map<String, List<EcrImage>> ecrRepositories = new ConcurrentHashMap<>();
  private final List<String> ecrRepositoryOrder = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> ecrThrottles = new ConcurrentHashMap<>();
  private final Set<String> ecrDenied = ConcurrentHashMap.newKeySet();
  private final AtomicInteger tokenGeneration = new AtomicInteger();

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
    ecrThrottles.clear();
    ecrDenied.clear();
    invokeStatus = 0;
  }

  /** Adds an (empty) ECR repository; DescribeRepositories lists repositories in the order added. */
  public void addRepository(String name) {
    if (ecrRepositories.putIfAbsent(name, new CopyOnWriteArrayList<>()) == null) {
      ecrRepositoryOrder.add(name);
    }
  }

  /** Adds an image to a repository (created if needed); DescribeImages lists images in the order added. */
  public void addImage(String repository, EcrImage image) {
    addRepository(repository);
    ecrRepositories.get(repository).add(image);
  }

  /**
   * The next {@code times} requests of an ECR operation ({@link #DESCRIBE_REPOSITORIES_TARGET},
   * {@link #DESCRIBE_IMAGES_TARGET}) answer 400 {@code ThrottlingException}.
   */
  public void throttleEcr(String target, int times) {
    ecrThrottles.put(target, new AtomicInteger(times));
  }

  /** From now on DescribeImages of this repository answers 400 {@code AccessDeniedException}. */
  public void denyEcrRepository(String repository) {
    ecrDenied.add(repository);
  }

  /**
   * Makes every {@code nextToken} handed out so far invalid (ECR answers {@code InvalidParameterException}
   * to an expired token).
   */
  public void expireEcrTokens() {
    tokenGeneration.incrementAndGet();
  }

  /** The parsed bodies of the requests of one ECR operation, in order. */
  public List<JsonNode> ecrRequests(String target) {
    return requests.stream().filter(r -> target.equals(r.target())).map(Recorded::json).toList();
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

  /** From now on Lambda Invoke answers this HTTP status with a service error (0: accept again). */
  public void failInvokes(int status) {
    invokeStatus = status;
  }

  /** Bodies of the Lambda Invoke requests of one function (as named in the request path), in order. */
  public List<String> invokePayloads(String function) {
    return requests.stream().filter(r -> r.path().matches("/2015-03-31/functions/[^/]+/invocations"))
        .filter(r -> function.equals(URLDecoder.decode(r.path().split("/")[3], StandardCharsets.UTF_8)))
        .map(Recorded::body).toList();
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
      } else if (DESCRIBE_REPOSITORIES_TARGET.equals(target) || DESCRIBE_IMAGES_TARGET.equals(target)) {
        AtomicInteger throttle = ecrThrottles.get(target);
        if (throttle != null && throttle.getAndDecrement() > 0) {
          respond(exchange, 400, "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}");
          return;
        }
        JsonNode request = JSON.readTree(body.isEmpty() ? "{}" : body);
        respondEcrListing(exchange, target, request);
      } else if (path.matches("/2015-03-31/functions/[^/]+/invocations")) {
        if (invokeStatus != 0) {
          exchange.getResponseHeaders().add("x-amzn-ErrorType", invokeStatus == 429 ? "TooManyRequestsException"
              : "ServiceException");
          respond(exchange, invokeStatus, "{\"Type\":\"Service\",\"message\":\"fake failure\"}");
          return;
        }
        exchange.sendResponseHeaders(202, -1);
      } else {
        respond(exchange, 404, "{\"message\":\"not faked: " + target + " " + path + "\"}");
      }
    }
  }

  private void respondEcrListing(HttpExchange exchange, String target, JsonNode request) throws IOException {
    boolean images = DESCRIBE_IMAGES_TARGET.equals(target);
    String repository = images ? request.path("repositoryName").asText() : null;
    if (images && !ecrRepositories.containsKey(repository)) {
      respond(exchange, 400, "{\"__type\":\"RepositoryNotFoundException\",\"message\":\"The repository with name '"
          + repository + "' does not exist\"}");
      return;
    }
    if (images && ecrDenied.contains(repository)) {
      respond(exchange, 400, "{\"__type\":\"AccessDeniedException\",\"message\":\"not authorized to perform: "
          + "ecr:DescribeImages on resource: " + repository + "\"}");
      return;
    }
    List<?> all = images
        ? ecrRepositories.get(repository).stream().filter(i -> !"TAGGED".equals(request.path("filter")
            .path("tagStatus").asText()) || !i.tags().isEmpty()).toList()
        : List.copyOf(ecrRepositoryOrder);
    int max = request.path("maxResults").asInt(100);
    int from = 0;
    if (request.hasNonNull("nextToken")) {
      String[] token = request.get("nextToken").asText().split(":");
      if (token.length != 2 || Integer.parseInt(token[0]) != tokenGeneration.get()) {
        respond(exchange, 400, "{\"__type\":\"InvalidParameterException\",\"message\":\"Invalid parameter at"
            + " 'nextToken' failed to satisfy constraint: 'The token is expired'\"}");
        return;
      }
      from = Integer.parseInt(token[1]);
    }
    int to = Math.min(all.size(), from + max);
    StringBuilder out = new StringBuilder(images ? "{\"imageDetails\":[" : "{\"repositories\":[");
    for (int i = from; i < to; i++) {
      out.append(i > from ? "," : "");
      if (images) {
        EcrImage image = (EcrImage) all.get(i);
        out.append("{\"registryId\":\"123456789012\",\"repositoryName\":").append(JSON.writeValueAsString(repository))
            .append(",\"imageDigest\":\"").append(image.digest()).append('"');
        if (!image.tags().isEmpty()) {
          out.append(",\"imageTags\":").append(JSON.writeValueAsString(image.tags()));
        }
        out.append(",\"imageSizeInBytes\":1000,\"imagePushedAt\":1.7E9");
        if (image.manifestMediaType() != null) {
          out.append(",\"imageManifestMediaType\":\"").append(image.manifestMediaType()).append('"');
        }
        if (image.artifactMediaType() != null) {
          out.append(",\"artifactMediaType\":\"").append(image.artifactMediaType()).append('"');
        }
        out.append('}');
      } else {
        String name = (String) all.get(i);
        out.append("{\"repositoryArn\":\"arn:aws:ecr:us-west-2:123456789012:repository/").append(name)
            .append("\",\"registryId\":\"123456789012\",\"repositoryName\":\"").append(name)
            .append("\",\"repositoryUri\":\"123456789012.dkr.ecr.us-west-2.amazonaws.com/").append(name)
            .append("\",\"createdAt\":1.7E9}");
      }
    }
    out.append(']');
    if (to < all.size()) {
      out.append(",\"nextToken\":\"").append(tokenGeneration.get()).append(':').append(to).append('"');
    }
    respond(exchange, 200, out.append('}').toString());
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
