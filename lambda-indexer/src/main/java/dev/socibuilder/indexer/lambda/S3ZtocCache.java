package dev.socibuilder.indexer.lambda;

import dev.socibuilder.indexer.cache.BadCacheEntryException;
import dev.socibuilder.indexer.cache.ZtocCache;
import dev.socibuilder.indexer.cache.ZtocCacheException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The zTOC cache in an S3 bucket, shared by every indexer run of the account: entry {@code ID} is the
 * object {@code PREFIX + ID}. One {@code GetObject} per layer looked up (404 {@code NoSuchKey} is a miss,
 * which S3 answers only to a caller allowed {@code s3:ListBucket}; otherwise a miss is 403), one
 * {@code PutObject} per zTOC stored or entry refreshed (a whole-object PUT is atomic: concurrent writers
 * never mix), one {@code DeleteObject} per bad entry. Any other answer, a timeout or a network failure
 * is a {@link ZtocCacheException}, and the indexing goes on without the cache.
 */
public final class S3ZtocCache implements ZtocCache {
  private final S3Client s3;
  private final String bucket;
  private final String prefix;
  private final long maxEntryBytes;

  /**
   * @param s3 the client (see {@link #clientBuilder()}); not closed by this cache
   * @param bucket the bucket
   * @param prefix prepended to every entry's id (e.g. {@code ztoc/}); may be empty
   */
  public S3ZtocCache(S3Client s3, String bucket, String prefix) {
    this(s3, bucket, prefix, MAX_ENTRY_BYTES);
  }

  S3ZtocCache(S3Client s3, String bucket, String prefix, long maxEntryBytes) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    this.maxEntryBytes = maxEntryBytes;
  }

  /**
   * An S3 client builder as the indexer uses it: the JDK's URL connection, bounded timeouts (a slow S3
   * delays a layer by at most about a minute, once per run), and checksums only where S3 requires them
   * (entries carry their own digest, verified before use). Region, credentials and endpoint are the
   * caller's.
   */
  public static S3ClientBuilder clientBuilder() {
    return S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(5))
            .socketTimeout(Duration.ofSeconds(15)))
        .overrideConfiguration(o -> o.apiCallAttemptTimeout(Duration.ofSeconds(20))
            .apiCallTimeout(Duration.ofSeconds(60)))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
  }

  /** The object key of entry {@code id}. */
  String key(String id) {
    return prefix + ZtocCache.checkId(id);
  }

  @Override
  public String describe() {
    return "s3://" + bucket + "/" + prefix;
  }

  @Override
  public Optional<Stored> get(String id) {
    String key = key(id);
    try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(key))) {
      Long length = in.response().contentLength();
      if (length != null && length > maxEntryBytes) {
        in.abort();
        throw new BadCacheEntryException("entry is " + length + " bytes, more than the " + maxEntryBytes
            + " an entry may have");
      }
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxEntryBytes + 1));
      if (bytes.length > maxEntryBytes) {
        in.abort();
        throw new BadCacheEntryException("entry is more than the " + maxEntryBytes + " bytes an entry may have");
      }
      Instant storedAt = in.response().lastModified();
      return Optional.of(new Stored(bytes, storedAt != null ? storedAt : Instant.EPOCH));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404 && !"NoSuchBucket".equals(errorCode(e))) {
        return Optional.empty();
      }
      throw failure("GetObject", key, e);
    } catch (SdkException e) {
      throw failure("GetObject", key, e);
    } catch (IOException e) {
      throw new ZtocCacheException("GetObject " + describe(key) + " failed: " + e, e);
    }
  }

  @Override
  public void put(String id, byte[] entry) {
    String key = key(id);
    try {
      s3.putObject(b -> b.bucket(bucket).key(key).contentType("application/octet-stream"),
          RequestBody.fromBytes(entry));
    } catch (SdkException e) {
      throw failure("PutObject", key, e);
    }
  }

  @Override
  public void delete(String id) {
    String key = key(id);
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(key));
    } catch (SdkException e) {
      throw failure("DeleteObject", key, e);
    }
  }

  private String describe(String key) {
    return "s3://" + bucket + "/" + key;
  }

  private ZtocCacheException failure(String operation, String key, SdkException e) {
    String why;
    if (e instanceof S3Exception s) {
      String message = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorMessage();
      why = s.statusCode() + " " + errorCode(s) + (message != null ? " (" + message + ")" : "");
    } else {
      why = e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    return new ZtocCacheException(operation + " " + describe(key) + " failed: " + why, e);
  }

  private static String errorCode(S3Exception e) {
    return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
  }
}
