package dev.socibuilder.filter.sweep;

import dev.socibuilder.filter.FilterConfig;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What the sweep needs to know, set by the stack as environment variables: the filter's own variables
 * (read by {@link FilterConfig#fromEnvironment}: {@code FILTERS}, {@code INDEXER_FUNCTION_NAME},
 * {@code SOCI_TAG_SUFFIX}, {@code EXPECTED_ACCOUNT_ID} whose registry is swept, {@code AWS_REGION}), and
 *
 * @param filter the shared configuration (filters, indexer, suffix, account, region); its
 *     {@code indexUntagged} is not used: only tagged images are swept
 * @param v2 whether the indexer builds SOCI index v2 ({@code SOCI_INDEX_VERSION}, {@code V2} by default):
 *     then an image whose {@code <tag><suffix>} tag exists is indexed already; with {@code V1} every selected
 *     image is sent and the indexer finds existing v1 indexes itself
 * @param invokesPerMinute the most indexer invokes per minute ({@code MAX_INVOKES_PER_MINUTE}, default 20):
 *     at or below what the indexer's reserved concurrency gets through, so the async queue does not grow
 * @param invokesPerSweep the most indexer invokes of one sweep, over all its runs
 *     ({@code MAX_INVOKES_PER_SWEEP}, default 10000); the next scheduled sweep goes on from there
 * @param runsPerSweep the most runs one sweep chains ({@code MAX_RUNS_PER_SWEEP}, default 96: a day of
 *     15-minute runs)
 */
public record SweepConfig(
    FilterConfig filter, boolean v2, int invokesPerMinute, int invokesPerSweep, int runsPerSweep) {

  public SweepConfig {
    Objects.requireNonNull(filter, "filter");
    if (invokesPerMinute < 1 || invokesPerMinute > 60_000) {
      throw new SweepConfigException("MAX_INVOKES_PER_MINUTE must be 1..60000, got " + invokesPerMinute, null);
    }
    if (invokesPerSweep < 1) {
      throw new SweepConfigException("MAX_INVOKES_PER_SWEEP must be >= 1, got " + invokesPerSweep, null);
    }
    if (runsPerSweep < 1) {
      throw new SweepConfigException("MAX_RUNS_PER_SWEEP must be >= 1, got " + runsPerSweep, null);
    }
  }

  /**
   * Reads the configuration from environment variables.
   *
   * @throws SweepConfigException naming the variable that is missing or invalid
   */
  public static SweepConfig fromEnvironment(Map<String, String> env) {
    FilterConfig filter;
    try {
      filter = FilterConfig.fromEnvironment(env);
    } catch (IllegalArgumentException e) {
      throw new SweepConfigException(e.getMessage(), e);
    }
    String version = env.getOrDefault("SOCI_INDEX_VERSION", "V2").strip().toUpperCase(Locale.ROOT);
    if (!version.equals("V2") && !version.equals("V1") && !version.isEmpty()) {
      throw new SweepConfigException("SOCI_INDEX_VERSION must be V2 or V1, got '" + env.get("SOCI_INDEX_VERSION")
          + "'", null);
    }
    return new SweepConfig(filter, !version.equals("V1"),
        number(env, "MAX_INVOKES_PER_MINUTE", 20),
        number(env, "MAX_INVOKES_PER_SWEEP", 10_000),
        number(env, "MAX_RUNS_PER_SWEEP", 96));
  }

  private static int number(Map<String, String> env, String name, int defaultValue) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw new SweepConfigException(name + " must be a number, got '" + v + "'", e);
    }
  }
}
