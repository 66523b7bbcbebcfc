package dev.socibuilder.cli;

import dev.socibuilder.indexer.backfill.BackfillReport;
import dev.socibuilder.indexer.backfill.ImageResult;
import java.io.PrintWriter;
import java.util.List;
import java.util.stream.Collectors;

/** A backfill report as text for people (the {@code --json} form is {@link BackfillReport#toJson()}). */
final class BackfillText {
  private BackfillText() {}

  /**
   * One line per image that was (or would be) indexed, was already indexed or failed; the excluded and
   * skipped ones only counted; then a summary.
   */
  static void print(PrintWriter out, BackfillReport r) {
    List<ImageResult> shown = r.images().stream().filter(i -> i.status() != ImageResult.Status.EXCLUDED
        && i.status() != ImageResult.Status.SKIPPED).toList();
    int width = shown.stream().mapToInt(i -> i.image().length()).max().orElse(0);
    for (ImageResult i : shown) {
      out.printf("%-18s %-" + width + "s  %s%n", i.outcome(), i.image(), detail(i));
    }
    String counts = r.counts().entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
        .collect(Collectors.joining(", "));
    out.printf("%s %s%s in %.1f s: %s%s%n", r.dryRun() ? "Dry run of the backfill of" : "Backfilled",
        r.registry(), r.repository() != null ? "/" + r.repository() : "", r.duration().toMillis() / 1000.0,
        counts.isEmpty() ? "no images" : counts, r.dryRun() ? "; nothing was pushed" : "");
  }

  private static String detail(ImageResult i) {
    if (i.report() != null && i.report().imageIndexDigest() != null && i.report().tag() != null
        && i.report().outcome().jsonName().equals("indexed")) {
      int ztocs = i.report().ztocCount();
      return i.report().tag() + " " + i.report().imageIndexDigest() + " (" + ztocs + " zTOC" + (ztocs == 1 ? "" : "s")
          + ")";
    }
    return i.reason();
  }
}
