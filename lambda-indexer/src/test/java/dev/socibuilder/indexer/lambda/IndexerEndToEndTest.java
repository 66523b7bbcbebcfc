package dev.socibuilder.indexer.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.socibuilder.filter.FilterConfig;
import dev.socibuilder.filter.FilterHandler;
import dev.socibuilder.filter.FilterService;
import dev.socibuilder.oci.StoredManifest;
import dev.socibuilder.registry.Credentials;
import dev.socibuilder.registry.CredentialsProvider;
import dev.socibuilder.registry.RegistryClient;
import dev.socibuilder.registry.RetryPolicy;
import dev.socibuilder.testing.aws.FakeAwsApi;
import dev.socibuilder.testing.lambda.TestContext;
import dev.socibuilder.testing.registry.RegistryServer;
import dev.socibuilder.testing.registry.Skopeo;
import dev.socibuilder.testing.registry.TestImages;
import dev.socibuilder.testing.registry.TestImages.LayerSpec;
import dev.socibuilder.testing.registry.TestImages.TestImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * The pipeline from an ECR push event to the SOCI index in the registry: a sample event of
 * {@code events/} rewritten to name an image pushed with skopeo to the real Distribution registry goes
 * through the real filter handler, whose asynchronous invoke is captured at the HTTP level; the captured
 * payload is deserialized as the Lambda Java runtime does and handed to the indexer handler, with the
 * ECR host mapped to the local registry and ECR and EventBridge faked at the HTTP level.
 */
class IndexerEndToEndTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "e2e-ecr-token-51c0";

  @TempDir
  Path temp;

  @Test
  void pushEventThroughFilterAndIndexerEndsWithSociIndexInRegistryAndResultEvent() throws IOException {
    try (RegistryServer registry = RegistryServer.basicAuth("AWS", PASSWORD).start();
        FakeAwsApi aws = FakeAwsApi.start(PASSWORD)) {
      StaticCredentialsProvider credentials =
          StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDE2E", "e2e-secret"));
      String repository = "team/web-app";
      TestImage image = TestImages.singlePlatform(temp.resolve("layout"), "v1.4.2",
          LayerSpec.incompressible(192 * 1024, 21), LayerSpec.compressible(4096, 22));
      Skopeo.copy(image.ociReference(), "docker://" + registry.hostPort() + "/" + repository + ":v1.4.2",
          registry.destCredsArgs());

      // 1. ECR's push event, as in events/, for the pushed image.
      ObjectNode event = (ObjectNode) readResource("events/push-image-manifest-tagged.json");
      ObjectNode detail = (ObjectNode) event.get("detail");
      detail.put("repository-name", repository);
      detail.put("image-digest", image.digest().toString());
      detail.put("image-tag", "v1.4.2");
      // As the runtime deserializes the filter handler's input type (a JSON object as a Map).
      java.lang.reflect.Type input = ((java.lang.reflect.ParameterizedType) FilterHandler.class
          .getGenericInterfaces()[0]).getActualTypeArguments()[0];
      @SuppressWarnings("unchecked")
      Map<String, Object> pushEvent = (Map<String, Object>) JacksonFactory.getInstance().getSerializer(input)
          .fromJson(JSON.writeValueAsString(event));

      // 2. The real filter decides and invokes the indexer asynchronously (captured by the fake Lambda API).
      List<String> filterLog = new ArrayList<>();
      try (LambdaClient lambda = LambdaClient.builder().region(Region.US_WEST_2).endpointOverride(aws.endpoint())
          .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
        FilterConfig filterConfig = FilterConfig.fromEnvironment(Map.of(
            "FILTERS", "team/*:*",
            "INDEXER_FUNCTION_NAME", "soci-indexer",
            "EXPECTED_ACCOUNT_ID", event.get("account").asText(),
            "AWS_REGION", event.get("region").asText()));
        Map<String, String> decision = new FilterHandler(new FilterService(filterConfig, lambda, filterLog::add))
            .handleRequest(pushEvent, new TestContext("filter-req"));
        assertThat(decision).as(filterLog.toString()).containsEntry("decision", "invoked");
      }
      assertThat(aws.invokePayloads()).hasSize(1);
      String payload = aws.invokePayloads().get(0);

      // 3. The indexer takes the payload as the runtime deserializes it.
      List<String> indexerLog = new ArrayList<>();
      Map<String, Object> response;
      try (EcrClient ecr = EcrClient.builder().region(Region.US_WEST_2).endpointOverride(aws.endpoint())
              .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder())
              .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
          EventBridgeClient eventBridge = EventBridgeClient.builder().region(Region.US_WEST_2)
              .endpointOverride(aws.endpoint()).credentialsProvider(credentials)
              .httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
        IndexerConfig config = IndexerConfig.fromEnvironment(Map.of(
            "AWS_REGION", event.get("region").asText(),
            "SOCI_INDEX_VERSION", "V2",
            "SPAN_SIZE_BYTES", "65536",
            "MIN_LAYER_SIZE_BYTES", "65536",
            "SOCI_TAG_SUFFIX", "-soci",
            "RESULT_EVENT_BUS_NAME", "default",
            "REGISTRY_ENDPOINT_OVERRIDE", "http://" + registry.hostPort()));
        IndexerHandler indexer =
            new IndexerHandler(new IndexerService(config, ecr, eventBridge, RetryPolicy.defaults(), indexerLog::add));
        response = indexer.handleRequest(IndexerHandlerTest.deserialize(payload), new TestContext("indexer-req"));
      }

      // 4. The SOCI index is in the registry, under the tag the result names.
      assertThat(response).as(indexerLog.toString()).containsEntry("outcome", "indexed")
          .containsEntry("newTag", "v1.4.2-soci").containsEntry("ztocs", 1L);
      try (RegistryClient reader =
          new RegistryClient(credentials(registry), RetryPolicy.none(), true, Duration.ofSeconds(20))) {
        StoredManifest tagged = reader.getManifest(registry.hostPort(), repository, "v1.4.2-soci", null);
        assertThat(tagged).isNotNull();
        assertThat(tagged.mediaType()).isEqualTo(TestImages.OCI_INDEX);
        JsonNode index = JSON.readTree(tagged.bytes());
        String sociIndexDigest = (String) response.get("sociIndexDigest");
        assertThat(index.get("manifests").findValuesAsText("com.amazon.soci.index-digest"))
            .containsExactly(sociIndexDigest);
        JsonNode sociIndex = JSON.readTree(reader.getManifest(registry.hostPort(), repository, sociIndexDigest, null)
            .bytes());
        JsonNode ztoc = sociIndex.get("layers").get(0);
        assertThat(ztoc.get("mediaType").asText()).isEqualTo("application/octet-stream");
        assertThat(reader.blobExists(registry.hostPort(), repository,
            dev.socibuilder.digest.Digest.parse(ztoc.get("digest").asText()))).isTrue();
      }
      // ...and the result event says so, for the pipeline waiting on it.
      assertThat(aws.tokenRequests()).isEqualTo(1);
      assertThat(aws.eventEntries()).hasSize(1);
      assertThat(aws.eventEntries().get(0).get("Source").asText()).isEqualTo("soci-index-builder");
      assertThat(aws.eventEntries().get(0).get("DetailType").asText()).isEqualTo("SOCI Index Result");
      JsonNode result = aws.eventDetails().get(0);
      assertThat(result.get("outcome").asText()).isEqualTo("indexed");
      assertThat(result.get("repository").asText()).isEqualTo(repository);
      assertThat(result.get("imageDigest").asText()).isEqualTo(image.digest().toString());
      assertThat(result.get("tag").asText()).isEqualTo("v1.4.2");
      assertThat(result.get("newTag").asText()).isEqualTo("v1.4.2-soci");
      assertThat(result.get("sociIndexDigest").asText()).isEqualTo(response.get("sociIndexDigest"));
      assertThat(result.get("skippedLayers")).hasSize(1);
    }
  }

  private static JsonNode readResource(String name) throws IOException {
    try (InputStream in = IndexerEndToEndTest.class.getClassLoader().getResourceAsStream(name)) {
      assertThat(in).as(name + " on the test class path").isNotNull();
      return JSON.readTree(in);
    }
  }

  /** The registry's user for its own host (anonymous when it has none). */
  static CredentialsProvider credentials(RegistryServer server) {
    return CredentialsProvider.of(server.hostPort(),
        server.username() == null ? null : new Credentials(server.username(), server.password()));
  }
}
