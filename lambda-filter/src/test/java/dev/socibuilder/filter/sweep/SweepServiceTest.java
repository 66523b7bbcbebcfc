package dev.socibuilder.filter.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.socibuilder.testing.aws.FakeAwsApi;
import dev.socibuilder.testing.aws.FakeAwsApi.EcrImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * The sweep against an HTTP fake of ECR DescribeRepositories / DescribeImages and Lambda Invoke, through the
 * SDK clients the function uses; time is a {@link FakeClock}, so pacing and running out of time are checked
 * without waiting. The indexer requests are checked as the exact JSON the fake received.
 */
class SweepServiceTest {
  static final String INDEXER = "soci-indexer:live";
  static final String SELF = "arn:aws:lambda:us-west-2:123456789012:function:soci-sweep:live";
  static final String REGISTRY = "123456789012.dkr.ecr.us-west-2.amazonaws.com";
  static final String OCI = "application/vnd.oci.image.manifest.v1+json";
  static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  static final ObjectMapper JSON = new ObjectMapper();

  FakeAwsApi aws;
  EcrClient ecr;
  LambdaClient lambda;
  final List<String> log = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    aws = FakeAwsApi.start("unused");
    StaticCredentialsProvider creds = StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "s3cr3t"));
    ecr = SweepClients.ecr(Region.US_WEST_2, creds, aws.endpoint());
    lambda = SweepClients.lambda(Region.US_WEST_2, creds, aws.endpoint());
  }

  @AfterEach
  void stop() {
    ecr.close();
    lambda.close();
    aws.close();
  }

  static Map<String, String> env(String filters) {
    Map<String, String> env = new HashMap<>();
    env.put("FILTERS", filters);
    env.put("INDEXER_FUNCTION_NAME", INDEXER);
    env.put("EXPECTED_ACCOUNT_ID", "123456789012");
    env.put("AWS_REGION", "us-west-2");
    env.put("MAX_INVOKES_PER_MINUTE", "600");
    return env;
  }

  SweepService service(Map<String, String> env, FakeClock clock) {
    // small pages (ECR's are 100 repositories and 1000 images), so that pagination needs few images
    return new SweepService(SweepConfig.fromEnvironment(env), ecr, lambda, log::add, clock::nanoTime, clock::sleep,
        Duration.ofSeconds(60), 10, 20);
  }

  static String digest(int n) {
    return String.format("sha256:%064x", n);
  }

  static EcrImage image(int n, String... tags) {
    return new EcrImage(digest(n), OCI, "application/vnd.oci.image.config.v1+json", List.of(tags));
  }

  static String request(String repository, int digest, String tag) {
    return request(repository, digest, tag, OCI);
  }

  static String request(String repository, int digest, String tag, String mediaType) {
    return "{\"registry\":\"" + REGISTRY + "\",\"repository\":\"" + repository + "\",\"digest\":\"" + digest(digest)
        + "\",\"tag\":\"" + tag + "\",\"mediaType\":\"" + mediaType + "\"}";
  }

  List<String> indexerRequests() {
    return aws.invokePayloads(INDEXER);
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A registry with the cases the filter also knows: own output, exclusions, existing -soci tags. */
  void typicalRegistry() {
    aws.addImage("team/app", image(1, "v1"));
    aws.addImage("team/app", new EcrImage(digest(2), OCI_INDEX, null, List.of("v1-soci"))); // v1's SOCI-enabled image
    aws.addImage("team/app", image(3, "v2", "latest")); // one image, two tags: two requests
    aws.addImage("team/app", image(4, "dev-1")); // excluded by !*:dev-*
    aws.addImage("team/app", new EcrImage(digest(5), OCI, "application/vnd.amazon.soci.index.v2+json",
        List.of("soci-index"))); // a SOCI index manifest that someone tagged
    aws.addImage("team/app", image(6, "sha256-" + "ab".repeat(32))); // a referrers tag
    aws.addImage("team/app", new EcrImage(digest(7), OCI, null, List.of())); // untagged
    aws.addImage("legacy/old", image(8, "1.0")); // excluded repository
    aws.addImage("tools/base", new EcrImage(digest(9), "application/vnd.docker.distribution.manifest.v2+json", null,
        List.of("1.0")));
  }

  @Test
  void sendsEachSelectedImageWithoutAnIndexToTheIndexerExactlyOnce() {
    typicalRegistry();

    SweepResult result = service(env("*:*,!legacy/*:*,!*:dev-*"), new FakeClock()).run(new SweepRequest(),
        Duration.ofMinutes(15), SELF, "req-1");

    assertThat(indexerRequests()).containsExactly(
        request("team/app", 3, "latest"),
        request("team/app", 3, "v2"),
        request("tools/base", 9, "1.0", "application/vnd.docker.distribution.manifest.v2+json"));
    assertThat(result).isEqualTo(new SweepResult(1, false, true, "complete", null, false, 3, 1, 0, 8, 1, 3, 1, 3, 3,
        result.durationMillis()));
    assertThat(aws.ecrRequests(FakeAwsApi.DESCRIBE_IMAGES_TARGET)).extracting(r -> r.get("repositoryName").asText())
        .as("no image listing (and no permission needed) for a repository no filter selects")
        .containsExactly("team/app", "tools/base");
    assertThat(aws.ecrRequests(FakeAwsApi.DESCRIBE_IMAGES_TARGET).get(0).get("filter").get("tagStatus").asText())
        .isEqualTo("TAGGED");
    assertThat(aws.invokePayloads(SELF)).isEmpty();
    JsonNode summary = parse(log.get(log.size() - 1));
    assertThat(summary.get("message").asText()).isEqualTo("sweep run finished");
    assertThat(summary.get("level").asText()).isEqualTo("INFO");
    assertThat(summary.get("invoked").asInt()).isEqualTo(3);
    assertThat(summary.get("requestId").asText()).isEqualTo("req-1");
    assertThat(log).filteredOn(l -> l.contains("\"invoked the indexer\"")).hasSize(3);
  }

  @Test
  void withSociIndexV1EveryImageIsSentForTheIndexerToCheck() {
    typicalRegistry();
    Map<String, String> env = env("team/*:*,!*:dev-*");
    env.put("SOCI_INDEX_VERSION", "V1");

    service(env, new FakeClock()).run(new SweepRequest(), Duration.ofMinutes(15), SELF, null);

    assertThat(indexerRequests()).containsExactly(request("team/app", 3, "latest"), request("team/app", 1, "v1"),
        request("team/app", 3, "v2"));
  }

  @Test
  void followsNextTokensThroughRepositoryAndImagePages() {
    for (int r = 0; r < 23; r++) {
      aws.addRepository(String.format("repo-%03d", r));
    }
    for (int i = 0; i < 50; i++) {
      aws.addImage("repo-022", image(i, String.format("t%04d", i)));
    }

    SweepResult result = service(env("*:*"), new FakeClock()).run(new SweepRequest(), Duration.ofMinutes(15), SELF,
        null);

    assertThat(result.complete()).isTrue();
    assertThat(result.repositories()).isEqualTo(23);
    assertThat(indexerRequests()).hasSize(50).doesNotHaveDuplicates();
    List<JsonNode> repositoryPages = aws.ecrRequests(FakeAwsApi.DESCRIBE_REPOSITORIES_TARGET);
    assertThat(repositoryPages).hasSize(3);
    assertThat(repositoryPages.get(0).has("nextToken")).isFalse();
    assertThat(repositoryPages.get(1).get("nextToken").asText()).isNotEmpty();
    assertThat(repositoryPages).allSatisfy(p -> assertThat(p.get("registryId").asText()).isEqualTo("123456789012"));
    List<JsonNode> imagePages = aws.ecrRequests(FakeAwsApi.DESCRIBE_IMAGES_TARGET).stream()
        .filter(p -> p.get("repositoryName").asText().equals("repo-022")).toList();
    assertThat(imagePages).hasSize(3);
    assertThat(imagePages).allSatisfy(p -> assertThat(p.get("maxResults").asInt()).isEqualTo(20));
    assertThat(imagePages.get(1).get("nextToken").asText()).isNotEmpty();
  }

  @Test
  void throttlingIsRetriedWithCappedBackoff() {
    typicalRegistry();
    aws.throttleEcr(FakeAwsApi.DESCRIBE_REPOSITORIES_TARGET, 2);
    aws.throttleEcr(FakeAwsApi.DESCRIBE_IMAGES_TARGET, 3);
    FakeClock clock = new FakeClock();

    SweepResult result = service(env("*:*,!*:dev-*"), clock).run(new SweepRequest(), Duration.ofMinutes(15), SELF,
        null);

    assertThat(result.complete()).isTrue();
    assertThat(result.repositoriesFailed()).isZero();
    assertThat(indexerRequests()).hasSize(4);
    List<Duration> backoffs = clock.sleeps.stream().filter(d -> !d.equals(Duration.ofMillis(100))).toList();
    assertThat(backoffs).hasSize(5).allSatisfy(d ->
        assertThat(d).isBetween(Duration.ofMillis(250), SweepService.MAX_BACKOFF));
    assertThat(aws.ecrRequests(FakeAwsApi.DESCRIBE_REPOSITORIES_TARGET)).hasSize(3);
  }

  @Test
  void invokesArePacedToTheConfiguredRate() {
    for (int i = 0; i < 4; i++) {
      aws.addImage("app", image(i, "v" + i));
    }
    Map<String, String> env = env("*:*");
    env.put("MAX_INVOKES_PER_MINUTE", "6");
    FakeClock clock = new FakeClock();

    service(env, clock).run(new SweepRequest(), Duration.ofMinutes(15), SELF, null);

    assertThat(indexerRequests()).hasSize(4);
    assertThat(clock.sleeps).containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(10));
  }

  @Test
  void stopsBeforeItsTimeIsUpAndTheNextRunGoesOnFromTheCursor() {
    for (int i = 0; i < 10; i++) {
      aws.addImage("app", image(i, String.format("v%02d", i)));
    }
    Map<String, String> env = env("*:*");
    env.put("MAX_INVOKES_PER_MINUTE", "6"); // one every 10 s
    Duration runTime = Duration.ofSeconds(60 + 25); // the 60 s margin plus 25 s: three invokes per run

    SweepResult first = service(env, new FakeClock()).run(new SweepRequest(), runTime, SELF, "r1");

    assertThat(first.complete()).isFalse();
    assertThat(first.stoppedBecause()).isEqualTo("time");
    assertThat(first.continued()).isTrue();
    assertThat(indexerRequests()).containsExactly(request("app", 0, "v00"), request("app", 1, "v01"),
        request("app", 2, "v02"));
    List<String> continuations = aws.invokePayloads(SELF);
    assertThat(continuations).containsExactly("{\"cursor\":\"" + first.cursor() + "\"}");

    // What Lambda does with the continuation: the next runs, each with the cursor the previous one sent
    List<SweepResult> runs = new ArrayList<>(List.of(first));
    while (!runs.get(runs.size() - 1).complete()) {
      String cursor = parse(aws.invokePayloads(SELF).get(runs.size() - 1)).get("cursor").asText();
      runs.add(service(env, new FakeClock()).run(new SweepRequest(cursor, false), runTime, SELF, "r" + runs.size()));
    }

    assertThat(runs).extracting(SweepResult::run).containsExactly(1, 2, 3, 4);
    assertThat(runs).extracting(SweepResult::invoked).containsExactly(3, 3, 3, 1);
    assertThat(runs.get(3).invokedInSweep()).isEqualTo(10);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      expected.add(request("app", i, String.format("v%02d", i)));
    }
    assertThat(indexerRequests()).containsExactlyElementsOf(expected);
  }

  @Test
  void aLargeRegistryIsSweptAcrossRunsWithEveryImageSentOnce() {
    // 64 repositories (7 listing pages) x 8 tags, a third of them already indexed; every reading of the clock
    // costs 1 s, so a run of 60 s + 100 s covers only part of the registry.
    Set<String> expected = new HashSet<>();
    int n = 0;
    for (int r = 0; r < 64; r++) {
      String repo = String.format("team/r%03d", r);
      for (int t = 0; t < 8; t++) {
        String tag = "v" + t;
        aws.addImage(repo, image(++n, tag));
        if (t % 3 == 0) {
          aws.addImage(repo, new EcrImage(digest(100_000 + n), OCI_INDEX, null, List.of(tag + "-soci")));
        } else {
          expected.add(repo + ":" + tag);
        }
      }
    }
    Map<String, String> env = env("team/*:*");
    env.put("MAX_INVOKES_PER_MINUTE", "60000");
    Duration runTime = Duration.ofSeconds(60 + 100);

    List<SweepResult> runs = new ArrayList<>();
    SweepRequest next = new SweepRequest();
    do {
      runs.add(service(env, new FakeClock(Duration.ofSeconds(1))).run(next, runTime, SELF, null));
      next = new SweepRequest(runs.get(runs.size() - 1).cursor(), false);
    } while (!runs.get(runs.size() - 1).complete());

    Set<String> sent = new HashSet<>();
    for (String payload : indexerRequests()) {
      JsonNode r = parse(payload);
      assertThat(sent.add(r.get("repository").asText() + ":" + r.get("tag").asText())).as("sent once: " + payload)
          .isTrue();
    }
    assertThat(sent).isEqualTo(expected);
    assertThat(runs.size()).isGreaterThan(3);
    assertThat(runs.get(runs.size() - 1).invokedInSweep()).isEqualTo(expected.size());
    assertThat(runs).extracting(SweepResult::run).doesNotHaveDuplicates();
  }

  @Test
  void theInvokeBudgetOfASweepStopsItWithoutContinuing() {
    for (int i = 0; i < 5; i++) {
      aws.addImage("app", image(i, "v" + i));
    }
    Map<String, String> env = env("*:*");
    env.put("MAX_INVOKES_PER_SWEEP", "3");

    SweepResult result = service(env, new FakeClock()).run(new SweepRequest(), Duration.ofMinutes(15), SELF, null);

    assertThat(result.stoppedBecause()).isEqualTo("invoke budget");
    assertThat(result.continued()).isFalse();
    assertThat(result.cursor()).isNotNull();
    assertThat(indexerRequests()).hasSize(3);
    assertThat(aws.invokePayloads(SELF)).isEmpty();
  }

  @Test
  void theRunLimitEndsTheChain() {
    for (int i = 0; i < 5; i++) {
      aws.addImage("app", image(i, "v" + i));
    }
    Map<String, String> env = env("*:*");
    env.put("MAX_RUNS_PER_SWEEP", "1");
    env.put("MAX_INVOKES_PER_MINUTE", "6");

    SweepResult result = service(env, new FakeClock()).run(new SweepRequest(), Duration.ofSeconds(75), SELF, null);

    assertThat(result.stoppedBecause()).isEqualTo("run limit");
    assertThat(result.continued()).isFalse();
    assertThat(aws.invokePayloads(SELF)).isEmpty();
    assertThat(parse(log.get(log.size() - 1)).get("level").asText()).isEqualTo("WARN");
  }

  @Test
  void aCursorWhoseListingTokenExpiredStartsOver() {
    for (int r = 0; r < 25; r++) {
      aws.addImage(String.format("repo-%03d", r), image(r, "v1"));
    }
    Map<String, String> env = env("*:*");
    env.put("MAX_INVOKES_PER_MINUTE", "6");
    SweepResult first = service(env, new FakeClock()).run(new SweepRequest(), Duration.ofSeconds(60 + 125), SELF,
        null);
    assertThat(first.invoked()).isEqualTo(13); // into the second page of repositories
    aws.expireEcrTokens();

    SweepResult second = service(env("*:*"), new FakeClock()).run(new SweepRequest(first.cursor(), false),
        Duration.ofMinutes(15), SELF, null);

    assertThat(second.complete()).isTrue();
    assertThat(log).anySatisfy(l -> assertThat(l).contains("\"level\":\"WARN\"")
        .contains("listing token was refused; starting over"));
    assertThat(second.repositories()).isEqualTo(25);
  }

  @Test
  void aRepositoryWhoseImagesCannotBeListedIsReportedAndTheOthersGoOn() {
    typicalRegistry();
    aws.denyEcrRepository("team/app");

    SweepResult result = service(env("*:*,!*:dev-*"), new FakeClock()).run(new SweepRequest(), Duration.ofMinutes(15),
        SELF, null);

    assertThat(result.repositoriesFailed()).isEqualTo(1);
    assertThat(result.complete()).isTrue();
    assertThat(indexerRequests()).extracting(p -> parse(p).get("repository").asText())
        .containsExactly("legacy/old", "tools/base");
    assertThat(log).anySatisfy(l -> assertThat(l).contains("\"level\":\"WARN\"").contains("\"repository\":\"team/app\"")
        .contains("AccessDeniedException"));
  }

  @Test
  void anIndexerThatCannotBeInvokedFailsTheRunAndLogsTheCursor() {
    typicalRegistry();
    aws.failInvokes(400);

    assertThatThrownBy(() -> service(env("*:*"), new FakeClock()).run(new SweepRequest(), Duration.ofMinutes(15),
        SELF, null))
        .isInstanceOf(SweepFailedException.class)
        .hasMessageContaining("invoke " + INDEXER + " for team/app:dev-1 failed");
    JsonNode failed = parse(log.get(log.size() - 1));
    assertThat(failed.get("level").asText()).isEqualTo("ERROR");
    assertThat(failed.get("cursor").asText()).isNotEmpty();
    assertThat(log.toString()).doesNotContain("s3cr3t");
  }

  @Test
  void aDryRunSendsNothingAndSaysWhatItWouldSend() {
    typicalRegistry();

    SweepResult result = service(env("*:*,!legacy/*:*,!*:dev-*"), new FakeClock())
        .run(new SweepRequest(null, true), Duration.ofMinutes(15), SELF, null);

    assertThat(result.dryRun()).isTrue();
    assertThat(result.invoked()).isEqualTo(3);
    assertThat(aws.invokePayloads(INDEXER)).isEmpty();
    assertThat(log).filteredOn(l -> l.contains("\"would invoke the indexer\"")).hasSize(3);
  }

  @Test
  void aMalformedCursorIsAClearError() {
    SweepService service = service(env("*:*"), new FakeClock());

    assertThatThrownBy(() -> service.run(new SweepRequest("not a cursor!", false), Duration.ofMinutes(15), SELF, null))
        .isInstanceOf(SweepRequestException.class).hasMessageStartingWith("cursor: ");
    assertThat(aws.requests()).isEmpty();
  }
}
