package dev.socibuilder.soci;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.soci.SociIndex.Version;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReferrersTagIndexTest {
  private static final String A = "sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f";
  private static final String B = "sha256:3c3a4604a545cdc127456d94e421cd355bca5b528f4a9c1905b15da2eb4a4c6b";
  private static final String M = "application/vnd.oci.image.manifest.v1+json";

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void tagIsAlgorithmDashHex() {
    assertThat(ReferrersTagIndex.tagFor(Digest.parse(A)))
        .isEqualTo("sha256-e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f");
  }

  @Test
  void entryOfAV1SociIndexTakesTheConfigMediaTypeAsArtifactType() {
    byte[] index = SociIndex.build(Version.V1, List.of(new ZtocDescriptor(A, "m", B, 1, 1)),
        Descriptor.of(M, A, 10), "AWS SOCI CLI v0.2");
    Descriptor pushed = SociIndex.descriptor(index, Version.V1);
    Descriptor entry = ReferrersTagIndex.entryFor(pushed, index);
    assertThat(text(entry.toJson())).isEqualTo("{\"mediaType\":\"" + M + "\",\"digest\":\"" + Digest.sha256Of(index)
        + "\",\"size\":" + index.length + ",\"annotations\":{\"com.amazon.soci.build-tool-identifier\":\"AWS SOCI CLI v0.2\"},"
        + "\"artifactType\":\"application/vnd.amazon.soci.index.v1+json\"}");
  }

  @Test
  void entryPrefersTheManifestArtifactType() {
    byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + M + "\",\"artifactType\":\"application/x-sig\","
        + "\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"" + A + "\",\"size\":2},\"layers\":[],"
        + "\"subject\":{\"mediaType\":\"" + M + "\",\"digest\":\"" + B + "\",\"size\":1}}").getBytes(StandardCharsets.UTF_8);
    Descriptor entry = ReferrersTagIndex.entryFor(Descriptor.of(M, Digest.sha256Of(manifest), manifest.length), manifest);
    assertThat(entry.artifactType()).isEqualTo("application/x-sig");
    assertThat(entry.annotations()).isNull();
  }

  @Test
  void firstReferrerCreatesAFreshIndex() {
    Descriptor e = Descriptor.of(M, A, 5).withArtifactType("t");
    assertThat(text(ReferrersTagIndex.update(null, e))).isEqualTo(
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
            + "{\"mediaType\":\"" + M + "\",\"digest\":\"" + A + "\",\"size\":5,\"artifactType\":\"t\"}]}");
  }

  @Test
  void existingEntriesAreKeptInOrderAndTheNewOneAppended() {
    String existing = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
        + "{\"mediaType\":\"" + M + "\",\"digest\":\"" + B + "\",\"size\":9,\"annotations\":{\"k\":\"v\"},\"artifactType\":\"x\"}],"
        + "\"annotations\":{\"dropped\":\"by oras\"}}";
    Descriptor e = Descriptor.of(M, A, 5).withArtifactType("t");
    assertThat(text(ReferrersTagIndex.update(existing.getBytes(StandardCharsets.UTF_8), e))).isEqualTo(
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
            + "{\"mediaType\":\"" + M + "\",\"digest\":\"" + B + "\",\"size\":9,\"annotations\":{\"k\":\"v\"},\"artifactType\":\"x\"},"
            + "{\"mediaType\":\"" + M + "\",\"digest\":\"" + A + "\",\"size\":5,\"artifactType\":\"t\"}]}");
  }

  @Test
  void anAlreadyListedReferrerLeavesTheIndexUntouched() {
    String existing = "{ \"schemaVersion\": 2, \"manifests\": [ {\"mediaType\":\"" + M + "\",\"digest\":\"" + A + "\",\"size\":5} ] }\n";
    byte[] bytes = existing.getBytes(StandardCharsets.UTF_8);
    // Same media type, digest and size: the same referrer even with different annotations.
    assertThat(ReferrersTagIndex.update(bytes, Descriptor.of(M, A, 5).withAnnotation("a", "b"))).isEqualTo(bytes);
  }

  @Test
  void duplicatesAndEmptyEntriesAreCleanedUp() {
    String existing = "{\"schemaVersion\":2,\"manifests\":["
        + "{\"mediaType\":\"" + M + "\",\"digest\":\"" + A + "\",\"size\":5},"
        + "{\"mediaType\":\"\",\"digest\":\"\",\"size\":0},"
        + "{\"mediaType\":\"" + M + "\",\"digest\":\"" + A + "\",\"size\":5,\"artifactType\":\"dup\"}]}";
    assertThat(text(ReferrersTagIndex.update(existing.getBytes(StandardCharsets.UTF_8), Descriptor.of(M, A, 5)))).isEqualTo(
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
            + "{\"mediaType\":\"" + M + "\",\"digest\":\"" + A + "\",\"size\":5}]}");
  }
}
