package dev.socibuilder.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.socibuilder.testing.aws.FakeLambdaApi;
import dev.socibuilder.testing.filters.FilterCases;
import dev.socibuilder.testing.filters.FilterCases.FilterCase;
import dev.socibuilder.testing.lambda.TestContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * The handler on the sample events of {@code events/}, deserialized by aws-lambda-java-serialization as the
 * Lambda Java runtime does ({@link SampleEvents}), with the Lambda API faked at the HTTP level.
 */
class FilterHandlerTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private FakeLambdaApi lambdaApi;
  private LambdaClient lambdaClient;
  private final List<String> logLines = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startFakeLambda() throws IOException {
    lambdaApi = FakeLambdaApi.start();
    lambdaClient = LambdaClients.create(Region.US_WEST_2,
        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret-test")),
        lambdaApi.endpoint());
  }

  @AfterEach
  void stopFakeLambda() {
    lambdaClient.close();
    lambdaApi.close();
  }

  private FilterHandler handler(String filters, boolean indexUntagged, String region) {
    Map<String, String> env = new HashMap<>();
    env.put("FILTERS", filters);
    env.put("INDEX_UNTAGGED", Boolean.toString(indexUntagged));
    env.put("INDEXER_FUNCTION_NAME", "soci-indexer");
    env.put("EXPECTED_ACCOUNT_ID", "123456789012");
    env.put("AWS_REGION", region);
    return new FilterHandler(new FilterService(FilterConfig.fromEnvironment(env), lambdaClient, logLines::add));
  }

  private static Map<String, Object> event(String file) {
    return SampleEvents.event(file);
  }

  /** The event file's detail, read with plain Jackson rather than through the code under test. */
  private static JsonNode rawEvent(String file) {
    try (InputStream in = FilterHandlerTest.class.getClassLoader().getResourceAsStream("events/" + file)) {
      assertThat(in).as("events/" + file + " on the test classpath").isNotNull();
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @ParameterizedTest(name = "[{index}] FILTERS={0} INDEX_UNTAGGED={1} {2} -> {3}")
  @CsvSource(delimiter = '|', textBlock = """
      # FILTERS                        | untagged | event file                        | decision | reason contains
      *:*                              | false    | push-image-manifest-tagged.json   | invoked  | selected by filter *:*
      *:*                              | false    | push-docker-manifest-tagged.json  | invoked  | selected by filter *:*
      *:*                              | false    | push-image-index-tagged.json      | invoked  | selected by filter *:*
      *:*                              | false    | push-uppercase-tag.json           | invoked  | selected by filter *:*
      *:*                              | false    | push-digest-only.json             | ignored  | digest-only push
      *:*                              | true     | push-digest-only.json             | invoked  | selected by filter *:*
      team/api:*                       | true     | push-digest-only.json             | invoked  | selected by filter team/api:*
      team/api:                        | true     | push-digest-only.json             | invoked  | selected by filter team/api:
      *:?*                             | true     | push-digest-only.json             | ignored  | no filter matches team/api:
      team/api:3.*                     | true     | push-digest-only.json             | ignored  | no filter matches team/api:
      *:*                              | false    | push-failed.json                  | ignored  | push result FAILURE is not SUCCESS
      *:*                              | false    | delete-image.json                 | ignored  | action-type DELETE is not PUSH
      *:*                              | true     | push-soci-index-artifact.json     | ignored  | SOCI index manifest
      *:*                              | true     | push-soci-index-v1-artifact.json  | ignored  | SOCI index manifest
      *:*                              | false    | push-soci-tag.json                | ignored  | SOCI tag suffix -soci
      *:*-soci                         | false    | push-soci-tag.json                | ignored  | SOCI tag suffix -soci
      *:*                              | false    | push-other-account-region.json    | ignored  | account 210987654321
      *:*                              | false    | push-china-region.json            | ignored  | region cn-north-1
      *:*                              | false    | malformed-missing-digest.json     | ignored  | malformed event: image-digest (absent)
      *:*,!*:v1.*                      | false    | push-image-manifest-tagged.json   | ignored  | excluded by filter !*:v1.*
      !*:v1.*,team/web-app:v1.4.?      | false    | push-image-manifest-tagged.json   | invoked  | selected by filter team/web-app:v1.4.?
      team/web-app:v1.4.?              | false    | push-image-manifest-tagged.json   | invoked  | selected by filter team/web-app:v1.4.?
      team/web-app:v1.?                | false    | push-image-manifest-tagged.json   | ignored  | no filter matches team/web-app:v1.4.2
      team/web:*                       | false    | push-image-manifest-tagged.json   | ignored  | no filter matches team/web-app:v1.4.2
      team/*:*                         | false    | push-docker-manifest-tagged.json  | ignored  | no filter matches legacy/batch-job:2024.06
      !legacy/*:*                      | false    | push-docker-manifest-tagged.json  | ignored  | excluded by filter !legacy/*:*
      !legacy/*:*                      | false    | push-image-manifest-tagged.json   | invoked  | not excluded by any filter
      *:release-*                      | false    | push-uppercase-tag.json           | ignored  | no filter matches team/web-app:Release-2026.11
      *:Release-*                      | false    | push-uppercase-tag.json           | invoked  | selected by filter *:Release-*
      team/web-app:Release-2026.1?     | false    | push-uppercase-tag.json           | invoked  | selected by filter team/web-app:Release-2026.1?
      *:*,!team/web-app:Release-*      | false    | push-uppercase-tag.json           | ignored  | excluded by filter !team/web-app:Release-*
      team/api:*,!*:latest             | false    | push-image-index-tagged.json      | invoked  | selected by filter team/api:*
      """)
  void decidesEachSampleEventPerFilterTable(
      String filters, boolean untagged, String file, String decision, String reason) {
    Map<String, String> response = handler(filters, untagged, "us-west-2")
        .handleRequest(event(file), new TestContext("req-1"));

    assertThat(response).containsEntry("decision", decision);
    assertThat(response.get("reason")).contains(reason);
    assertThat(lambdaApi.requests()).hasSize(decision.equals("invoked") ? 1 : 0);
    assertThat(logLines).hasSize(1);
  }

  static List<FilterCase> sharedCases() {
    return FilterCases.all();
  }

  /**
   * The table the filter rules and the stack's grant are checked against too: a push of each case's image
   * (digest-only pushes with INDEX_UNTAGGED on) invokes the indexer exactly when the table says it is selected.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("sharedCases")
  void invokesTheIndexerForWhatTheSharedFilterTableSelects(FilterCase c) {
    Map<String, Object> event = event("push-image-manifest-tagged.json");
    Map<String, Object> detail = SampleEvents.detail(event);
    detail.put("repository-name", c.repository());
    if (c.untagged()) {
      detail.remove("image-tag");
    } else {
      detail.put("image-tag", c.tag());
    }

    Map<String, String> response = handler(c.filters(), true, "us-west-2").handleRequest(event, new TestContext("r"));

    assertThat(response.get("decision")).as(response.get("reason")).isEqualTo(c.selected() ? "invoked" : "ignored");
    assertThat(lambdaApi.requests()).hasSize(c.selected() ? 1 : 0);
  }

  @Test
  void invokesIndexerAsynchronouslyWithSmallTypedRequest() throws IOException {
    String file = "push-image-manifest-tagged.json";
    JsonNode detail = rawEvent(file).get("detail");

    handler("*:*", false, "us-west-2").handleRequest(event(file), new TestContext("req-2"));

    assertThat(lambdaApi.requests()).hasSize(1);
    FakeLambdaApi.Recorded invoke = lambdaApi.requests().get(0);
    assertThat(invoke.method()).isEqualTo("POST");
    assertThat(invoke.path()).isEqualTo("/2015-03-31/functions/soci-indexer/invocations");
    assertThat(invoke.header("X-Amz-Invocation-Type")).isEqualTo("Event");
    assertThat(invoke.header("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=AKIDTEST/");
    JsonNode payload = JSON.readTree(invoke.body());
    assertThat(payload.properties()).extracting(Map.Entry::getKey)
        .containsExactly("registry", "repository", "digest", "tag", "mediaType");
    assertThat(payload.get("registry").asText()).isEqualTo("123456789012.dkr.ecr.us-west-2.amazonaws.com");
    assertThat(payload.get("repository").asText()).isEqualTo(detail.get("repository-name").asText());
    assertThat(payload.get("digest").asText()).isEqualTo(detail.get("image-digest").asText());
    assertThat(payload.get("tag").asText()).isEqualTo("v1.4.2");
    assertThat(payload.get("mediaType").asText()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
  }

  @Test
  void sendsNullTagForDigestOnlyPushWhenUntaggedAreIndexed() throws IOException {
    handler("*:*", true, "us-west-2").handleRequest(event("push-digest-only.json"), new TestContext("req-3"));

    JsonNode payload = JSON.readTree(lambdaApi.requests().get(0).body());
    assertThat(payload.has("tag")).isTrue();
    assertThat(payload.get("tag").isNull()).isTrue();
    assertThat(payload.get("digest").asText())
        .isEqualTo(rawEvent("push-digest-only.json").get("detail").get("image-digest").asText());
  }

  @Test
  void usesChinaPartitionRegistryHostInChinaRegion() throws IOException {
    handler("*:*", false, "cn-north-1").handleRequest(event("push-china-region.json"), new TestContext("req-4"));

    JsonNode payload = JSON.readTree(lambdaApi.requests().get(0).body());
    assertThat(payload.get("registry").asText()).isEqualTo("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn");
  }

  @Test
  void sendsIndexMediaTypeForMultiPlatformPush() throws IOException {
    handler("*:*", false, "us-west-2").handleRequest(event("push-image-index-tagged.json"), new TestContext("r"));

    JsonNode payload = JSON.readTree(lambdaApi.requests().get(0).body());
    assertThat(payload.get("mediaType").asText()).isEqualTo("application/vnd.oci.image.index.v1+json");
    assertThat(payload.get("tag").asText()).isEqualTo("3.0.0");
  }

  @Test
  void throwsWhenIndexerInvocationFailsSoLambdaRetries() {
    lambdaApi.failWith(500);
    FilterHandler handler = handler("*:*", false, "us-west-2");

    assertThatThrownBy(() -> handler.handleRequest(event("push-image-manifest-tagged.json"), new TestContext("r5")))
        .isInstanceOf(IndexerInvocationException.class)
        .hasMessageContaining("soci-indexer")
        .hasMessageContaining("team/web-app@sha256:");
    assertThat(lambdaApi.requests()).isNotEmpty();
    assertThat(logLines).hasSize(1);
    assertThat(logLines.get(0)).contains("\"level\":\"ERROR\"").contains("\"decision\":\"failed\"");
  }

  @Test
  void logsOneJsonLinePerDecisionWithReasonAndRequestId() throws IOException {
    FilterHandler handler = handler("*:*", false, "us-west-2");
    Instant before = Instant.now();

    handler.handleRequest(event("delete-image.json"), new TestContext("req-7"));
    handler.handleRequest(event("push-image-manifest-tagged.json"), new TestContext("req-8"));

    Instant after = Instant.now();
    assertThat(logLines).hasSize(2);
    JsonNode ignored = JSON.readTree(logLines.get(0));
    // The two keys Lambda's application log level filter reads from a JSON line: level, and an RFC 3339 timestamp.
    assertThat(ignored.properties()).extracting(Map.Entry::getKey).startsWith("timestamp", "level");
    assertThat(Instant.parse(ignored.get("timestamp").asText())).isBetween(before, after);
    assertThat(ignored.get("level").asText()).isEqualTo("INFO");
    assertThat(ignored.get("decision").asText()).isEqualTo("ignored");
    assertThat(ignored.get("reason").asText()).isEqualTo("action-type DELETE is not PUSH");
    assertThat(ignored.get("repository").asText()).isEqualTo("team/web-app");
    assertThat(ignored.get("tag").asText()).isEqualTo("v1.4.2");
    assertThat(ignored.get("requestId").asText()).isEqualTo("req-7");
    JsonNode invoked = JSON.readTree(logLines.get(1));
    assertThat(invoked.get("decision").asText()).isEqualTo("invoked");
    assertThat(invoked.get("requestId").asText()).isEqualTo("req-8");
    assertThat(logLines).allSatisfy(line -> assertThat(line).doesNotContain("\n").doesNotContain("secret-test"));
  }

  @Test
  void logsMalformedEventAsWarning() throws IOException {
    handler("*:*", false, "us-west-2").handleRequest(event("malformed-missing-digest.json"), new TestContext("r"));

    assertThat(JSON.readTree(logLines.get(0)).get("level").asText()).isEqualTo("WARN");
  }

  @Test
  void ignoresEventBridgeEventsThatAreNotEcrImageActions() {
    Map<String, Object> scheduled = SampleEvents.deserialize("""
        {"version":"0","id":"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa","detail-type":"Scheduled Event",
         "source":"aws.events","account":"123456789012","time":"2026-11-20T09:00:00Z","region":"us-west-2",
         "resources":["arn:aws:events:us-west-2:123456789012:rule/every-hour"],"detail":{}}
        """);

    Map<String, String> response = handler("*:*", false, "us-west-2").handleRequest(scheduled, new TestContext("r"));

    assertThat(response).containsEntry("decision", "ignored");
    assertThat(response.get("reason")).startsWith("malformed event: not an aws.ecr 'ECR Image Action' event");
    assertThat(lambdaApi.requests()).isEmpty();
  }

  @Test
  void ignoresDetailFieldOfWrongJsonType() {
    Map<String, Object> odd = SampleEvents.deserialize("""
        {"version":"0","id":"x","detail-type":"ECR Image Action","source":"aws.ecr","account":"123456789012",
         "time":"2026-11-20T09:00:00Z","region":"us-west-2","resources":[],
         "detail":{"result":"SUCCESS","action-type":"PUSH","repository-name":"team/web-app",
                   "image-digest":"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                   "image-tag":["v1","v2"]}}
        """);

    Map<String, String> response = handler("*:*", false, "us-west-2").handleRequest(odd, new TestContext("r"));

    assertThat(response.get("reason")).isEqualTo("malformed event: detail.image-tag is not a string");
    assertThat(lambdaApi.requests()).isEmpty();
  }

  @Test
  void ignoresEventWhoseDetailIsNotAnObject() {
    Map<String, Object> odd = SampleEvents.deserialize("""
        {"version":"0","id":"x","detail-type":"ECR Image Action","source":"aws.ecr","account":"123456789012",
         "time":"2026-11-20T09:00:00Z","region":"us-west-2","resources":[],"detail":["PUSH"]}
        """);

    Map<String, String> response = handler("*:*", false, "us-west-2").handleRequest(odd, new TestContext("r"));

    assertThat(response.get("reason")).isEqualTo("malformed event: detail is not an object");
    assertThat(lambdaApi.requests()).isEmpty();
  }

  @Test
  void ignoresEventWithoutDetail() {
    Map<String, Object> bare = SampleEvents.deserialize("""
        {"version":"0","id":"x","detail-type":"ECR Image Action","source":"aws.ecr","account":"123456789012",
         "time":"2026-11-20T09:00:00Z","region":"us-west-2","resources":[]}
        """);

    Map<String, String> response = handler("*:*", false, "us-west-2").handleRequest(bare, new TestContext("r"));

    assertThat(response.get("reason")).isEqualTo("malformed event: no detail");
  }

  @Test
  void ignoresNullEvent() {
    Map<String, String> response = handler("*:*", false, "us-west-2").handleRequest(null, new TestContext("r"));

    assertThat(response).containsEntry("decision", "ignored");
    assertThat(lambdaApi.requests()).isEmpty();
  }

  @Test
  void respondsWithDecisionRepositoryTagAndDigest() {
    String file = "push-uppercase-tag.json";
    Map<String, String> response = handler("*:*", false, "us-west-2").handleRequest(event(file), new TestContext("r"));

    assertThat(response).containsOnlyKeys("decision", "reason", "repository", "tag", "digest");
    assertThat(response).containsEntry("repository", "team/web-app").containsEntry("tag", "Release-2026.11")
        .containsEntry("digest", rawEvent(file).get("detail").get("image-digest").asText());
  }

  @Test
  void aHugeRepositoryNameIsAMalformedEventLoggedShortNotAStackOverflow() throws IOException {
    for (String repository : new String[] {"team/" + "a-".repeat(1000) + "b", "a/".repeat(2_500_000) + "a"}) {
      logLines.clear();
      Map<String, Object> event = SampleEvents.deserialize("""
          {"version":"0","id":"x","detail-type":"ECR Image Action","source":"aws.ecr","account":"123456789012",
           "time":"2026-11-20T09:00:00Z","region":"us-west-2","resources":[],
           "detail":{"result":"SUCCESS","action-type":"PUSH","repository-name":"%s","image-tag":"v1",
                     "image-digest":"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}}
          """.formatted(repository));

      Map<String, String> response = handler("*:*", false, "us-west-2").handleRequest(event, new TestContext("r"));

      assertThat(response.get("reason")).startsWith("malformed event: repository-name '" + repository.substring(0, 100)
          + "... (").endsWith(" more characters)' is not a repository name");
      assertThat(lambdaApi.requests()).isEmpty();
      assertThat(logLines).hasSize(1);
      assertThat(logLines.get(0).length()).isLessThan(3000);
      assertThat(JSON.readTree(logLines.get(0)).get("repository").asText()).startsWith(repository.substring(0, 1024))
          .endsWith(" more characters)");
      assertThat(response.get("repository")).hasSizeLessThan(1100);
    }
  }

  @Test
  void aRepositoryNameOfTheMaximumLengthIsSelectedAndOneMoreIsMalformed() {
    String longest = "a".repeat(256);
    String template = """
        {"version":"0","id":"x","detail-type":"ECR Image Action","source":"aws.ecr","account":"123456789012",
         "time":"2026-11-20T09:00:00Z","region":"us-west-2","resources":[],
         "detail":{"result":"SUCCESS","action-type":"PUSH","repository-name":"%s","image-tag":"v1",
                   "image-digest":"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}}
        """;

    assertThat(handler("*:*", false, "us-west-2").handleRequest(SampleEvents.deserialize(template.formatted(longest)),
        new TestContext("r"))).containsEntry("decision", "invoked");
    assertThat(handler("*:*", false, "us-west-2").handleRequest(SampleEvents.deserialize(template.formatted(longest + "a")),
        new TestContext("r")).get("reason")).startsWith("malformed event: repository-name");
  }
}
