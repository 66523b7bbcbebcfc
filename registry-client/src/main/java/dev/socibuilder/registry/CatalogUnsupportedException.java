package dev.socibuilder.registry;

/**
 * The registry does not list its repositories to this client: {@code GET /v2/_catalog} answered 401, 403,
 * 404, 405 or {@code UNSUPPORTED}. Many hosted registries (Docker Hub, Amazon ECR, GitHub) do not offer the
 * catalog, or only to administrators. The message asks for a repository instead.
 */
public final class CatalogUnsupportedException extends RegistryException {
  private static final long serialVersionUID = 1L;

  CatalogUnsupportedException(RegistryException refused) {
    super(refused.action(), refused.registry(), null, null, refused.status(), refused.errorCode(),
        detail(refused), false, refused);
  }

  private static String detail(RegistryException refused) {
    String message = String.valueOf(refused.getMessage());
    int dash = message.indexOf(" - ");
    String registryDetail = dash < 0 ? "" : message.substring(dash + 3) + "; ";
    return registryDetail + "the registry does not list its repositories to this client: name one repository, as "
        + refused.registry() + "/REPOSITORY";
  }

  /** Whether a failure of the catalog's first page means the registry does not offer it. */
  static boolean means(RegistryException e) {
    int s = e.status();
    return s == 401 || s == 403 || s == 404 || s == 405 || "UNSUPPORTED".equals(e.errorCode());
  }
}
