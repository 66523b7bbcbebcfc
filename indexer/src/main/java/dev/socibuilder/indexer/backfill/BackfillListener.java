package dev.socibuilder.indexer.backfill;

/** Progress of a backfill, for displays. Called from the listing thread and from indexing workers. */
public interface BackfillListener {
  /** Nothing to report. */
  BackfillListener NONE = new BackfillListener() {};

  /** The repositories to look at are known. */
  default void repositoriesListed(int count) {}

  /** An image is queued for the indexer. */
  default void queued(String repository, String tag) {}

  /** An image (or a repository, see {@link ImageResult}) has its outcome. */
  default void done(ImageResult result) {}
}
