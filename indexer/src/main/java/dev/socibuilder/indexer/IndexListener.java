package dev.socibuilder.indexer;

import dev.socibuilder.oci.Descriptor;

/** Progress of one indexing run, for displays and logs. Called from worker threads. */
public interface IndexListener {
  /** Nothing to report. */
  IndexListener NONE = new IndexListener() {};

  /** The layers about to be streamed, and their total compressed size. */
  default void layersPlanned(int count, long totalBytes) {}

  /** {@code n} more compressed bytes of {@code layer} were read. */
  default void bytesRead(Descriptor layer, long n) {}

  /** A layer's zTOC is built. */
  default void layerDone(Descriptor layer, IndexReport.ZtocReport ztoc) {}

  /** A step worth a log line (publishing, skipping...). */
  default void step(String message) {}
}
