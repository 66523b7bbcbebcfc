package dev.socibuilder.filter.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.socibuilder.testing.aws.FakeAwsApi;
import dev.socibuilder.testing.aws.FakeAwsApi.EcrImage;
import dev.socibuilder.testing.lambda.TestContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * The handler on the events that start a sweep (the schedule's, the CloudFormation stack status change after a
 * deploy, a manual {@code {}}) and on a continuation, each deserialized the way the Lambda Java runtime
 * deserializes a POJO handler's input, and its response serialized the way the runtime does.
 */
class SweepHandlerTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String ARN = "arn:aws:lambda:us-west-2:123456789012:function:soci-sweep:live";

  FakeAwsApi aws;
  EcrClient ecr;
  LambdaClient lambda;
  final List<String> log = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    aws = FakeAwsApi.start("unused");
    StaticCredentialsProvider creds = StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "s"));
    ecr = SweepClients.ecr(Region.US_WEST_2, creds, aws.endpoint());
    lambda = SweepClients.lambda(Region.US_WEST_2, creds, aws.endpoint());
    aws.addImage("team/app", new EcrImage(String.format("sha256:%064x", 1), "application/vnd.oci.image.manifest.v1+json",
        null, List.of("v1")));
    aws.addImage("team/app", new EcrImage(String.format("sha256:%064x", 2), "application/vnd.oci.image.manifest.v1+json",
        null, List.of("v2")));
  }

  @AfterEach
  void stop() {
    ecr.close();
    lambda.close();
    aws.close();
  }

  SweepHandler handler(String invokesPerMinute) {
    Map<String, String> env = Map.of("FILTERS", "team/*:*", "INDEXER_FUNCTION_NAME", "soci-indexer:live",
        "EXPECTED_ACCOUNT_ID", "123456789012", "AWS_REGION", "us-west-2", "MAX_INVOKES_PER_MINUTE", invokesPerMinute);
    FakeClock clock = new FakeClock();
    return new SweepHandler(new SweepService(SweepConfig.fromEnvironment(env), ecr, lambda, log::add, clock::nanoTime,
        clock::sleep, SweepService.DEFAULT_TIME_MARGIN, 100, 1000));
  }

  static String event(String file) {
    try (InputStream in = SweepHandlerTest.class.getClassLoader().getResourceAsStream("events/" + file)) {
      assertThat(in).as("events/" + file).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The handler as the runtime invokes it: the payload through its deserializer, the response through its serializer. */
  static JsonNode invoke(SweepHandler handler, String payload, Context context) {
    SweepRequest request = JacksonFactory.getInstance().getSerializer(SweepRequest.class).fromJson(payload);
    Map<String, Object> response = handler.handleRequest(request, context);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    JacksonFactory.getInstance().getSerializer((Type) Map.class).toJson(response, out);
    try {
      return JSON.readTree(out.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void theScheduledEventStartsASweep() {
    JsonNode response = invoke(handler("600"), event("sweep-scheduled.json"), context(Duration.ofMinutes(15)));

    assertThat(response.get("complete").asBoolean()).isTrue();
    assertThat(response.get("run").asInt()).isEqualTo(1);
    assertThat(response.get("invoked").asInt()).isEqualTo(2);
    assertThat(response.has("cursor")).as("the runtime leaves out null fields").isFalse();
    assertThat(aws.invokePayloads("soci-indexer:live")).hasSize(2);
    assertThat(log.get(log.size() - 1)).contains("\"requestId\":\"req-sweep\"");
  }

  @Test
  void theStackStatusChangeAfterADeployStartsASweep() {
    JsonNode response = invoke(handler("600"), event("sweep-stack-update-complete.json"), context(Duration.ofMinutes(15)));

    assertThat(response.get("complete").asBoolean()).isTrue();
    assertThat(response.get("invoked").asInt()).isEqualTo(2);
  }

  @Test
  void aRunOutOfTimeContinuesThroughTheArnItWasInvokedAsAndTheContinuationFinishes() {
    // one invoke per 10 s and 65 s left: one image in this run, the margin being 60 s
    JsonNode first = invoke(handler("6"), "{}", context(Duration.ofSeconds(65)));

    assertThat(first.get("stoppedBecause").asText()).isEqualTo("time");
    assertThat(first.get("continued").asBoolean()).isTrue();
    List<String> continuation = aws.invokePayloads(ARN);
    assertThat(continuation).containsExactly("{\"cursor\":\"" + first.get("cursor").asText() + "\"}");

    JsonNode second = invoke(handler("6"), continuation.get(0), context(Duration.ofMinutes(15)));

    assertThat(second.get("run").asInt()).isEqualTo(2);
    assertThat(second.get("complete").asBoolean()).isTrue();
    assertThat(second.get("invokedInSweep").asInt()).isEqualTo(2);
    assertThat(aws.invokePayloads("soci-indexer:live")).extracting(p -> p.contains("\"tag\":\"v1\""))
        .containsExactly(true, false);
  }

  @Test
  void aDryRunRequestSendsNothing() {
    JsonNode response = invoke(handler("600"), "{\"dryRun\":true}", context(Duration.ofMinutes(15)));

    assertThat(response.get("dryRun").asBoolean()).isTrue();
    assertThat(response.get("invoked").asInt()).isEqualTo(2);
    assertThat(aws.invokePayloads("soci-indexer:live")).isEmpty();
  }

  @Test
  void aMalformedCursorFailsTheInvocation() {
    assertThatThrownBy(() -> invoke(handler("600"), "{\"cursor\":42}", context(Duration.ofMinutes(15))))
        .isInstanceOf(SweepRequestException.class);
  }

  /** A context with the given remaining time and the alias ARN the function was invoked as. */
  static Context context(Duration remaining) {
    TestContext base = new TestContext("req-sweep");
    return new Context() {
      @Override
      public String getAwsRequestId() {
        return base.getAwsRequestId();
      }

      @Override
      public String getLogGroupName() {
        return base.getLogGroupName();
      }

      @Override
      public String getLogStreamName() {
        return base.getLogStreamName();
      }

      @Override
      public String getFunctionName() {
        return "soci-sweep";
      }

      @Override
      public String getFunctionVersion() {
        return "7";
      }

      @Override
      public String getInvokedFunctionArn() {
        return ARN;
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
        return (int) remaining.toMillis();
      }

      @Override
      public int getMemoryLimitInMB() {
        return 512;
      }

      @Override
      public LambdaLogger getLogger() {
        return base.getLogger();
      }
    };
  }
}
