package dev.socibuilder.indexer;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.indexer.store.ImageStore;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.Platforms;
import dev.socibuilder.oci.StoredManifest;
import dev.socibuilder.registry.Deadline;
import dev.socibuilder.registry.DeadlineExceededException;

/**
 * What every step of one indexing run needs: where the image is, what it is called in messages, the
 * tag it was asked for (null for a digest reference), the options, the listener and the run's deadline.
 */
record RunContext(ImageStore store, String image, String tag, IndexOptions options, IndexListener listener,
    Deadline deadline) {

  /**
   * Fails the run if its deadline has passed.
   *
   * @param when where the run stands, e.g. "before publishing; nothing was published"
   * @throws DeadlineExceededException naming the image, {@code when} and the deadline
   */
  void checkDeadline(String when) {
    if (deadline.expired()) {
      throw deadline.exceeded("index " + image + " (" + when + ")", null);
    }
  }

  /** An index entry's manifest, checked against the entry's digest. */
  StoredManifest fetch(Descriptor d) {
    digestOf(d, "manifest");
    StoredManifest sm = store.manifest(d.digest())
        .orElseThrow(() -> new IndexingException("image " + image + ": manifest " + d.digest()
            + (d.platform() != null ? " for " + Platforms.format(d.platform()) : "") + " is missing"));
    if (!sm.digest().toString().equals(d.digest())) {
      throw new IndexingException("image " + image + ": manifest " + d.digest() + " has digest " + sm.digest());
    }
    return sm;
  }

  /**
   * The descriptor's digest, validated: the image's own content names it, so a malformed one is a
   * permanent failure of this image (an {@link IndexingException}), not a bug.
   *
   * @param what what the descriptor points at, for the message (e.g. {@code "layer"})
   */
  Digest digestOf(Descriptor d, String what) {
    try {
      return d.parsedDigest();
    } catch (IllegalArgumentException e) {
      throw new IndexingException("image " + image + ": " + what + " descriptor has an invalid digest '"
          + d.digest() + "'");
    }
  }
}
