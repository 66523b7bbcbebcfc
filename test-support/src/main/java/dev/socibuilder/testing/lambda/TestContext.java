package dev.socibuilder.testing.lambda;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;

/**
 * The little of a Lambda {@link Context} the handlers read (the request id, the remaining time), for
 * calling a handler in-process. Shared by the filter's and the indexer's tests.
 *
 * @param remainingTimeInMillis what {@link #getRemainingTimeInMillis()} answers (a fixed value)
 */
public record TestContext(String awsRequestId, int remainingTimeInMillis) implements Context {

  /** A context with 15 minutes left, the longest a Lambda invocation may run. */
  public TestContext(String awsRequestId) {
    this(awsRequestId, 900_000);
  }

  @Override
  public String getAwsRequestId() {
    return awsRequestId;
  }

  @Override
  public String getLogGroupName() {
    return "/aws/lambda/soci-index-builder-test";
  }

  @Override
  public String getLogStreamName() {
    return "test";
  }

  @Override
  public String getFunctionName() {
    return "soci-index-builder-test";
  }

  @Override
  public String getFunctionVersion() {
    return "$LATEST";
  }

  @Override
  public String getInvokedFunctionArn() {
    return "arn:aws:lambda:us-west-2:123456789012:function:soci-index-builder-test";
  }

  @Override
  public CognitoIdentity getIdentity() {
    return null;
  }

  @Override
  public ClientContext getClientContext() {
    return null;
  }

  @Override
  public int getRemainingTimeInMillis() {
    return remainingTimeInMillis;
  }

  @Override
  public int getMemoryLimitInMB() {
    return 256;
  }

  @Override
  public LambdaLogger getLogger() {
    return new LambdaLogger() {
      @Override
      public void log(String message) {
        System.out.print(message);
      }

      @Override
      public void log(byte[] message) {
        System.out.print(new String(message, StandardCharsets.UTF_8));
      }
    };
  }
}
