package dev.socibuilder.indexer.store;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.StoredManifest;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Where an image lives and where its SOCI artifacts go: one repository of an OCI registry, or an OCI
 * image layout on disk. The indexing service sees nothing else, so both behave the same.
 */
public interface ImageStore {
  /** A name for messages and reports, e.g. {@code 127.0.0.1:5000/app} or {@code oci:/tmp/layout}. */
  String name();

  /** The manifest or index at {@code reference} (a tag or a digest), or empty if there is none. */
  Optional<StoredManifest> manifest(String reference);

  /**
   * Streams a blob once. The stream fails at its end if the content does not match the descriptor's
   * digest and size. The caller closes it.
   */
  InputStream openBlob(Descriptor blob) throws IOException;

  /** A small blob (an image config), read whole and verified. */
  byte[] readBlob(Descriptor blob) throws IOException;

  boolean hasBlob(Digest digest);

  void pushBlob(Digest digest, byte[] content);

  /**
   * For a repository of a registry: its registry and name, so that blobs it holds can be mounted into
   * other repositories of that registry; empty for stores that are not one (an OCI image layout).
   */
  default Optional<RegistryLocation> location() {
    return Optional.empty();
  }

  /**
   * Stores a blob the store does not have, mounting it from {@code fromRepository} of the same
   * registry when the registry supports cross-repository mounts, else uploading {@code content}.
   * Stores without mounts upload.
   *
   * @return true if the blob was mounted, false if {@code content} was uploaded
   */
  default boolean mountOrPushBlob(Digest digest, byte[] content, String fromRepository) {
    pushBlob(digest, content);
    return false;
  }

  /** Stores a manifest by its digest (no tag). */
  void pushManifest(byte[] bytes, String mediaType);

  /** Stores a manifest and points {@code tag} at it (one request on a registry). */
  void tag(String tag, byte[] bytes, String mediaType);

  /**
   * The digest {@code tag} points at now, or empty if it points at nothing; cheap (a {@code HEAD} on a
   * registry), for re-checking a tag right before tagging a result derived from it.
   */
  Optional<Digest> digestOf(String tag);

  /**
   * Why {@code tag} cannot be a tag in this store, or null if it can: checked before anything is built
   * or pushed. A registry takes the distribution spec's tags ({@code [A-Za-z0-9_][A-Za-z0-9._-]{0,127}});
   * an image layout takes any {@code org.opencontainers.image.ref.name}.
   */
  default String tagProblem(String tag) {
    return null;
  }

  /**
   * Descriptors of the manifests that refer to {@code subject} with the given artifact type, through
   * the OCI referrers API; empty if the store has no referrers API (then the {@code sha256-<hex>}
   * referrers tag schema applies).
   */
  Optional<List<Descriptor>> referrers(Digest subject, String artifactType);
}
