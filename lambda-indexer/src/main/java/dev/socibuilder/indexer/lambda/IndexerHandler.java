package dev.socibuilder.indexer.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.socibuilder.registry.Deadline;
import java.time.Duration;
import java.util.Map;

/**
 * The indexer Lambda: builds and pushes the SOCI index of the ECR image the filter asks for. Handler
 * string: {@code dev.socibuilder.indexer.lambda.IndexerHandler::handleRequest}.
 *
 * <p>The input is an {@link IndexerRequest} (a JavaBean the Lambda Java runtime deserializes with its
 * own Jackson); the response is the {@link IndexerResult} as a JSON object. A permanent failure is a
 * normal response with {@code "outcome":"failed"}; a transient one is an exception, so that Lambda
 * retries. See {@link IndexerService} for the rules and {@link IndexerConfig} for the environment.
 *
 * <p>A run must be over before the function timeout kills it: its deadline is the invocation's
 * remaining time less a margin to report ({@link #REPORT_MARGIN}, or a fifth of the remaining time if
 * that is less). A run that reaches it reports a failed outcome with {@code "retrying": true} and
 * throws, so that Lambda retries it.
 */
public final class IndexerHandler implements RequestHandler<IndexerRequest, Map<String, Object>> {

  /** Time kept back from the invocation's remaining time to report a run stopped by its deadline. */
  static final Duration REPORT_MARGIN = Duration.ofSeconds(20);

  private final IndexerService service;

  /**
   * The constructor Lambda calls once per execution environment (before a SnapStart snapshot): reads the
   * environment and builds the SDK clients, without any network call.
   *
   * @throws IndexerConfigException if the environment is invalid, which Lambda reports as an init error
   */
  public IndexerHandler() {
    this(IndexerService.fromEnvironment(System.getenv()));
  }

  /** A handler around an explicitly built service (tests, other hosts). */
  public IndexerHandler(IndexerService service) {
    if (service == null) {
      throw new IllegalArgumentException("service is null");
    }
    this.service = service;
  }

  /**
   * Handles one request.
   *
   * @throws dev.socibuilder.registry.RegistryException on a transient registry failure, so that Lambda retries
   */
  @Override
  public Map<String, Object> handleRequest(IndexerRequest request, Context context) {
    String requestId = context == null ? null : context.getAwsRequestId();
    return service.handle(request, requestId, deadline(context)).toMap();
  }

  /** The invocation's remaining time less the report margin (at most a fifth of it); none without a context. */
  static Deadline deadline(Context context) {
    if (context == null) {
      return Deadline.none();
    }
    Duration remaining = Duration.ofMillis(Math.max(0, context.getRemainingTimeInMillis()));
    Duration margin = remaining.dividedBy(5).compareTo(REPORT_MARGIN) < 0 ? remaining.dividedBy(5) : REPORT_MARGIN;
    return Deadline.after(remaining.minus(margin));
  }
}
