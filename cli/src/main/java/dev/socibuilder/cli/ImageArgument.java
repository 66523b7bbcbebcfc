package dev.socibuilder.cli;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.registry.ImageReference;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An IMAGE argument: {@code REGISTRY/REPO:TAG}, {@code REGISTRY/REPO@sha256:...}, or {@code oci:DIR[:TAG]}
 * / {@code oci:DIR@sha256:...} (an OCI image layout on disk).
 */
sealed interface ImageArgument {

  /** An image in an OCI image layout; {@code tag} and {@code digest} may both be null (the layout's only tag). */
  record Layout(Path dir, String tag, Digest digest) implements ImageArgument {}

  /** An image in a registry. */
  record Registry(ImageReference reference) implements ImageArgument {}

  /**
   * Parses an IMAGE argument.
   *
   * @throws IllegalArgumentException with a message for the user, if it is neither form
   */
  static ImageArgument parse(String image) {
    if (!image.startsWith("oci:")) {
      return new Registry(ImageReference.parse(image));
    }
    String rest = image.substring("oci:".length());
    String tag = null;
    Digest digest = null;
    int at = rest.lastIndexOf('@');
    if (at > 0) {
      digest = Digest.parse(rest.substring(at + 1));
      rest = rest.substring(0, at);
    } else {
      // DIR:TAG, where DIR itself may contain ':' only if it exists as given
      int colon = rest.lastIndexOf(':');
      if (colon > 0 && !Files.isDirectory(Path.of(rest))) {
        tag = rest.substring(colon + 1);
        rest = rest.substring(0, colon);
      }
    }
    return new Layout(Path.of(rest), tag, digest);
  }
}
