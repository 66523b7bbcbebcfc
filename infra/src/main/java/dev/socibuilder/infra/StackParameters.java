package dev.socibuilder.infra;

import java.util.List;
import software.amazon.awscdk.CfnParameter;
import software.amazon.awscdk.CfnParameterProps;
import software.constructs.Construct;

/**
 * The stack's CloudFormation parameters ({@code cdk deploy --parameters NAME=VALUE}). Each one is constrained
 * (allowed values, pattern or range) so that a wrong value fails the deployment instead of the first indexing
 * run.
 */
final class StackParameters {

  /** Most REPO:TAG filters accepted; the IAM scoping selects exactly this many entries (see {@link RepositoryArns}). */
  static final int MAX_FILTERS = 10;

  /**
   * One filter: an optional {@code !} (exclusion), a repository glob, {@code :}, a tag glob. The character sets
   * are ECR's repository-name and tag alphabets plus the glob characters {@code *} and {@code ?}; whitespace is
   * not allowed, because the IAM scoping splits the raw value on {@code ,} and {@code :}.
   */
  private static final String FILTER = "!?[a-z0-9._/*?-]+:[A-Za-z0-9._*?-]+";
  /** CloudFormation matches AllowedPattern against the whole value (Java regex syntax). */
  static final String FILTERS_PATTERN = "^" + FILTER + "(," + FILTER + "){0," + (MAX_FILTERS - 1) + "}$";

  final CfnParameter repositoryImageTagFilters;
  final CfnParameter sociIndexVersion;
  final CfnParameter spanSizeBytes;
  final CfnParameter minLayerSizeBytes;
  final CfnParameter sociTagSuffix;
  final CfnParameter indexUntaggedPushes;
  final CfnParameter indexerMemoryMiB;
  final CfnParameter indexerReservedConcurrency;

  StackParameters(Construct scope) {
    repositoryImageTagFilters = new CfnParameter(scope, "RepositoryImageTagFilters", CfnParameterProps.builder()
        .type("String")
        .defaultValue("*:*")
        .allowedPattern(FILTERS_PATTERN)
        .description("Which pushes to index: up to " + MAX_FILTERS + " comma-separated REPOSITORY:TAG globs"
            + " (* and ? wildcards), a leading ! excludes, e.g. 'app/*:*,!app/test:*'."
            + " The indexer's ECR permissions are limited to the repositories the positive filters match.")
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
    spanSizeBytes = new CfnParameter(scope, "SpanSizeBytes", CfnParameterProps.builder()
        .type("Number")
        .defaultValue(4_194_304)
        .minValue(1_048_576)
        .maxValue(1_073_741_824)
        .description("Uncompressed bytes between decompression checkpoints in a zTOC (soci's default is"
            + " 4194304). Smaller spans fetch less per file read but make larger zTOCs.")
        .build());
    minLayerSizeBytes = new CfnParameter(scope, "MinLayerSizeBytes", CfnParameterProps.builder()
        .type("Number")
        .defaultValue(10_485_760)
        .minValue(0)
        .description("Layers smaller than this many (compressed) bytes get no zTOC; they are fetched whole"
            + " (soci's default is 10485760).")
        .build());
    sociTagSuffix = new CfnParameter(scope, "SociTagSuffix", CfnParameterProps.builder()
        .type("String")
        .defaultValue("-soci")
        .allowedPattern("^[A-Za-z0-9._-]{1,32}$")
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
    indexerMemoryMiB = new CfnParameter(scope, "IndexerMemoryMiB", CfnParameterProps.builder()
        .type("Number")
        .defaultValue(3008)
        .minValue(512)
        .maxValue(10_240)
        .description("Indexer memory in MiB. Lambda allocates vCPUs in proportion (1769 MiB = 1 vCPU, up to"
            + " 6 at 10240) and layers are indexed in parallel, so more memory indexes faster.")
        .build());
    indexerReservedConcurrency = new CfnParameter(scope, "IndexerReservedConcurrency", CfnParameterProps.builder()
        .type("Number")
        .defaultValue(10)
        .minValue(1)
        .maxValue(1000)
        .description("Most indexer instances running at once (reserved concurrency), so a burst of pushes"
            + " cannot starve the account's other functions; further pushes wait in Lambda's async"
            + " queue. The account must keep at least 100 unreserved.")
        .build());
  }
}
