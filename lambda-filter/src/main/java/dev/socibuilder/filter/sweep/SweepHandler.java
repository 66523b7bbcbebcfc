package dev.socibuilder.filter.sweep;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.time.Duration;
import java.util.Map;

/**
 * The sweep Lambda. Handler string: {@code dev.socibuilder.filter.sweep.SweepHandler::handleRequest}.
 *
 * <p>Any event starts a new sweep (the schedule's, the CloudFormation stack status change after a deploy, a
 * manual {@code {}}); {@code {"cursor":"..."}} goes on where a run stopped, {@code {"dryRun":true}} sends
 * nothing. The response is the run's {@link SweepResult} as a JSON object. A run that runs out of time invokes
 * the function ARN it was invoked as (qualified or not, as it was invoked) with the cursor.
 */
public final class SweepHandler implements RequestHandler<SweepRequest, Map<String, Object>> {

  private final SweepService service;

  /**
   * The constructor Lambda calls once per execution environment: configuration from the environment, clients
   * built once.
   *
   * @throws SweepConfigException if the environment is incomplete, which Lambda reports as an init error
   */
  public SweepHandler() {
    this(SweepService.fromEnvironment(System.getenv()));
  }

  /** A handler around an explicitly built service (tests, other hosts). */
  public SweepHandler(SweepService service) {
    if (service == null) {
      throw new IllegalArgumentException("service is null");
    }
    this.service = service;
  }

  /**
   * Runs the sweep for the context's remaining time.
   *
   * @throws SweepRequestException for a malformed cursor
   * @throws SweepFailedException if the repositories cannot be listed or the indexer cannot be invoked, so that
   *     Lambda's asynchronous retries run the same input again
   */
  @Override
  public Map<String, Object> handleRequest(SweepRequest request, Context context) {
    Duration remaining = Duration.ofMillis(context.getRemainingTimeInMillis());
    return service.run(request, remaining, context.getInvokedFunctionArn(), context.getAwsRequestId()).toMap();
  }
}
