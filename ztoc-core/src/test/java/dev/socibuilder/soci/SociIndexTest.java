package dev.socibuilder.soci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.ImageManifest;
import dev.socibuilder.oci.OciFormatException;
import dev.socibuilder.soci.SociIndex.Version;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class SociIndexTest {
  static byte[] resource(String name) throws IOException {
    try (InputStream in = SociIndexTest.class.getResourceAsStream("/soci-json/" + name)) {
      return in.readAllBytes();
    }
  }

  @Test
  void rebuildsTheGoOutputOfSpecSection51ByteForByte() throws IOException {
    // Inputs as in the spec's example, with its shortened digest strings.
    ZtocDescriptor z = new ZtocDescriptor(
        "sha256:…b1", "application/vnd.oci.image.layer.v1.tar+gzip", "sha256:…a1", 1229704, 4194304, true);
    Descriptor subject = Descriptor.of("application/vnd.oci.image.manifest.v1+json", "sha256:…c1", 2752);
    byte[] built = SociIndex.build(Version.V1, List.of(z), subject, "AWS SOCI CLI v0.2");
    assertThat(new String(built, StandardCharsets.UTF_8))
        .isEqualTo(new String(resource("soci-index-v1-spec-5.1.json"), StandardCharsets.UTF_8));
    assertThat(built).isEqualTo(resource("soci-index-v1-spec-5.1.json"));
  }

  @Test
  void emptyConfigDigestIsTheSha256OfTheTwoByteObject() throws Exception {
    byte[] raw = MessageDigest.getInstance("SHA-256").digest("{}".getBytes(StandardCharsets.US_ASCII));
    assertThat(SociIndex.EMPTY_CONFIG_DIGEST.toString())
        .isEqualTo("sha256:" + HexFormat.of().formatHex(raw))
        .isEqualTo("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
    assertThat(SociIndex.emptyConfig()).containsExactly('{', '}');
  }

  @Test
  void v2HasNoSubjectAndTheV2ConfigType() {
    ZtocDescriptor z = new ZtocDescriptor("sha256:l", "application/vnd.docker.image.rootfs.diff.tar", "sha256:z", 10, 65536);
    byte[] built = SociIndex.build(Version.V2, List.of(z), null, "soci-oracle");
    assertThat(new String(built, StandardCharsets.UTF_8)).isEqualTo(
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"config\":{\"mediaType\":\"application/vnd.amazon.soci.index.v2+json\","
            + "\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":2},"
            + "\"layers\":[{\"mediaType\":\"application/octet-stream\",\"digest\":\"sha256:z\",\"size\":10,"
            + "\"annotations\":{\"com.amazon.soci.image-layer-digest\":\"sha256:l\","
            + "\"com.amazon.soci.image-layer-mediaType\":\"application/vnd.docker.image.rootfs.diff.tar\","
            + "\"com.amazon.soci.span-size\":\"65536\"}}],"
            + "\"annotations\":{\"com.amazon.soci.build-tool-identifier\":\"soci-oracle\"}}");
  }

  @Test
  void keepsZtocOrderThenAppendsPrefetchDescriptors() {
    ZtocDescriptor a = new ZtocDescriptor("sha256:l2", "m", "sha256:z2", 1, 1);
    ZtocDescriptor b = new ZtocDescriptor("sha256:l1", "m", "sha256:z1", 1, 1);
    Descriptor prefetch = Descriptor.of("application/vnd.amazon.soci.prefetch.v1+json", "sha256:p", 5)
        .withAnnotation("com.amazon.soci.image-layer-digest", "sha256:l2");
    ImageManifest m = ImageManifest.parse(SociIndex.build(Version.V2, List.of(a, b), List.of(prefetch), null, "t"));
    assertThat(m.layers()).extracting(Descriptor::digest).containsExactly("sha256:z2", "sha256:z1", "sha256:p");
  }

  @Test
  void subjectCarriesOnlyMediaTypeDigestAndSize() {
    Descriptor subject = Descriptor.of("application/vnd.docker.distribution.manifest.v2+json", "sha256:s", 7)
        .withAnnotation("x", "y").withArtifactType("t");
    ImageManifest m = ImageManifest.parse(SociIndex.build(Version.V1, List.of(new ZtocDescriptor("sha256:l", "m", "sha256:z", 1, 1)), subject, "t"));
    assertThat(m.subject()).isEqualTo(Descriptor.of("application/vnd.docker.distribution.manifest.v2+json", "sha256:s", 7));
  }

  @Test
  void refusesAnEmptyIndexAndMismatchedSubjects() {
    ZtocDescriptor z = new ZtocDescriptor("sha256:l", "m", "sha256:z", 1, 1);
    Descriptor s = Descriptor.of("m", "sha256:s", 1);
    assertThatThrownBy(() -> SociIndex.build(Version.V1, List.of(), s, "t")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SociIndex.build(Version.V1, List.of(z), null, "t")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SociIndex.build(Version.V2, List.of(z), s, "t")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void descriptorIsTheOciManifestTypeWithTheArtifactType() {
    byte[] bytes = "{\"x\":1}".getBytes(StandardCharsets.UTF_8);
    Descriptor d = SociIndex.descriptor(bytes, Version.V2);
    assertThat(new String(d.toJson(), StandardCharsets.UTF_8)).isEqualTo(
        "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + Digest.sha256Of(bytes)
            + "\",\"size\":7,\"artifactType\":\"application/vnd.amazon.soci.index.v2+json\"}");
  }

  @Test
  void builtIndexSurvivesTheSnapshotterRoundTripButReformattedOnesDoNot() throws IOException {
    byte[] golden = resource("soci-index-v1-spec-5.1.json");
    assertThat(SociIndex.survivesSnapshotterRoundTrip(golden)).isTrue();
    String text = new String(golden, StandardCharsets.UTF_8);
    assertThat(SociIndex.survivesSnapshotterRoundTrip((text + "\n").getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(SociIndex.survivesSnapshotterRoundTrip(text.replace(",\"config\"", ", \"config\"").getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(SociIndex.survivesSnapshotterRoundTrip(
        text.replace("\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\"",
            "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"artifactType\":\"application/vnd.amazon.soci.index.v1+json\",\"config\"")
            .getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(SociIndex.survivesSnapshotterRoundTrip(text.replace("index.v1+json", "index.v3+json").getBytes(StandardCharsets.UTF_8))).isFalse();
  }

  @Test
  void versionComesFromTheConfigMediaType() throws IOException {
    assertThat(SociIndex.versionOf(ImageManifest.parse(resource("soci-index-v1-spec-5.1.json")))).isEqualTo(Version.V1);
    ImageManifest other = ImageManifest.parse("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\"},\"layers\":[]}".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> SociIndex.versionOf(other)).isInstanceOf(OciFormatException.class).hasMessageContaining("unknown index version");
  }
}
