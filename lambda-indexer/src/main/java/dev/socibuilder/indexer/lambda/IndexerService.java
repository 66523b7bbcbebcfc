package dev.socibuilder.indexer.lambda;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.indexer.IndexListener;
import dev.socibuilder.indexer.IndexOptions;
import dev.socibuilder.indexer.IndexReport;
import dev.socibuilder.indexer.IndexReport.ZtocSource;
import dev.socibuilder.indexer.IndexingException;
import dev.socibuilder.indexer.IndexingService;
import dev.socibuilder.indexer.cache.ZtocCache;
import dev.socibuilder.indexer.store.ImageStore;
import dev.socibuilder.indexer.store.RegistryImageStore;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.DistributionNames;
import dev.socibuilder.registry.CredentialsProvider;
import dev.socibuilder.registry.Deadline;
import dev.socibuilder.registry.DeadlineExceededException;
import dev.socibuilder.registry.EcrCredentialsProvider;
import dev.socibuilder.registry.EcrRegistryHost;
import dev.socibuilder.registry.ManifestDescriptor;
import dev.socibuilder.registry.RegistryClient;
import dev.socibuilder.registry.RegistryException;
import dev.socibuilder.registry.RetryPolicy;
import dev.socibuilder.soci.SociIndex;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Indexes the image of one {@link IndexerRequest} with the {@link IndexingService} and says how it went,
 * in the response, in the log and as a result event on EventBridge.
 *
 * <ul>
 *   <li><b>Success</b> (indexed, already indexed, SOCI-enabled image, nothing to index, superseded: the
 *       tag moved on while the image was indexed): a result whose message says why, and one event.
 *   <li><b>Transient failure</b> (a registry 5xx/429/timeout after the client's own retries, a dropped
 *       connection, a throttled {@code GetAuthorizationToken}, the invocation's deadline reached, or
 *       anything unexpected): one event with
 *       {@code "retrying": true}, then the exception is rethrown so that Lambda's asynchronous invoke
 *       retries the request and, after the last attempt, sends it to the on-failure destination.
 *   <li><b>Permanent failure</b> (bad request, bad layer data, unsupported manifest, a registry 4xx such
 *       as a missing image or denied access): one event with {@code "retrying": false} and one ERROR
 *       line; the invocation returns normally, so the same request is not retried for nothing.
 * </ul>
 *
 * <p>A request must name an ECR registry of the function's own region and partition; the expected
 * host is derived from the request's account and {@code AWS_REGION} with the SDK's partition DNS
 * suffix ({@code amazonaws.com.cn} in China).
 *
 * <p>Per invocation, a fresh registry client and ECR credentials provider are made: the ECR token is
 * fetched lazily on the registry's first 401 in each invocation, never at construction, so that a
 * SnapStart snapshot holds no token and no open connection. Only the AWS SDK clients are long-lived.
 *
 * <p>If the result event cannot be put, that is logged at ERROR and the result stands: a success is
 * never turned into a failure (and so into a retry that would find the image already indexed).
 */
public final class IndexerService {

  /** How long a registry may take to connect or answer. */
  static final Duration REGISTRY_TIMEOUT = Duration.ofSeconds(30);

  // Repository names and tags are checked by DistributionNames' scanners: the grammar's regular
  // expressions recurse per repeated group, and a hostile request's long name would overflow the stack.
  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128}");

  private final IndexerConfig config;
  private final EcrClient ecr;
  private final ResultEvents events;
  private final RetryPolicy retry;
  private final Consumer<String> logSink;
  private final ZtocCache ztocCache;
  /** The JIT setting read at the first request (see {@link #jit}), and whether it was read. */
  private JitSetting jit;
  private boolean jitRead;

  /**
   * A service with explicit clients (tests, other hosts).
   *
   * @param config what to build and where to report
   * @param ecr for {@code GetAuthorizationToken}; not closed by this service
   * @param eventBridge for the result events; not closed by this service
   * @param retry how transient registry failures are retried within one invocation
   * @param logSink receives one JSON line per log entry
   */
  public IndexerService(IndexerConfig config, EcrClient ecr, EventBridgeClient eventBridge, RetryPolicy retry,
      Consumer<String> logSink) {
    this(config, ecr, eventBridge, retry, logSink, null);
  }

  /**
   * A service with explicit clients and a zTOC cache (tests, other hosts).
   *
   * @param ztocCache the zTOC cache shared across repositories (see {@link S3ZtocCache}), or null for none
   */
  public IndexerService(IndexerConfig config, EcrClient ecr, EventBridgeClient eventBridge, RetryPolicy retry,
      Consumer<String> logSink, ZtocCache ztocCache) {
    this.config = Objects.requireNonNull(config, "config");
    this.ecr = Objects.requireNonNull(ecr, "ecr");
    this.events = new ResultEvents(Objects.requireNonNull(eventBridge, "eventBridge"), config.eventBusName());
    this.retry = Objects.requireNonNull(retry, "retry");
    this.logSink = Objects.requireNonNull(logSink, "logSink");
    this.ztocCache = ztocCache;
  }

  /**
   * The JIT this execution environment runs with, read at its first request (the management bean costs a few
   * tens of milliseconds once), with a warning then if C2 is off: the indexer's options did not take effect.
   */
  private synchronized String jit(JsonLog log) {
    if (!jitRead) {
      jitRead = true;
      jit = JitSetting.current();
      if (jit != null && !jit.c2()) {
        log.warn("the JVM runs without C2 (" + jit.describe() + "): large layers index about twice as slowly; set"
            + " JAVA_TOOL_OPTIONS=" + JitSetting.C2_JAVA_TOOL_OPTIONS + " on the function, as the stack does",
            Map.of());
      }
    }
    return jit == null ? "unknown" : jit.describe();
  }

  /**
   * The service as the Lambda function runs it: configuration from {@code env}; ECR and EventBridge
   * clients (and S3 for the zTOC cache when {@code ZTOC_CACHE_BUCKET} is set) for {@code AWS_REGION} on
   * the JDK's URL connection, with the default credentials (the function's role) and the SDK's endpoint
   * resolution (which honours {@code AWS_ENDPOINT_URL_ECR}, {@code AWS_ENDPOINT_URL_EVENTBRIDGE},
   * {@code AWS_ENDPOINT_URL_S3} and {@code AWS_ENDPOINT_URL}); logs to standard output.
   * Builds clients only: no network call, no credentials resolved.
   *
   * @throws IndexerConfigException if the environment is invalid
   */
  public static IndexerService fromEnvironment(Map<String, String> env) {
    IndexerConfig config = IndexerConfig.fromEnvironment(env);
    Region region = Region.of(config.region());
    DefaultCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
    EcrClient ecr = EcrClient.builder()
        .region(region)
        .credentialsProvider(credentials)
        .httpClientBuilder(awsHttpClient())
        .build();
    EventBridgeClient eventBridge = EventBridgeClient.builder()
        .region(region)
        .credentialsProvider(credentials)
        .httpClientBuilder(awsHttpClient())
        .build();
    ZtocCache ztocCache = null;
    if (config.ztocCacheBucket() != null) {
      S3Client s3 = S3ZtocCache.clientBuilder().region(region).credentialsProvider(credentials).build();
      ztocCache = new S3ZtocCache(s3, config.ztocCacheBucket(), config.ztocCachePrefix());
    }
    return new IndexerService(config, ecr, eventBridge, RetryPolicy.defaults(), System.out::println, ztocCache);
  }

  /** The JDK-based HTTP client for the AWS APIs: small, and no connection pool to keep warm. */
  private static UrlConnectionHttpClient.Builder awsHttpClient() {
    return UrlConnectionHttpClient.builder()
        .connectionTimeout(Duration.ofSeconds(5))
        .socketTimeout(Duration.ofSeconds(20));
  }

  /** The configuration this service runs with. */
  public IndexerConfig config() {
    return config;
  }

  /**
   * Handles one request: validates it, indexes the image, logs, and puts the result event.
   *
   * @param request the request as deserialized (may be null or incomplete: that is a bad request)
   * @param requestId the Lambda request id for the log lines, or null
   * @return the result of a success or of a permanent failure
   * @throws RegistryException if the registry (or ECR's token service) failed transiently
   * @throws UncheckedIOException if reading from the registry failed
   * @throws RuntimeException anything unexpected, after it is reported, so that Lambda retries
   */
  public IndexerResult handle(IndexerRequest request, String requestId) {
    return handle(request, requestId, Deadline.none());
  }

  /**
   * Handles one request that must be over by {@code deadline}: the registry client and the indexing
   * service stop at it, and a run stopped there is a transient failure (reported, then rethrown so that
   * Lambda retries it) instead of an invocation killed at the function timeout without a word.
   *
   * @see #handle(IndexerRequest, String)
   */
  public IndexerResult handle(IndexerRequest request, String requestId, Deadline deadline) {
    long start = System.nanoTime();
    JsonLog log = JsonLog.forRequest(logSink, requestId, request);
    String version = config.indexVersion() == SociIndex.Version.V2 ? "v2" : "v1";
    String invalid = invalid(request);
    if (invalid != null) {
      return permanentFailure(request, log, version, "bad request: " + invalid, start);
    }
    EcrRegistryHost host = EcrRegistryHost.parse(request.getRegistry()).orElseThrow();
    String ecrHost = host.host();
    String account = host.account();
    Map<String, Object> started = new LinkedHashMap<>();
    started.put("mediaType", request.getMediaType());
    started.put("indexVersion", version);
    started.put("jit", jit(log));
    log.info("indexing started", started);
    try {
      IndexerResult result = index(request, ecrHost, log, start, deadline);
      log.info(result.message(), resultFields(result));
      announce(result, account, log);
      return result;
    } catch (IndexingException e) {
      return permanentFailure(request, log, version, e.getMessage(), start);
    } catch (DeadlineExceededException e) {
      throw transientFailure(request, log, version, account, e.getMessage(), e, start);
    } catch (RegistryException e) {
      if (!isTransient(e)) {
        return permanentFailure(request, log, version, e.getMessage(), start);
      }
      throw transientFailure(request, log, version, account, e.getMessage(), e, start);
    } catch (UncheckedIOException e) {
      throw transientFailure(request, log, version, account,
          e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause() + ")"), e, start);
    } catch (RuntimeException e) {
      // Not a failure the service knows: keep the request (Lambda retries, then the failure queue has it).
      throw transientFailure(request, log, version, account, "unexpected " + e, e, start);
    }
  }

  /**
   * Whether retrying may help. A failed {@code GetAuthorizationToken} arrives as a registry failure
   * wrapping the SDK's exception, whose own flag misses throttling and unreachable endpoints: those are
   * transient too; a denied or invalid call is not.
   */
  private static boolean isTransient(RegistryException e) {
    if (e.isTransient()) {
      return true;
    }
    if (e.getCause() instanceof SdkServiceException s) {
      return s.isThrottlingException() || s.statusCode() >= 500;
    }
    return e.getCause() instanceof SdkClientException;
  }

  private IndexerResult index(IndexerRequest request, String ecrHost, JsonLog log, long start, Deadline deadline) {
    URI override = config.registryEndpointOverride();
    String httpHost = override == null ? ecrHost : override.getRawAuthority();
    boolean plainHttp = override != null && "http".equals(override.getScheme());
    // A fresh provider per invocation: the token is fetched on the registry's first 401, in this invocation.
    EcrCredentialsProvider ecrCredentials = new EcrCredentialsProvider(ecr);
    CredentialsProvider credentials = registry -> registry.equals(httpHost) ? ecrCredentials.credentialsFor(ecrHost)
        : null;
    try (RegistryClient client = RegistryClient.builder().credentials(credentials).retry(retry).plainHttp(plainHttp)
        .timeout(REGISTRY_TIMEOUT).deadline(deadline).blobConnections(config.blobConnections())
        .warnings(w -> log.warn(w, Map.of())).build()) {
      ImageStore store = new RegistryImageStore(client, httpHost, request.getRepository());
      IndexOptions options = config.indexOptions();
      IndexingService service = new IndexingService(options, listener(log), ztocCache, deadline);
      Digest digest = Digest.parse(request.getDigest());
      String tag = request.getTag();
      String note = null;
      IndexReport report;
      if (tag == null) {
        report = service.index(store, null, digest);
      } else {
        // The result is tagged <tag><suffix> only while <tag> still names the pushed image: a later push
        // of the same tag has its own request, and an older request must not tag over its result.
        Optional<ManifestDescriptor> current = client.headManifest(httpHost, request.getRepository(), tag, null);
        if (current.isPresent() && current.get().digest().equals(digest)) {
          report = service.index(store, tag, digest); // reads by digest, tags <tag><suffix>
        } else {
          note = "tag " + tag + (current.isPresent() ? " now points at " + current.get().digest() : " no longer exists")
              + ", so the image was indexed by digest and " + tag + options.tagSuffix() + " was left alone";
          log.warn("tag moved since the push", Map.of("currentDigest",
              current.map(d -> d.digest().toString()).orElse("(none)")));
          report = service.index(store, null, digest);
        }
      }
      return IndexerResult.of(request, report, note, Duration.ofNanos(System.nanoTime() - start));
    }
  }

  private static IndexListener listener(JsonLog log) {
    return new IndexListener() {
      @Override
      public void layersPlanned(int count, long totalBytes) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("layers", (long) count);
        f.put("compressedBytes", totalBytes);
        log.info("building zTOCs", f);
      }

      @Override
      public void layerDone(Descriptor layer, IndexReport.ZtocReport ztoc) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("layerDigest", ztoc.layerDigest());
        f.put("layerSize", ztoc.layerSize());
        f.put("ztocDigest", ztoc.ztocDigest());
        f.put("ztocSize", ztoc.ztocSize());
        f.put("spans", (long) ztoc.spans());
        f.put("source", ztoc.source().jsonName());
        String what = ztoc.source() == ZtocSource.CACHED ? "zTOC reused from the cache" : "zTOC built";
        if (ztoc.cacheProblem() == null) {
          log.info(what, f);
        } else {
          f.put("cacheProblem", ztoc.cacheProblem());
          log.warn(what + " (zTOC cache problem, indexing goes on)", f);
        }
      }

      @Override
      public void step(String message) {
        log.info(message, null);
      }
    };
  }

  private IndexerResult permanentFailure(IndexerRequest request, JsonLog log, String version, String error,
      long start) {
    IndexerResult result = IndexerResult.failed(request, version, error, false,
        Duration.ofNanos(System.nanoTime() - start));
    log.error("indexing failed permanently, not retried: " + error, resultFields(result));
    announce(result, accountOf(request), log);
    return result;
  }

  private RuntimeException transientFailure(IndexerRequest request, JsonLog log, String version, String account,
      String error, RuntimeException e, long start) {
    IndexerResult result = IndexerResult.failed(request, version, error, true,
        Duration.ofNanos(System.nanoTime() - start));
    log.error("indexing failed, Lambda retries the request: " + error, resultFields(result));
    announce(result, account, log);
    return e;
  }

  private void announce(IndexerResult result, String account, JsonLog log) {
    String failure = events.put(result.toMap(), repositoryArn(account, result.repository()));
    if (failure != null) {
      log.error(failure, Map.of("outcome", result.outcome()));
    }
  }

  private static Map<String, Object> resultFields(IndexerResult result) {
    Map<String, Object> f = result.toMap();
    f.remove("message");
    f.remove("registry");
    f.remove("repository");
    f.remove("imageDigest");
    f.remove("tag");
    f.remove("ztocLayers"); // logged one by one as they were done
    return f;
  }

  /** The repository's ARN, for the event's resources; null when the request did not say enough. */
  private String repositoryArn(String account, String repository) {
    return ResultEvents.repositoryArn(config.region(), account, repository);
  }

  private static String accountOf(IndexerRequest request) {
    if (request == null) {
      return null;
    }
    return EcrRegistryHost.parse(request.getRegistry()).map(EcrRegistryHost::account).orElse(null);
  }

  /** Why the request cannot be served, or null if it can. */
  private String invalid(IndexerRequest r) {
    if (r == null) {
      return "no request";
    }
    if (r.getRegistry() == null || r.getRepository() == null || r.getDigest() == null) {
      return "registry, repository and digest are required";
    }
    EcrRegistryHost host = EcrRegistryHost.parse(r.getRegistry()).orElse(null);
    if (host == null) {
      return "registry " + shown(r.getRegistry())
          + " is not an ECR private registry host (<account>.dkr.ecr.<region>.<domain>)";
    }
    EcrRegistryHost expected = EcrRegistryHost.of(host.account(), config.region(),
        PartitionMetadata.of(Region.of(config.region())).dnsSuffix());
    if (!expected.equals(host)) {
      return "registry " + shown(r.getRegistry()) + " is not in this function's region and partition (expected "
          + expected + ")";
    }
    String problem = DistributionNames.repositoryProblem(r.getRepository());
    if (problem != null) {
      return "repository " + shown(r.getRepository()) + " is not a repository name: it " + problem;
    }
    if (!DIGEST.matcher(r.getDigest()).matches()) {
      return "digest " + shown(r.getDigest()) + " is not a sha256 or sha512 digest";
    }
    if (r.getTag() != null && (problem = DistributionNames.tagProblem(r.getTag())) != null) {
      return "tag " + shown(r.getTag()) + " is not a tag: it " + problem;
    }
    if (r.getTag() != null && r.getTag().endsWith(config.tagSuffix())) {
      // The filter never sends these; indexing the builder's own output would nest suffixes forever.
      return "tag " + shown(r.getTag()) + " ends with the SOCI tag suffix " + config.tagSuffix()
          + " (the builder's own output)";
    }
    return null;
  }


  /** A request value quoted for a message, at most 100 characters of it. */
  private static String shown(String value) {
    return "'" + DistributionNames.shorten(value, 100) + "'";
  }
}
