package dev.socibuilder.filter;

import dev.socibuilder.filter.rules.FilterRules;
import dev.socibuilder.filter.rules.FilterSyntaxException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the filter Lambda needs to know, set by the stack as environment variables.
 *
 * @param filters which repositories and tags to index ({@code FILTERS}, default {@code *:*})
 * @param indexerFunctionName the indexer function to invoke ({@code INDEXER_FUNCTION_NAME}: name, ARN or partial ARN)
 * @param tagSuffix the suffix of the tags the builder itself pushes ({@code SOCI_TAG_SUFFIX}, default {@code -soci})
 * @param indexUntagged whether digest-only pushes are considered at all ({@code INDEX_UNTAGGED}, default false)
 * @param expectedAccountId the stack's account; events from others are ignored ({@code EXPECTED_ACCOUNT_ID})
 * @param region the stack's region; events from others are ignored ({@code AWS_REGION}, set by Lambda)
 */
public record FilterConfig(
    FilterRules filters,
    String indexerFunctionName,
    String tagSuffix,
    boolean indexUntagged,
    String expectedAccountId,
    String region) {

  /** The default for {@code SOCI_TAG_SUFFIX}, the suffix {@code soci convert} uses. */
  public static final String DEFAULT_TAG_SUFFIX = "-soci";

  private static final Pattern ACCOUNT = Pattern.compile("[0-9]{12}");
  private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]+");

  public FilterConfig {
    if (filters == null) {
      throw new FilterConfigException("filters must not be null");
    }
    if (indexerFunctionName == null || indexerFunctionName.isBlank()) {
      throw new FilterConfigException("INDEXER_FUNCTION_NAME is not set");
    }
    if (tagSuffix == null || tagSuffix.isEmpty()) {
      // An empty suffix would make every tag look like the builder's own output.
      throw new FilterConfigException("SOCI_TAG_SUFFIX must not be empty");
    }
    if (expectedAccountId == null || !ACCOUNT.matcher(expectedAccountId).matches()) {
      throw new FilterConfigException("EXPECTED_ACCOUNT_ID must be a 12-digit account id, got '" + expectedAccountId + "'");
    }
    if (region == null || !REGION.matcher(region).matches()) {
      throw new FilterConfigException("AWS_REGION must be a region name such as us-east-1, got '" + region + "'");
    }
  }

  /**
   * Reads the configuration from environment variables.
   *
   * @param env usually {@code System.getenv()}
   * @throws FilterConfigException naming the variable that is missing or invalid
   */
  public static FilterConfig fromEnvironment(Map<String, String> env) {
    FilterRules filters;
    try {
      filters = FilterRules.parse(env.get("FILTERS"));
    } catch (FilterSyntaxException e) {
      throw new FilterConfigException("FILTERS: " + e.getMessage(), e);
    }
    String suffix = env.get("SOCI_TAG_SUFFIX");
    return new FilterConfig(
        filters,
        env.get("INDEXER_FUNCTION_NAME"),
        suffix == null || suffix.isBlank() ? DEFAULT_TAG_SUFFIX : suffix.strip(),
        parseBoolean("INDEX_UNTAGGED", env.get("INDEX_UNTAGGED")),
        env.get("EXPECTED_ACCOUNT_ID"),
        env.get("AWS_REGION"));
  }

  private static boolean parseBoolean(String name, String value) {
    if (value == null || value.isBlank()) {
      return false;
    }
    switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw new FilterConfigException(name + " must be true or false, got '" + value + "'");
    }
  }
}
