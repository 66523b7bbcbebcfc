package dev.socibuilder.filter;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.socibuilder.filter.event.EcrImageAction;
import java.util.Map;

/**
 * The filter Lambda: receives EventBridge {@code ECR Image Action} events and invokes the indexer
 * for the images the filters select. Handler string:
 * {@code dev.socibuilder.filter.FilterHandler::handleRequest}.
 *
 * <p>The input is the EventBridge event as a JSON object, which the Lambda Java runtime deserializes into
 * maps, lists, strings, numbers and booleans with its own Jackson: the function needs none of
 * aws-lambda-java-events (and its Joda-Time) for the six fields it reads (see {@link EcrImageAction}). The
 * response is the decision as a JSON object.
 */
public final class FilterHandler implements RequestHandler<Map<String, Object>, Map<String, String>> {

  private final FilterService service;

  /**
   * The constructor Lambda calls once per execution environment: reads the configuration from the
   * environment and builds the Lambda client (see {@link FilterService#fromEnvironment}).
   *
   * @throws FilterConfigException if the environment is incomplete, which Lambda reports as an init error
   */
  public FilterHandler() {
    this(FilterService.fromEnvironment(System.getenv()));
  }

  /** A handler around an explicitly built service (tests, other hosts). */
  public FilterHandler(FilterService service) {
    if (service == null) {
      throw new IllegalArgumentException("service is null");
    }
    this.service = service;
  }

  /**
   * Handles one event.
   *
   * @throws IndexerInvocationException if the indexer could not be invoked, so that Lambda retries
   */
  @Override
  public Map<String, String> handleRequest(Map<String, Object> event, Context context) {
    String requestId = context == null ? null : context.getAwsRequestId();
    return service.handle(EcrImageAction.from(event), requestId).toResponse();
  }
}
