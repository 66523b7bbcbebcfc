package dev.socibuilder.indexer.backfill;

import dev.socibuilder.filter.rules.FilterRules;
import dev.socibuilder.registry.Listing;
import java.util.Objects;

/**
 * What a backfill covers and how hard it works; how each image is indexed is the
 * {@link dev.socibuilder.indexer.IndexOptions}' business.
 *
 * @param filters which {@code REPOSITORY:TAG} to index (the stack's {@code RepositoryImageTagFilters} syntax)
 * @param concurrency how many images are indexed at once
 * @param dryRun list what would be indexed, and index nothing
 * @param listing the bounds of the catalog and tag listings (page size, pages, names)
 */
public record BackfillOptions(FilterRules filters, int concurrency, boolean dryRun, Listing listing) {

  public BackfillOptions {
    Objects.requireNonNull(filters, "filters");
    Objects.requireNonNull(listing, "listing");
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1, got " + concurrency);
    }
  }

  /** Every image ({@code *:*}), as many at once as there are processors, for real, default listing bounds. */
  public static BackfillOptions defaults() {
    return new BackfillOptions(FilterRules.parse(null), Math.max(1, Runtime.getRuntime().availableProcessors()),
        false, Listing.defaults());
  }

  public BackfillOptions withFilters(FilterRules f) {
    return new BackfillOptions(f, concurrency, dryRun, listing);
  }

  public BackfillOptions withConcurrency(int n) {
    return new BackfillOptions(filters, n, dryRun, listing);
  }

  public BackfillOptions withDryRun(boolean d) {
    return new BackfillOptions(filters, concurrency, d, listing);
  }

  public BackfillOptions withListing(Listing l) {
    return new BackfillOptions(filters, concurrency, dryRun, l);
  }
}
