package dev.socibuilder.indexer.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.socibuilder.registry.EcrRegistryHost;
import dev.socibuilder.soci.SociIndex;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;

/**
 * The final result of an indexing request that failed on its last attempt: Lambda's asynchronous invocation sends
 * a record of every request whose attempts are exhausted (an error on each attempt, a timeout, a crashed or
 * out-of-memory runtime) or that waited longer than the maximum event age to the indexer's on-failure destination;
 * the stack makes that destination an EventBridge bus and routes the record ({@code source} {@code lambda},
 * {@code detail-type} {@value #FAILURE_DETAIL_TYPE}) here. This function puts the one final
 * {@code SOCI Index Result} event for the request, with {@code "outcome":"failed","retrying":false}, the same
 * fields as every other result event and the error in {@code message}. Handler string:
 * {@code dev.socibuilder.indexer.lambda.FailureHandler::handleRequest}.
 *
 * <p>So a pipeline waiting for the index gets exactly one final event per request: the indexer's own for a
 * success or a permanent failure (the invocation then succeeds, so no record is sent), this one otherwise. The
 * events the indexer puts before failing an attempt say {@code "retrying":true}: it cannot know which attempt is
 * the last.
 *
 * <p>It reads the same environment as the indexer ({@link IndexerConfig}: the index version, the result bus).
 * If the event cannot be put, the invocation fails, so that Lambda retries it and finally sends it to this
 * function's own on-failure destination. Anything that is not such a record is logged and ignored.
 */
public final class FailureHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {

  /** {@code source} of the records Lambda puts on an EventBridge destination. */
  static final String FAILURE_SOURCE = "lambda";
  /** {@code detail-type} of the record of a failed asynchronous invocation. */
  static final String FAILURE_DETAIL_TYPE = "Lambda Function Invocation Result - Failure";

  private final IndexerConfig config;
  private final ResultEvents events;
  private final Consumer<String> logSink;

  /**
   * The constructor Lambda calls once per execution environment: reads the environment and builds the
   * EventBridge client, without any network call.
   *
   * @throws IndexerConfigException if the environment is invalid, which Lambda reports as an init error
   */
  public FailureHandler() {
    this(IndexerConfig.fromEnvironment(System.getenv()), System.out::println);
  }

  private FailureHandler(IndexerConfig config, Consumer<String> logSink) {
    this(config, EventBridgeClient.builder()
        .region(Region.of(config.region()))
        .credentialsProvider(DefaultCredentialsProvider.builder().build())
        .httpClientBuilder(UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(5))
            .socketTimeout(Duration.ofSeconds(20)))
        .build(), logSink);
  }

  /**
   * A handler with an explicit client (tests, other hosts).
   *
   * @param config the index version and the result bus
   * @param eventBridge for the result event; not closed by this handler
   * @param logSink receives one JSON line per record
   */
  public FailureHandler(IndexerConfig config, EventBridgeClient eventBridge, Consumer<String> logSink) {
    this.config = Objects.requireNonNull(config, "config");
    this.events = new ResultEvents(Objects.requireNonNull(eventBridge, "eventBridge"), config.eventBusName());
    this.logSink = Objects.requireNonNull(logSink, "logSink");
  }

  /**
   * Turns one failure record into the request's final result event.
   *
   * @param event the EventBridge event carrying Lambda's invocation record in {@code detail}
   * @return the result put on the bus, or {@code {"ignored": why}} for an event that is not such a record
   * @throws IllegalStateException if the result event could not be put, so that Lambda retries
   */
  @Override
  public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
    Map<?, ?> detail = event == null ? null : map(event.get("detail"));
    if (detail == null || !FAILURE_SOURCE.equals(event.get("source"))
        || !FAILURE_DETAIL_TYPE.equals(event.get("detail-type"))) {
      String why = "not a '" + FAILURE_DETAIL_TYPE + "' record from " + FAILURE_SOURCE;
      JsonLog.forRequest(logSink, context == null ? null : context.getAwsRequestId(), null)
          .warn("ignored: " + why, null);
      return Map.of("ignored", why);
    }
    Map<?, ?> requestContext = orEmpty(map(detail.get("requestContext")));
    Map<?, ?> response = orEmpty(map(detail.get("responsePayload")));
    IndexerRequest request = request(map(detail.get("requestPayload")));
    String version = config.indexVersion() == SociIndex.Version.V2 ? "v2" : "v1";
    IndexerResult result = IndexerResult.failed(request, version,
        message(requestContext, response), false, Duration.ZERO);

    // The indexer's own request id: its log lines for every attempt carry the same one.
    JsonLog log = JsonLog.forRequest(logSink, string(requestContext.get("requestId")), request);
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("outcome", result.outcome());
    fields.put("retrying", false);
    fields.put("condition", string(requestContext.get("condition")));
    fields.put("attempts", requestContext.get("approximateInvokeCount") instanceof Number n ? n.longValue() : null);
    log.error(result.message(), fields);
    String account = request == null ? null
        : EcrRegistryHost.parse(request.getRegistry()).map(EcrRegistryHost::account).orElse(null);
    String failure = events.put(result.toMap(), ResultEvents.repositoryArn(config.region(), account,
        result.repository()));
    if (failure != null) {
      log.error(failure, Map.of("outcome", result.outcome()));
      throw new IllegalStateException(failure);
    }
    return result.toMap();
  }

  /** Why the request failed, in one line: the condition, the attempts and the last error. */
  static String message(Map<?, ?> requestContext, Map<?, ?> response) {
    String condition = string(requestContext.get("condition"));
    Object count = requestContext.get("approximateInvokeCount");
    String attempts = count instanceof Number n ? n.longValue() + " attempt(s)" : "an unknown number of attempts";
    String error = string(response.get("errorMessage"));
    String type = string(response.get("errorType"));
    StringBuilder m = new StringBuilder();
    if ("EventAgeExceeded".equals(condition)) {
      m.append("not indexed within the maximum event age (EventAgeExceeded) after ").append(attempts);
    } else {
      m.append("failed after ").append(attempts);
      if (condition != null) {
        m.append(" (").append(condition).append(')');
      }
    }
    if (error != null) {
      m.append(": ");
      if (type != null) {
        m.append(type).append(": ");
      }
      // The result's fields are cut where every result event's are (IndexerResult): no second rule here.
      m.append(error);
    }
    return m.toString();
  }

  /** The original request, read leniently: a field that is not a string is absent. */
  private static IndexerRequest request(Map<?, ?> payload) {
    if (payload == null) {
      return null;
    }
    return new IndexerRequest(string(payload.get("registry")), string(payload.get("repository")),
        string(payload.get("digest")), string(payload.get("tag")), string(payload.get("mediaType")));
  }

  private static Map<?, ?> map(Object o) {
    return o instanceof Map<?, ?> m ? m : null;
  }

  private static Map<?, ?> orEmpty(Map<?, ?> m) {
    return m == null ? Map.of() : m;
  }

  private static String string(Object o) {
    return o instanceof String s ? s : null;
  }
}
