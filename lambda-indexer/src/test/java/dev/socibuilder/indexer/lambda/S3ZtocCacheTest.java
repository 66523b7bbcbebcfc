package dev.socibuilder.indexer.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.indexer.cache.BadCacheEntryException;
import dev.socibuilder.indexer.cache.ZtocCache;
import dev.socibuilder.indexer.cache.ZtocCacheException;
import dev.socibuilder.testing.aws.FakeS3;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 cache through the real SDK client (path-style, endpoint override) against an HTTP fake of S3. */
class S3ZtocCacheTest {
  static final String BUCKET = "ztoc-cache-bucket";
  static final String ID = Digest.sha256Of("a key".getBytes(StandardCharsets.UTF_8)).hex();

  static FakeS3 fake;
  static S3Client s3;
  S3ZtocCache cache;

  @BeforeAll
  static void start() {
    fake = FakeS3.start(BUCKET);
    s3 = client(fake, Duration.ofSeconds(1));
  }

  /** The production builder, pointed at the fake, with a short attempt timeout. */
  static S3Client client(FakeS3 fake, Duration attemptTimeout) {
    return S3ZtocCache.clientBuilder()
        .region(Region.US_WEST_2)
        .endpointOverride(fake.endpoint())
        .forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")))
        .overrideConfiguration(o -> o.apiCallAttemptTimeout(attemptTimeout)
            .apiCallTimeout(attemptTimeout.multipliedBy(4)))
        .build();
  }

  @AfterAll
  static void stop() {
    if (s3 != null) {
      s3.close();
    }
    if (fake != null) {
      fake.close();
    }
  }

  @BeforeEach
  void reset() {
    fake.reset();
    cache = new S3ZtocCache(s3, BUCKET, "ztoc/");
  }

  @Test
  void putStoresTheWholeEntryUnderPrefixAndIdAndGetReadsItBackWithItsLastModified() {
    byte[] entry = new byte[200_000];
    new Random(5).nextBytes(entry);

    cache.put(ID, entry);
    ZtocCache.Stored got = cache.get(ID).orElseThrow();

    assertThat(fake.object(BUCKET, "ztoc/" + ID)).get().isEqualTo(entry);
    assertThat(got.bytes()).isEqualTo(entry);
    assertThat(got.storedAt()).isEqualTo(fake.lastModified(BUCKET, "ztoc/" + ID).orElseThrow());
    assertThat(fake.requests()).extracting(FakeS3.Request::method).containsExactly("PUT", "GET");
    assertThat(cache.describe()).isEqualTo("s3://" + BUCKET + "/ztoc/");
  }

  @Test
  void missingObjectIsAMissInOneRequest() {
    assertThat(cache.get(Digest.sha256Of(new byte[] {1}).hex())).isEmpty();
    assertThat(fake.count("GET")).isEqualTo(1);
  }

  @Test
  void deleteRemovesTheObject() {
    cache.put(ID, new byte[] {1, 2});

    cache.delete(ID);

    assertThat(fake.object(BUCKET, "ztoc/" + ID)).isEmpty();
    assertThat(cache.get(ID)).isEmpty();
  }

  @Test
  void accessDeniedIsUnavailableNamingTheObjectAndTheError() {
    fake.fail("GET", 403, "AccessDenied", 1);

    assertThatThrownBy(() -> cache.get(ID)).isInstanceOf(ZtocCacheException.class)
        .hasMessageContaining("GetObject s3://" + BUCKET + "/ztoc/" + ID + " failed: 403 AccessDenied");
  }

  @Test
  void serverErrorsAreRetriedByTheSdkThenUnavailable() {
    fake.fail(null, 503, "SlowDown", 100);

    assertThatThrownBy(() -> cache.get(ID)).isInstanceOf(ZtocCacheException.class).hasMessageContaining("503 SlowDown");
    assertThatThrownBy(() -> cache.put(ID, new byte[] {1})).isInstanceOf(ZtocCacheException.class)
        .hasMessageContaining("PutObject");
    assertThatThrownBy(() -> cache.delete(ID)).isInstanceOf(ZtocCacheException.class)
        .hasMessageContaining("DeleteObject");
    assertThat(fake.count("GET")).as("retried").isGreaterThan(1);
  }

  @Test
  void oneServerErrorIsRetriedAndTheEntryRead() {
    cache.put(ID, new byte[] {7});
    fake.reset();
    fake.fail("GET", 500, "InternalError", 1);

    assertThat(cache.get(ID)).get().extracting(ZtocCache.Stored::bytes).isEqualTo(new byte[] {7});
    assertThat(fake.count("GET")).isEqualTo(2);
  }

  @Test
  void slowAnswerTimesOutAsUnavailable() {
    fake.delay("GET", Duration.ofSeconds(3), 10);

    assertThatThrownBy(() -> cache.get(ID)).isInstanceOf(ZtocCacheException.class).hasMessageContaining("GetObject");
  }

  @Test
  void missingBucketIsUnavailableNotAMiss() {
    S3ZtocCache wrong = new S3ZtocCache(s3, "no-such-bucket", "ztoc/");

    assertThatThrownBy(() -> wrong.get(ID)).isInstanceOf(ZtocCacheException.class).hasMessageContaining("NoSuchBucket");
  }

  @Test
  void objectLargerThanAnEntryMayBeIsBad() {
    fake.putObject(BUCKET, "ztoc/" + ID, new byte[2000], Instant.now());
    S3ZtocCache small = new S3ZtocCache(s3, BUCKET, "ztoc/", 1000);

    assertThatThrownBy(() -> small.get(ID)).isInstanceOf(BadCacheEntryException.class)
        .hasMessageContaining("2000 bytes, more than the 1000");
  }

  @Test
  void emptyPrefixPutsEntriesAtTheBucketRoot() {
    new S3ZtocCache(s3, BUCKET, "").put(ID, new byte[] {3});

    assertThat(fake.object(BUCKET, ID)).get().isEqualTo(new byte[] {3});
  }
}
