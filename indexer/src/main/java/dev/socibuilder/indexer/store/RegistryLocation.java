package dev.socibuilder.indexer.store;

import java.util.Objects;

/**
 * A repository of a registry: where a blob can be mounted from by another repository of the same
 * registry.
 *
 * @param registry the registry host as the client addresses it ({@code host[:port]})
 * @param repository the repository name
 */
public record RegistryLocation(String registry, String repository) {
  public RegistryLocation {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(repository, "repository");
  }
}
