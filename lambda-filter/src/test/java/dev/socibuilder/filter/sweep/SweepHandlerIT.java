package dev.socibuilder.filter.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.socibuilder.testing.aws.FakeAwsApi;
import dev.socibuilder.testing.aws.FakeAwsApi.EcrImage;
import dev.socibuilder.testing.lambda.LambdaJarRunner;
import dev.socibuilder.testing.lambda.LambdaRuntimeApiServer.InvocationResult;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The packaged {@code target/lambda-filter.jar} run with the sweep's handler string under the real Lambda
 * runtime interface client, with ECR and Lambda faked over HTTP through {@code AWS_ENDPOINT_URL_ECR} and
 * {@code AWS_ENDPOINT_URL_LAMBDA}. Runs after package.
 */
class SweepHandlerIT {
  private static final String HANDLER = "dev.socibuilder.filter.sweep.SweepHandler::handleRequest";
  // Generous: a guard against a hung runtime on a loaded machine, not a speed check.
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path functionJar() {
    return Paths.get(System.getProperty("lambda.jar", "target/lambda-filter.jar"));
  }

  private static Path javaHome() {
    return Paths.get(System.getProperty("lambda.java.home", System.getProperty("java.home")));
  }

  private static Map<String, String> env(FakeAwsApi aws) {
    Map<String, String> env = new HashMap<>();
    env.put("FILTERS", "team/*:*,!*:dev-*");
    env.put("INDEXER_FUNCTION_NAME", "soci-indexer:live");
    env.put("SOCI_TAG_SUFFIX", "-soci");
    env.put("EXPECTED_ACCOUNT_ID", "123456789012");
    env.put("AWS_REGION", "us-west-2");
    env.put("MAX_INVOKES_PER_MINUTE", "6000");
    env.put("AWS_ENDPOINT_URL_ECR", aws.endpoint().toString());
    env.put("AWS_ENDPOINT_URL_LAMBDA", aws.endpoint().toString());
    return env;
  }

  @Test
  void packagedJarSweepsUnderTheRealRuntimeClient() throws Exception {
    try (FakeAwsApi aws = FakeAwsApi.start("unused")) {
      String oci = "application/vnd.oci.image.manifest.v1+json";
      aws.addImage("team/app", new EcrImage(String.format("sha256:%064x", 1), oci, null, List.of("v1")));
      aws.addImage("team/app", new EcrImage(String.format("sha256:%064x", 2), oci, null, List.of("v2")));
      aws.addImage("team/app", new EcrImage(String.format("sha256:%064x", 3), "application/vnd.oci.image.index.v1+json",
          null, List.of("v2-soci")));
      aws.addImage("team/app", new EcrImage(String.format("sha256:%064x", 4), oci, null, List.of("dev-3")));
      aws.addImage("other/app", new EcrImage(String.format("sha256:%064x", 5), oci, null, List.of("v1")));
      aws.throttleEcr(FakeAwsApi.DESCRIBE_IMAGES_TARGET, 1);
      String scheduled = new String(SweepHandlerIT.class.getClassLoader()
          .getResourceAsStream("events/sweep-scheduled.json").readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);

      try (LambdaJarRunner function = LambdaJarRunner.start(functionJar(), HANDLER, env(aws), javaHome())) {
        InvocationResult result = function.invoke(scheduled, TIMEOUT);

        assertThat(result.success()).as(function.output()).isTrue();
        JsonNode response = JSON.readTree(result.body());
        assertThat(response.get("complete").asBoolean()).isTrue();
        assertThat(response.get("invoked").asInt()).isEqualTo(1);
        assertThat(response.get("alreadyIndexed").asInt()).isEqualTo(1);
        assertThat(response.get("repositoriesExcluded").asInt()).isEqualTo(1);
        assertThat(aws.invokePayloads("soci-indexer:live")).containsExactly("{\"registry\":\"123456789012.dkr.ecr."
            + "us-west-2.amazonaws.com\",\"repository\":\"team/app\",\"digest\":\"" + String.format("sha256:%064x", 1)
            + "\",\"tag\":\"v1\",\"mediaType\":\"" + oci + "\"}");
        assertThat(function.output()).contains("\"message\":\"sweep run finished\"")
            .contains("\"requestId\":\"" + result.requestId() + "\"")
            .doesNotContain("local-test-secret");
      }
    }
  }

  @Test
  void badConfigurationIsAnInitError() throws Exception {
    try (FakeAwsApi aws = FakeAwsApi.start("unused")) {
      Map<String, String> env = env(aws);
      env.put("MAX_INVOKES_PER_MINUTE", "lots");
      try (LambdaJarRunner broken = LambdaJarRunner.start(functionJar(), HANDLER, env, javaHome())) {
        assertThat(broken.awaitInitError(TIMEOUT)).contains("MAX_INVOKES_PER_MINUTE must be a number");
      }
    }
  }
}
