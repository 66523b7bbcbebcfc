package dev.socibuilder.infra;

import java.util.List;
import software.amazon.awscdk.CfnParameter;
import software.amazon.awscdk.CfnParameterProps;
import software.constructs.Construct;

/**
 * The stack's CloudFormation parameters ({@code cdk deploy --parameters NAME=VALUE}). Each one is constrained
 * (allowed values or pattern) so that a wrong value fails the deployment instead of the first indexing run. Whole
 * numbers are {@code String} parameters with an {@link IntegerPattern}: a {@code Number} parameter also takes
 * decimals, which the functions can only reject when they start.
 */
final class StackParameters {

  /** Most REPO:TAG filters accepted; the IAM scoping selects exactly this many entries (see {@link RepositoryArns}). */
  static final int MAX_FILTERS = 10;

  /**
   * One filter: an optional {@code !} (exclusion), a repository glob, {@code :}, a tag glob (empty: pushes by
   * digest only). The character sets are ECR's repository-name and tag alphabets plus the glob characters
   * {@code *} and {@code ?}; whitespace is not allowed, because the IAM scoping splits the raw value on {@code ,},
   * {@code :} and {@code !}.
   */
  private static final String FILTER = "!?[a-z0-9._/*?-]+:[A-Za-z0-9._*?-]*";
  /** CloudFormation matches AllowedPattern against the whole value (Java regex syntax). */
  static final String FILTERS_PATTERN = "^" + FILTER + "(," + FILTER + "){0," + (MAX_FILTERS - 1) + "}$";

  final CfnParameter repositoryImageTagFilters;
  final CfnParameter sociIndexVersion;
  final CfnParameter spanSizeBytes;
  final CfnParameter minLayerSizeBytes;
  final CfnParameter blobConnections;
  final CfnParameter sociTagSuffix;
  final CfnParameter indexUntaggedPushes;
  final CfnParameter indexerMemoryMiB;
  final CfnParameter indexerReservedConcurrency;
  final CfnParameter resultEventBusName;
  final CfnParameter alarmEmail;
  final CfnParameter alarmTopicArn;
  final CfnParameter permissionsBoundaryArn;
  final CfnParameter backfillSchedule;
  final CfnParameter backfillInvokesPerMinute;
  final CfnParameter ztocCacheDays;
  final CfnParameter sociOptimizations;
  final CfnParameter ztocLimits;

  StackParameters(Construct scope) {
    repositoryImageTagFilters = new CfnParameter(scope, "RepositoryImageTagFilters", CfnParameterProps.builder()
        .type("String")
        .defaultValue(SociIndexBuilderProps.DEFAULT_FILTERS)
        .allowedPattern(FILTERS_PATTERN)
        .description("Which pushes to index: up to " + MAX_FILTERS + " comma-separated REPOSITORY:TAG globs"
            + " (* and ? wildcards), the last match deciding, a leading ! excludes, e.g. 'app/*:*,!app/test:*'."
            + " The indexer may write the repositories the positive filters match (every repository for a list"
            + " of exclusions only).")
        .constraintDescription("up to " + MAX_FILTERS + " comma-separated REPOSITORY:TAG globs without spaces;"
            + " repositories lower case [a-z0-9._/-], tags [A-Za-z0-9._-], plus * and ?; ! to exclude")
        .build());
    sociIndexVersion = new CfnParameter(scope, "SociIndexVersion", CfnParameterProps.builder()
        .type("String")
        .defaultValue("V2")
        .allowedValues(List.of("V2", "V1"))
        .description("SOCI index manifest version: V2 (a SOCI-enabled image index tagged TAG+suffix, what"
            + " soci convert does) or V1 (an index manifest referring to the image).")
        .build());
    spanSizeBytes = wholeNumber(scope, "SpanSizeBytes", SociIndexBuilderProps.DEFAULT_SPAN_SIZE,
        SociIndexBuilderProps.MIN_SPAN_SIZE, SociIndexBuilderProps.MAX_SPAN_SIZE,
        "Uncompressed bytes between decompression checkpoints in a zTOC (soci's default is 4194304)."
            + " Smaller spans fetch less per file read but make larger zTOCs.",
        "a whole number of bytes from 1048576 (1 MiB) to 1073741824 (1 GiB), without decimal point or unit");
    minLayerSizeBytes = wholeNumber(scope, "MinLayerSizeBytes", SociIndexBuilderProps.DEFAULT_MIN_LAYER_SIZE,
        0, SociIndexBuilderProps.MAX_MIN_LAYER_SIZE,
        "Layers smaller than this many (compressed) bytes get no zTOC; they are fetched whole (soci's default"
            + " is 10485760).",
        "a whole number of bytes (0 or more), without decimal point or unit");
    sociTagSuffix = new CfnParameter(scope, "SociTagSuffix", CfnParameterProps.builder()
        .type("String")
        .defaultValue(SociIndexBuilderProps.DEFAULT_TAG_SUFFIX)
        .allowedPattern("^" + SociIndexBuilderProps.TAG_SUFFIX.pattern() + "$")
        .description("Appended to the pushed tag to tag the SOCI-enabled image index (V2), e.g. v1 -> v1-soci."
            + " Tags ending with it are never indexed again.")
        .constraintDescription("1 to 32 characters of [A-Za-z0-9._-] (an empty suffix would overwrite the"
            + " pushed tag)")
        .build());
    indexUntaggedPushes = new CfnParameter(scope, "IndexUntaggedPushes", CfnParameterProps.builder()
        .type("String")
        .defaultValue("false")
        .allowedValues(List.of("true", "false"))
        .description("Whether pushes by digest only (without a tag) are indexed too.")
        .build());
    indexerMemoryMiB = wholeNumber(scope, "IndexerMemoryMiB", SociIndexBuilderProps.DEFAULT_INDEXER_MEMORY,
        SociIndexBuilderProps.MIN_INDEXER_MEMORY, SociIndexBuilderProps.MAX_INDEXER_MEMORY,
        "Indexer memory in MiB. Lambda allocates vCPUs in proportion (1769 MiB = 1 vCPU, up to 6 at 10240) and"
            + " layers are indexed in parallel, so more memory indexes faster.",
        "a whole number of MiB from 512 to 10240, without decimal point or unit");
    indexerReservedConcurrency = wholeNumber(scope, "IndexerReservedConcurrency", 0, 0,
        SociIndexBuilderProps.MAX_RESERVED_CONCURRENCY,
        "Most indexer instances running at once (reserved concurrency), so a burst of pushes cannot starve the"
            + " account's other functions; further requests wait in Lambda's queue (up to 6 hours). 0 (the"
            + " default) leaves the indexer unreserved. At most the account's concurrency quota minus 100"
            + " minus what other functions reserve.",
        "0 (unreserved) or a whole number of instances, at most the account's concurrency quota minus 100");
    resultEventBusName = new CfnParameter(scope, "ResultEventBusName", CfnParameterProps.builder()
        .type("String")
        .defaultValue("default")
        .allowedPattern("^[/.\\-_A-Za-z0-9]{1,256}$")
        .description("The event bus, in this account and region, that gets a 'SOCI Index Result' event for every"
            + " request.")
        .constraintDescription("an event bus name: 1 to 256 of [A-Za-z0-9/._-]")
        .build());
    alarmEmail = new CfnParameter(scope, "AlarmEmail", CfnParameterProps.builder()
        .type("String")
        .defaultValue("")
        .allowedPattern("^$|^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$")
        .description("Optional: an e-mail address subscribed to the alarm topic (confirm the subscription mail).")
        .constraintDescription("empty, or an e-mail address")
        .build());
    alarmTopicArn = new CfnParameter(scope, "AlarmTopicArn", CfnParameterProps.builder()
        .type("String")
        .defaultValue("")
        .allowedPattern("^$|^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$")
        .description("Optional: an existing SNS topic for the alarms; empty creates one (output AlarmTopicArn).")
        .constraintDescription("empty, or the ARN of an SNS topic")
        .build());
    permissionsBoundaryArn = new CfnParameter(scope, "PermissionsBoundaryArn", CfnParameterProps.builder()
        .type("String")
        .defaultValue("")
        .allowedPattern("^$|^arn:aws[a-z-]*:iam::[0-9]{12}:policy/[A-Za-z0-9+=,.@_/-]{1,512}$")
        .description("Optional: a managed policy set as the permissions boundary of every role the stack creates.")
        .constraintDescription("empty, or the ARN of an IAM managed policy")
        .build());
    backfillSchedule = new CfnParameter(scope, "BackfillSchedule", CfnParameterProps.builder()
        .type("String")
        .defaultValue(SociIndexBuilderProps.DEFAULT_BACKFILL_SCHEDULE)
        .allowedPattern("^(?:" + SociIndexBuilderProps.BACKFILL_SCHEDULE.pattern() + ")$")
        .description("When the sweep sends the indexer the images already in ECR that the filters select and that"
            + " have no SOCI index (it also runs after every deployment): an EventBridge schedule expression such"
            + " as rate(1 day), rate(12 hours) or cron(0 3 * * ? *), or none.")
        .constraintDescription("none, rate(N unit) with unit minute/hour/day for 1 and minutes/hours/days otherwise,"
            + " or cron(...) with six space-separated fields")
        .build());
    backfillInvokesPerMinute = wholeNumber(scope, "BackfillInvokesPerMinute",
        SociIndexBuilderProps.DEFAULT_BACKFILL_INVOKES_PER_MINUTE, 1,
        SociIndexBuilderProps.MAX_BACKFILL_INVOKES_PER_MINUTE,
        "Most images per minute the sweep sends to the indexer. Size it at most the indexer's reserved concurrency"
            + " x 60 / the seconds an image takes to index, or requests wait in Lambda's queue (dropped after 6"
            + " hours; the next sweep sends them again).",
        "a whole number of invokes per minute from 1 to 60000");
    blobConnections = wholeNumber(scope, "BlobConnections", SociIndexBuilderProps.DEFAULT_BLOB_CONNECTIONS, 1,
        SociIndexBuilderProps.MAX_BLOB_CONNECTIONS,
        "Connections the indexer downloads one large layer over: a layer of 64 MiB or more whose one connection is"
            + " slower than its zTOC build comes on as 8 MiB ranges over this many connections at once (one"
            + " connection to the storage behind ECR carries tens to a few hundred MB/s). 1 reads each layer as one"
            + " stream.",
        "a whole number of connections from 1 to 16");
    ztocCacheDays = wholeNumber(scope, "ZtocCacheDays", SociIndexBuilderProps.DEFAULT_ZTOC_CACHE_DAYS, 1,
        SociIndexBuilderProps.MAX_ZTOC_CACHE_DAYS,
        "Days after which a zTOC cache entry expires. The indexer rewrites an entry it reuses once it is more than"
            + " a day old, so the days count from the entry's last use.",
        "a whole number of days from 1 to 36500");
    sociOptimizations = new CfnParameter(scope, "SociOptimizations", CfnParameterProps.builder()
        .type("String")
        .defaultValue("")
        .allowedValues(SociIndexBuilderProps.SOCI_OPTIMIZATIONS)
        .description("SOCI index optimizations, as soci convert --optimizations: empty for none (soci's default),"
            + " or xattr to mark layers without extended attributes so that the snapshotter skips xattr lookups.")
        .build());
    ztocLimits = new CfnParameter(scope, "ZtocLimits", CfnParameterProps.builder()
        .type("String")
        .defaultValue("")
        .allowedPattern("^(?:" + SociIndexBuilderProps.ZTOC_LIMITS.pattern() + ")$")
        .description("Optional: the indexer's limits on one zTOC build, e.g. toc-entries=8000000,ztoc-bytes=1GiB"
            + " (names toc-entries, xattr-bytes, ztoc-bytes, min-span-size); empty for the defaults.")
        .constraintDescription("empty, or up to four NAME=SIZE pairs separated by commas, without spaces; names"
            + " toc-entries, xattr-bytes, ztoc-bytes, min-span-size; sizes a whole number, optionally ending in"
            + " KiB, MiB or GiB")
        .build());
  }

  private static CfnParameter wholeNumber(Construct scope, String name, long defaultValue, long min, long max,
      String description, String constraint) {
    return new CfnParameter(scope, name, CfnParameterProps.builder()
        .type("String")
        .defaultValue(Long.toString(defaultValue))
        .allowedPattern(IntegerPattern.between(min, max))
        .description(description)
        .constraintDescription(constraint)
        .build());
  }
}
