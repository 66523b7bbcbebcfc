package dev.socibuilder.registry;

/**
 * What one registry operation is for: names the failure ("pull manifest host/repo:tag failed ...") and
 * picks the token scope ({@code pull} or {@code pull,push}, plus {@code pull} on the repository a blob
 * is mounted from).
 *
 * @param action e.g. {@code "pull manifest"}
 * @param repository null for registry-wide operations
 * @param reference the tag or digest, or null
 * @param push whether the operation writes (asks for a push token)
 * @param mountFrom for a cross-repository blob mount: the repository (same registry) the blob comes
 *     from, which the token must also allow to pull; null otherwise
 */
record Op(String action, String registry, String repository, String reference, boolean push, String mountFrom) {
  /** The action of the catalog listing, the one registry-wide operation (token scope {@code registry:catalog:*}). */
  static final String LIST_REPOSITORIES = "list repositories of";

  Op(String action, String registry, String repository, String reference, boolean push) {
    this(action, registry, repository, reference, push, null);
  }

  /** {@code "pull manifest host/repo:tag"}, for messages. */
  String describe() {
    return RegistryException.subject(action, registry, repository, reference);
  }

  /** A failure of this operation. */
  RegistryException failure(int status, String errorCode, String detail, boolean transientFailure) {
    return new RegistryException(action, registry, repository, reference, status, errorCode, detail,
        transientFailure, null);
  }
}
