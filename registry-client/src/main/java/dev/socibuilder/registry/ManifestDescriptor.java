package dev.socibuilder.registry;

import dev.socibuilder.digest.Digest;
import java.util.Objects;

/** What a manifest {@code HEAD} tells: digest, size and media type, without the bytes. */
public record ManifestDescriptor(String mediaType, Digest digest, long size) {
  public ManifestDescriptor {
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(digest, "digest");
    if (size < 0) {
      throw new IllegalArgumentException("negative size: " + size);
    }
  }
}
