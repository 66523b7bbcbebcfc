package dev.socibuilder.indexer.lambda;

import dev.socibuilder.ztoc.BuildInfo;
import dev.socibuilder.indexer.IndexOptions;
import dev.socibuilder.registry.RegistryClient;
import dev.socibuilder.soci.Optimization;
import dev.socibuilder.soci.SociIndex;
import dev.socibuilder.ztoc.ZtocLimits;
import java.net.URI;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the indexer Lambda needs to know, set by the stack as environment variables (see the CDK stack's
 * indexer function).
 *
 * @param indexVersion {@code SOCI_INDEX_VERSION}: {@code V2} (default) or {@code V1}
 * @param spanSize {@code SPAN_SIZE_BYTES}: uncompressed bytes per span (default 4 MiB)
 * @param minLayerSize {@code MIN_LAYER_SIZE_BYTES}: smaller layers get no zTOC (default 10 MiB)
 * @param tagSuffix {@code SOCI_TAG_SUFFIX}: appended to the pushed tag for the v2 result (default {@code -soci})
 * @param buildTool {@code BUILD_TOOL_ID}: written into zTOCs and indexes (default
 *     {@code "SOCI Index Builder v" + version})
 * @param eventBusName {@code RESULT_EVENT_BUS_NAME}: where result events go (default {@code default})
 * @param region {@code AWS_REGION}, set by Lambda: requests for registries of other regions are refused
 * @param registryEndpointOverride {@code REGISTRY_ENDPOINT_OVERRIDE}, <b>a test hook</b>: when set (e.g.
 *     {@code http://127.0.0.1:5000}) every registry request goes to this endpoint instead of the ECR host
 *     (plain HTTP for {@code http://}), while credentials still come from ECR {@code GetAuthorizationToken};
 *     only loopback addresses are accepted, since the ECR token is sent there; {@code null} in production
 * @param ztocCacheBucket {@code ZTOC_CACHE_BUCKET}: the S3 bucket of the zTOC cache shared by every
 *     repository of the account; null (unset) for no cache
 * @param ztocCachePrefix {@code ZTOC_CACHE_PREFIX}: the key prefix of the cache's entries (default
 *     {@code ztoc/}; may be empty)
 * @param limits {@code ZTOC_LIMITS}: what one zTOC build may hold, as {@link ZtocLimits#parse} reads it
 *     (e.g. {@code toc-entries=1000000,ztoc-bytes=256MiB}); unset, the defaults
 * @param optimizations {@code SOCI_OPTIMIZATIONS}: soci's index optimizations, comma-separated (default none;
 *     the only one is {@code xattr})
 * @param blobConnections {@code BLOB_CONNECTIONS}: connections per layer download, 1 to 16 (default 4): layers
 *     of 64 MiB or more are fetched as ranges over this many connections at once (see
 *     {@link RegistryClient.Builder#blobConnections(int)})
 */
public record IndexerConfig(
    SociIndex.Version indexVersion,
    long spanSize,
    long minLayerSize,
    String tagSuffix,
    String buildTool,
    String eventBusName,
    String region,
    URI registryEndpointOverride,
    String ztocCacheBucket,
    String ztocCachePrefix,
    ZtocLimits limits,
    Set<Optimization> optimizations,
    int blobConnections) {

  /** The default {@code ZTOC_CACHE_PREFIX}. */
  public static final String DEFAULT_ZTOC_CACHE_PREFIX = "ztoc/";

  /** The default {@code SOCI_TAG_SUFFIX}, as {@code soci convert}. */
  public static final String DEFAULT_TAG_SUFFIX = "-soci";
  /** The default {@code RESULT_EVENT_BUS_NAME}. */
  public static final String DEFAULT_EVENT_BUS = "default";

  private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]+");
  // S3 general purpose bucket names: 3-63 of lowercase letters, digits, dots and hyphens.
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9!_.*'()/-]{0,512}");
  private static final Pattern LOOPBACK = Pattern.compile("127(\\.[0-9]{1,3}){3}|\\[::1\\]|localhost");

  public IndexerConfig {
    if (indexVersion == null) {
      throw new IndexerConfigException("SOCI_INDEX_VERSION must be V2 or V1");
    }
    if (buildTool == null || buildTool.isBlank()) {
      throw new IndexerConfigException("BUILD_TOOL_ID must not be blank");
    }
    if (eventBusName == null || eventBusName.isBlank()) {
      throw new IndexerConfigException("RESULT_EVENT_BUS_NAME must not be blank");
    }
    if (region == null || !REGION.matcher(region).matches()) {
      throw new IndexerConfigException("AWS_REGION must be a region name such as us-east-1, got '" + region + "'");
    }
    if (registryEndpointOverride != null
        && (registryEndpointOverride.getHost() == null
            || !("http".equals(registryEndpointOverride.getScheme())
                || "https".equals(registryEndpointOverride.getScheme()))
            || !(registryEndpointOverride.getPath() == null || registryEndpointOverride.getPath().isEmpty()
                || registryEndpointOverride.getPath().equals("/")))) {
      throw new IndexerConfigException("REGISTRY_ENDPOINT_OVERRIDE must be http(s)://host[:port], got '"
          + registryEndpointOverride + "'");
    }
    if (registryEndpointOverride != null && !LOOPBACK.matcher(registryEndpointOverride.getHost()).matches()) {
      // The ECR token goes wherever the override points: only ever to this machine.
      throw new IndexerConfigException("REGISTRY_ENDPOINT_OVERRIDE is a test hook and must point at a loopback"
          + " address (127.x.x.x, [::1], localhost), got '" + registryEndpointOverride + "'");
    }
    if (ztocCacheBucket != null && !BUCKET.matcher(ztocCacheBucket).matches()) {
      throw new IndexerConfigException("ZTOC_CACHE_BUCKET must be an S3 bucket name, got '" + ztocCacheBucket + "'");
    }
    if (ztocCachePrefix == null || !PREFIX.matcher(ztocCachePrefix).matches() || ztocCachePrefix.startsWith("/")) {
      throw new IndexerConfigException("ZTOC_CACHE_PREFIX must be at most 512 of [A-Za-z0-9!_.*'()/-], not starting"
          + " with /, got '" + ztocCachePrefix + "'");
    }
    if (limits == null) {
      throw new IndexerConfigException("ZTOC_LIMITS must be given");
    }
    optimizations = Set.copyOf(optimizations);
    if (blobConnections < 1 || blobConnections > RegistryClient.MAX_BLOB_CONNECTIONS) {
      throw new IndexerConfigException("BLOB_CONNECTIONS must be 1 to " + RegistryClient.MAX_BLOB_CONNECTIONS + ", got "
          + blobConnections);
    }
    // The remaining checks (span, minimum, suffix) are the indexing options' own.
    try {
      IndexOptions.defaults(buildTool).withLimits(limits).withVersion(indexVersion).withSpanSize(spanSize)
          .withMinLayerSize(minLayerSize).withTagSuffix(tagSuffix);
    } catch (IllegalArgumentException e) {
      throw new IndexerConfigException("invalid indexing configuration: " + e.getMessage(), e);
    }
  }

  /**
   * Reads the configuration from environment variables; unset or blank optional variables take their
   * defaults.
   *
   * @param env usually {@code System.getenv()}
   * @throws IndexerConfigException naming the variable that is invalid
   */
  public static IndexerConfig fromEnvironment(Map<String, String> env) {
    String version = value(env, "SOCI_INDEX_VERSION", "V2").toUpperCase(Locale.ROOT);
    SociIndex.Version indexVersion;
    switch (version) {
      case "V2" -> indexVersion = SociIndex.Version.V2;
      case "V1" -> indexVersion = SociIndex.Version.V1;
      default -> throw new IndexerConfigException("SOCI_INDEX_VERSION must be V2 or V1, got '" + version + "'");
    }
    String override = value(env, "REGISTRY_ENDPOINT_OVERRIDE", null);
    URI overrideUri = null;
    if (override != null) {
      try {
        overrideUri = URI.create(override);
      } catch (IllegalArgumentException e) {
        throw new IndexerConfigException("REGISTRY_ENDPOINT_OVERRIDE is not a URI: '" + override + "'", e);
      }
    }
    ZtocLimits limits;
    try {
      limits = ZtocLimits.parse(value(env, "ZTOC_LIMITS", ""));
    } catch (IllegalArgumentException e) {
      throw new IndexerConfigException("ZTOC_LIMITS: " + e.getMessage(), e);
    }
    return new IndexerConfig(
        indexVersion,
        number(env, "SPAN_SIZE_BYTES", SociIndex.DEFAULT_SPAN_SIZE),
        number(env, "MIN_LAYER_SIZE_BYTES", SociIndex.DEFAULT_MIN_LAYER_SIZE),
        value(env, "SOCI_TAG_SUFFIX", DEFAULT_TAG_SUFFIX),
        value(env, "BUILD_TOOL_ID", defaultBuildTool()),
        value(env, "RESULT_EVENT_BUS_NAME", DEFAULT_EVENT_BUS),
        value(env, "AWS_REGION", null),
        overrideUri,
        value(env, "ZTOC_CACHE_BUCKET", null),
        value(env, "ZTOC_CACHE_PREFIX", DEFAULT_ZTOC_CACHE_PREFIX),
        limits,
        optimizations(value(env, "SOCI_OPTIMIZATIONS", "")),
        blobConnections(value(env, "BLOB_CONNECTIONS", null)));
  }

  /** {@code BLOB_CONNECTIONS}: a whole number; unset, {@link RegistryClient#DEFAULT_BLOB_CONNECTIONS}. */
  private static int blobConnections(String v) {
    if (v == null) {
      return RegistryClient.DEFAULT_BLOB_CONNECTIONS;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IndexerConfigException("BLOB_CONNECTIONS must be a whole number from 1 to "
          + RegistryClient.MAX_BLOB_CONNECTIONS + ", got '" + v + "'", e);
    }
  }

  /** {@code SOCI_OPTIMIZATIONS}: comma-separated soci optimization names; blank for none. */
  private static Set<Optimization> optimizations(String list) {
    Set<Optimization> out = EnumSet.noneOf(Optimization.class);
    if (list.isBlank()) {
      return out;
    }
    for (String name : list.split(",", -1)) {
      try {
        out.add(Optimization.parse(name.strip()));
      } catch (IllegalArgumentException e) {
        throw new IndexerConfigException("SOCI_OPTIMIZATIONS must be a comma-separated list of soci optimizations"
            + " (valid: xattr), got '" + list + "'", e);
      }
    }
    return out;
  }

  /** The indexing options for one run; parallelism follows the processors Lambda gives the function now. */
  IndexOptions indexOptions() {
    return IndexOptions.defaults(buildTool).withLimits(limits).withVersion(indexVersion).withSpanSize(spanSize)
        .withMinLayerSize(minLayerSize).withTagSuffix(tagSuffix).withOptimizations(optimizations);
  }

  /** {@code "SOCI Index Builder v<project version>"}. */
  public static String defaultBuildTool() {
    return BuildInfo.defaultBuildTool();
  }

  private static String value(Map<String, String> env, String name, String fallback) {
    String v = env.get(name);
    return v == null || v.isBlank() ? fallback : v.strip();
  }

  private static long number(Map<String, String> env, String name, long fallback) {
    String v = value(env, name, null);
    if (v == null) {
      return fallback;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IndexerConfigException(name + " must be a whole number of bytes, got '" + v + "'", e);
    }
  }
}
