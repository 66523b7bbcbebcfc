package dev.socibuilder.registry;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.oci.DistributionNames;
import java.util.Objects;

/**
 * A reference to an image in a registry: {@code host[:port]/repository[:tag][@digest]}.
 *
 * <p>Parsing follows the Docker reference grammar: the first path component is a registry host only
 * if it contains a '.' or a ':' or is {@code localhost}; otherwise the image is on Docker Hub, whose
 * API host is {@code registry-1.docker.io} and whose single-component names live under
 * {@code library/}. With neither tag nor digest, the tag is {@code latest}.
 */
public record ImageReference(String registry, String repository, String tag, Digest digest) {
  /** Docker Hub's registry API host (what {@code docker.io} means on the wire). */
  public static final String DOCKER_HUB = "registry-1.docker.io";

  public ImageReference {
    // Hand-written scanners: the grammar's regular expressions recurse per repeated group and a long
    // hostile name would overflow the stack.
    String problem = DistributionNames.registryProblem(registry);
    if (problem != null) {
      throw new IllegalArgumentException("invalid registry host " + shown(registry) + ": " + problem);
    }
    problem = DistributionNames.repositoryProblem(repository);
    if (problem != null) {
      throw new IllegalArgumentException("invalid repository name " + shown(repository) + ": " + problem);
    }
    if (tag != null && (problem = DistributionNames.tagProblem(tag)) != null) {
      throw new IllegalArgumentException("invalid tag " + shown(tag) + ": " + problem);
    }
    if (tag == null && digest == null) {
      throw new IllegalArgumentException("an image reference needs a tag or a digest");
    }
  }

  private static String shown(String s) {
    return "'" + DistributionNames.shorten(s, 100) + "'";
  }

  /**
   * Parses {@code host[:port]/repo[:tag][@sha256:...]}, with the Docker Hub defaults described on
   * the class.
   *
   * @throws IllegalArgumentException if {@code s} is not a valid reference
   */
  public static ImageReference parse(String s) {
    Objects.requireNonNull(s, "reference");
    String rest = s.trim();
    Digest digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = Digest.parse(rest.substring(at + 1));
      rest = rest.substring(0, at);
    }
    String registry;
    String path;
    int slash = rest.indexOf('/');
    String first = slash > 0 ? rest.substring(0, slash) : null;
    if (first != null && (first.contains(".") || first.contains(":") || first.equals("localhost"))) {
      registry = first;
      path = rest.substring(slash + 1);
    } else {
      registry = "docker.io";
      path = rest;
    }
    String tag = null;
    int colon = path.lastIndexOf(':');
    if (colon > path.lastIndexOf('/')) {
      tag = path.substring(colon + 1);
      path = path.substring(0, colon);
    }
    if (registry.equals("docker.io") || registry.equals("index.docker.io") || registry.equals(DOCKER_HUB)) {
      registry = DOCKER_HUB;
      if (!path.contains("/")) {
        path = "library/" + path;
      }
    }
    if (tag == null && digest == null) {
      tag = "latest";
    }
    try {
      return new ImageReference(registry, path, tag, digest);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid image reference " + shown(s) + ": " + e.getMessage(), e);
    }
  }

  /** The digest if present, else the tag: what goes after {@code /manifests/}. */
  public String reference() {
    return digest != null ? digest.toString() : tag;
  }

  /** The same image with another tag and no digest. */
  public ImageReference withTag(String newTag) {
    return new ImageReference(registry, repository, newTag, null);
  }

  /** The same repository at {@code newDigest} (the tag is kept for display). */
  public ImageReference withDigest(Digest newDigest) {
    return new ImageReference(registry, repository, tag, newDigest);
  }

  /** {@code registry/repository[:tag][@digest]}. */
  @Override
  public String toString() {
    return registry + "/" + repository + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
  }
}
