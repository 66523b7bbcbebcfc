package dev.socibuilder.soci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.ImageIndex;
import dev.socibuilder.oci.ImageManifest;
import dev.socibuilder.oci.MediaTypes;
import dev.socibuilder.oci.Platform;
import dev.socibuilder.soci.SociConvert.ConvertedPlatform;
import dev.socibuilder.soci.SociConvert.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SociConvertTest {
  private static final String L1 = "sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f";
  private static final String L2 = "sha256:3c3a4604a545cdc127456d94e421cd355bca5b528f4a9c1905b15da2eb4a4c6b";
  private static final String CFG = "sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7";
  private static final String V2 = "application/vnd.amazon.soci.index.v2+json";

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static String dockerManifest(String layer) {
    return """
        {
           "schemaVersion": 2,
           "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
           "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1469, "digest": "%s"},
           "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 2479, "digest": "%s"}]
        }
        """.formatted(CFG, layer);
  }

  /** What soci writes for dockerManifest(layer) after conversion (hand-written Go output). */
  private static String rewritten(String layer, String sociIndexDigest) {
    return "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + CFG + "\",\"size\":1469},"
        + "\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"digest\":\"" + layer + "\",\"size\":2479}],"
        + "\"annotations\":{\"com.amazon.soci.index-digest\":\"" + sociIndexDigest + "\"}}";
  }

  private static Descriptor sociIndex(String seed, long size) {
    return Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256Of(utf8(seed)), size).withArtifactType(V2);
  }

  @Test
  void specSection6GoldenIsWhatTheModelWritesForTheSameDescriptors() throws IOException {
    Platform amd64 = Platform.of("linux", "amd64");
    ImageIndex index = ImageIndex.of(List.of(
        Descriptor.of(MediaTypes.OCI_MANIFEST, "sha256:…e1", 1000)
            .withAnnotation("com.amazon.soci.index-digest", "sha256:…f1").withPlatform(amd64),
        Descriptor.of(MediaTypes.OCI_MANIFEST, "sha256:…f1", 900)
            .withAnnotation("com.amazon.soci.image-manifest-digest", "sha256:…e1").withPlatform(amd64).withArtifactType(V2)));
    assertThat(index.toJson()).isEqualTo(SociIndexTest.resource("oci-index-convert-spec-6.json"));
  }

  @Test
  void singleManifestImageReproducesTheSpecSection6Golden() throws IOException {
    byte[] source = utf8(dockerManifest(L1));
    Descriptor target = Descriptor.of(MediaTypes.DOCKER_MANIFEST, Digest.sha256Of(source), source.length);
    Descriptor soci = sociIndex("soci index", 900);
    Result r = SociConvert.fromManifest(target, Platform.of("linux", "amd64"),
        new ConvertedPlatform(Platform.of("linux", "amd64"), target, source, soci));

    byte[] expectedManifest = utf8(rewritten(L1, soci.digest()));
    assertThat(r.manifests()).hasSize(1);
    assertThat(text(r.manifests().get(0).bytes())).isEqualTo(text(expectedManifest));
    String golden = text(SociIndexTest.resource("oci-index-convert-spec-6.json"))
        .replace("sha256:…e1", Digest.sha256Of(expectedManifest).toString())
        .replace("\"size\":1000", "\"size\":" + expectedManifest.length)
        .replace("sha256:…f1", soci.digest());
    assertThat(text(r.indexBytes())).isEqualTo(golden);
    assertThat(r.indexDescriptor()).isEqualTo(
        Descriptor.of(MediaTypes.OCI_INDEX, Digest.sha256Of(utf8(golden)), utf8(golden).length));
    assertThat(r.manifests().get(0).descriptor().digest()).isEqualTo(Digest.sha256Of(expectedManifest).toString());
  }

  @Test
  void multiPlatformListRewritesOnlyConvertedManifestsAndAppendsSociIndexes() {
    byte[] amd = utf8(dockerManifest(L1));
    byte[] arm = utf8(dockerManifest(L2));
    String amdDigest = Digest.sha256Of(amd).toString();
    String armDigest = Digest.sha256Of(arm).toString();
    String att = "sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270";
    String list = """
        {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[
          {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":%d,"digest":"%s",
           "annotations":{"old":"dropped"},"platform":{"architecture":"amd64","os":"linux"}},
          {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":%d,"digest":"%s",
           "platform":{"architecture":"arm64","os":"linux","variant":"v8","features":["x"]}},
          {"mediaType":"application/vnd.oci.image.manifest.v1+json","size":840,"digest":"%s",
           "annotations":{"vnd.docker.reference.digest":"%s","vnd.docker.reference.type":"attestation-manifest"},
           "platform":{"architecture":"unknown","os":"unknown"}}
        ],"annotations":{"kept":"yes"}}
        """.formatted(amd.length, amdDigest, arm.length, armDigest, att, amdDigest);
    Descriptor soci = sociIndex("amd64 index", 1234);
    Descriptor amdEntry = Descriptor.of(MediaTypes.DOCKER_MANIFEST, amdDigest, amd.length);
    Result r = SociConvert.fromIndex(utf8(list),
        List.of(new ConvertedPlatform(Platform.of("linux", "amd64"), amdEntry, amd, soci)));

    byte[] newAmd = utf8(rewritten(L1, soci.digest()));
    String newAmdDigest = Digest.sha256Of(newAmd).toString();
    String dm = "application/vnd.docker.distribution.manifest.v2+json";
    String expected = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
        + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + newAmdDigest + "\",\"size\":" + newAmd.length
        + ",\"annotations\":{\"com.amazon.soci.index-digest\":\"" + soci.digest() + "\"},\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
        + "{\"mediaType\":\"" + dm + "\",\"digest\":\"" + armDigest + "\",\"size\":" + arm.length
        + ",\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}},"
        + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + att + "\",\"size\":840,"
        + "\"annotations\":{\"vnd.docker.reference.digest\":\"" + amdDigest + "\",\"vnd.docker.reference.type\":\"attestation-manifest\"},"
        + "\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"}},"
        + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + soci.digest() + "\",\"size\":1234,"
        + "\"annotations\":{\"com.amazon.soci.image-manifest-digest\":\"" + newAmdDigest + "\"},"
        + "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"},\"artifactType\":\"" + V2 + "\"}],"
        + "\"annotations\":{\"kept\":\"yes\"}}";
    assertThat(text(r.indexBytes())).isEqualTo(expected);
    assertThat(text(r.manifests().get(0).bytes())).isEqualTo(text(newAmd));
    assertThat(r.sociIndexes()).hasSize(1);
    assertThat(SociConvert.isSociEnabled(r.index())).isTrue();
    assertThat(SociConvert.isSociEnabled(ImageIndex.parse(utf8(list)))).isFalse();
  }

  @Test
  void reconvertingReplacesTheSociIndexOfTheSamePlatformInPlace() {
    byte[] src = utf8(dockerManifest(L1));
    Descriptor target = Descriptor.of(MediaTypes.DOCKER_MANIFEST, Digest.sha256Of(src), src.length);
    Platform amd64 = Platform.of("linux", "amd64");
    Result first = SociConvert.fromManifest(target, amd64, new ConvertedPlatform(amd64, target, src, sociIndex("one", 1)));

    Descriptor converted = first.manifests().get(0).descriptor();
    byte[] convertedBytes = first.manifests().get(0).bytes();
    Descriptor second = sociIndex("two", 2);
    // The platform written as x86_64 still strictly matches the existing amd64 entry.
    Result again = SociConvert.fromIndex(first.indexBytes(),
        List.of(new ConvertedPlatform(Platform.of("linux", "x86_64"), converted, convertedBytes, second)));

    List<Descriptor> entries = again.index().manifests();
    assertThat(entries).hasSize(2);
    assertThat(entries.get(1).digest()).isEqualTo(second.digest());
    assertThat(entries.get(1).platform()).isEqualTo(Platform.of("linux", "x86_64"));
    ImageManifest m = ImageManifest.parse(again.manifests().get(0).bytes());
    assertThat(m.annotation("com.amazon.soci.index-digest")).isEqualTo(second.digest());
    assertThat(m.annotations()).hasSize(1);
  }

  @Test
  void refusesManifestsMissingFromTheIndexAndBytesThatDoNotMatchTheirDigest() {
    byte[] src = utf8(dockerManifest(L1));
    Descriptor target = Descriptor.of(MediaTypes.DOCKER_MANIFEST, Digest.sha256Of(src), src.length);
    Platform amd64 = Platform.of("linux", "amd64");
    String emptyList = "{\"schemaVersion\":2,\"manifests\":[]}";
    assertThatThrownBy(() -> SociConvert.fromIndex(utf8(emptyList),
            List.of(new ConvertedPlatform(amd64, target, src, sociIndex("x", 1)))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not in the source index");
    assertThatThrownBy(() -> new ConvertedPlatform(amd64, target, utf8(dockerManifest(L2)), sociIndex("x", 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SociConvert.fromIndex(utf8(emptyList), List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void staleEmbeddedDataIsDroppedFromARewrittenEntry() {
    byte[] src = utf8(dockerManifest(L1));
    String digest = Digest.sha256Of(src).toString();
    String list = "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"digest\":\""
        + digest + "\",\"size\":" + src.length + ",\"data\":\"e30=\",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}";
    Descriptor entry = Descriptor.of(MediaTypes.DOCKER_MANIFEST, digest, src.length);
    Result r = SociConvert.fromIndex(utf8(list),
        List.of(new ConvertedPlatform(Platform.of("linux", "amd64"), entry, src, sociIndex("s", 1))));
    assertThat(r.index().manifests().get(0).data()).isNull();
    assertThat(text(r.indexBytes())).doesNotContain("\"data\"");
  }

  @Test
  void manifestIsSociEnabledOnlyWithTheIndexDigestAnnotation() {
    assertThat(SociConvert.isSociEnabled(ImageManifest.parse(utf8(dockerManifest(L1))))).isFalse();
    assertThat(SociConvert.isSociEnabled(ImageManifest.parse(utf8(rewritten(L1, "sha256:x"))))).isTrue();
  }
}
