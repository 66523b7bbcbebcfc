package dev.socibuilder.indexer.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.socibuilder.digest.Digest;
import dev.socibuilder.indexer.cache.CacheEntry;
import dev.socibuilder.indexer.cache.CacheKey;
import dev.socibuilder.registry.Credentials;
import dev.socibuilder.registry.RegistryClient;
import dev.socibuilder.registry.RetryPolicy;
import dev.socibuilder.testing.aws.FakeAwsApi;
import dev.socibuilder.testing.aws.FakeS3;
import dev.socibuilder.testing.registry.RegistryServer;
import dev.socibuilder.testing.registry.Skopeo;
import dev.socibuilder.testing.registry.TestImages;
import dev.socibuilder.testing.registry.TestImages.LayerSpec;
import dev.socibuilder.testing.registry.TestImages.TestImage;
import dev.socibuilder.ztoc.CompressionAlgorithm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The service with the S3 zTOC cache: the real SDK S3 client against an HTTP fake of S3, the real
 * registry (basic auth with the fake ECR token), EventBridge faked. A layer indexed in one repository is
 * reused in another with one S3 request; S3 failing never fails the indexing, and the result says so.
 */
class IndexerServiceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ACCOUNT = "123456789012";
  private static final String ECR_HOST = ACCOUNT + ".dkr.ecr.us-west-2.amazonaws.com";
  private static final String ECR_PASSWORD = "ecr-token-for-cache-tests";
  private static final String BUCKET = "soci-ztoc-cache-" + ACCOUNT;
  private static final long SPAN = 64 * 1024;
  private static final AtomicInteger REPOS = new AtomicInteger();

  @TempDir
  static Path temp;

  private static RegistryServer registry;
  private static FakeAwsApi aws;
  private static FakeS3 s3Fake;
  private static EcrClient ecr;
  private static EventBridgeClient eventBridge;
  private static S3Client s3;
  private static RegistryClient reader;
  private static LayerSpec sharedSpec;

  private final List<String> logLines = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws IOException {
    registry = RegistryServer.basicAuth("AWS", ECR_PASSWORD).start();
    aws = FakeAwsApi.start(ECR_PASSWORD);
    s3Fake = FakeS3.start(BUCKET);
    StaticCredentialsProvider credentials =
        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "aws-secret-for-tests"));
    ecr = EcrClient.builder().region(Region.US_WEST_2).endpointOverride(aws.endpoint())
        .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    eventBridge = EventBridgeClient.builder().region(Region.US_WEST_2).endpointOverride(aws.endpoint())
        .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    s3 = S3ZtocCache.clientBuilder().region(Region.US_WEST_2).endpointOverride(s3Fake.endpoint())
        .forcePathStyle(true).credentialsProvider(credentials)
        .overrideConfiguration(o -> o.apiCallAttemptTimeout(Duration.ofSeconds(2))
            .apiCallTimeout(Duration.ofSeconds(5)))
        .build();
    reader = new RegistryClient(r -> new Credentials("AWS", ECR_PASSWORD), RetryPolicy.none(), true,
        Duration.ofSeconds(20));
    sharedSpec = LayerSpec.incompressible(256 * 1024, 100);
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {reader, s3, ecr, eventBridge, s3Fake, aws, registry}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception ignored) {
          // closing test fixtures
        }
      }
    }
  }

  @BeforeEach
  void resetFakes() {
    aws.reset();
    s3Fake.reset();
  }

  private IndexerService service() {
    Map<String, String> env = new HashMap<>();
    env.put("AWS_REGION", "us-west-2");
    env.put("SPAN_SIZE_BYTES", Long.toString(SPAN));
    env.put("MIN_LAYER_SIZE_BYTES", Long.toString(SPAN));
    env.put("REGISTRY_ENDPOINT_OVERRIDE", "http://" + registry.hostPort());
    env.put("ZTOC_CACHE_BUCKET", BUCKET);
    IndexerConfig config = IndexerConfig.fromEnvironment(env);
    return new IndexerService(config, ecr, eventBridge, RetryPolicy.none(), logLines::add,
        new S3ZtocCache(s3, config.ztocCacheBucket(), config.ztocCachePrefix()));
  }

  /** Pushes a fresh image made of the shared layer and one of its own to a fresh repository. */
  private static Pushed pushWithSharedLayer(long ownSeed) {
    String repo = "team/cached-" + REPOS.incrementAndGet();
    try {
      Path layout = java.nio.file.Files.createTempDirectory(temp, "layout-");
      TestImage image = TestImages.singlePlatform(layout, "v1", sharedSpec,
          LayerSpec.incompressible(200 * 1024, ownSeed));
      Skopeo.copy(image.ociReference(), "docker://" + registry.hostPort() + "/" + repo + ":v1",
          registry.destCredsArgs());
      return new Pushed(repo, image);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private record Pushed(String repo, TestImage image) {
    TestImages.Layer shared() {
      return image.manifests().get(0).layers().get(0);
    }

    TestImages.Layer own() {
      return image.manifests().get(0).layers().get(1);
    }
  }

  private IndexerResult handle(Pushed p) {
    return service().handle(new IndexerRequest(ECR_HOST, p.repo(), p.image().digest(), "v1",
        TestImages.OCI_MANIFEST), "req-" + p.repo());
  }

  private static String objectKey(TestImages.Layer layer) {
    return "ztoc/" + new CacheKey(Digest.parse(layer.digest()), SPAN, IndexerConfig.defaultBuildTool(),
        CompressionAlgorithm.GZIP, ZoneOffset.UTC).id();
  }

  private static long requestsFor(TestImages.Layer layer) {
    return s3Fake.requests().stream().filter(r -> r.key().equals(objectKey(layer))).count();
  }

  private static Map<String, Object> layer(IndexerResult r, TestImages.Layer layer) {
    Object layers = r.toMap().get("ztocLayers");
    for (Object o : (List<?>) layers) {
      Map<?, ?> m = (Map<?, ?>) o;
      if (layer.digest().equals(m.get("layerDigest"))) {
        @SuppressWarnings("unchecked")
        Map<String, Object> typed = (Map<String, Object>) m;
        return typed;
      }
    }
    throw new AssertionError("no zTOC layer " + layer.digest() + " in " + r);
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
  void layerIndexedInOneRepositoryIsReusedInAnotherWithOneS3Request() throws IOException {
    Pushed first = pushWithSharedLayer(1);
    Pushed second = pushWithSharedLayer(2);

    IndexerResult a = handle(first);

    assertThat(a.outcome()).as(a.message()).isEqualTo("indexed");
    assertThat(layer(a, first.shared())).containsEntry("source", "built").containsEntry("blob", "uploaded")
        .doesNotContainKey("cacheProblem");
    assertThat(requestsFor(first.shared())).as("a miss and a store").isEqualTo(2);
    CacheEntry stored = CacheEntry.decode(s3Fake.object(BUCKET, objectKey(first.shared())).orElseThrow());
    assertThat(stored.repository()).isEqualTo(first.repo());
    s3Fake.reset();
    aws.reset();

    IndexerResult b = handle(second);

    assertThat(b.outcome()).as(b.message()).isEqualTo("indexed");
    assertThat(layer(b, second.shared())).containsEntry("source", "cached").containsEntry("blob", "mounted")
        .containsEntry("ztocDigest", layer(a, first.shared()).get("ztocDigest"));
    assertThat(layer(b, second.own())).containsEntry("source", "built").containsEntry("blob", "uploaded");
    assertThat(requestsFor(second.shared())).as("S3 requests for the reused layer").isEqualTo(1);
    assertThat(s3Fake.requests()).filteredOn(r -> r.key().equals(objectKey(second.shared())))
        .extracting(FakeS3.Request::method).containsExactly("GET");
    assertThat(b.message()).contains("reused 1 from the zTOC cache");
    JsonNode detail = aws.eventDetails().get(0);
    assertThat(detail.get("ztocLayers")).hasSize(2);
    assertThat(detail.get("ztocLayers").findValuesAsText("source")).containsExactlyInAnyOrder("cached", "built");
    assertThat(logs()).anySatisfy(l -> assertThat(l.get("message").asText()).isEqualTo("zTOC reused from the cache"));
    // The mounted zTOC is really in the second repository.
    assertThat(reader.blobExists(registry.hostPort(), second.repo(),
        Digest.parse((String) layer(b, second.shared()).get("ztocDigest")))).isTrue();
  }

  @ParameterizedTest(name = "[{index}] {0} {1}")
  @CsvSource({"403, AccessDenied", "503, SlowDown", "500, InternalError"})
  void s3FailingNeverFailsTheIndexingAndTheResultSaysSo(int status, String code) {
    Pushed p = pushWithSharedLayer(10 + status);
    s3Fake.fail(null, status, code, 1000);

    IndexerResult r = handle(p);

    assertThat(r.outcome()).as(r.message()).isEqualTo("indexed");
    assertThat(r.message()).contains("zTOC cache problem on 2 layer(s)").contains(status + " " + code);
    assertThat(layer(r, p.shared())).containsEntry("source", "built").containsEntry("blob", "uploaded");
    assertThat((String) layer(r, p.shared()).get("cacheProblem"))
        .startsWith("zTOC cache s3://" + BUCKET + "/ztoc/ unavailable: ").contains(status + " " + code)
        .endsWith("; zTOC built without it");
    assertThat(logs()).anySatisfy(l -> {
      assertThat(l.get("level").asText()).isEqualTo("WARN");
      assertThat(l.get("cacheProblem").asText()).contains(code);
    });
    assertThat(aws.eventDetails()).singleElement()
        .satisfies(d -> assertThat(d.get("outcome").asText()).isEqualTo("indexed"));
  }

  @Test
  void slowS3IsGivenUpOnAndTheIndexingGoesOn() {
    Pushed p = pushWithSharedLayer(20);
    s3Fake.delay(null, Duration.ofSeconds(3), 1000);

    IndexerResult r = handle(p);

    assertThat(r.outcome()).as(r.message()).isEqualTo("indexed");
    assertThat((String) layer(r, p.shared()).get("cacheProblem")).contains("unavailable");
  }

  @Test
  void corruptedEntryInS3IsDeletedRebuiltAndNeverPublished() {
    Pushed first = pushWithSharedLayer(30);
    Pushed second = pushWithSharedLayer(31);
    handle(first);
    byte[] good = s3Fake.object(BUCKET, objectKey(first.shared())).orElseThrow();
    byte[] bad = good.clone();
    bad[bad.length - 10] ^= 1;
    s3Fake.putObject(BUCKET, objectKey(first.shared()), bad, Instant.now());
    s3Fake.reset();

    IndexerResult r = handle(second);

    assertThat(r.outcome()).isEqualTo("indexed");
    assertThat(layer(r, second.shared())).containsEntry("source", "built");
    assertThat((String) layer(r, second.shared()).get("cacheProblem")).contains("bad zTOC cache entry")
        .contains("digest").contains("deleted, zTOC built");
    assertThat(s3Fake.requests()).filteredOn(q -> q.key().equals(objectKey(second.shared())))
        .extracting(FakeS3.Request::method).containsExactly("GET", "DELETE", "PUT");
    CacheEntry rebuilt = CacheEntry.decode(s3Fake.object(BUCKET, objectKey(second.shared())).orElseThrow());
    assertThat(Digest.sha256Of(rebuilt.ztoc())).isEqualTo(CacheEntry.decode(good).ztocDigest());
    assertThat(rebuilt.repository()).isEqualTo(second.repo());
    byte[] badZtoc = CacheEntry.decode(bad).ztoc();
    assertThat(reader.blobExists(registry.hostPort(), second.repo(), Digest.sha256Of(badZtoc))).isFalse();
  }
}
