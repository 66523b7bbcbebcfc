package dev.socibuilder.indexer.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.socibuilder.digest.Digest;
import dev.socibuilder.oci.StoredManifest;
import dev.socibuilder.registry.Credentials;
import dev.socibuilder.registry.CredentialsProvider;
import dev.socibuilder.registry.DeadlineExceededException;
import dev.socibuilder.registry.RegistryClient;
import dev.socibuilder.registry.RegistryException;
import dev.socibuilder.registry.RetryPolicy;
import dev.socibuilder.testing.aws.FakeAwsApi;
import dev.socibuilder.testing.lambda.TestContext;
import dev.socibuilder.testing.registry.FaultProxy;
import dev.socibuilder.testing.registry.HostileRegistry;
import dev.socibuilder.testing.registry.RegistryServer;
import dev.socibuilder.testing.registry.Skopeo;
import dev.socibuilder.testing.registry.TestImages;
import dev.socibuilder.testing.registry.TestImages.LayerSpec;
import dev.socibuilder.testing.registry.TestImages.TestImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;

/**
 * The handler on requests deserialized as the Lambda Java runtime does (aws-lambda-java-serialization's
 * JacksonFactory, the serializer the runtime picks for a POJO input), against the real Distribution
 * registry (basic auth, whose password only the fake ECR {@code GetAuthorizationToken} hands out), with
 * ECR and EventBridge faked at the HTTP level.
 */
class IndexerHandlerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ACCOUNT = "123456789012";
  private static final String ECR_HOST = ACCOUNT + ".dkr.ecr.us-west-2.amazonaws.com";
  private static final String ECR_PASSWORD = "ecr-token-for-tests-7f3a";
  private static final long MIN_LAYER = 64 * 1024;
  private static final AtomicInteger REPOS = new AtomicInteger();

  @TempDir
  static Path temp;

  private static RegistryServer registry;
  private static FakeAwsApi aws;
  private static EcrClient ecr;
  private static EventBridgeClient eventBridge;
  private static RegistryClient reader;

  private final List<String> logLines = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws IOException {
    registry = RegistryServer.basicAuth("AWS", ECR_PASSWORD).start();
    aws = FakeAwsApi.start(ECR_PASSWORD);
    StaticCredentialsProvider credentials =
        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "aws-secret-for-tests"));
    ecr = EcrClient.builder().region(Region.US_WEST_2).endpointOverride(aws.endpoint())
        .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    eventBridge = EventBridgeClient.builder().region(Region.US_WEST_2).endpointOverride(aws.endpoint())
        .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    reader = new RegistryClient(credentials(registry), RetryPolicy.none(), true, Duration.ofSeconds(20));
  }

  @AfterAll
  static void stop() {
    if (reader != null) {
      reader.close();
    }
    if (ecr != null) {
      ecr.close();
      eventBridge.close();
    }
    if (aws != null) {
      aws.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  @BeforeEach
  void resetFakes() {
    aws.reset();
  }

  // ------------------------------------------------------------------ helpers

  private Map<String, String> env(String region) {
    Map<String, String> env = new HashMap<>();
    env.put("AWS_REGION", region);
    env.put("SOCI_INDEX_VERSION", "V2");
    env.put("SPAN_SIZE_BYTES", Long.toString(MIN_LAYER));
    env.put("MIN_LAYER_SIZE_BYTES", Long.toString(MIN_LAYER));
    env.put("SOCI_TAG_SUFFIX", "-soci");
    env.put("RESULT_EVENT_BUS_NAME", "default");
    env.put("REGISTRY_ENDPOINT_OVERRIDE", "http://" + registry.hostPort());
    return env;
  }

  private IndexerHandler handler(Map<String, String> env, RetryPolicy retry) {
    return new IndexerHandler(
        new IndexerService(IndexerConfig.fromEnvironment(env), ecr, eventBridge, retry, logLines::add));
  }

  private IndexerHandler handler() {
    return handler(env("us-west-2"), RetryPolicy.none());
  }

  /** The sample payload of events/, with the image fields replaced. */
  static String payload(String registryHost, String repository, String digest, String tag) {
    ObjectNode p = (ObjectNode) sample();
    p.put("registry", registryHost);
    p.put("repository", repository);
    p.put("digest", digest);
    if (tag == null) {
      p.putNull("tag");
    } else {
      p.put("tag", tag);
    }
    return p.toString();
  }

  static JsonNode sample() {
    try (InputStream in = IndexerHandlerTest.class.getClassLoader().getResourceAsStream("events/indexer-request.json")) {
      assertThat(in).as("events/indexer-request.json on the test class path").isNotNull();
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What the Lambda Java runtime does with a POJO handler's input. */
  static IndexerRequest deserialize(String json) {
    return JacksonFactory.getInstance().getSerializer(IndexerRequest.class).fromJson(json);
  }

  /** Invokes the handler as the runtime would: payload in through its deserializer, response out through its serializer. */
  private JsonNode invoke(IndexerHandler handler, String json, String requestId) {
    Map<String, Object> response = handler.handleRequest(deserialize(json), new TestContext(requestId));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    JacksonFactory.getInstance().getSerializer((Type) Map.class).toJson(response, out);
    try {
      return JSON.readTree(out.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String newRepository() {
    return "team/app-" + REPOS.incrementAndGet();
  }

  /** Writes an image layout and pushes it with skopeo. */
  private static TestImage push(String repository, String tag, LayerSpec... layers) throws IOException {
    Path layout = Files.createTempDirectory(temp, "layout-");
    TestImage image = TestImages.singlePlatform(layout, tag, layers);
    Skopeo.copy(image.ociReference(), "docker://" + registry.hostPort() + "/" + repository + ":" + tag,
        registry.destCredsArgs());
    return image;
  }

  private static LayerSpec big(long seed) {
    return LayerSpec.incompressible(256 * 1024, seed);
  }

  private static LayerSpec small(long seed) {
    return LayerSpec.compressible(8 * 1024, seed);
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

  private void assertOneEventLike(JsonNode response, String repository) {
    List<JsonNode> entries = aws.eventEntries();
    assertThat(entries).hasSize(1);
    JsonNode entry = entries.get(0);
    assertThat(entry.get("Source").asText()).isEqualTo("soci-index-builder");
    assertThat(entry.get("DetailType").asText()).isEqualTo("SOCI Index Result");
    assertThat(entry.get("EventBusName").asText()).isEqualTo("default");
    assertThat(entry.get("Resources").get(0).asText())
        .isEqualTo("arn:aws:ecr:us-west-2:" + ACCOUNT + ":repository/" + repository);
    assertThat(withoutNulls(aws.eventDetails().get(0))).isEqualTo(response);
  }

  /** The runtime's serializer leaves out null values: absent from the response means null. */
  private static boolean absent(JsonNode response, String field) {
    return response.path(field).isMissingNode() || response.path(field).isNull();
  }

  /** An event detail (which keeps its null fields, for event patterns) as the runtime's response shows it. */
  private static JsonNode withoutNulls(JsonNode detail) {
    ObjectNode copy = detail.deepCopy();
    List<String> nulls = new java.util.ArrayList<>();
    copy.fieldNames().forEachRemaining(f -> {
      if (copy.get(f).isNull()) {
        nulls.add(f);
      }
    });
    copy.remove(nulls);
    return copy;
  }

  // ------------------------------------------------------------------ deserialization

  @Test
  void runtimeDeserializesSamplePayloadIntoRequest() throws IOException {
    IndexerRequest request = deserialize(JSON.writeValueAsString(sample()));

    assertThat(request.getRegistry()).isEqualTo("123456789012.dkr.ecr.us-west-2.amazonaws.com");
    assertThat(request.getRepository()).isEqualTo("team/web-app");
    assertThat(request.getDigest()).isEqualTo(sample().get("digest").asText());
    assertThat(request.getTag()).isEqualTo("v1.4.2");
    assertThat(request.getMediaType()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
  }

  @Test
  void runtimeDeserializesNullTagAndIgnoresUnknownFields() {
    IndexerRequest request = deserialize("{\"registry\":\"r\",\"repository\":\"a\",\"digest\":\"d\",\"tag\":null,"
        + "\"addedLater\":{\"x\":1}}");

    assertThat(request.getTag()).isNull();
    assertThat(request.getMediaType()).isNull();
    assertThat(request.getRepository()).isEqualTo("a");
  }

  // ------------------------------------------------------------------ successes

  @Test
  void indexesTaggedImageWithEcrCredentialsAndPutsResultEvent() throws IOException {
    String repo = newRepository();
    TestImage image = push(repo, "v1", big(1), small(2));

    long before = System.nanoTime();
    JsonNode response = invoke(handler(), payload(ECR_HOST, repo, image.digest().toString(), "v1"), "req-indexed");
    long elapsedMillis = (System.nanoTime() - before) / 1_000_000;

    assertThat(response.get("outcome").asText()).as(response.toString()).isEqualTo("indexed");
    assertThat(response.get("retrying").asBoolean()).isFalse();
    assertThat(response.get("newTag").asText()).isEqualTo("v1-soci");
    assertThat(response.get("ztocs").asInt()).isEqualTo(1);
    assertThat(response.get("skippedLayerCount").asInt()).isEqualTo(1);
    JsonNode skipped = response.get("skippedLayers").get(0);
    assertThat(skipped.get("layerDigest").asText()).isEqualTo(image.manifests().get(0).layers().get(1).digest().toString());
    assertThat(skipped.get("reason").asText()).isNotEmpty();
    // The SOCI-enabled image index is in the registry under v1-soci, and binds the SOCI index to the image.
    StoredManifest tagged = reader.getManifest(registry.hostPort(), repo, "v1-soci", null);
    assertThat(tagged).isNotNull();
    assertThat(tagged.digest().toString()).isEqualTo(response.get("sociImageIndexDigest").asText());
    JsonNode index = JSON.readTree(tagged.bytes());
    String sociIndexDigest = response.get("sociIndexDigest").asText();
    assertThat(index.get("manifests").findValuesAsText("com.amazon.soci.index-digest")).containsExactly(sociIndexDigest);
    JsonNode sociIndex = JSON.readTree(reader.getManifest(registry.hostPort(), repo, sociIndexDigest, null).bytes());
    assertThat(sociIndex.get("config").get("mediaType").asText()).isEqualTo("application/vnd.amazon.soci.index.v2+json");
    assertThat(sociIndex.get("layers")).hasSize(1);
    assertThat(sociIndex.get("layers").get(0).get("annotations").get("com.amazon.soci.image-layer-digest").asText())
        .isEqualTo(image.manifests().get(0).layers().get(0).digest().toString());
    // Credentials came from GetAuthorizationToken (the registry accepts nothing else).
    assertThat(aws.tokenRequests()).isEqualTo(1);
    // One result event, whose detail is the response.
    assertOneEventLike(response, repo);
    JsonNode detail = aws.eventDetails().get(0);
    assertThat(detail.get("repository").asText()).isEqualTo(repo);
    assertThat(detail.get("imageDigest").asText()).isEqualTo(image.digest().toString());
    assertThat(detail.get("tag").asText()).isEqualTo("v1");
    // The reported duration is the run's own: within the time the invocation took around it.
    assertThat(detail.get("durationMillis").asLong()).isBetween(0L, elapsedMillis)
        .isEqualTo(response.get("durationMillis").asLong());
  }

  @Test
  void logsJsonLinesWithRequestIdRepositoryAndDigestAndNoCredentials() throws IOException {
    String repo = newRepository();
    TestImage image = push(repo, "v1", big(3));

    java.time.Instant before = java.time.Instant.now();
    invoke(handler(), payload(ECR_HOST, repo, image.digest().toString(), "v1"), "req-logs");
    java.time.Instant after = java.time.Instant.now();

    assertThat(logLines).hasSizeGreaterThanOrEqualTo(3);
    // The two keys Lambda's application log level filter reads from a JSON line: an RFC 3339 timestamp, and level.
    assertThat(logs()).allSatisfy(line -> {
      assertThat(line.properties()).extracting(Map.Entry::getKey).startsWith("timestamp", "level");
      assertThat(java.time.Instant.parse(line.get("timestamp").asText())).isBetween(before, after);
    });
    String token = Base64.getEncoder().encodeToString(("AWS:" + ECR_PASSWORD).getBytes(StandardCharsets.UTF_8));
    assertThat(logLines).allSatisfy(line -> assertThat(line)
        .doesNotContain("\n").doesNotContain(ECR_PASSWORD).doesNotContain(token).doesNotContain("aws-secret-for-tests"));
    assertThat(logs()).allSatisfy(line -> {
      assertThat(line.get("requestId").asText()).isEqualTo("req-logs");
      assertThat(line.get("repository").asText()).isEqualTo(repo);
      assertThat(line.get("digest").asText()).isEqualTo(image.digest().toString());
      assertThat(line.get("level").asText()).isIn("INFO", "WARN");
    });
    assertThat(logs()).anySatisfy(line -> assertThat(line.get("message").asText()).isEqualTo("zTOC built"));
    JsonNode last = logs().get(logs().size() - 1);
    assertThat(last.get("outcome").asText()).isEqualTo("indexed");
  }

  @Test
  void secondRequestForSameImageSucceedsAsAlreadyIndexed() throws IOException {
    String repo = newRepository();
    TestImage image = push(repo, "v2", big(4));
    IndexerHandler handler = handler();
    String payload = payload(ECR_HOST, repo, image.digest().toString(), "v2");
    JsonNode first = invoke(handler, payload, "req-a");

    JsonNode second = invoke(handler, payload, "req-b");

    assertThat(second.get("outcome").asText()).isEqualTo("already_indexed");
    assertThat(second.get("message").asText()).startsWith("already indexed");
    assertThat(second.get("sociImageIndexDigest").asText()).isEqualTo(first.get("sociImageIndexDigest").asText());
    assertThat(second.get("sociIndexDigest").asText()).isEqualTo(first.get("sociIndexDigest").asText());
    assertThat(second.get("newTag").asText()).isEqualTo("v2-soci");
    assertThat(aws.eventDetails()).extracting(d -> d.get("outcome").asText())
        .containsExactly("indexed", "already_indexed");
  }

  @Test
  void requestForBuildersOwnOutputSucceedsAsSociEnabledImage() throws IOException {
    String repo = newRepository();
    TestImage image = push(repo, "v3", big(5));
    IndexerHandler handler = handler();
    JsonNode indexed = invoke(handler, payload(ECR_HOST, repo, image.digest().toString(), "v3"), "req-a");

    JsonNode own = invoke(handler, payload(ECR_HOST, repo, indexed.get("sociImageIndexDigest").asText(), null), "r");

    assertThat(own.get("outcome").asText()).isEqualTo("soci_enabled_image");
    assertThat(own.get("message").asText()).contains("SOCI");
    assertThat(aws.eventDetails().get(1).get("outcome").asText()).isEqualTo("soci_enabled_image");
  }

  @Test
  void imageWithOnlySmallLayersSucceedsAsNothingToIndex() throws IOException {
    String repo = newRepository();
    TestImage image = push(repo, "tiny", small(6), small(7));

    JsonNode response = invoke(handler(), payload(ECR_HOST, repo, image.digest().toString(), "tiny"), "req-small");

    assertThat(response.get("outcome").asText()).isEqualTo("nothing_to_index");
    assertThat(response.get("message").asText()).contains("no layer qualifies");
    assertThat(response.get("skippedLayerCount").asInt()).isEqualTo(2);
    assertThat(absent(response, "newTag")).isTrue();
    assertThat(reader.getManifest(registry.hostPort(), repo, "tiny-soci", null)).isNull();
    assertOneEventLike(response, repo);
    // The event names every field, null where it does not apply, so event patterns can match on it.
    assertThat(aws.eventDetails().get(0).get("newTag").isNull()).isTrue();
    assertThat(aws.eventDetails().get(0).get("sociIndexDigest").isNull()).isTrue();
  }

  @Test
  void multiPlatformImageReportsOneSociIndexPerPlatformAndSharedSkippedLayersOnce() throws IOException {
    String repo = newRepository();
    Path layout = Files.createTempDirectory(temp, "layout-");
    LayerSpec shared = small(20);
    TestImage image = TestImages.multiPlatform(layout, "multi", new java.util.LinkedHashMap<>(Map.of(
        TestImages.Platform.linux("amd64"), List.of(big(18), shared),
        TestImages.Platform.linux("arm64"), List.of(big(19), shared))));
    Skopeo.copy(image.ociReference(), "docker://" + registry.hostPort() + "/" + repo + ":multi",
        "--all", registry.destCredsArgs()[0], registry.destCredsArgs()[1]);

    JsonNode response = invoke(handler(), payload(ECR_HOST, repo, image.digest().toString(), "multi"), "req-multi");

    assertThat(response.get("outcome").asText()).as(response.toString()).isEqualTo("indexed");
    assertThat(response.get("ztocs").asInt()).isEqualTo(2);
    assertThat(response.get("sociIndexDigests")).hasSize(2);
    assertThat(response.get("sociIndexDigest").asText()).isEqualTo(response.get("sociIndexDigests").get(0).asText());
    assertThat(response.get("skippedLayerCount").asInt()).isEqualTo(1);
    JsonNode index = JSON.readTree(reader.getManifest(registry.hostPort(), repo, "multi-soci", null).bytes());
    List<String> sociIndexes = new java.util.ArrayList<>();
    response.get("sociIndexDigests").forEach(d -> sociIndexes.add(d.asText()));
    assertThat(index.get("manifests").findValuesAsText("com.amazon.soci.index-digest"))
        .containsExactlyInAnyOrderElementsOf(sociIndexes);
  }

  @Test
  void digestOnlyRequestIsIndexedWithoutTag() throws IOException {
    String repo = newRepository();
    TestImage image = push(repo, "byd", big(8));

    JsonNode response = invoke(handler(), payload(ECR_HOST, repo, image.digest().toString(), null), "req-digest");

    assertThat(response.get("outcome").asText()).isEqualTo("indexed");
    assertThat(absent(response, "newTag")).isTrue();
    assertThat(absent(response, "tag")).isTrue();
    String indexDigest = response.get("sociImageIndexDigest").asText();
    assertThat(reader.getManifest(registry.hostPort(), repo, indexDigest, null)).isNotNull();
    assertThat(reader.getManifest(registry.hostPort(), repo, "byd-soci", null)).isNull();
  }

  @Test
  void imageWhoseTagMovedSinceThePushIsIndexedByDigestWithoutTouchingTheSociTag() throws IOException {
    String repo = newRepository();
    TestImage older = push(repo, "latest", big(9));
    TestImage newer = push(repo, "latest", big(10));

    JsonNode response = invoke(handler(), payload(ECR_HOST, repo, older.digest().toString(), "latest"), "req-m");

    assertThat(response.get("outcome").asText()).isEqualTo("indexed");
    assertThat(absent(response, "newTag")).isTrue();
    assertThat(response.get("message").asText()).contains("tag latest now points at " + newer.digest());
    assertThat(reader.getManifest(registry.hostPort(), repo, "latest-soci", null)).isNull();
  }

  @Test
  void indexVersionV1PublishesIndexFoundFromItsSubject() throws IOException {
    String repo = newRepository();
    TestImage image = push(repo, "v1x", big(11));
    Map<String, String> env = env("us-west-2");
    env.put("SOCI_INDEX_VERSION", "V1");

    JsonNode response = invoke(handler(env, RetryPolicy.none()),
        payload(ECR_HOST, repo, image.digest().toString(), "v1x"), "req-v1");

    assertThat(response.get("outcome").asText()).isEqualTo("indexed");
    assertThat(response.get("indexVersion").asText()).isEqualTo("v1");
    assertThat(absent(response, "newTag")).isTrue();
    // Distribution 2.8 has no referrers API: the index is listed under the referrers tag schema.
    StoredManifest referrers = reader.getManifest(registry.hostPort(), repo, "sha256-" + Digest.parse(image.digest()).hex(), null);
    assertThat(referrers).isNotNull();
    assertThat(JSON.readTree(referrers.bytes()).get("manifests").findValuesAsText("digest"))
        .contains(response.get("sociIndexDigest").asText());
  }

  @Test
  void chinaRegionAcceptsItsOwnPartitionHost() throws IOException {
    String repo = newRepository();
    TestImage image = push(repo, "cn", small(12));
    String chinaHost = ACCOUNT + ".dkr.ecr.cn-north-1.amazonaws.com.cn";

    JsonNode response = invoke(handler(env("cn-north-1"), RetryPolicy.none()),
        payload(chinaHost, repo, image.digest().toString(), "cn"), "req-cn");

    assertThat(response.get("outcome").asText()).as(response.toString()).isEqualTo("nothing_to_index");
    assertThat(aws.eventEntries().get(0).get("Resources").get(0).asText())
        .isEqualTo("arn:aws-cn:ecr:cn-north-1:" + ACCOUNT + ":repository/" + repo);
  }

  // ------------------------------------------------------------------ permanent failures

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', nullValues = "NULL", textBlock = """
      # case                  | registry                                             | repository | digest              | tag     | reason contains
      other region            | 123456789012.dkr.ecr.eu-central-1.amazonaws.com      | team/app   | GOOD                | v1      | not in this function's region and partition (expected 123456789012.dkr.ecr.us-west-2.amazonaws.com)
      other partition         | 123456789012.dkr.ecr.us-west-2.amazonaws.com.cn      | team/app   | GOOD                | v1      | not in this function's region and partition
      not an ECR host         | registry.example.com                                 | team/app   | GOOD                | v1      | is not an ECR private registry host
      no repository           | 123456789012.dkr.ecr.us-west-2.amazonaws.com         | NULL       | GOOD                | v1      | registry, repository and digest are required
      bad repository          | 123456789012.dkr.ecr.us-west-2.amazonaws.com         | Team/App   | GOOD                | v1      | repository 'Team/App' is not a repository name
      bad digest              | 123456789012.dkr.ecr.us-west-2.amazonaws.com         | team/app   | sha256:abc          | v1      | digest 'sha256:abc' is not a sha256 or sha512 digest
      bad tag                 | 123456789012.dkr.ecr.us-west-2.amazonaws.com         | team/app   | GOOD                | -v1     | tag '-v1' is not a tag
      builder's own tag       | 123456789012.dkr.ecr.us-west-2.amazonaws.com         | team/app   | GOOD                | v1-soci | ends with the SOCI tag suffix -soci
      """)
  void badRequestIsReportedOnceAndNotRetried(
      String name, String registryHost, String repository, String digest, String tag, String reason) {
    String good = "sha256:" + "ab".repeat(32);
    ObjectNode p = JSON.createObjectNode();
    p.put("registry", registryHost);
    p.put("repository", repository);
    p.put("digest", "GOOD".equals(digest) ? good : digest);
    p.put("tag", tag);

    JsonNode response = invoke(handler(), p.toString(), "req-bad");

    assertThat(response.get("outcome").asText()).isEqualTo("failed");
    assertThat(response.get("retrying").asBoolean()).isFalse();
    assertThat(response.get("message").asText()).startsWith("bad request: ").contains(reason);
    assertThat(aws.tokenRequests()).isZero();
    assertThat(aws.eventDetails()).hasSize(1);
    assertThat(withoutNulls(aws.eventDetails().get(0))).isEqualTo(response);
    assertThat(logs()).hasSize(1);
    assertThat(logs().get(0).get("level").asText()).isEqualTo("ERROR");
    assertThat(logs().get(0).get("requestId").asText()).isEqualTo("req-bad");
  }

  @Test
  void aHugeRepositoryNameIsABadRequestWithShortLogsAndEventNotAStackOverflow() {
    String good = "sha256:" + "ab".repeat(32);
    for (String repository : new String[] {"team/" + "a-".repeat(1000) + "b", "a/".repeat(2_500_000) + "a"}) {
      aws.reset();
      logLines.clear();
      ObjectNode p = JSON.createObjectNode();
      p.put("registry", ECR_HOST);
      p.put("repository", repository);
      p.put("digest", good);
      p.put("tag", "t".repeat(100_000));

      JsonNode response = invoke(handler(), p.toString(), "req-huge");

      assertThat(response.get("outcome").asText()).isEqualTo("failed");
      assertThat(response.get("message").asText()).startsWith("bad request: repository '" + repository.substring(0, 100)
          + "... (").contains("is not a repository name: it is longer than 256 characters");
      assertThat(aws.eventEntries()).hasSize(1);
      assertThat(aws.eventEntries().get(0).get("Detail").asText().length()).isLessThan(10_000);
      assertThat(aws.eventDetails().get(0).get("repository").asText()).hasSizeLessThan(2100);
      assertThat(withoutNulls(aws.eventDetails().get(0))).isEqualTo(response);
      assertThat(logLines).hasSize(1).allSatisfy(line -> assertThat(line.length()).isLessThan(12_000));
    }
  }

  @Test
  void emptyPayloadIsABadRequest() {
    JsonNode response = invoke(handler(), "{}", "req-empty");

    assertThat(response.get("outcome").asText()).isEqualTo("failed");
    assertThat(response.get("message").asText()).isEqualTo("bad request: registry, repository and digest are required");
    assertThat(aws.eventEntries()).hasSize(1);
    // Without a repository there is nothing to name in the event's resources.
    assertThat(aws.eventEntries().get(0).has("Resources")).isFalse();
  }

  @Test
  void corruptLayerIsReportedOnceAsPermanentFailureAndNothingIsPublished() throws IOException {
    String repo = newRepository();
    // A gzip member whose first deflate block has the reserved block type 3, padded past the minimum size;
    // its digest is right, so only decompressing it can tell.
    byte[] layer = new byte[(int) MIN_LAYER + 1000];
    byte[] header = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff, 0x07};
    System.arraycopy(header, 0, layer, 0, header.length);
    Digest layerDigest = pushImageByHand(repo, "broken", layer);

    JsonNode response = invoke(handler(), payload(ECR_HOST, repo, manifestDigestOf(repo, "broken"), "broken"), "r");

    assertThat(response.get("outcome").asText()).isEqualTo("failed");
    assertThat(response.get("retrying").asBoolean()).isFalse();
    assertThat(response.get("message").asText()).contains(layerDigest.toString());
    assertThat(reader.getManifest(registry.hostPort(), repo, "broken-soci", null)).isNull();
    assertThat(aws.eventDetails()).hasSize(1);
    assertThat(aws.eventDetails().get(0).get("outcome").asText()).isEqualTo("failed");
    assertThat(aws.eventDetails().get(0).get("retrying").asBoolean()).isFalse();
    assertThat(logs()).filteredOn(l -> l.get("level").asText().equals("ERROR")).hasSize(1);
  }

  @Test
  void unknownImageIsReportedAsPermanentFailure() {
    String repo = newRepository();

    JsonNode response = invoke(handler(), payload(ECR_HOST, repo, "sha256:" + "cd".repeat(32), null), "req-404");

    assertThat(response.get("outcome").asText()).isEqualTo("failed");
    assertThat(response.get("retrying").asBoolean()).isFalse();
    assertThat(response.get("message").asText()).contains("not found");
  }

  @Test
  void deniedEcrAuthorizationTokenIsReportedAsPermanentFailure() throws IOException {
    String repo = newRepository();
    TestImage image = push(repo, "deny", small(13));
    aws.failEcr("AccessDeniedException");

    JsonNode response = invoke(handler(), payload(ECR_HOST, repo, image.digest().toString(), "deny"), "req-deny");

    assertThat(response.get("outcome").asText()).isEqualTo("failed");
    assertThat(response.get("retrying").asBoolean()).isFalse();
    assertThat(response.get("message").asText()).contains("ECR authorization token").contains("AccessDenied");
    assertThat(aws.tokenRequests()).isEqualTo(1);
  }

  @Test
  void immutableRepositoryRefusingToMoveTheSociTagIsAFinalPermanentFailureNamingTheFix() throws IOException {
    String repo = newRepository();
    TestImage image = push(repo, "imm", big(30));
    String payload = payload(ECR_HOST, repo, image.digest().toString(), "imm");
    invoke(handler(), payload, "req-first");
    aws.reset();
    JsonNode response;
    try (FaultProxy proxy = FaultProxy.start(registry.hostPort())) {
      // What ECR answers a manifest PUT that would move an existing tag of a repository with immutable tags.
      FaultProxy.Rule refuse = proxy.respond("PUT", "/v2/" + repo + "/manifests/imm-soci$", 400, 10)
          .withErrorCode("TAG_INVALID").withErrorMessage("The image tag 'imm-soci' already exists in the '" + repo
              + "' repository and cannot be overwritten because the repository is immutable.");
      Map<String, String> env = env("us-west-2");
      env.put("REGISTRY_ENDPOINT_OVERRIDE", "http://" + proxy.hostPort());
      env.put("SPAN_SIZE_BYTES", Long.toString(2 * MIN_LAYER)); // a new span size: the index must be rebuilt

      response = invoke(handler(env, RetryPolicy.none()), payload, "req-immutable");

      assertThat(response.get("outcome").asText()).isEqualTo("failed");
      assertThat(response.get("retrying").asBoolean()).as("not a retry loop").isFalse();
      assertThat(response.get("message").asText()).contains("cannot move tag imm-soci")
          .contains("IMMUTABLE_WITH_EXCLUSION").contains("filter='*-soci'");
      assertThat(refuse.fired()).isEqualTo(1);
    }
    assertOneEventLike(response, repo);
  }

  // ------------------------------------------------------------------ transient failures

  @Test
  void registryFailingEveryAttemptThrowsSoLambdaRetriesAfterPuttingEvent() throws IOException {
    String repo = newRepository();
    TestImage image = push(repo, "t", small(14));
    try (FaultProxy proxy = FaultProxy.start(registry.hostPort())) {
      proxy.respond(null, "/v2/", 500, 1000);
      Map<String, String> env = env("us-west-2");
      env.put("REGISTRY_ENDPOINT_OVERRIDE", "http://" + proxy.hostPort());
      IndexerHandler handler = handler(env, new RetryPolicy(3, Duration.ZERO, Duration.ZERO));
      String payload = payload(ECR_HOST, repo, image.digest().toString(), "t");

      assertThatThrownBy(() -> handler.handleRequest(deserialize(payload), new TestContext("req-500")))
          .isInstanceOfSatisfying(RegistryException.class, e -> {
            assertThat(e.isTransient()).isTrue();
            assertThat(e.status()).isEqualTo(500);
          })
          .hasMessageContaining(repo);
      assertThat(proxy.count(null, "/v2/")).isEqualTo(3);
    }
    assertThat(aws.eventDetails()).hasSize(1);
    JsonNode detail = aws.eventDetails().get(0);
    assertThat(detail.get("outcome").asText()).isEqualTo("failed");
    assertThat(detail.get("retrying").asBoolean()).isTrue();
    assertThat(detail.get("message").asText()).contains("HTTP 500");
    assertThat(logs()).filteredOn(l -> l.get("level").asText().equals("ERROR")).hasSize(1);
  }

  @Test
  void aRunReachingTheInvocationsDeadlineReportsARetryingFailureInsteadOfBeingKilled() throws IOException {
    String repo = newRepository();
    TestImage image = push(repo, "slow", small(17));
    try (HostileRegistry slow = HostileRegistry.start()) {
      // Answers with headers, then never sends the body: only the deadline ends the wait.
      slow.stallAfterHeaders(null, "/v2/", HostileRegistry.ALWAYS, 200, new byte[0], 1000,
          "Content-Type", "application/vnd.oci.image.manifest.v1+json");
      Map<String, String> env = env("us-west-2");
      env.put("REGISTRY_ENDPOINT_OVERRIDE", "http://" + slow.hostPort());
      IndexerHandler handler = handler(env, RetryPolicy.defaults());
      String payload = payload(ECR_HOST, repo, image.digest().toString(), "slow");

      // 1.5 s left: the run gets 1.2 s, a fifth is kept back to report.
      assertThatThrownBy(() -> handler.handleRequest(deserialize(payload), new TestContext("req-late", 1500)))
          .isInstanceOfSatisfying(DeadlineExceededException.class, e -> assertThat(e.isTransient()).isTrue())
          .hasMessageContaining(repo).hasMessageContaining("the deadline (1.2s) passed");
    }
    assertThat(aws.eventDetails()).singleElement().satisfies(detail -> {
      assertThat(detail.get("outcome").asText()).isEqualTo("failed");
      assertThat(detail.get("retrying").asBoolean()).isTrue();
      assertThat(detail.get("message").asText()).contains("the deadline (1.2s) passed");
    });
  }

  @Test
  void theDeadlineIsTheRemainingTimeLessAReportMargin() {
    assertThat(IndexerHandler.deadline(new TestContext("r", 900_000)).budget()).isEqualTo(Duration.ofSeconds(880));
    assertThat(IndexerHandler.deadline(new TestContext("r", 60_000)).budget()).isEqualTo(Duration.ofSeconds(48));
    assertThat(IndexerHandler.deadline(new TestContext("r", 0)).budget()).isZero();
    assertThat(IndexerHandler.deadline(null).isSet()).isFalse();
  }

  @Test
  void throttledEcrAuthorizationTokenThrowsSoLambdaRetries() throws IOException {
    String repo = newRepository();
    TestImage image = push(repo, "thr", small(15));
    aws.failEcr("ThrottlingException");
    IndexerHandler handler = handler();
    String payload = payload(ECR_HOST, repo, image.digest().toString(), "thr");

    assertThatThrownBy(() -> handler.handleRequest(deserialize(payload), new TestContext("req-thr")))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("get ECR authorization token")
        .hasMessageContaining("ThrottlingException");
    assertThat(aws.eventDetails()).hasSize(1);
    assertThat(aws.eventDetails().get(0).get("retrying").asBoolean()).isTrue();
  }

  // ------------------------------------------------------------------ result event failures

  @Test
  void rejectedResultEventIsLoggedAndTheSuccessStands() throws IOException {
    String repo = newRepository();
    TestImage image = push(repo, "rej", small(16));
    aws.rejectEvents();

    JsonNode response = invoke(handler(), payload(ECR_HOST, repo, image.digest().toString(), "rej"), "req-rej");

    assertThat(response.get("outcome").asText()).isEqualTo("nothing_to_index");
    assertThat(logs()).filteredOn(l -> l.get("level").asText().equals("ERROR"))
        .singleElement().satisfies(l -> assertThat(l.get("message").asText())
            .contains("EventBridge rejected the result event").contains("InternalFailure"));
  }

  @Test
  void unreachableEventBridgeIsLoggedAndTheSuccessStands() throws IOException {
    String repo = newRepository();
    TestImage image = push(repo, "eb", small(17));
    aws.failEvents(500);

    JsonNode response = invoke(handler(), payload(ECR_HOST, repo, image.digest().toString(), "eb"), "req-eb");

    assertThat(response.get("outcome").asText()).isEqualTo("nothing_to_index");
    assertThat(logs()).filteredOn(l -> l.get("level").asText().equals("ERROR"))
        .singleElement().satisfies(l -> assertThat(l.get("message").asText())
            .startsWith("cannot put the result event on bus default"));
  }

  // ------------------------------------------------------------------ hand-built images

  /** Pushes a one-layer image whose layer bytes are given as they are; returns the layer digest. */
  private static Digest pushImageByHand(String repo, String tag, byte[] layer) {
    Digest layerDigest = Digest.sha256Of(layer);
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
        + Digest.sha256Of(new byte[0]) + "\"]}}").getBytes(StandardCharsets.UTF_8);
    Digest configDigest = Digest.sha256Of(config);
    byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + TestImages.OCI_MANIFEST + "\",\"config\":"
        + "{\"mediaType\":\"" + TestImages.OCI_CONFIG + "\",\"digest\":\"" + configDigest + "\",\"size\":"
        + config.length + "},\"layers\":[{\"mediaType\":\"" + TestImages.LAYER_GZIP + "\",\"digest\":\""
        + layerDigest + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
    reader.pushBlob(registry.hostPort(), repo, layerDigest, layer);
    reader.pushBlob(registry.hostPort(), repo, configDigest, config);
    reader.putManifest(registry.hostPort(), repo, tag, manifest, TestImages.OCI_MANIFEST);
    return layerDigest;
  }

  private static String manifestDigestOf(String repo, String tag) {
    return reader.getManifest(registry.hostPort(), repo, tag, null).digest().toString();
  }

  /** The registry's user for its own host (anonymous when it has none). */
  static CredentialsProvider credentials(RegistryServer server) {
    return CredentialsProvider.of(server.hostPort(),
        server.username() == null ? null : new Credentials(server.username(), server.password()));
  }
}
