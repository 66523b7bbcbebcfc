package dev.socibuilder.indexer.store;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.DistributionNames;
import dev.socibuilder.oci.ImageIndex;
import dev.socibuilder.oci.StoredManifest;
import dev.socibuilder.registry.ManifestDescriptor;
import dev.socibuilder.registry.RegistryClient;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/** One repository of an OCI registry as an {@link ImageStore}. */
public final class RegistryImageStore implements ImageStore {
  private final RegistryClient client;
  private final String registry;
  private final String repository;

  public RegistryImageStore(RegistryClient client, String registry, String repository) {
    this.client = client;
    this.registry = registry;
    this.repository = repository;
  }

  @Override
  public String name() {
    return registry + "/" + repository;
  }

  @Override
  public Optional<StoredManifest> manifest(String reference) {
    return Optional.ofNullable(client.getManifest(registry, repository, reference, null));
  }

  /** Streamed once from the registry (never to disk), verified against digest and size at its end. */
  @Override
  public InputStream openBlob(Descriptor blob) {
    return client.openBlob(registry, repository, blob.parsedDigest(), blob.size());
  }

  @Override
  public byte[] readBlob(Descriptor blob) throws java.io.IOException {
    try (InputStream in = openBlob(blob)) {
      return in.readAllBytes();
    }
  }

  @Override
  public boolean hasBlob(Digest digest) {
    return client.blobExists(registry, repository, digest);
  }

  @Override
  public void pushBlob(Digest digest, byte[] content) {
    client.pushBlob(registry, repository, digest, content);
  }

  @Override
  public Optional<RegistryLocation> location() {
    return Optional.of(new RegistryLocation(registry, repository));
  }

  /** A cross-repository mount (see {@link RegistryClient#mountOrPushBlob}); an upload if declined. */
  @Override
  public boolean mountOrPushBlob(Digest digest, byte[] content, String fromRepository) {
    return client.mountOrPushBlob(registry, repository, digest, content, fromRepository);
  }

  @Override
  public void pushManifest(byte[] bytes, String mediaType) {
    client.putManifest(registry, repository, Digest.sha256Of(bytes).toString(), bytes, mediaType);
  }

  @Override
  public void tag(String tag, byte[] bytes, String mediaType) {
    client.putManifest(registry, repository, tag, bytes, mediaType);
  }

  @Override
  public Optional<Digest> digestOf(String tag) {
    return client.headManifest(registry, repository, tag, null).map(ManifestDescriptor::digest);
  }

  @Override
  public String tagProblem(String tag) {
    return DistributionNames.tagProblem(tag);
  }

  @Override
  public Optional<List<Descriptor>> referrers(Digest subject, String artifactType) {
    return client.referrers(registry, repository, subject, artifactType)
        .map(bytes -> ImageIndex.parse(bytes).manifestList());
  }
}
