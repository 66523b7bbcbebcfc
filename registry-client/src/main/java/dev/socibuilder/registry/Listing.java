package dev.socibuilder.registry;

/**
 * The bounds of one paginated listing: a registry's catalog ({@code GET /v2/_catalog}) or a repository's
 * tags ({@code GET /v2/<name>/tags/list}). Pages are requested with {@code ?n=pageSize} and followed through
 * the {@code Link: <...>; rel="next"} header; a registry may send fewer entries per page than asked, or none
 * of the pagination at all (then the first page is the whole list).
 *
 * @param pageSize the {@code n} asked for per page (Distribution refuses more than 1000 for its catalog)
 * @param maxPages the most pages followed; a registry that keeps sending next links fails beyond it
 * @param maxEntries the most names returned; a longer list fails with an error naming this limit
 */
public record Listing(int pageSize, int maxPages, int maxEntries) {
  /** The largest {@code n} this client asks for. */
  public static final int MAX_PAGE_SIZE = 10_000;

  public Listing {
    if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new IllegalArgumentException("page size must be 1.." + MAX_PAGE_SIZE + ", got " + pageSize);
    }
    if (maxPages < 1) {
      throw new IllegalArgumentException("max pages must be >= 1, got " + maxPages);
    }
    if (maxEntries < 1) {
      throw new IllegalArgumentException("max entries must be >= 1, got " + maxEntries);
    }
  }

  /** 100 names per page, at most 10,000 pages and 100,000 names. */
  public static Listing defaults() {
    return new Listing(100, 10_000, 100_000);
  }

  /** The same bounds with another page size. */
  public Listing withPageSize(int n) {
    return new Listing(n, maxPages, maxEntries);
  }

  /** The same bounds with another maximum number of names. */
  public Listing withMaxEntries(int n) {
    return new Listing(pageSize, maxPages, n);
  }
}
