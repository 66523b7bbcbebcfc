package dev.socibuilder.oci;

import dev.socibuilder.json.GoJsonValue;
import dev.socibuilder.json.GoJsonWriter;
import dev.socibuilder.json.JsonValue;
import dev.socibuilder.json.JsonValue.Member;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;

/**
 * An image index, as {@code ocispec.Index} of image-spec v1.1.1 (OCI index or Docker manifest list:
 * both decode into the same Go struct).
 *
 * <p>JSON field order: {@code schemaVersion}, {@code mediaType}*, {@code artifactType}*, {@code
 * manifests}, {@code subject}*, {@code annotations}* (* = omitempty). {@code manifests} has no
 * omitempty: a null list is written {@code null}, an empty list {@code []}.
 */
public record ImageIndex(
    long schemaVersion,
    String mediaType,
    String artifactType,
    List<Descriptor> manifests,
    Descriptor subject,
    SortedMap<String, String> annotations) implements GoJsonValue {

  private static final String[] FIELDS = {
    "schemaVersion", "mediaType", "artifactType", "manifests", "subject", "annotations"
  };

  public ImageIndex {
    mediaType = Objects.requireNonNullElse(mediaType, "");
    artifactType = Objects.requireNonNullElse(artifactType, "");
    manifests = manifests == null ? null : List.copyOf(manifests);
    annotations = Descriptor.sortedCopy(annotations);
  }

  /** A new {@code {"schemaVersion":2,"mediaType":<OCI index>,"manifests":[...]}}. */
  public static ImageIndex of(List<Descriptor> manifests) {
    return new ImageIndex(2, MediaTypes.OCI_INDEX, "", manifests, null, null);
  }

  /**
   * Decodes an index as Go's {@code json.Unmarshal} into {@code ocispec.Index} does (unknown fields
   * dropped, e.g. the Docker platform {@code features}), after containerd's media-type sanity check.
   *
   * @throws OciFormatException if the bytes are not JSON, look like a manifest or schema 1, or a
   *     field has the wrong JSON type
   */
  public static ImageIndex parse(byte[] json) {
    JsonValue root = GoDecode.parse(json, "image index");
    GoDecode.validateDocument(root, false, "image index");
    List<Member> members = GoDecode.structMembers(root, "v1.Index", "Index");
    long schemaVersion = 0;
    String mediaType = "";
    String artifactType = "";
    List<Descriptor> manifests = null;
    Descriptor subject = null;
    SortedMap<String, String> annotations = null;
    for (Member m : members == null ? List.<Member>of() : members) {
      JsonValue v = m.value();
      switch (GoDecode.field(m.name(), FIELDS)) {
        case 0 -> schemaVersion = GoDecode.int64(v, schemaVersion, "Index.schemaVersion");
        case 1 -> mediaType = GoDecode.string(v, mediaType, "Index.mediaType");
        case 2 -> artifactType = GoDecode.string(v, artifactType, "Index.artifactType");
        case 3 -> manifests = GoDecode.descriptorList(v, manifests, "Index.manifests");
        case 4 -> subject = Descriptor.decode(v, subject, "Index.subject");
        case 5 -> annotations = GoDecode.stringMap(v, annotations, "Index.annotations");
        default -> {}
      }
    }
    return new ImageIndex(schemaVersion, mediaType, artifactType, manifests, subject, annotations);
  }

  /** The manifests, never null (a nil list reads as empty). */
  public List<Descriptor> manifestList() {
    return manifests == null ? List.of() : manifests;
  }

  public ImageIndex withMediaType(String newMediaType) {
    return new ImageIndex(schemaVersion, newMediaType, artifactType, manifests, subject, annotations);
  }

  public ImageIndex withManifests(List<Descriptor> newManifests) {
    return new ImageIndex(schemaVersion, mediaType, artifactType, newManifests, subject, annotations);
  }

  public ImageIndex withAnnotations(Map<String, String> newAnnotations) {
    return new ImageIndex(schemaVersion, mediaType, artifactType, manifests, subject, Descriptor.sortedCopy(newAnnotations));
  }

  /** Writes this index as Go's {@code json.Marshal} does. */
  @Override
  public void writeTo(GoJsonWriter w) {
    w.beginObject();
    w.name("schemaVersion").value(schemaVersion);
    if (!mediaType.isEmpty()) {
      w.name("mediaType").value(mediaType);
    }
    if (!artifactType.isEmpty()) {
      w.name("artifactType").value(artifactType);
    }
    w.name("manifests");
    ImageManifest.writeDescriptors(w, manifests);
    if (subject != null) {
      w.name("subject");
      subject.writeTo(w);
    }
    if (annotations != null) {
      w.name("annotations").stringMap(annotations);
    }
    w.endObject();
  }
}
