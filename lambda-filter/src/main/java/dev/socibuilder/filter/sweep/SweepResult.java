package dev.socibuilder.filter.sweep;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one sweep run did; also the handler's response and the run's summary log line.
 *
 * @param run the run's number in its sweep (1 for a new sweep)
 * @param complete whether the sweep reached the last repository
 * @param stoppedBecause {@code complete}, {@code time} (the run's time ran out), {@code invoke budget}
 *     ({@code MAX_INVOKES_PER_SWEEP} reached) or {@code run limit} ({@code MAX_RUNS_PER_SWEEP} reached)
 * @param cursor where to go on from (a request {@code {"cursor": ...}}), null when complete
 * @param continued whether the next run was started (the function invoked itself with the cursor)
 * @param repositories repositories looked at
 * @param repositoriesExcluded of which no filter can select a tag (their images were not listed)
 * @param repositoriesFailed of which the images could not be listed (see the WARN lines)
 * @param images tagged images (one per tag) looked at
 * @param excluded images the filters do not select
 * @param skipped the builder's own output (tags with the suffix, referrers tags, SOCI index manifests)
 * @param alreadyIndexed images whose {@code <tag><suffix>} tag exists (SOCI index v2)
 * @param invoked images sent to the indexer in this run (in a dry run: that would have been sent)
 * @param invokedInSweep images sent to the indexer by the whole sweep so far
 */
public record SweepResult(
    int run, boolean dryRun, boolean complete, String stoppedBecause, String cursor, boolean continued,
    int repositories, int repositoriesExcluded, int repositoriesFailed, int images, int excluded, int skipped,
    int alreadyIndexed, int invoked, int invokedInSweep, long durationMillis) {

  /** The fields as a JSON object (for the runtime's serializer and the log). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run", run);
    m.put("dryRun", dryRun);
    m.put("complete", complete);
    m.put("stoppedBecause", stoppedBecause);
    m.put("cursor", cursor);
    m.put("continued", continued);
    m.put("repositories", repositories);
    m.put("repositoriesExcluded", repositoriesExcluded);
    m.put("repositoriesFailed", repositoriesFailed);
    m.put("images", images);
    m.put("excluded", excluded);
    m.put("skipped", skipped);
    m.put("alreadyIndexed", alreadyIndexed);
    m.put("invoked", invoked);
    m.put("invokedInSweep", invokedInSweep);
    m.put("durationMillis", durationMillis);
    return m;
  }
}
