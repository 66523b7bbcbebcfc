package dev.socibuilder.indexer.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.soci.Optimization;
import dev.socibuilder.soci.SociIndex;
import dev.socibuilder.ztoc.ZtocLimits;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IndexerConfigTest {

  private static Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put("AWS_REGION", "us-west-2");
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  @Test
  void defaultsAreSocisWhenOnlyRegionIsSet() {
    IndexerConfig config = IndexerConfig.fromEnvironment(env());

    assertThat(config.indexVersion()).isEqualTo(SociIndex.Version.V2);
    assertThat(config.spanSize()).isEqualTo(4L << 20);
    assertThat(config.minLayerSize()).isEqualTo(10L << 20);
    assertThat(config.tagSuffix()).isEqualTo("-soci");
    assertThat(config.eventBusName()).isEqualTo("default");
    assertThat(config.region()).isEqualTo("us-west-2");
    assertThat(config.registryEndpointOverride()).isNull();
    assertThat(config.buildTool()).startsWith("SOCI Index Builder v").doesNotContain("${");
    assertThat(config.ztocCacheBucket()).isNull();
    assertThat(config.ztocCachePrefix()).isEqualTo("ztoc/");
    assertThat(config.limits()).isEqualTo(ZtocLimits.DEFAULTS);
    assertThat(config.optimizations()).isEmpty();
    assertThat(config.indexOptions().disablesXattrs()).isFalse();
    assertThat(config.blobConnections()).isEqualTo(4);
  }

  @Test
  void readsBlobConnections() {
    assertThat(IndexerConfig.fromEnvironment(env("BLOB_CONNECTIONS", " 8 ")).blobConnections()).isEqualTo(8);
    assertThat(IndexerConfig.fromEnvironment(env("BLOB_CONNECTIONS", "1")).blobConnections()).isEqualTo(1);
    assertThat(IndexerConfig.fromEnvironment(env("BLOB_CONNECTIONS", "16")).blobConnections()).isEqualTo(16);
    assertThat(IndexerConfig.fromEnvironment(env("BLOB_CONNECTIONS", " ")).blobConnections()).isEqualTo(4);
  }

  @Test
  void readsSociOptimizations() {
    IndexerConfig config = IndexerConfig.fromEnvironment(env("SOCI_OPTIMIZATIONS", " xattr "));

    assertThat(config.optimizations()).containsExactly(Optimization.XATTR);
    assertThat(config.indexOptions().optimizations()).containsExactly(Optimization.XATTR);
    assertThat(config.indexOptions().disablesXattrs()).isTrue();
    assertThat(IndexerConfig.fromEnvironment(env("SOCI_OPTIMIZATIONS", "xattr,xattr")).optimizations())
        .containsExactly(Optimization.XATTR);
    assertThat(IndexerConfig.fromEnvironment(env("SOCI_OPTIMIZATIONS", " ")).optimizations()).isEmpty();
  }

  @Test
  void readsTheZtocCacheBucketAndPrefix() {
    IndexerConfig config = IndexerConfig.fromEnvironment(env(
        "ZTOC_CACHE_BUCKET", "soci-ztoc-cache-123456789012",
        "ZTOC_CACHE_PREFIX", "indexer/ztoc-v1/"));

    assertThat(config.ztocCacheBucket()).isEqualTo("soci-ztoc-cache-123456789012");
    assertThat(config.ztocCachePrefix()).isEqualTo("indexer/ztoc-v1/");
  }

  @Test
  void zTocLimitsComeFromZtocLimitsAndReachTheIndexingOptions() {
    IndexerConfig config = IndexerConfig.fromEnvironment(env(
        "ZTOC_LIMITS", "toc-entries=1000000, ztoc-bytes=256MiB, min-span-size=512", "SPAN_SIZE_BYTES", "512"));

    assertThat(config.limits()).isEqualTo(new ZtocLimits(1_000_000, ZtocLimits.DEFAULT_MAX_XATTR_BYTES, 256L << 20, 512));
    assertThat(config.indexOptions().limits()).isEqualTo(config.limits());
    assertThat(config.indexOptions().spanSize()).isEqualTo(512);
  }

  @Test
  void readsTheVariablesTheStackSets() {
    IndexerConfig config = IndexerConfig.fromEnvironment(env(
        "SOCI_INDEX_VERSION", "v1",
        "SPAN_SIZE_BYTES", "1048576",
        "MIN_LAYER_SIZE_BYTES", "0",
        "SOCI_TAG_SUFFIX", ".lazy",
        "RESULT_EVENT_BUS_NAME", "pipelines",
        "BUILD_TOOL_ID", "AWS SOCI CLI v0.2",
        "REGISTRY_ENDPOINT_OVERRIDE", "http://127.0.0.1:5000"));

    assertThat(config.indexVersion()).isEqualTo(SociIndex.Version.V1);
    assertThat(config.spanSize()).isEqualTo(1_048_576);
    assertThat(config.minLayerSize()).isZero();
    assertThat(config.tagSuffix()).isEqualTo(".lazy");
    assertThat(config.eventBusName()).isEqualTo("pipelines");
    assertThat(config.buildTool()).isEqualTo("AWS SOCI CLI v0.2");
    assertThat(config.registryEndpointOverride()).isEqualTo(URI.create("http://127.0.0.1:5000"));
    assertThat(config.indexOptions().version()).isEqualTo(SociIndex.Version.V1);
    assertThat(config.indexOptions().spanSize()).isEqualTo(1_048_576);
  }

  @Test
  void blankOptionalVariablesTakeTheirDefaults() {
    IndexerConfig config = IndexerConfig.fromEnvironment(env("SOCI_TAG_SUFFIX", " ", "BUILD_TOOL_ID", ""));

    assertThat(config.tagSuffix()).isEqualTo("-soci");
    assertThat(config.buildTool()).startsWith("SOCI Index Builder v");
  }

  @ParameterizedTest(name = "[{index}] {0}={1}")
  @CsvSource(delimiter = '|', textBlock = """
      SOCI_INDEX_VERSION         | V3                  | SOCI_INDEX_VERSION must be V2 or V1, got 'V3'
      SPAN_SIZE_BYTES            | 4MiB                | SPAN_SIZE_BYTES must be a whole number of bytes, got '4MiB'
      SPAN_SIZE_BYTES            | 4194304.5           | SPAN_SIZE_BYTES must be a whole number of bytes, got '4194304.5'
      MIN_LAYER_SIZE_BYTES       | 1e7                 | MIN_LAYER_SIZE_BYTES must be a whole number of bytes, got '1e7'
      SPAN_SIZE_BYTES            | 0                   | span size must be positive
      SPAN_SIZE_BYTES            | 1                   | span size 1 is below the minimum of 1024 bytes (limit min-span-size)
      ZTOC_LIMITS                | toc-entries=lots    | ZTOC_LIMITS: limit toc-entries=lots is not a number
      ZTOC_LIMITS                | entries=5           | ZTOC_LIMITS: unknown limit 'entries'
      MIN_LAYER_SIZE_BYTES       | -1                  | min layer size must be >= 0
      SOCI_TAG_SUFFIX            | -so ci              | tag suffix must be 1-64 of [A-Za-z0-9_.-]
      AWS_REGION                 | us_west_2           | AWS_REGION must be a region name
      REGISTRY_ENDPOINT_OVERRIDE | ftp://127.0.0.1:21  | REGISTRY_ENDPOINT_OVERRIDE must be http(s)://host[:port]
      REGISTRY_ENDPOINT_OVERRIDE | http://h:5000/v2    | REGISTRY_ENDPOINT_OVERRIDE must be http(s)://host[:port]
      REGISTRY_ENDPOINT_OVERRIDE | https://evil.example.com | REGISTRY_ENDPOINT_OVERRIDE is a test hook and must point at a loopback address
      ZTOC_CACHE_BUCKET          | My_Bucket           | ZTOC_CACHE_BUCKET must be an S3 bucket name, got 'My_Bucket'
      ZTOC_CACHE_BUCKET          | ab                  | ZTOC_CACHE_BUCKET must be an S3 bucket name
      ZTOC_CACHE_PREFIX          | /ztoc/              | ZTOC_CACHE_PREFIX must be at most 512 of
      ZTOC_CACHE_PREFIX          | a b                 | ZTOC_CACHE_PREFIX must be at most 512 of
      SOCI_OPTIMIZATIONS         | XATTR               | SOCI_OPTIMIZATIONS must be a comma-separated list of soci optimizations (valid: xattr), got 'XATTR'
      SOCI_OPTIMIZATIONS         | xattr,prefetch      | SOCI_OPTIMIZATIONS must be a comma-separated list of soci optimizations (valid: xattr), got 'xattr,prefetch'
      BLOB_CONNECTIONS           | 0                   | BLOB_CONNECTIONS must be 1 to 16, got 0
      BLOB_CONNECTIONS           | 17                  | BLOB_CONNECTIONS must be 1 to 16, got 17
      BLOB_CONNECTIONS           | four                | BLOB_CONNECTIONS must be a whole number from 1 to 16, got 'four'
      """)
  void invalidVariableIsNamedInTheError(String name, String value, String message) {
    assertThatThrownBy(() -> IndexerConfig.fromEnvironment(env(name, value)))
        .isInstanceOf(IndexerConfigException.class)
        .hasMessageContaining(message);
  }

  @Test
  void missingRegionIsAnError() {
    Map<String, String> env = env();
    env.remove("AWS_REGION");

    assertThatThrownBy(() -> IndexerConfig.fromEnvironment(env))
        .isInstanceOf(IndexerConfigException.class)
        .hasMessageContaining("AWS_REGION");
  }
}
