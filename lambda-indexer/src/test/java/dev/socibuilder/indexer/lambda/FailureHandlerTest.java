package dev.socibuilder.indexer.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.socibuilder.testing.aws.FakeAwsApi;
import dev.socibuilder.testing.lambda.TestContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;

/**
 * The failure reporter on {@code events/indexer-failure-record.json} (Lambda's record of an asynchronous
 * invocation whose attempts are exhausted, as EventBridge delivers it), deserialized as the Lambda Java runtime
 * does, with EventBridge faked at the HTTP level.
 */
class FailureHandlerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BUS = "arn:aws:events:us-west-2:123456789012:event-bus/pipelines";
  /** Every field of a result event, as events/README.md documents them: the same for successes and failures. */
  private static final List<String> RESULT_FIELDS = List.of("outcome", "retrying", "message", "registry",
      "repository", "imageDigest", "tag", "indexVersion", "sociIndexDigest", "sociIndexDigests",
      "sociImageIndexDigest", "newTag", "ztocs", "ztocLayers", "skippedLayers", "skippedLayerCount", "durationMillis");

  private static FakeAwsApi aws;
  private static EventBridgeClient eventBridge;

  private final List<String> logLines = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws IOException {
    aws = FakeAwsApi.start("unused");
    eventBridge = EventBridgeClient.builder().region(Region.US_WEST_2).endpointOverride(aws.endpoint())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "s3cret")))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
  }

  @AfterAll
  static void stop() {
    if (eventBridge != null) {
      eventBridge.close();
    }
    if (aws != null) {
      aws.close();
    }
  }

  @BeforeEach
  void reset() {
    aws.reset();
  }

  private FailureHandler handler() {
    return new FailureHandler(IndexerConfig.fromEnvironment(Map.of("AWS_REGION", "us-west-2",
        "SOCI_INDEX_VERSION", "V2", "RESULT_EVENT_BUS_NAME", BUS)), eventBridge, logLines::add);
  }

  /** The sample record, as the runtime hands it to the handler. */
  private static Map<String, Object> record() {
    try (InputStream in = FailureHandlerTest.class.getClassLoader()
        .getResourceAsStream("events/indexer-failure-record.json")) {
      assertThat(in).as("events/indexer-failure-record.json").isNotNull();
      return deserialize(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What the Lambda Java runtime does with the input of the handler's type. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> deserialize(String json) {
    Type input = ((ParameterizedType) FailureHandler.class.getGenericInterfaces()[0]).getActualTypeArguments()[0];
    PojoSerializer<Object> serializer = JacksonFactory.getInstance().getSerializer(input);
    return (Map<String, Object>) serializer.fromJson(json);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> detail(Map<String, Object> event) {
    return (Map<String, Object>) event.get("detail");
  }

  private List<JsonNode> logs() {
    return logLines.stream().map(l -> {
      try {
        return JSON.readTree(l);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }).toList();
  }

  @Test
  void exhaustedRetriesBecomeOneFinalFailedResultEventWithTheFieldsOfEveryResult() {
    handler().handleRequest(record(), new TestContext("reporter-1"));

    assertThat(aws.eventEntries()).singleElement().satisfies(entry -> {
      assertThat(entry.get("Source").asText()).isEqualTo("soci-index-builder");
      assertThat(entry.get("DetailType").asText()).isEqualTo("SOCI Index Result");
      assertThat(entry.get("EventBusName").asText()).isEqualTo(BUS);
      assertThat(entry.get("Resources").get(0).asText())
          .isEqualTo("arn:aws:ecr:us-west-2:123456789012:repository/team/web-app");
    });
    JsonNode detail = aws.eventDetails().get(0);
    assertThat(detail.properties()).extracting(Map.Entry::getKey).containsExactlyElementsOf(RESULT_FIELDS);
    assertThat(detail.get("outcome").asText()).isEqualTo("failed");
    assertThat(detail.get("retrying").asBoolean()).isFalse();
    assertThat(detail.get("message").asText()).isEqualTo("failed after 3 attempt(s) (RetriesExhausted): "
        + "dev.socibuilder.registry.RegistryException: pull blob 123456789012.dkr.ecr.us-west-2.amazonaws.com/"
        + "team/web-app@sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef: HTTP 503 "
        + "(after 4 attempts)");
    assertThat(detail.get("registry").asText()).isEqualTo("123456789012.dkr.ecr.us-west-2.amazonaws.com");
    assertThat(detail.get("repository").asText()).isEqualTo("team/web-app");
    assertThat(detail.get("imageDigest").asText())
        .isEqualTo("sha256:09f43f735b07430df731a95896eb640af721e391134cabda6edcb7fb0d81d26b");
    assertThat(detail.get("tag").asText()).isEqualTo("v1.4.2");
    assertThat(detail.get("indexVersion").asText()).isEqualTo("v2");
    assertThat(detail.get("newTag").isNull()).isTrue();
    assertThat(detail.get("ztocs").asInt()).isZero();
  }

  @Test
  void logsOneErrorLineUnderTheIndexersRequestId() {
    handler().handleRequest(record(), new TestContext("reporter-2"));

    assertThat(logs()).singleElement().satisfies(line -> {
      assertThat(line.get("level").asText()).isEqualTo("ERROR");
      assertThat(line.get("timestamp").asText()).isNotEmpty();
      assertThat(line.get("requestId").asText()).isEqualTo("c0f7e2b4-4a5d-4c38-b1e9-7d2f6a0e9c15");
      assertThat(line.get("digest").asText()).startsWith("sha256:09f43f73");
      assertThat(line.get("condition").asText()).isEqualTo("RetriesExhausted");
      assertThat(line.get("attempts").asInt()).isEqualTo(3);
    });
  }

  @Test
  void aTimedOutOrCrashedLastAttemptIsReportedWithLambdasMessage() {
    Map<String, Object> event = record();
    detail(event).put("responsePayload",
        Map.of("errorMessage", "2026-11-20T09:17:40.912Z c0f7e2b4 Task timed out after 900.00 seconds"));

    handler().handleRequest(event, new TestContext("reporter-3"));

    assertThat(aws.eventDetails()).singleElement().satisfies(d -> assertThat(d.get("message").asText())
        .isEqualTo("failed after 3 attempt(s) (RetriesExhausted): "
            + "2026-11-20T09:17:40.912Z c0f7e2b4 Task timed out after 900.00 seconds"));
  }

  @Test
  void aRequestThatWaitedTooLongIsReportedAsNotIndexedInTime() {
    Map<String, Object> event = record();
    Map<String, Object> requestContext = new java.util.LinkedHashMap<>();
    requestContext.put("requestId", "r-age");
    requestContext.put("condition", "EventAgeExceeded");
    requestContext.put("approximateInvokeCount", 0);
    detail(event).put("requestContext", requestContext);
    detail(event).remove("responsePayload");

    handler().handleRequest(event, new TestContext("reporter-4"));

    assertThat(aws.eventDetails()).singleElement().satisfies(d -> {
      assertThat(d.get("message").asText())
          .isEqualTo("not indexed within the maximum event age (EventAgeExceeded) after 0 attempt(s)");
      assertThat(d.get("retrying").asBoolean()).isFalse();
    });
  }

  @Test
  void aHugeErrorMessageIsCut() {
    Map<String, Object> event = record();
    detail(event).put("responsePayload", Map.of("errorMessage", "x".repeat(100_000)));

    handler().handleRequest(event, new TestContext("reporter-5"));

    assertThat(aws.eventDetails().get(0).get("message").asText()).hasSizeLessThan(2200)
        .startsWith("failed after 3 attempt(s) (RetriesExhausted): xxx").endsWith(" more characters)");
  }

  @Test
  void aRecordWithoutTheRequestStillGetsItsFinalEventWithoutResources() {
    Map<String, Object> event = record();
    detail(event).remove("requestPayload");

    handler().handleRequest(event, new TestContext("reporter-6"));

    assertThat(aws.eventEntries()).singleElement().satisfies(e -> assertThat(e.has("Resources")).isFalse());
    assertThat(aws.eventDetails().get(0).get("repository").isNull()).isTrue();
    assertThat(aws.eventDetails().get(0).get("outcome").asText()).isEqualTo("failed");
  }

  @Test
  void anythingElseIsIgnoredWithAWarning() {
    Map<String, Object> push = deserialize("{\"source\":\"aws.ecr\",\"detail-type\":\"ECR Image Action\","
        + "\"detail\":{\"repository-name\":\"team/web-app\"}}");

    Map<String, Object> response = handler().handleRequest(push, new TestContext("reporter-7"));

    assertThat(response).containsOnlyKeys("ignored");
    assertThat(aws.eventEntries()).isEmpty();
    assertThat(logs()).singleElement().satisfies(l -> assertThat(l.get("level").asText()).isEqualTo("WARN"));
    assertThat(handler().handleRequest(null, new TestContext("reporter-8"))).containsOnlyKeys("ignored");
  }

  @Test
  void anEventThatCannotBePutFailsTheInvocationSoLambdaRetries() {
    aws.rejectEvents();

    assertThatThrownBy(() -> handler().handleRequest(record(), new TestContext("reporter-9")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("EventBridge rejected the result event");
  }
}
