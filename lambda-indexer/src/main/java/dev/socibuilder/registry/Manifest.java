package dev.socibuilder.registry;

import dev.socibuilder.digest.Digest;
import java.util.Objects;

/**
 * A manifest or index exactly as the registry served it. {@code digest} is the sha256 of
 * {@code bytes} (computed, not taken from a header); {@code mediaType} is the response's
 * {@code Content-Type}, or the document's own {@code mediaType} field when the registry sent none.
 */
public record Manifest(byte[] bytes, String mediaType, Digest digest) {
  public Manifest {
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(digest, "digest");
  }

  /** The size in bytes. */
  public long size() {
    return bytes.length;
  }
}
