package dev.socibuilder.oci;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.json.GoJsonValue;
import dev.socibuilder.json.GoJsonWriter;
import dev.socibuilder.json.JsonValue;
import dev.socibuilder.json.JsonValue.Member;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An OCI content descriptor, as {@code ocispec.Descriptor} of image-spec v1.1.1.
 *
 * <p>JSON field order (Go declaration order): {@code mediaType}, {@code digest}, {@code size},
 * {@code urls}*, {@code annotations}*, {@code data}*, {@code platform}*, {@code artifactType}* (* =
 * omitempty). Like Go's struct this is a plain value: {@code digest} is the string as found (Go's
 * {@code digest.Digest} is a string type that decoding does not validate; use {@link
 * #parsedDigest()} to validate), and empty strings, an empty URL list, null annotations and null
 * data mean "absent". Annotations are kept sorted bytewise, the order Go marshals map keys in; an
 * empty map is stored as null since Go's omitempty treats both alike.
 */
public record Descriptor(
    String mediaType,
    String digest,
    long size,
    List<String> urls,
    SortedMap<String, String> annotations,
    byte[] data,
    Platform platform,
    String artifactType) implements GoJsonValue {

  static final String[] FIELDS = {
    "mediaType", "digest", "size", "urls", "annotations", "data", "platform", "artifactType"
  };

  /** Go's zero {@code Descriptor}: what a missing {@code config} decodes to. */
  static final Descriptor ZERO = new Descriptor("", "", 0, null, null, null, null, "");

  public Descriptor {
    mediaType = Objects.requireNonNullElse(mediaType, "");
    digest = Objects.requireNonNullElse(digest, "");
    urls = urls == null ? List.of() : List.copyOf(urls);
    annotations = sortedCopy(annotations);
    data = data == null || data.length == 0 ? null : data.clone();
    artifactType = Objects.requireNonNullElse(artifactType, "");
  }

  /** A descriptor with only media type, digest and size. */
  public static Descriptor of(String mediaType, Digest digest, long size) {
    return new Descriptor(mediaType, digest.toString(), size, null, null, null, null, "");
  }

  /** A descriptor with only media type, digest and size; the digest string is not validated. */
  public static Descriptor of(String mediaType, String digest, long size) {
    return new Descriptor(mediaType, digest, size, null, null, null, null, "");
  }

  /** A bytewise-sorted unmodifiable copy, or null when {@code map} is null or empty. */
  static SortedMap<String, String> sortedCopy(Map<String, String> map) {
    if (map == null || map.isEmpty()) {
      return null;
    }
    TreeMap<String, String> copy = new TreeMap<>(GoJsonWriter.KEY_ORDER);
    for (Map.Entry<String, String> e : map.entrySet()) {
      copy.put(Objects.requireNonNull(e.getKey(), "annotation key"),
          Objects.requireNonNull(e.getValue(), "annotation value"));
    }
    return Collections.unmodifiableSortedMap(copy);
  }

  /** The digest as a validated {@link Digest}. @throws IllegalArgumentException if malformed */
  public Digest parsedDigest() {
    return Digest.parse(digest);
  }

  /** The annotation {@code key}, or null. */
  public String annotation(String key) {
    return annotations == null ? null : annotations.get(key);
  }

  /** The embedded data (a copy), or null. */
  @Override
  public byte[] data() {
    return data == null ? null : data.clone();
  }

  public Descriptor withMediaType(String newMediaType) {
    return new Descriptor(newMediaType, digest, size, urls, annotations, data, platform, artifactType);
  }

  public Descriptor withDigestAndSize(String newDigest, long newSize) {
    return new Descriptor(mediaType, newDigest, newSize, urls, annotations, data, platform, artifactType);
  }

  /** This descriptor with {@code newAnnotations} replacing all annotations (null or empty: none). */
  public Descriptor withAnnotations(Map<String, String> newAnnotations) {
    return new Descriptor(mediaType, digest, size, urls, sortedCopy(newAnnotations), data, platform, artifactType);
  }

  /** This descriptor with one annotation added or replaced. */
  public Descriptor withAnnotation(String key, String value) {
    TreeMap<String, String> m = new TreeMap<>(GoJsonWriter.KEY_ORDER);
    if (annotations != null) {
      m.putAll(annotations);
    }
    m.put(key, value);
    return withAnnotations(m);
  }

  /** This descriptor with embedded {@code data} replaced (null or empty: none). */
  public Descriptor withData(byte[] newData) {
    return new Descriptor(mediaType, digest, size, urls, annotations, newData, platform, artifactType);
  }

  public Descriptor withPlatform(Platform newPlatform) {
    return new Descriptor(mediaType, digest, size, urls, annotations, data, newPlatform, artifactType);
  }

  public Descriptor withArtifactType(String newArtifactType) {
    return new Descriptor(mediaType, digest, size, urls, annotations, data, platform, newArtifactType);
  }

  /** Only {@code mediaType}, {@code digest} and {@code size} (what a {@code subject} carries). */
  public Descriptor withoutExtras() {
    return of(mediaType, digest, size);
  }

  /** Parses a descriptor JSON document as Go's {@code json.Unmarshal} into {@code ocispec.Descriptor}. */
  public static Descriptor parse(byte[] json) {
    Descriptor d = decode(GoDecode.parse(json, "descriptor"), ZERO, "Descriptor");
    return d == null ? ZERO : d;
  }

  /** Decodes into {@code current} (Go merges repeated objects); null for JSON null. */
  static Descriptor decode(JsonValue v, Descriptor current, String path) {
    List<Member> members = GoDecode.structMembers(v, "v1.Descriptor", path);
    if (members == null) {
      return null;
    }
    Descriptor b = current == null ? ZERO : current;
    String mediaType = b.mediaType;
    String digest = b.digest;
    long size = b.size;
    List<String> urls = b.urls;
    SortedMap<String, String> annotations = b.annotations;
    byte[] data = b.data;
    Platform platform = b.platform;
    String artifactType = b.artifactType;
    for (Member m : members) {
      JsonValue x = m.value();
      switch (GoDecode.field(m.name(), FIELDS)) {
        case 0 -> mediaType = GoDecode.string(x, mediaType, path + ".mediaType");
        case 1 -> digest = GoDecode.string(x, digest, path + ".digest");
        case 2 -> size = GoDecode.int64(x, size, path + ".size");
        case 3 -> urls = GoDecode.stringList(x, urls, path + ".urls");
        case 4 -> annotations = GoDecode.stringMap(x, annotations, path + ".annotations");
        case 5 -> data = GoDecode.bytes(x, path + ".data");
        case 6 -> platform = Platform.decode(x, platform, path + ".platform");
        case 7 -> artifactType = GoDecode.string(x, artifactType, path + ".artifactType");
        default -> {}
      }
    }
    return new Descriptor(mediaType, digest, size, urls, annotations, data, platform, artifactType);
  }

  /** Writes this descriptor as Go's {@code json.Marshal} does. */
  @Override
  public void writeTo(GoJsonWriter w) {
    w.beginObject();
    w.name("mediaType").value(mediaType);
    w.name("digest").value(digest);
    w.name("size").value(size);
    if (!urls.isEmpty()) {
      w.name("urls").stringList(urls);
    }
    if (annotations != null) {
      w.name("annotations").stringMap(annotations);
    }
    if (data != null) {
      w.name("data").base64(data);
    }
    if (platform != null) {
      w.name("platform");
      platform.writeTo(w);
    }
    if (!artifactType.isEmpty()) {
      w.name("artifactType").value(artifactType);
    }
    w.endObject();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Descriptor d
        && size == d.size
        && mediaType.equals(d.mediaType)
        && digest.equals(d.digest)
        && urls.equals(d.urls)
        && Objects.equals(annotations, d.annotations)
        && Arrays.equals(data, d.data)
        && Objects.equals(platform, d.platform)
        && artifactType.equals(d.artifactType);
  }

  @Override
  public int hashCode() {
    return Objects.hash(mediaType, digest, size, urls, annotations, Arrays.hashCode(data), platform, artifactType);
  }

  @Override
  public String toString() {
    return "Descriptor[" + mediaType + " " + digest + " " + size
        + (annotations == null ? "" : " " + annotations)
        + (platform == null ? "" : " " + platform)
        + (artifactType.isEmpty() ? "" : " artifactType=" + artifactType) + "]";
  }
}
