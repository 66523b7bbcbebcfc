package dev.socibuilder.infra;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Token;
import software.amazon.awscdk.services.events.IEventBus;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.iam.IManagedPolicy;
import software.amazon.awscdk.services.lambda.ApplicationLogLevel;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sns.ITopic;

/**
 * How a {@link SociIndexBuilder} is configured. Only {@link Builder#artifacts} is required; everything else has the
 * default the ready-to-deploy stack uses. Values that may come from a CloudFormation parameter (filters, index
 * version, sizes, suffix, untagged pushes, memory, reserved concurrency, backfill schedule and pace, zTOC cache days,
 * SOCI optimizations, zTOC limits) also take unresolved tokens, which are checked at deploy time; literal values are
 * checked when {@link Builder#build()} is called.
 *
 * <pre>{@code
 * SociIndexBuilderProps.builder()
 *     .artifacts(LambdaArtifacts.inRepository(Path.of("soci-index-builder")))
 *     .filters("team/*:*,!team/scratch:*")
 *     .indexerMemoryMiB(4096)
 *     .resultBus(pipelineBus)
 *     .alarmTopic(opsTopic)
 *     .build();
 * }</pre>
 */
public final class SociIndexBuilderProps {

  /** Default {@link Builder#filters}: every repository and tag. */
  public static final String DEFAULT_FILTERS = "*:*";
  /** Default {@link Builder#spanSizeBytes}, as soci: 4 MiB. */
  public static final long DEFAULT_SPAN_SIZE = 4L << 20;
  /** Smallest {@link Builder#spanSizeBytes}: 1 MiB. */
  public static final long MIN_SPAN_SIZE = 1L << 20;
  /** Largest {@link Builder#spanSizeBytes}: 1 GiB. */
  public static final long MAX_SPAN_SIZE = 1L << 30;
  /** Default {@link Builder#minLayerSizeBytes}, as soci: 10 MiB. */
  public static final long DEFAULT_MIN_LAYER_SIZE = 10L << 20;
  /** Largest {@link Builder#minLayerSizeBytes} accepted (a sanity bound: 1 PB). */
  public static final long MAX_MIN_LAYER_SIZE = 999_999_999_999_999L;
  /** Default {@link Builder#tagSuffix}, as {@code soci convert}. */
  public static final String DEFAULT_TAG_SUFFIX = "-soci";
  /** Default {@link Builder#indexerMemoryMiB}: about 1.7 vCPUs. */
  public static final int DEFAULT_INDEXER_MEMORY = 3008;
  /** Smallest {@link Builder#indexerMemoryMiB}. */
  public static final int MIN_INDEXER_MEMORY = 512;
  /** Largest {@link Builder#indexerMemoryMiB} (Lambda's maximum). */
  public static final int MAX_INDEXER_MEMORY = 10_240;
  /**
   * Largest {@link Builder#indexerReservedConcurrency} accepted here. What an account can really reserve is its
   * concurrent-executions quota (1000 by default, lower on new accounts) minus 100, which Lambda always keeps
   * unreserved, minus what other functions reserve.
   */
  public static final int MAX_RESERVED_CONCURRENCY = 10_000;

  /** {@link Builder#backfillSchedule(String)} that turns the scheduled sweep off. */
  public static final String NO_BACKFILL_SCHEDULE = "none";
  /** Default {@link Builder#backfillSchedule(String)}: one sweep a day. */
  public static final String DEFAULT_BACKFILL_SCHEDULE = "rate(1 day)";
  /** Default {@link Builder#backfillInvokesPerMinute}. */
  public static final int DEFAULT_BACKFILL_INVOKES_PER_MINUTE = 20;
  /** Largest {@link Builder#backfillInvokesPerMinute} (what the sweep accepts: 1000 a second). */
  public static final int MAX_BACKFILL_INVOKES_PER_MINUTE = 60_000;
  /** Default {@link Builder#blobConnections}: as the indexer's own default. */
  public static final int DEFAULT_BLOB_CONNECTIONS = 4;
  /** Largest {@link Builder#blobConnections} (what the indexer accepts). */
  public static final int MAX_BLOB_CONNECTIONS = 16;
  /** Default {@link Builder#ztocCacheDays}. */
  public static final int DEFAULT_ZTOC_CACHE_DAYS = 90;
  /** Largest {@link Builder#ztocCacheDays} accepted (a sanity bound: 100 years). */
  public static final int MAX_ZTOC_CACHE_DAYS = 36_500;
  /** The SOCI optimizations the indexer knows ({@code SOCI_OPTIMIZATIONS}); empty = none, as in soci. */
  public static final List<String> SOCI_OPTIMIZATIONS = List.of("", "xattr");

  /**
   * An EventBridge schedule expression or {@value #NO_BACKFILL_SCHEDULE}: {@code rate(N unit)} with a singular unit
   * for 1 and a plural one otherwise (as EventBridge requires), or {@code cron(...)} with its six fields.
   */
  static final Pattern BACKFILL_SCHEDULE = Pattern.compile("none"
      + "|rate\\((1 (minute|hour|day)|([2-9]|[1-9][0-9]{1,4}) (minutes|hours|days))\\)"
      + "|cron\\([0-9A-Za-z*?,/#-]+( [0-9A-Za-z*?,/#-]+){5}\\)");
  /** One zTOC limit as {@code ZtocLimits.parse} (module ztoc-core) reads it: a known name, a positive size. */
  private static final String ZTOC_LIMIT =
      "(toc-entries|xattr-bytes|ztoc-bytes|min-span-size)=[1-9][0-9]{0,17}(KiB|MiB|GiB)?";
  /** Empty (the defaults), or one to four comma-separated limits, without spaces. */
  static final Pattern ZTOC_LIMITS = Pattern.compile("|" + ZTOC_LIMIT + "(," + ZTOC_LIMIT + "){0,3}");

  /** A suffix of an image tag: at least one of ECR's tag characters (an empty suffix would overwrite the tag). */
  static final Pattern TAG_SUFFIX = Pattern.compile("[A-Za-z0-9._-]{1,32}");

  private final LambdaArtifacts artifacts;
  private final String filters;
  private final IndexVersion indexVersion;
  private final Number spanSizeBytes;
  private final Number minLayerSizeBytes;
  private final String tagSuffix;
  private final String indexUntaggedPushes;
  private final Number indexerMemoryMiB;
  private final Number indexerReservedConcurrency;
  private final IEventBus resultBus;
  private final ITopic alarmTopic;
  private final RetentionDays logRetention;
  private final RemovalPolicy removalPolicy;
  private final IManagedPolicy permissionsBoundary;
  private final ApplicationLogLevel logLevel;
  private final String backfillSchedule;
  private final Number backfillInvokesPerMinute;
  private final Number blobConnections;
  private final int sweepReservedConcurrency;
  private final boolean ztocCache;
  private final Number ztocCacheDays;
  private final RemovalPolicy ztocCacheRemovalPolicy;
  private final String sociOptimizations;
  private final String ztocLimits;

  private SociIndexBuilderProps(Builder b) {
    this.artifacts = Objects.requireNonNull(b.artifacts, "artifacts (the packaged Lambda jars) are required");
    this.filters = b.filters;
    this.indexVersion = b.indexVersion;
    this.spanSizeBytes = b.spanSizeBytes;
    this.minLayerSizeBytes = b.minLayerSizeBytes;
    this.tagSuffix = b.tagSuffix;
    this.indexUntaggedPushes = b.indexUntaggedPushes;
    this.indexerMemoryMiB = b.indexerMemoryMiB;
    this.indexerReservedConcurrency = b.indexerReservedConcurrency;
    this.resultBus = b.resultBus;
    this.alarmTopic = b.alarmTopic;
    this.logRetention = b.logRetention;
    this.removalPolicy = b.removalPolicy;
    this.permissionsBoundary = b.permissionsBoundary;
    this.logLevel = b.logLevel;
    this.backfillSchedule = b.backfillSchedule;
    this.backfillInvokesPerMinute = b.backfillInvokesPerMinute;
    this.blobConnections = b.blobConnections;
    this.sweepReservedConcurrency = b.sweepReservedConcurrency;
    this.ztocCache = b.ztocCache;
    this.ztocCacheDays = b.ztocCacheDays;
    this.ztocCacheRemovalPolicy = b.ztocCacheRemovalPolicy;
    this.sociOptimizations = b.sociOptimizations;
    this.ztocLimits = b.ztocLimits;
    if (!Token.isUnresolved(filters)) {
      RepositoryArns.repositoryGlobs(filters); // throws naming the bad filter
    }
    requireWhole("spanSizeBytes", spanSizeBytes, MIN_SPAN_SIZE, MAX_SPAN_SIZE);
    requireWhole("minLayerSizeBytes", minLayerSizeBytes, 0, MAX_MIN_LAYER_SIZE);
    requireWhole("indexerMemoryMiB", indexerMemoryMiB, MIN_INDEXER_MEMORY, MAX_INDEXER_MEMORY);
    requireWhole("indexerReservedConcurrency", indexerReservedConcurrency, 0, MAX_RESERVED_CONCURRENCY);
    if (!Token.isUnresolved(tagSuffix) && !TAG_SUFFIX.matcher(tagSuffix).matches()) {
      throw new IllegalArgumentException("tagSuffix must be 1 to 32 of [A-Za-z0-9._-], got '" + tagSuffix + "'");
    }
    if (!Token.isUnresolved(indexUntaggedPushes) && !List.of("true", "false").contains(indexUntaggedPushes)) {
      throw new IllegalArgumentException("indexUntaggedPushes must be true or false, got '" + indexUntaggedPushes
          + "'");
    }
    requireWhole("backfillInvokesPerMinute", backfillInvokesPerMinute, 1, MAX_BACKFILL_INVOKES_PER_MINUTE);
    requireWhole("blobConnections", blobConnections, 1, MAX_BLOB_CONNECTIONS);
    if (sweepReservedConcurrency < 0 || sweepReservedConcurrency > 1) {
      throw new IllegalArgumentException("sweepReservedConcurrency must be 0 (unreserved) or 1, got "
          + sweepReservedConcurrency);
    }
    requireWhole("ztocCacheDays", ztocCacheDays, 1, MAX_ZTOC_CACHE_DAYS);
    if (!Token.isUnresolved(backfillSchedule) && !BACKFILL_SCHEDULE.matcher(backfillSchedule).matches()) {
      throw new IllegalArgumentException("backfillSchedule must be none, rate(N unit) or cron(six fields), got '"
          + backfillSchedule + "'");
    }
    if (ztocCacheRemovalPolicy == RemovalPolicy.SNAPSHOT) {
      throw new IllegalArgumentException("ztocCacheRemovalPolicy must be RETAIN, RETAIN_ON_UPDATE_OR_DELETE or"
          + " DESTROY: an S3 bucket has no snapshot");
    }
    if (!Token.isUnresolved(sociOptimizations) && !SOCI_OPTIMIZATIONS.contains(sociOptimizations)) {
      throw new IllegalArgumentException("sociOptimizations must be empty or xattr, got '" + sociOptimizations + "'");
    }
    if (!Token.isUnresolved(ztocLimits) && !ZTOC_LIMITS.matcher(ztocLimits).matches()) {
      throw new IllegalArgumentException("ztocLimits must be empty or NAME=SIZE[,NAME=SIZE...] with names"
          + " toc-entries, xattr-bytes, ztoc-bytes, min-span-size and sizes like 1000000 or 256MiB, got '"
          + ztocLimits + "'");
    }
  }

  /** A builder with every default set. */
  public static Builder builder() {
    return new Builder();
  }

  private static void requireWhole(String name, Number value, long min, long max) {
    if (Token.isUnresolved(value)) {
      return;
    }
    double d = value.doubleValue();
    if (d != Math.rint(d) || d < min || d > max) {
      throw new IllegalArgumentException(name + " must be a whole number from " + min + " to " + max + ", got "
          + value);
    }
  }

  /** The packaged Lambda jars. */
  public LambdaArtifacts artifacts() {
    return artifacts;
  }

  /** The {@code REPOSITORY:TAG} filter list (comma-separated), or its token. */
  public String filters() {
    return filters;
  }

  public IndexVersion indexVersion() {
    return indexVersion;
  }

  public Number spanSizeBytes() {
    return spanSizeBytes;
  }

  public Number minLayerSizeBytes() {
    return minLayerSizeBytes;
  }

  public String tagSuffix() {
    return tagSuffix;
  }

  /** {@code "true"} or {@code "false"}, or its token. */
  public String indexUntaggedPushes() {
    return indexUntaggedPushes;
  }

  public Number indexerMemoryMiB() {
    return indexerMemoryMiB;
  }

  /** 0 means unreserved. */
  public Number indexerReservedConcurrency() {
    return indexerReservedConcurrency;
  }

  /** The bus for result events, or null for the account's default bus. */
  public IEventBus resultBus() {
    return resultBus;
  }

  /** The topic alarms notify, or null to create one. */
  public ITopic alarmTopic() {
    return alarmTopic;
  }

  public RetentionDays logRetention() {
    return logRetention;
  }

  public RemovalPolicy removalPolicy() {
    return removalPolicy;
  }

  /** The permissions boundary of every role, or null for none. */
  public IManagedPolicy permissionsBoundary() {
    return permissionsBoundary;
  }

  public ApplicationLogLevel logLevel() {
    return logLevel;
  }

  /** The sweep's schedule expression, {@value #NO_BACKFILL_SCHEDULE}, or its token. */
  public String backfillSchedule() {
    return backfillSchedule;
  }

  public Number backfillInvokesPerMinute() {
    return backfillInvokesPerMinute;
  }

  public Number blobConnections() {
    return blobConnections;
  }

  /** 1 to keep the sweep to one run at a time with reserved concurrency; 0 (the default) leaves it unreserved. */
  public int sweepReservedConcurrency() {
    return sweepReservedConcurrency;
  }

  /** Whether the construct creates the zTOC cache bucket. */
  public boolean ztocCache() {
    return ztocCache;
  }

  public Number ztocCacheDays() {
    return ztocCacheDays;
  }

  public RemovalPolicy ztocCacheRemovalPolicy() {
    return ztocCacheRemovalPolicy;
  }

  /** {@code ""} (none) or {@code xattr}, or its token. */
  public String sociOptimizations() {
    return sociOptimizations;
  }

  /** {@code ""} (the defaults) or the indexer's {@code ZTOC_LIMITS}, or its token. */
  public String ztocLimits() {
    return ztocLimits;
  }

  /** Builds {@link SociIndexBuilderProps}; every setter returns the builder. */
  public static final class Builder {
    private LambdaArtifacts artifacts;
    private String filters = DEFAULT_FILTERS;
    private IndexVersion indexVersion = IndexVersion.V2;
    private Number spanSizeBytes = DEFAULT_SPAN_SIZE;
    private Number minLayerSizeBytes = DEFAULT_MIN_LAYER_SIZE;
    private String tagSuffix = DEFAULT_TAG_SUFFIX;
    private String indexUntaggedPushes = "false";
    private Number indexerMemoryMiB = DEFAULT_INDEXER_MEMORY;
    private Number indexerReservedConcurrency = 0;
    private IEventBus resultBus;
    private ITopic alarmTopic;
    private RetentionDays logRetention = RetentionDays.ONE_MONTH;
    private RemovalPolicy removalPolicy = RemovalPolicy.DESTROY;
    private IManagedPolicy permissionsBoundary;
    private ApplicationLogLevel logLevel = ApplicationLogLevel.INFO;
    private String backfillSchedule = DEFAULT_BACKFILL_SCHEDULE;
    private Number backfillInvokesPerMinute = DEFAULT_BACKFILL_INVOKES_PER_MINUTE;
    private Number blobConnections = DEFAULT_BLOB_CONNECTIONS;
    private int sweepReservedConcurrency;
    private boolean ztocCache = true;
    private Number ztocCacheDays = DEFAULT_ZTOC_CACHE_DAYS;
    private RemovalPolicy ztocCacheRemovalPolicy = RemovalPolicy.RETAIN;
    private String sociOptimizations = "";
    private String ztocLimits = "";

    private Builder() {}

    /** Required: the packaged filter and indexer jars ({@code mvn package}). */
    public Builder artifacts(LambdaArtifacts artifacts) {
      this.artifacts = artifacts;
      return this;
    }

    /**
     * Which pushes are indexed, and so which repositories the indexer may write: comma-separated
     * {@code REPOSITORY:TAG} globs ({@code *}, {@code ?}), the last match deciding, a leading {@code !} excluding;
     * a list of exclusions only starts from {@code *:*}. Default {@code *:*}. A token (a parameter)
     * takes at most 10 filters, without spaces.
     */
    public Builder filters(String filters) {
      this.filters = Objects.requireNonNull(filters, "filters");
      return this;
    }

    /** The filters as a list. */
    public Builder filters(List<String> filters) {
      return filters(String.join(",", filters));
    }

    /** V2 (default) or V1. */
    public Builder indexVersion(IndexVersion indexVersion) {
      this.indexVersion = Objects.requireNonNull(indexVersion, "indexVersion");
      return this;
    }

    /** Uncompressed bytes between zTOC checkpoints, 1 MiB to 1 GiB; default 4 MiB. */
    public Builder spanSizeBytes(Number bytes) {
      this.spanSizeBytes = Objects.requireNonNull(bytes, "spanSizeBytes");
      return this;
    }

    /** Smaller (compressed) layers get no zTOC; default 10 MiB. */
    public Builder minLayerSizeBytes(Number bytes) {
      this.minLayerSizeBytes = Objects.requireNonNull(bytes, "minLayerSizeBytes");
      return this;
    }

    /** Suffix of the v2 tag ({@code <tag><suffix>}); tags ending with it are never indexed. Default -soci. */
    public Builder tagSuffix(String suffix) {
      this.tagSuffix = Objects.requireNonNull(suffix, "tagSuffix");
      return this;
    }

    /** Whether pushes by digest only are indexed too (default false). */
    public Builder indexUntaggedPushes(boolean index) {
      this.indexUntaggedPushes = Boolean.toString(index);
      return this;
    }

    /** {@code "true"}, {@code "false"} or a token of either. */
    public Builder indexUntaggedPushes(String index) {
      this.indexUntaggedPushes = Objects.requireNonNull(index, "indexUntaggedPushes");
      return this;
    }

    /** Indexer memory, 512 to 10240 MiB (vCPUs follow: layers are indexed in parallel); default 3008. */
    public Builder indexerMemoryMiB(Number mebibytes) {
      this.indexerMemoryMiB = Objects.requireNonNull(mebibytes, "indexerMemoryMiB");
      return this;
    }

    /**
     * Most indexers running at once; 0 (the default) leaves the function unreserved, sharing the account's
     * unreserved concurrency. An account can reserve at most its quota minus 100.
     */
    public Builder indexerReservedConcurrency(Number concurrency) {
      this.indexerReservedConcurrency = Objects.requireNonNull(concurrency, "indexerReservedConcurrency");
      return this;
    }

    /** Where result events go (any bus the account may put to); default the account's default bus. */
    public Builder resultBus(IEventBus bus) {
      this.resultBus = bus;
      return this;
    }

    /** The topic the alarms notify; default a new topic ({@link SociIndexBuilder#getAlarmTopic()}). */
    public Builder alarmTopic(ITopic topic) {
      this.alarmTopic = topic;
      return this;
    }

    /** How long the functions' logs are kept; default one month. */
    public Builder logRetention(RetentionDays retention) {
      this.logRetention = Objects.requireNonNull(retention, "logRetention");
      return this;
    }

    /** What happens to the log groups, queues and created topic when they leave the stack; default DESTROY. */
    public Builder removalPolicy(RemovalPolicy policy) {
      this.removalPolicy = Objects.requireNonNull(policy, "removalPolicy");
      return this;
    }

    /** A managed policy set as the permissions boundary of every role the construct creates. */
    public Builder permissionsBoundary(IManagedPolicy boundary) {
      this.permissionsBoundary = boundary;
      return this;
    }

    /** The functions' application log level (their JSON lines carry a level); default INFO. */
    public Builder logLevel(ApplicationLogLevel level) {
      this.logLevel = Objects.requireNonNull(level, "logLevel");
      return this;
    }

    /**
     * When the sweep runs besides after each deployment: an EventBridge schedule expression
     * ({@code rate(12 hours)}, {@code cron(0 3 * * ? *)}), or {@value #NO_BACKFILL_SCHEDULE} for no schedule. Default
     * {@value #DEFAULT_BACKFILL_SCHEDULE}. The sweep sends the indexer the images the filters select that have no
     * index yet: those pushed before the deployment, and pushes whose ECR event was lost.
     */
    public Builder backfillSchedule(String expression) {
      this.backfillSchedule = Objects.requireNonNull(expression, "backfillSchedule");
      return this;
    }

    /** The sweep's schedule; null for none. */
    public Builder backfillSchedule(Schedule schedule) {
      return backfillSchedule(schedule == null ? NO_BACKFILL_SCHEDULE : schedule.getExpressionString());
    }

    /**
     * Most indexer invokes the sweep sends per minute (default 20), so that a backfill does not flood the indexer:
     * at most its reserved concurrency × 60 / the seconds an image takes to index, or requests queue up in Lambda
     * (and are dropped after 6 hours).
     */
    public Builder backfillInvokesPerMinute(Number invokes) {
      this.backfillInvokesPerMinute = Objects.requireNonNull(invokes, "backfillInvokesPerMinute");
      return this;
    }

    /**
     * Connections the indexer downloads one large layer over (default 4, 1 to 16; {@code BLOB_CONNECTIONS}):
     * a layer of 64 MiB or more whose one connection is slower than its zTOC build is fetched on as 8 MiB
     * ranges over this many connections at once, since one connection to the storage behind ECR carries tens
     * to a few hundred MB/s. 1 reads each layer as one stream.
     */
    public Builder blobConnections(Number connections) {
      this.blobConnections = Objects.requireNonNull(connections, "blobConnections");
      return this;
    }

    /**
     * 1 reserves one concurrent execution for the sweep, so that two sweeps never run at once (a trigger arriving
     * during a run waits in Lambda's asynchronous queue). 0, the default, leaves it unreserved, because an account
     * can only reserve what exceeds 100 unreserved executions (new accounts cannot reserve any). Unreserved, a
     * deployment during a scheduled sweep starts a second one: both hand the same images to the indexer, which
     * finds them indexed (or converges on the same index), so the cost is duplicate work, not a wrong result.
     */
    public Builder sweepReservedConcurrency(int concurrency) {
      this.sweepReservedConcurrency = concurrency;
      return this;
    }

    /**
     * Whether the indexer reuses zTOCs across images and repositories from an S3 bucket the construct creates
     * (default true). Without it every layer of every image is indexed.
     */
    public Builder ztocCache(boolean enabled) {
      this.ztocCache = enabled;
      return this;
    }

    /**
     * Days after which a zTOC cache entry not used since expires (default 90; at least 1). The indexer rewrites an
     * entry it reuses when it is more than a day old, so the days count from its last use.
     */
    public Builder ztocCacheDays(Number days) {
      this.ztocCacheDays = Objects.requireNonNull(days, "ztocCacheDays");
      return this;
    }

    /**
     * What happens to the zTOC cache bucket when it leaves the stack; default RETAIN (the bucket and its entries
     * stay). DESTROY empties and deletes it (CDK's auto-delete custom resource).
     */
    public Builder ztocCacheRemovalPolicy(RemovalPolicy policy) {
      this.ztocCacheRemovalPolicy = Objects.requireNonNull(policy, "ztocCacheRemovalPolicy");
      return this;
    }

    /**
     * soci's index optimizations ({@code soci convert --optimizations}): {@code ""} (default, none, as in soci) or
     * {@code xattr} (layers without extended attributes are marked so that the snapshotter skips xattr lookups).
     */
    public Builder sociOptimizations(String optimizations) {
      this.sociOptimizations = Objects.requireNonNull(optimizations, "sociOptimizations");
      return this;
    }

    /**
     * The indexer's zTOC limits ({@code ZTOC_LIMITS}), e.g. {@code toc-entries=8000000,ztoc-bytes=1GiB}: names
     * {@code toc-entries}, {@code xattr-bytes}, {@code ztoc-bytes}, {@code min-span-size}, sizes in bytes or with
     * {@code KiB}, {@code MiB}, {@code GiB}. Default {@code ""}: the indexer's defaults.
     */
    public Builder ztocLimits(String limits) {
      this.ztocLimits = Objects.requireNonNull(limits, "ztocLimits");
      return this;
    }

    /**
     * @throws NullPointerException if the artifacts are missing
     * @throws IllegalArgumentException naming the first literal value out of range
     */
    public SociIndexBuilderProps build() {
      return new SociIndexBuilderProps(this);
    }
  }
}
