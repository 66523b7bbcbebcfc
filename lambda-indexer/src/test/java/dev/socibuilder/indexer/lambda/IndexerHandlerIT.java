package dev.socibuilder.indexer.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.socibuilder.registry.Credentials;
import dev.socibuilder.registry.CredentialsProvider;
import dev.socibuilder.registry.RegistryClient;
import dev.socibuilder.registry.RetryPolicy;
import dev.socibuilder.testing.aws.FakeAwsApi;
import dev.socibuilder.testing.aws.FakeS3;
import dev.socibuilder.testing.lambda.LambdaJarRunner;
import dev.socibuilder.testing.lambda.LambdaRuntimeApiServer.InvocationResult;
import dev.socibuilder.testing.registry.RegistryServer;
import dev.socibuilder.testing.registry.Skopeo;
import dev.socibuilder.testing.registry.TestImages;
import dev.socibuilder.testing.registry.TestImages.LayerSpec;
import dev.socibuilder.testing.registry.TestImages.TestImage;
import java.io.IOException;
import java.nio.file.Files;
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
 * The packaged {@code target/lambda-indexer.jar} (the artifact {@code cdk deploy} uploads), started by the
 * real Lambda runtime interface client against a local Runtime API (the test-support harness),
 * with ECR and EventBridge faked over HTTP through {@code AWS_ENDPOINT_URL_ECR} and
 * {@code AWS_ENDPOINT_URL_EVENTBRIDGE}, and the ECR host mapped to a real local registry through the
 * {@code REGISTRY_ENDPOINT_OVERRIDE} test hook. Runs after package.
 */
class IndexerHandlerIT {

  private static final String HANDLER = "dev.socibuilder.indexer.lambda.IndexerHandler::handleRequest";
  // Generous: a guard against a hung runtime on a loaded machine, not a speed check.
  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "it-ecr-token-9d2e";
  private static final String ECR_HOST = "123456789012.dkr.ecr.us-west-2.amazonaws.com";

  private static RegistryServer registry;
  private static FakeAwsApi aws;
  // One execution environment for the invoke tests, as Lambda reuses one for many requests.
  private static LambdaJarRunner function;
  private static Path temp;

  @BeforeAll
  static void startFunction() throws IOException {
    temp = Files.createTempDirectory("indexer-it-");
    registry = RegistryServer.basicAuth("AWS", PASSWORD).start();
    aws = FakeAwsApi.start(PASSWORD);
    function = LambdaJarRunner.start(functionJar(), HANDLER, env(), javaHome());
  }

  @AfterAll
  static void stopFunction() throws IOException {
    try {
      if (function != null) {
        function.close();
      }
    } finally {
      if (aws != null) {
        aws.close();
      }
      if (registry != null) {
        registry.close();
      }
      if (temp != null) {
        try (var files = Files.walk(temp)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  @BeforeEach
  void resetFakes() {
    aws.reset();
  }

  private static Path functionJar() {
    return Paths.get(System.getProperty("lambda.jar", "target/lambda-indexer.jar"));
  }

  /** The JDK to run the function on: {@code -Dlambda.java.home=...} (e.g. a JDK 25), else this JVM's. */
  private static Path javaHome() {
    return Paths.get(System.getProperty("lambda.java.home", System.getProperty("java.home")));
  }

  /** What the stack sets, plus the endpoints of the fakes. */
  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("AWS_REGION", "us-west-2");
    env.put("AWS_DEFAULT_REGION", "us-west-2");
    env.put("SOCI_INDEX_VERSION", "V2");
    env.put("SPAN_SIZE_BYTES", "65536");
    env.put("MIN_LAYER_SIZE_BYTES", "65536");
    env.put("SOCI_TAG_SUFFIX", "-soci");
    env.put("RESULT_EVENT_BUS_NAME", "default");
    env.put("AWS_ENDPOINT_URL_ECR", aws.endpoint().toString());
    env.put("AWS_ENDPOINT_URL_EVENTBRIDGE", aws.endpoint().toString());
    env.put("REGISTRY_ENDPOINT_OVERRIDE", "http://" + registry.hostPort());
    env.put("JAVA_TOOL_OPTIONS", StackJvmOptions.INDEXER);
    return env;
  }

  @Test
  void packagedJarIndexesImageUnderRealRuntimeClient() throws Exception {
    String repository = "team/web-app";
    TestImage image = TestImages.singlePlatform(temp.resolve("layout"), "v1.4.2",
        LayerSpec.incompressible(192 * 1024, 31));
    Skopeo.copy(image.ociReference(), "docker://" + registry.hostPort() + "/" + repository + ":v1.4.2",
        registry.destCredsArgs());
    String payload = IndexerHandlerTest.payload(ECR_HOST, repository, image.digest().toString(), "v1.4.2");

    InvocationResult result = function.invoke(payload, TIMEOUT);

    assertThat(result.success()).as(function.output()).isTrue();
    JsonNode response = JSON.readTree(result.body());
    assertThat(response.get("outcome").asText()).as(result.body()).isEqualTo("indexed");
    assertThat(response.get("newTag").asText()).isEqualTo("v1.4.2-soci");
    try (RegistryClient reader =
        new RegistryClient(credentials(registry), RetryPolicy.none(), true, Duration.ofSeconds(20))) {
      assertThat(reader.getManifest(registry.hostPort(), repository, "v1.4.2-soci", null).digest().toString())
          .isEqualTo(response.get("sociImageIndexDigest").asText());
    }
    assertThat(aws.tokenRequests()).isEqualTo(1);
    assertThat(aws.eventDetails()).singleElement()
        .satisfies(d -> assertThat(d.get("outcome").asText()).isEqualTo("indexed"));
    assertThat(function.output())
        .contains("\"requestId\":\"" + result.requestId() + "\"")
        .contains("\"message\":\"zTOC built\"")
        .contains("\"jit\":\"C2\"") // the stack's JAVA_TOOL_OPTIONS took effect
        .doesNotContain("without C2")
        .doesNotContain("CompileCommand: ") // HotSpot echoes a compile command on stdout, the log, unless quiet
        .doesNotContain(PASSWORD)
        .doesNotContain("local-test-secret");

    // The same execution environment takes the next request: the builder's own output.
    InvocationResult own = function.invoke(
        IndexerHandlerTest.payload(ECR_HOST, repository, response.get("sociImageIndexDigest").asText(), null), TIMEOUT);

    assertThat(own.success()).as(function.output()).isTrue();
    assertThat(JSON.readTree(own.body()).get("outcome").asText()).isEqualTo("soci_enabled_image");
  }

  @Test
  void withoutTheStacksJvmOptionsTheFirstRequestWarnsThatC2IsOff() throws Exception {
    Map<String, String> env = env();
    env.remove("JAVA_TOOL_OPTIONS"); // Lambda's default: C1 only
    TestImage image = TestImages.singlePlatform(temp.resolve("layout-c1"), "c1", LayerSpec.compressible(4096, 51));
    Skopeo.copy(image.ociReference(), "docker://" + registry.hostPort() + "/team/c1:c1", registry.destCredsArgs());
    try (LambdaJarRunner c1 = LambdaJarRunner.start(functionJar(), HANDLER, env, javaHome())) {
      String payload = IndexerHandlerTest.payload(ECR_HOST, "team/c1", image.digest().toString(), "c1");
      InvocationResult first = c1.invoke(payload, TIMEOUT);
      InvocationResult second = c1.invoke(payload, TIMEOUT);

      assertThat(first.success()).as(c1.output()).isTrue();
      assertThat(second.success()).as(c1.output()).isTrue();
      assertThat(c1.output())
          .contains("\"jit\":\"C1 only (TieredStopAtLevel=1)\"")
          .containsOnlyOnce("\"level\":\"WARN\",\"message\":\"the JVM runs without C2 (C1 only"
              + " (TieredStopAtLevel=1)): large layers index about twice as slowly; set JAVA_TOOL_OPTIONS=");
    }
  }

  @Test
  void badRequestIsAnsweredAsPermanentFailureNotAsFunctionError() throws Exception {
    String payload = IndexerHandlerTest.payload("123456789012.dkr.ecr.eu-west-1.amazonaws.com", "team/web-app",
        "sha256:" + "ab".repeat(32), "v1");

    InvocationResult result = function.invoke(payload, TIMEOUT);

    assertThat(result.success()).as(function.output()).isTrue();
    JsonNode response = JSON.readTree(result.body());
    assertThat(response.get("outcome").asText()).isEqualTo("failed");
    assertThat(response.get("retrying").asBoolean()).isFalse();
    assertThat(response.get("message").asText()).contains("not in this function's region");
    assertThat(aws.eventDetails()).singleElement()
        .satisfies(d -> assertThat(d.get("retrying").asBoolean()).isFalse());
  }

  @Test
  void transientEcrFailureIsReportedAsFunctionErrorSoLambdaRetries() throws Exception {
    TestImage image = TestImages.singlePlatform(temp.resolve("layout-err"), "e1", LayerSpec.compressible(4096, 32));
    Skopeo.copy(image.ociReference(), "docker://" + registry.hostPort() + "/team/err:e1", registry.destCredsArgs());
    aws.failEcr("ServerException", 500);

    InvocationResult result = function.invoke(
        IndexerHandlerTest.payload(ECR_HOST, "team/err", image.digest().toString(), "e1"), TIMEOUT);

    assertThat(result.success()).as(function.output()).isFalse();
    assertThat(JSON.readTree(result.body()).get("errorType").asText())
        .isEqualTo("dev.socibuilder.registry.RegistryException");
    assertThat(result.body()).contains("get ECR authorization token");
    assertThat(aws.eventDetails()).singleElement()
        .satisfies(d -> assertThat(d.get("retrying").asBoolean()).isTrue());
    assertThat(function.isAlive()).as("the runtime survives a failed invocation").isTrue();
  }

  @Test
  void packagedJarReusesZtocsThroughTheS3CacheItsEnvironmentNames() throws Exception {
    LayerSpec shared = LayerSpec.incompressible(192 * 1024, 41);
    TestImage first = TestImages.singlePlatform(temp.resolve("cache-a"), "c1", shared,
        LayerSpec.compressible(4096, 42));
    TestImage second = TestImages.singlePlatform(temp.resolve("cache-b"), "c1", shared,
        LayerSpec.compressible(4096, 43));
    String r = "docker://" + registry.hostPort();
    Skopeo.copy(first.ociReference(), r + "/team/cache-a:c1", registry.destCredsArgs());
    Skopeo.copy(second.ociReference(), r + "/team/cache-b:c1", registry.destCredsArgs());
    Map<String, String> env = env();
    try (FakeS3 s3 = FakeS3.start("soci-ztoc-cache")) {
      env.put("ZTOC_CACHE_BUCKET", "soci-ztoc-cache");
      env.put("AWS_ENDPOINT_URL_S3", s3.endpoint().toString());
      try (LambdaJarRunner cached = LambdaJarRunner.start(functionJar(), HANDLER, env, javaHome())) {
        InvocationResult a = cached.invoke(
            IndexerHandlerTest.payload(ECR_HOST, "team/cache-a", first.digest(), "c1"), TIMEOUT);
        InvocationResult b = cached.invoke(
            IndexerHandlerTest.payload(ECR_HOST, "team/cache-b", second.digest(), "c1"), TIMEOUT);

        assertThat(a.success()).as(cached.output()).isTrue();
        assertThat(b.success()).as(cached.output()).isTrue();
        assertThat(JSON.readTree(a.body()).get("ztocLayers").get(0).get("source").asText()).isEqualTo("built");
        JsonNode reused = JSON.readTree(b.body()).get("ztocLayers").get(0);
        assertThat(reused.get("source").asText()).as(b.body()).isEqualTo("cached");
        assertThat(reused.get("blob").asText()).isEqualTo("mounted");
        assertThat(s3.keys("soci-ztoc-cache")).singleElement().asString().startsWith("ztoc/");
      }
    }
  }

  @Test
  void invalidConfigurationIsReportedAsInitError() throws Exception {
    Map<String, String> env = env();
    env.put("SOCI_INDEX_VERSION", "V3");
    try (LambdaJarRunner broken = LambdaJarRunner.start(functionJar(), HANDLER, env, javaHome())) {
      String initError = broken.awaitInitError(TIMEOUT);

      assertThat(initError).contains("SOCI_INDEX_VERSION must be V2 or V1");
    }
  }

  /** The registry's user for its own host (anonymous when it has none). */
  static CredentialsProvider credentials(RegistryServer server) {
    return CredentialsProvider.of(server.hostPort(),
        server.username() == null ? null : new Credentials(server.username(), server.password()));
  }
}
