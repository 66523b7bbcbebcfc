package dev.socibuilder.oci;

import dev.socibuilder.digest.Digest;
import java.util.Objects;

/**
 * A manifest or index exactly as a registry or an image layout stores it: its bytes, its media type
 * (from the registry's {@code Content-Type}, or the document's own {@code mediaType} field) and the
 * sha256 of its bytes (computed, never taken from a header).
 */
public record StoredManifest(byte[] bytes, String mediaType, Digest digest) {
  public StoredManifest {
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(digest, "digest");
  }

  /** The size in bytes. */
  public long size() {
    return bytes.length;
  }

  /** A descriptor of this manifest (media type, digest, size). */
  public Descriptor descriptor() {
    return Descriptor.of(mediaType, digest, bytes.length);
  }
}
