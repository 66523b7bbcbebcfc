package dev.socibuilder.soci;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.ImageIndex;
import dev.socibuilder.oci.ImageManifest;
import dev.socibuilder.oci.MediaTypes;
import dev.socibuilder.oci.Platform;
import dev.socibuilder.oci.Platforms;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The "SOCI-enabled image" that {@code soci convert} produces (spec §6 steps 3–6), from the
 * source image and the v2 SOCI indexes already built for some of its platforms.
 *
 * <ol>
 *   <li>The OCI index is the source index (or Docker manifest list) decoded as {@code
 *       ocispec.Index} with {@code mediaType} forced to the OCI index type (unknown fields
 *       dropped; annotations, subject and artifactType kept), or, for a single-manifest image, a
 *       new index holding the source manifest descriptor with the image's platform.
 *   <li>Each converted platform's image manifest is decoded as {@code ocispec.Manifest}, gets the
 *       OCI manifest media type, the OCI config media type on its config descriptor, and the
 *       annotation {@code com.amazon.soci.index-digest}; layers stay verbatim. Its index entry gets
 *       the new digest and size, the OCI manifest media type, and the manifest's own annotations
 *       (replacing the entry's); the platform is kept. (An embedded {@code data} field is dropped:
 *       soci keeps it, stale, which makes the entry invalid; registries are free to reject that.)
 *   <li>Each SOCI index descriptor, with {@code com.amazon.soci.image-manifest-digest} and the
 *       platform, replaces an existing v2 SOCI entry whose platform strictly matches, or is
 *       appended.
 * </ol>
 *
 * <p><b>Deliberate difference from soci:</b> soci also re-marshals every <em>other</em> manifest
 * of the index that happens to be in its local content store (non-converted platforms,
 * attestation manifests), changing their digests and replacing their descriptor annotations. We
 * only rewrite what we index: entries of platforms that were not converted stay byte-for-byte
 * as they were, so their digests, attestation links ({@code vnd.docker.reference.digest}) and
 * signatures remain valid, and the result does not depend on what happens to be cached locally.
 * The runtime only ever reads the converted manifests' annotation, so nothing it sees differs.
 */
public final class SociConvert {
  private SociConvert() {}

  /**
   * One converted platform.
   *
   * @param platform the platform the index was built for (written on the SOCI index descriptor)
   * @param imageManifest the platform's image manifest descriptor as listed in the source
   * @param imageManifestBytes that manifest's bytes (their digest must match)
   * @param sociIndex {@link SociIndex#descriptor} of the v2 index bytes
   */
  public record ConvertedPlatform(
      Platform platform, Descriptor imageManifest, byte[] imageManifestBytes, Descriptor sociIndex) {
    public ConvertedPlatform {
      Objects.requireNonNull(platform, "platform");
      Objects.requireNonNull(imageManifest, "imageManifest");
      Objects.requireNonNull(sociIndex, "sociIndex");
      imageManifestBytes = imageManifestBytes.clone();
      Digest actual = Digest.sha256Of(imageManifestBytes);
      if (!actual.toString().equals(imageManifest.digest())) {
        throw new IllegalArgumentException(
            "image manifest bytes have digest " + actual + ", descriptor says " + imageManifest.digest());
      }
    }

    @Override
    public byte[] imageManifestBytes() {
      return imageManifestBytes.clone();
    }
  }

  /**
   * A rewritten image manifest.
   *
   * @param original the source index entry
   * @param descriptor the new index entry (push the bytes under its digest before the index)
   * @param bytes the new manifest bytes
   */
  public record RewrittenManifest(Descriptor original, Descriptor descriptor, byte[] bytes) {
    @Override
    public byte[] bytes() {
      return bytes.clone();
    }
  }

  /**
   * The conversion result.
   *
   * @param index the new OCI index
   * @param indexBytes {@code json.Marshal} of it
   * @param indexDescriptor its descriptor (OCI index type, sha256, size)
   * @param manifests the rewritten image manifests, in index order
   * @param sociIndexes the SOCI index descriptors as they appear in the new index
   */
  public record Result(
      ImageIndex index,
      byte[] indexBytes,
      Descriptor indexDescriptor,
      List<RewrittenManifest> manifests,
      List<Descriptor> sociIndexes) {
    @Override
    public byte[] indexBytes() {
      return indexBytes.clone();
    }
  }

  /**
   * Converts an image whose target is an OCI index or Docker manifest list.
   *
   * @param sourceIndexBytes the source index bytes
   * @param converted the converted platforms (at least one), in conversion order
   * @throws IllegalArgumentException if a converted manifest is not listed in the source index
   */
  public static Result fromIndex(byte[] sourceIndexBytes, List<ConvertedPlatform> converted) {
    return fromIndex(ImageIndex.parse(sourceIndexBytes), converted);
  }

  /** Like {@link #fromIndex(byte[], List)} for an index already parsed with {@link ImageIndex#parse}. */
  public static Result fromIndex(ImageIndex source, List<ConvertedPlatform> converted) {
    return convert(source.withMediaType(MediaTypes.OCI_INDEX), converted);
  }

  /**
   * Converts a single-manifest image.
   *
   * @param sourceManifest the image target descriptor (media type, digest, size)
   * @param imagePlatform the image's platform, {@link Platforms#configPlatform} of its config
   * @param converted the SOCI index built for it
   */
  public static Result fromManifest(
      Descriptor sourceManifest, Platform imagePlatform, ConvertedPlatform converted) {
    ImageIndex index = ImageIndex.of(List.of(sourceManifest.withPlatform(imagePlatform)));
    return convert(index, List.of(converted));
  }

  /** The image manifest {@code bytes} as soci rewrites them for SOCI index {@code sociIndexDigest}. */
  public static byte[] rewriteManifest(byte[] bytes, String sociIndexDigest) {
    ImageManifest m = ImageManifest.parse(bytes);
    return m.withMediaType(MediaTypes.OCI_MANIFEST)
        .withConfig(m.config().withMediaType(MediaTypes.OCI_CONFIG))
        .withAnnotation(SociIndex.ANNOTATION_INDEX_DIGEST, sociIndexDigest)
        .toJson();
  }

  private static Result convert(ImageIndex index, List<ConvertedPlatform> converted) {
    if (converted.isEmpty()) {
      throw new IllegalArgumentException("nothing converted (soci ErrEmptyIndex)");
    }
    List<Descriptor> entries = new ArrayList<>(index.manifestList());
    List<RewrittenManifest> rewritten = new ArrayList<>();
    Descriptor[] sociDescriptors = new Descriptor[converted.size()];
    for (int i = 0; i < entries.size(); i++) {
      Descriptor entry = entries.get(i);
      int c = indexOfManifest(converted, entry.digest());
      if (c < 0) {
        continue; // not converted: kept verbatim (see class javadoc)
      }
      ConvertedPlatform cp = converted.get(c);
      byte[] bytes = rewriteManifest(cp.imageManifestBytes, cp.sociIndex().digest());
      ImageManifest manifest = ImageManifest.parse(bytes);
      Descriptor updated =
          entry
              .withDigestAndSize(Digest.sha256Of(bytes).toString(), bytes.length)
              .withAnnotations(manifest.annotations())
              .withMediaType(MediaTypes.OCI_MANIFEST)
              .withData(null);
      entries.set(i, updated);
      rewritten.add(new RewrittenManifest(entry, updated, bytes));
      sociDescriptors[c] =
          cp.sociIndex().withAnnotation(SociIndex.ANNOTATION_IMAGE_MANIFEST_DIGEST, updated.digest());
    }
    List<Descriptor> added = new ArrayList<>();
    for (int c = 0; c < converted.size(); c++) {
      ConvertedPlatform cp = converted.get(c);
      if (sociDescriptors[c] == null) {
        throw new IllegalArgumentException(
            "image manifest " + cp.imageManifest().digest() + " (" + cp.platform() + ") is not in the source index");
      }
      Descriptor desc = sociDescriptors[c].withPlatform(cp.platform());
      Platform wanted = Platforms.normalize(cp.platform());
      int existing = -1;
      for (int i = 0; i < entries.size(); i++) {
        Descriptor d = entries.get(i);
        if (MediaTypes.SOCI_INDEX_V2.equals(d.artifactType())
            && d.platform() != null
            && Platforms.matchesStrict(wanted, d.platform())) {
          existing = i;
          break;
        }
      }
      if (existing >= 0) {
        entries.set(existing, desc);
      } else {
        entries.add(desc);
      }
      added.add(desc);
    }
    ImageIndex result = index.withManifests(entries);
    byte[] bytes = result.toJson();
    Descriptor indexDescriptor = Descriptor.of(MediaTypes.OCI_INDEX, Digest.sha256Of(bytes), bytes.length);
    return new Result(result, bytes, indexDescriptor, List.copyOf(rewritten), List.copyOf(added));
  }

  private static int indexOfManifest(List<ConvertedPlatform> converted, String digest) {
    for (int c = 0; c < converted.size(); c++) {
      if (converted.get(c).imageManifest().digest().equals(digest)) {
        return c;
      }
    }
    return -1;
  }

  /**
   * True if the index already is SOCI-enabled: an entry is a v2 SOCI index or carries the
   * {@code com.amazon.soci.index-digest} annotation.
   */
  public static boolean isSociEnabled(ImageIndex index) {
    for (Descriptor d : index.manifestList()) {
      if (MediaTypes.SOCI_INDEX_V2.equals(d.artifactType())
          || d.annotation(SociIndex.ANNOTATION_INDEX_DIGEST) != null) {
        return true;
      }
    }
    return false;
  }

  /** True if the manifest carries the {@code com.amazon.soci.index-digest} annotation. */
  public static boolean isSociEnabled(ImageManifest manifest) {
    return manifest.annotation(SociIndex.ANNOTATION_INDEX_DIGEST) != null;
  }
}
