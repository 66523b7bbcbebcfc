package dev.socibuilder.registry;

import java.util.List;

/** Supplies credentials per registry host ({@code host[:port]}); {@code null} means anonymous. */
@FunctionalInterface
public interface CredentialsProvider {
  /**
   * Credentials for {@code registry} (as in {@link ImageReference#registry()}), or {@code null} for
   * anonymous access. May be called often: implementations cache.
   */
  Credentials credentialsFor(String registry);

  /** Always anonymous. */
  static CredentialsProvider anonymous() {
    return registry -> null;
  }

  /** {@code credentials} for {@code registry} only; anonymous elsewhere (null credentials: anonymous everywhere). */
  static CredentialsProvider of(String registry, Credentials credentials) {
    return host -> credentials != null && host.equals(registry) ? credentials : null;
  }

  /** The first non-null answer of {@code providers}, in order. */
  static CredentialsProvider chain(CredentialsProvider... providers) {
    List<CredentialsProvider> list = List.of(providers);
    return registry -> {
      for (CredentialsProvider p : list) {
        Credentials c = p.credentialsFor(registry);
        if (c != null) {
          return c;
        }
      }
      return null;
    };
  }
}
