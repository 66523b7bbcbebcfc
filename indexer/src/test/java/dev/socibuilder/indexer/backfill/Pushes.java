package dev.socibuilder.indexer.backfill;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.oci.MediaTypes;
import dev.socibuilder.registry.RegistryClient;
import dev.socibuilder.testing.registry.TestImages;
import dev.socibuilder.testing.registry.TestImages.TestImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Pushes test images with the project's own client: many repositories and tags are pushed much faster this
 * way than with one skopeo process each (skopeo pushes are covered by the indexer's own tests).
 */
final class Pushes {
  private Pushes() {}

  /** Pushes a single-platform test image's blobs and manifest to {@code repository} under every tag. */
  static void push(RegistryClient client, String host, TestImage image, String repository, String... tags) {
    try {
      TestImages.ImageManifest m = image.manifests().get(0);
      byte[] config = Files.readAllBytes(image.blob(m.configDigest()));
      client.pushBlob(host, repository, Digest.parse(m.configDigest()), config);
      for (TestImages.Layer layer : m.layers()) {
        client.pushBlob(host, repository, Digest.parse(layer.digest()), Files.readAllBytes(image.blob(layer.digest())));
      }
      byte[] manifest = Files.readAllBytes(image.blob(image.digest()));
      for (String tag : tags) {
        client.putManifest(host, repository, tag, manifest, image.mediaType());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Pushes an image whose one layer is valid gzip of bytes that are not a tar archive: indexing it must
   * fail on that layer.
   */
  static void pushCorrupt(RegistryClient client, String host, String repository, String tag, int layerSize) {
    byte[] noise = new byte[layerSize];
    new Random(7).nextBytes(noise);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(noise);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] layer = gz.toByteArray();
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
        + Digest.sha256Of(noise) + "\"]}}").getBytes(StandardCharsets.UTF_8);
    client.pushBlob(host, repository, Digest.sha256Of(layer), layer);
    client.pushBlob(host, repository, Digest.sha256Of(config), config);
    String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
        + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256Of(config) + "\",\"size\":" + config.length
        + "},\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"" + Digest.sha256Of(layer)
        + "\",\"size\":" + layer.length + "}]}";
    client.putManifest(host, repository, tag, manifest.getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_MANIFEST);
  }
}
