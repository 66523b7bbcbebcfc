package dev.socibuilder.indexer.backfill;

import dev.socibuilder.indexer.IndexReport;
import java.util.Locale;
import java.util.Objects;

/**
 * What a backfill did with one image ({@code repository:tag}), or with a whole repository when it could
 * not get to its tags ({@code tag} null: the repository was excluded, or listing it failed).
 *
 * @param reason one human sentence: the filter that decided, why it was skipped, the failure
 * @param report the indexer's report when it ran ({@link Status#INDEXER}), else null
 */
public record ImageResult(String repository, String tag, Status status, String reason, IndexReport report) {

  /** How far an image got. */
  public enum Status {
    /** The indexer ran on it: {@link ImageResult#report()} has its outcome ({@code indexed}...). */
    INDEXER,
    /** The filters do not select it. */
    EXCLUDED,
    /** The builder's own output (a tag with the SOCI tag suffix, a {@code sha256-<hex>} referrers tag). */
    SKIPPED,
    /** SOCI index v2: its {@code <tag><suffix>} tag exists already. */
    ALREADY_INDEXED,
    /** A dry run would index it. */
    WOULD_INDEX,
    /** Listing or indexing it failed; the others went on. */
    FAILED
  }

  public ImageResult {
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(reason, "reason");
    if ((status == Status.INDEXER) != (report != null)) {
      throw new IllegalArgumentException("a report comes with, and only with, an indexer outcome");
    }
  }

  /**
   * The outcome's JSON name: the indexer's ({@code indexed}, {@code already_indexed},
   * {@code nothing_to_index}, {@code soci_enabled_image}...) when it ran, else {@code excluded},
   * {@code skipped}, {@code already_indexed}, {@code would_index} or {@code failed}.
   */
  public String outcome() {
    return status == Status.INDEXER ? report.outcome().jsonName() : status.name().toLowerCase(Locale.ROOT);
  }

  /** {@code repository:tag}, or the repository alone. */
  public String image() {
    return tag == null ? repository : repository + ":" + tag;
  }
}
