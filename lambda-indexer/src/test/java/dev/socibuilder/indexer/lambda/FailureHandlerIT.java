package dev.socibuilder.indexer.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.socibuilder.testing.aws.FakeAwsApi;
import dev.socibuilder.testing.lambda.LambdaJarRunner;
import dev.socibuilder.testing.lambda.LambdaRuntimeApiServer.InvocationResult;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The failure reporter in the packaged {@code target/lambda-indexer.jar}, started by the real Lambda runtime
 * interface client, on the record Lambda sends for an exhausted request, with EventBridge faked through
 * {@code AWS_ENDPOINT_URL_EVENTBRIDGE}. Runs after package.
 */
class FailureHandlerIT {

  private static final String HANDLER = "dev.socibuilder.indexer.lambda.FailureHandler::handleRequest";
  // A guard against a hung runtime on a loaded machine, not a speed check.
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  @Test
  void packagedJarTurnsTheFailureRecordIntoTheFinalResultEvent() throws Exception {
    String record;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("events/indexer-failure-record.json")) {
      record = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    try (FakeAwsApi aws = FakeAwsApi.start("unused");
        LambdaJarRunner function = LambdaJarRunner.start(jar(), HANDLER, Map.of(
            "AWS_REGION", "us-west-2", "SOCI_INDEX_VERSION", "V2", "RESULT_EVENT_BUS_NAME", "default",
            "AWS_ENDPOINT_URL_EVENTBRIDGE", aws.endpoint().toString()), javaHome())) {

      InvocationResult result = function.invoke(record, TIMEOUT);

      assertThat(result.success()).as(function.output()).isTrue();
      JsonNode response = new ObjectMapper().readTree(result.body());
      assertThat(response.get("outcome").asText()).isEqualTo("failed");
      assertThat(aws.eventDetails()).singleElement().satisfies(d -> {
        assertThat(d.get("outcome").asText()).isEqualTo("failed");
        assertThat(d.get("retrying").asBoolean()).isFalse();
        assertThat(d.get("repository").asText()).isEqualTo("team/web-app");
      });
      assertThat(function.output()).contains("\"level\":\"ERROR\"").doesNotContain("local-test-secret");
    }
  }

  private static Path jar() {
    return Paths.get(System.getProperty("lambda.jar", "target/lambda-indexer.jar"));
  }

  private static Path javaHome() {
    return Paths.get(System.getProperty("lambda.java.home", System.getProperty("java.home")));
  }
}
