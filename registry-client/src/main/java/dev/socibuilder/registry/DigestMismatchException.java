package dev.socibuilder.registry;

import dev.socibuilder.digest.Digest;

/**
 * Content received from (or acknowledged by) a registry does not have the digest or size it must
 * have. Never transient: the bytes are wrong, and nothing derived from them may be published.
 */
public final class DigestMismatchException extends RegistryException {
  private static final long serialVersionUID = 1L;

  private final transient Digest expected;
  private final transient Digest actual;

  public DigestMismatchException(
      String action, String registry, String repository, Digest expected, Digest actual, String detail) {
    super(action, registry, repository, expected.toString(), 0, "DIGEST_MISMATCH",
        detail != null ? detail : "expected " + expected + " but content has " + actual, false, null);
    this.expected = expected;
    this.actual = actual;
  }

  public Digest expected() {
    return expected;
  }

  /** The digest of what was received, or null when the size was already wrong. */
  public Digest actual() {
    return actual;
  }
}
