package dev.socibuilder.indexer.store;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.digest.VerifyingInputStream;
import dev.socibuilder.json.JsonException;
import dev.socibuilder.json.JsonParser;
import dev.socibuilder.json.JsonValue;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.ImageManifest;
import dev.socibuilder.oci.MediaTypes;
import dev.socibuilder.oci.OciFormatException;
import dev.socibuilder.oci.StoredManifest;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An OCI image layout on disk as an {@link ImageStore}: tags are {@code index.json} entries with
 * {@code org.opencontainers.image.ref.name}. The SOCI artifacts are written into the same layout
 * (like {@code soci convert --standalone}, but keeping the layout's other entries). A v1 SOCI index is
 * listed in {@code index.json} untagged, so that layout-aware tools find it as a referrer of its
 * subject.
 */
public final class LayoutImageStore implements ImageStore {
  private final OciLayout layout;

  public LayoutImageStore(OciLayout layout) {
    this.layout = layout;
  }

  @Override
  public String name() {
    return "oci:" + layout.root();
  }

  @Override
  public Optional<StoredManifest> manifest(String reference) {
    if (reference.startsWith("sha256:")) {
      Digest d = digest(reference, "manifest reference");
      if (!layout.hasBlob(d)) {
        return Optional.empty();
      }
      byte[] bytes = layout.readBlob(d, -1);
      return Optional.of(new StoredManifest(bytes, mediaTypeOf(d, bytes), d));
    }
    Descriptor entry;
    try {
      entry = layout.resolve(reference.isEmpty() ? null : reference);
    } catch (OciLayoutException e) {
      return Optional.empty();
    }
    Digest d = digest(entry.digest(), reference.isEmpty() ? "the only index.json entry" : "index.json entry tagged "
        + reference);
    return Optional.of(new StoredManifest(layout.readBlob(d, entry.size()), entry.mediaType(), d));
  }

  /** A digest found in the layout, validated: a bad one is bad content in the layout. */
  private Digest digest(String digest, String where) {
    try {
      return Digest.parse(digest);
    } catch (IllegalArgumentException e) {
      throw new OciLayoutException(name() + ": " + where + " has an invalid digest '" + digest + "'");
    }
  }

  /**
   * The tag to use when the user named none: the layout's only tag. Untagged entries (such as v1
   * SOCI indexes this builder listed) do not count.
   */
  public String defaultTag() {
    List<String> tags = layout.tags();
    if (tags.size() != 1) {
      throw new OciLayoutException(name() + " has " + (tags.isEmpty() ? "no tags" : "several tags " + tags)
          + "; name one as oci:DIR:TAG");
    }
    return tags.get(0);
  }

  @Override
  public InputStream openBlob(Descriptor blob) {
    Digest d = digest(blob.digest(), "blob descriptor");
    return new VerifyingInputStream(layout.openBlob(d), d, blob.size(),
        (actual, detail) -> new OciLayoutException("blob " + blob.digest() + " of " + name() + ": " + detail));
  }

  @Override
  public byte[] readBlob(Descriptor blob) {
    return layout.readBlob(digest(blob.digest(), "blob descriptor"), blob.size());
  }

  @Override
  public boolean hasBlob(Digest digest) {
    return layout.hasBlob(digest);
  }

  @Override
  public void pushBlob(Digest digest, byte[] content) {
    Descriptor written = layout.writeBlob(MediaTypes.OCTET_STREAM, content);
    if (!written.digest().equals(digest.toString())) {
      throw new IllegalStateException("blob content has digest " + written.digest() + ", not " + digest);
    }
  }

  @Override
  public void pushManifest(byte[] bytes, String mediaType) {
    Descriptor d = layout.writeBlob(mediaType, bytes);
    if (MediaTypes.isManifest(mediaType)) {
      ImageManifest m = ImageManifest.parse(bytes);
      // Listed once: a forced re-run writes the same (deterministic) manifest again.
      if (m.subject() != null && layout.index().manifestList().stream().noneMatch(e -> e.digest().equals(d.digest()))) {
        String artifactType = m.artifactType().isEmpty() ? m.config().mediaType() : m.artifactType();
        layout.tag(null, d.withArtifactType(artifactType));
      }
    }
  }

  @Override
  public void tag(String tag, byte[] bytes, String mediaType) {
    Descriptor d = layout.writeBlob(mediaType, bytes);
    layout.tag(tag, d);
  }

  @Override
  public Optional<Digest> digestOf(String tag) {
    Descriptor entry;
    try {
      entry = layout.resolve(tag);
    } catch (OciLayoutException e) {
      return Optional.empty();
    }
    return Optional.of(digest(entry.digest(), "index.json entry tagged " + tag));
  }

  @Override
  public Optional<List<Descriptor>> referrers(Digest subject, String artifactType) {
    List<Descriptor> out = new ArrayList<>();
    for (Descriptor d : layout.index().manifestList()) {
      Digest digest;
      try {
        digest = d.parsedDigest();
      } catch (IllegalArgumentException e) {
        continue; // not an entry anything can refer to
      }
      if (!MediaTypes.isManifest(d.mediaType()) || !layout.hasBlob(digest)) {
        continue;
      }
      try {
        ImageManifest m = ImageManifest.parse(layout.readBlob(digest, d.size()));
        String type = m.artifactType().isEmpty() ? m.config().mediaType() : m.artifactType();
        if (m.subject() != null && m.subject().digest().equals(subject.toString())
            && (artifactType == null || artifactType.equals(type))) {
          out.add(d.withArtifactType(type));
        }
      } catch (OciFormatException e) {
        // not an image manifest we can read: not a referrer
      }
    }
    return Optional.of(out);
  }

  private String mediaTypeOf(Digest d, byte[] bytes) {
    JsonValue v;
    try {
      v = JsonParser.parse(bytes);
    } catch (JsonException e) {
      throw new OciLayoutException(name() + ": manifest " + d + " is not JSON: " + e.getMessage(), e);
    }
    if (v instanceof JsonValue.JsonObject o) {
      for (JsonValue.Member m : o.members()) {
        if (m.name().equals("mediaType") && m.value() instanceof JsonValue.JsonString s) {
          return s.value();
        }
      }
      for (JsonValue.Member m : o.members()) {
        if (m.name().equals("manifests")) {
          return MediaTypes.OCI_INDEX;
        }
      }
    }
    return MediaTypes.OCI_MANIFEST;
  }
}
