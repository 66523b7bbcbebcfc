package dev.socibuilder.filter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.socibuilder.testing.aws.FakeLambdaApi;
import dev.socibuilder.testing.lambda.LambdaJarRunner;
import dev.socibuilder.testing.lambda.LambdaRuntimeApiServer.InvocationResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged {@code target/lambda-filter.jar} (the artifact {@code cdk deploy} uploads), started
 * by the real Lambda runtime interface client against a local Runtime API, with the Lambda API of
 * the indexer invoke faked over HTTP through {@code AWS_ENDPOINT_URL_LAMBDA}. Runs after package.
 */
class FilterHandlerIT {

  private static final String HANDLER = "dev.socibuilder.filter.FilterHandler::handleRequest";
  // Generous: a guard against a hung runtime on a loaded machine, not a speed check.
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static FakeLambdaApi lambdaApi;
  // One execution environment for the invoke tests, as Lambda reuses one for many events.
  private static LambdaJarRunner function;

  @BeforeAll
  static void startFunction() throws IOException {
    lambdaApi = FakeLambdaApi.start();
    function = LambdaJarRunner.start(functionJar(), HANDLER, env(), javaHome());
  }

  @AfterAll
  static void stopFunction() throws IOException {
    try {
      if (function != null) {
        function.close();
      }
    } finally {
      lambdaApi.close();
    }
  }

  @BeforeEach
  void resetFakeLambda() {
    lambdaApi.reset();
  }

  private static Path functionJar() {
    return Paths.get(System.getProperty("lambda.jar", "target/lambda-filter.jar"));
  }

  /** The JDK to run the function on: {@code -Dlambda.java.home=...} (e.g. a JDK 25), else this JVM's. */
  private static Path javaHome() {
    return Paths.get(System.getProperty("lambda.java.home", System.getProperty("java.home")));
  }

  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("FILTERS", "team/*:*,!*:dev-*");
    env.put("INDEXER_FUNCTION_NAME", "soci-indexer");
    env.put("SOCI_TAG_SUFFIX", "-soci");
    env.put("INDEX_UNTAGGED", "false");
    env.put("EXPECTED_ACCOUNT_ID", "123456789012");
    env.put("AWS_REGION", "us-west-2");
    env.put("AWS_ENDPOINT_URL_LAMBDA", lambdaApi.endpoint().toString());
    return env;
  }

  private static String eventFile(String name) throws IOException {
    try (InputStream in = FilterHandlerIT.class.getClassLoader().getResourceAsStream("events/" + name)) {
      assertThat(in).as("events/" + name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void packagedJarAnswersInvokesUnderRealRuntimeClient() throws Exception {
    InvocationResult pushed = function.invoke(eventFile("push-image-manifest-tagged.json"), TIMEOUT);

    assertThat(pushed.success()).as(function.output()).isTrue();
    JsonNode response = JSON.readTree(pushed.body());
    assertThat(response.get("decision").asText()).isEqualTo("invoked");
    assertThat(response.get("reason").asText()).isEqualTo("selected by filter team/*:*");
    assertThat(lambdaApi.requests()).hasSize(1);
    FakeLambdaApi.Recorded invoke = lambdaApi.requests().get(0);
    assertThat(invoke.path()).isEqualTo("/2015-03-31/functions/soci-indexer/invocations");
    assertThat(invoke.header("X-Amz-Invocation-Type")).isEqualTo("Event");
    JsonNode payload = JSON.readTree(invoke.body());
    assertThat(payload.get("registry").asText()).isEqualTo("123456789012.dkr.ecr.us-west-2.amazonaws.com");
    assertThat(payload.get("repository").asText()).isEqualTo("team/web-app");
    assertThat(payload.get("tag").asText()).isEqualTo("v1.4.2");

    // The same execution environment takes the next event: the builder's own -soci tag.
    InvocationResult loop = function.invoke(eventFile("push-soci-tag.json"), TIMEOUT);

    assertThat(loop.success()).as(function.output()).isTrue();
    assertThat(JSON.readTree(loop.body()).get("decision").asText()).isEqualTo("ignored");
    assertThat(lambdaApi.requests()).hasSize(1);
    assertThat(function.output())
        .contains("\"decision\":\"invoked\"")
        .contains("\"reason\":\"tag ends with the SOCI tag suffix -soci, the builder's own output\"")
        .contains("\"requestId\":\"" + pushed.requestId() + "\"")
        .containsPattern("\\{\"timestamp\":\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\",\"level\":\"INFO\"")
        .doesNotContain("local-test-secret");
  }

  @Test
  void failedIndexerInvokeIsReportedAsFunctionError() throws Exception {
    lambdaApi.failWith(500);
    InvocationResult result = function.invoke(eventFile("push-image-manifest-tagged.json"), TIMEOUT);

    assertThat(result.success()).isFalse();
    assertThat(JSON.readTree(result.body()).get("errorType").asText())
        .isEqualTo(IndexerInvocationException.class.getName());
    assertThat(result.body()).contains("soci-indexer");
    assertThat(function.isAlive()).as("the runtime survives a failed invocation").isTrue();
  }

  @Test
  void missingConfigurationIsReportedAsInitError() throws Exception {
    Map<String, String> env = env();
    env.remove("INDEXER_FUNCTION_NAME");
    try (LambdaJarRunner broken = LambdaJarRunner.start(functionJar(), HANDLER, env, javaHome())) {
      String initError = broken.awaitInitError(TIMEOUT);

      assertThat(initError).contains("INDEXER_FUNCTION_NAME is not set");
    }
  }
}
