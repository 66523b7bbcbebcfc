package dev.socibuilder.indexer.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/**
 * The indexer Lambda: builds and pushes the SOCI index of the ECR image the filter asks for. Handler
 * string: {@code dev.socibuilder.indexer.lambda.IndexerHandler::handleRequest}.
 *
 * <p>The input is an {@link IndexerRequest} (a JavaBean the Lambda Java runtime deserializes with its
 * own Jackson); the response is the {@link IndexerResult} as a JSON object. A permanent failure is a
 * normal response with {@code "outcome":"failed"}; a transient one is an exception, so that Lambda
 * retries. See {@link IndexerService} for the rules and {@link IndexerConfig} for the environment.
 */
public final class IndexerHandler implements RequestHandler<IndexerRequest, Map<String, Object>> {

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
    return service.handle(request, requestId).toMap();
  }
}
