package dev.socibuilder.oci;

import dev.socibuilder.json.GoJsonValue;
import dev.socibuilder.json.GoJsonWriter;
import dev.socibuilder.json.JsonValue;
import dev.socibuilder.json.JsonValue.Member;
import java.util.List;
import java.util.Objects;

/**
 * An OCI platform, as {@code ocispec.Platform} of image-spec v1.1.1. JSON field order (Go
 * declaration order): {@code architecture}, {@code os}, {@code os.version}*, {@code os.features}*,
 * {@code variant}* (* = omitempty). Empty strings and an empty feature list mean "absent", as Go's
 * zero values do. The v1.1 {@code features} field is not part of this struct version and is dropped
 * on parse, as Go drops it.
 */
public record Platform(
    String architecture, String os, String osVersion, List<String> osFeatures, String variant)
    implements GoJsonValue {

  static final String[] FIELDS = {"architecture", "os", "os.version", "os.features", "variant"};

  public Platform {
    architecture = Objects.requireNonNullElse(architecture, "");
    os = Objects.requireNonNullElse(os, "");
    osVersion = Objects.requireNonNullElse(osVersion, "");
    osFeatures = osFeatures == null ? List.of() : List.copyOf(osFeatures);
    variant = Objects.requireNonNullElse(variant, "");
  }

  /** {@code os}/{@code architecture}[/{@code variant}] without version or features. */
  public static Platform of(String os, String architecture, String variant) {
    return new Platform(architecture, os, "", List.of(), variant);
  }

  /** {@code os}/{@code architecture} without variant. */
  public static Platform of(String os, String architecture) {
    return of(os, architecture, "");
  }

  /**
   * The platform fields of an image config ({@code os}, {@code architecture}, {@code variant},
   * {@code os.version}, {@code os.features}), decoded as Go decodes the config into an
   * {@code ocispec.Platform}. Not normalized: containerd's {@code ConfigPlatform} (what
   * {@code soci convert} uses for single-manifest images) is
   * {@code Platforms.normalize(Platform.fromConfig(config))}.
   *
   * @throws OciFormatException if the config is not JSON or a platform field has the wrong type
   */
  public static Platform fromConfig(byte[] configJson) {
    JsonValue root = GoDecode.parse(configJson, "image config");
    Platform p = decode(root, new Platform("", "", "", List.of(), ""), "Image");
    return p == null ? new Platform("", "", "", List.of(), "") : p;
  }

  /** Decodes into {@code current} (Go merges a repeated object); null for JSON null. */
  static Platform decode(JsonValue v, Platform current, String path) {
    List<Member> members = GoDecode.structMembers(v, "v1.Platform", path);
    if (members == null) {
      return null;
    }
    Platform base = current == null ? new Platform("", "", "", List.of(), "") : current;
    String arch = base.architecture;
    String os = base.os;
    String osVersion = base.osVersion;
    List<String> features = base.osFeatures;
    String variant = base.variant;
    for (Member m : members) {
      switch (GoDecode.field(m.name(), FIELDS)) {
        case 0 -> arch = GoDecode.string(m.value(), arch, path + ".architecture");
        case 1 -> os = GoDecode.string(m.value(), os, path + ".os");
        case 2 -> osVersion = GoDecode.string(m.value(), osVersion, path + ".os.version");
        case 3 -> features = GoDecode.stringList(m.value(), features, path + ".os.features");
        case 4 -> variant = GoDecode.string(m.value(), variant, path + ".variant");
        default -> {}
      }
    }
    return new Platform(arch, os, osVersion, features, variant);
  }

  /** Writes this platform as Go's {@code json.Marshal} does. */
  @Override
  public void writeTo(GoJsonWriter w) {
    w.beginObject();
    w.name("architecture").value(architecture);
    w.name("os").value(os);
    if (!osVersion.isEmpty()) {
      w.name("os.version").value(osVersion);
    }
    if (!osFeatures.isEmpty()) {
      w.name("os.features").stringList(osFeatures);
    }
    if (!variant.isEmpty()) {
      w.name("variant").value(variant);
    }
    w.endObject();
  }

  /** containerd's {@code platforms.Format}: {@code os/arch[/variant]}, or "unknown" without an OS. */
  @Override
  public String toString() {
    return Platforms.format(this);
  }
}
