package dev.socibuilder.oci;

import dev.socibuilder.json.GoJsonValue;
import dev.socibuilder.json.GoJsonWriter;
import dev.socibuilder.json.JsonValue;
import dev.socibuilder.json.JsonValue.Member;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An image manifest, as {@code ocispec.Manifest} of image-spec v1.1.1 (OCI or Docker schema 2:
 * both decode into the same Go struct).
 *
 * <p>JSON field order: {@code schemaVersion}, {@code mediaType}*, {@code artifactType}*, {@code
 * config}, {@code layers}, {@code subject}*, {@code annotations}* (* = omitempty). {@code layers}
 * has no omitempty: a null list (Go nil slice, e.g. the field was missing) is written {@code null},
 * an empty list {@code []}. A missing {@code config} is Go's zero descriptor.
 */
public record ImageManifest(
    long schemaVersion,
    String mediaType,
    String artifactType,
    Descriptor config,
    List<Descriptor> layers,
    Descriptor subject,
    SortedMap<String, String> annotations) implements GoJsonValue {

  private static final String[] FIELDS = {
    "schemaVersion", "mediaType", "artifactType", "config", "layers", "subject", "annotations"
  };

  public ImageManifest {
    mediaType = Objects.requireNonNullElse(mediaType, "");
    artifactType = Objects.requireNonNullElse(artifactType, "");
    config = Objects.requireNonNullElse(config, Descriptor.ZERO);
    layers = layers == null ? null : List.copyOf(layers);
    annotations = Descriptor.sortedCopy(annotations);
  }

  /**
   * Decodes a manifest as Go's {@code json.Unmarshal} into {@code ocispec.Manifest} does (unknown
   * fields dropped, Docker field order not kept), after containerd's media-type sanity check.
   *
   * @throws OciFormatException if the bytes are not JSON, look like an index or schema 1, or a field
   *     has the wrong JSON type
   */
  public static ImageManifest parse(byte[] json) {
    JsonValue root = GoDecode.parse(json, "image manifest");
    GoDecode.validateDocument(root, true, "image manifest");
    List<Member> members = GoDecode.structMembers(root, "v1.Manifest", "Manifest");
    long schemaVersion = 0;
    String mediaType = "";
    String artifactType = "";
    Descriptor config = Descriptor.ZERO;
    List<Descriptor> layers = null;
    Descriptor subject = null;
    SortedMap<String, String> annotations = null;
    for (Member m : members == null ? List.<Member>of() : members) {
      JsonValue v = m.value();
      switch (GoDecode.field(m.name(), FIELDS)) {
        case 0 -> schemaVersion = GoDecode.int64(v, schemaVersion, "Manifest.schemaVersion");
        case 1 -> mediaType = GoDecode.string(v, mediaType, "Manifest.mediaType");
        case 2 -> artifactType = GoDecode.string(v, artifactType, "Manifest.artifactType");
        case 3 -> {
          // A struct field: JSON null leaves it unchanged.
          Descriptor d = Descriptor.decode(v, config, "Manifest.config");
          config = d == null ? config : d;
        }
        case 4 -> layers = GoDecode.descriptorList(v, layers, "Manifest.layers");
        case 5 -> subject = Descriptor.decode(v, subject, "Manifest.subject");
        case 6 -> annotations = GoDecode.stringMap(v, annotations, "Manifest.annotations");
        default -> {}
      }
    }
    return new ImageManifest(schemaVersion, mediaType, artifactType, config, layers, subject, annotations);
  }

  /** The annotation {@code key}, or null. */
  public String annotation(String key) {
    return annotations == null ? null : annotations.get(key);
  }

  public ImageManifest withMediaType(String newMediaType) {
    return new ImageManifest(schemaVersion, newMediaType, artifactType, config, layers, subject, annotations);
  }

  public ImageManifest withConfig(Descriptor newConfig) {
    return new ImageManifest(schemaVersion, mediaType, artifactType, newConfig, layers, subject, annotations);
  }

  /** This manifest with {@code newAnnotations} replacing all annotations (null or empty: none). */
  public ImageManifest withAnnotations(Map<String, String> newAnnotations) {
    return new ImageManifest(schemaVersion, mediaType, artifactType, config, layers, subject, Descriptor.sortedCopy(newAnnotations));
  }

  /** This manifest with one annotation added or replaced. */
  public ImageManifest withAnnotation(String key, String value) {
    TreeMap<String, String> m = new TreeMap<>(GoJsonWriter.KEY_ORDER);
    if (annotations != null) {
      m.putAll(annotations);
    }
    m.put(key, value);
    return withAnnotations(m);
  }

  /** Writes this manifest as Go's {@code json.Marshal} does. */
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
    w.name("config");
    config.writeTo(w);
    w.name("layers");
    writeDescriptors(w, layers);
    if (subject != null) {
      w.name("subject");
      subject.writeTo(w);
    }
    if (annotations != null) {
      w.name("annotations").stringMap(annotations);
    }
    w.endObject();
  }

  static void writeDescriptors(GoJsonWriter w, List<Descriptor> list) {
    if (list == null) {
      w.nullValue();
      return;
    }
    w.beginArray();
    for (Descriptor d : list) {
      d.writeTo(w);
    }
    w.endArray();
  }
}
