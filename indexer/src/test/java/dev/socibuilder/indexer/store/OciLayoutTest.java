package dev.socibuilder.indexer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.ImageIndex;
import dev.socibuilder.oci.MediaTypes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciLayoutTest {
  @TempDir Path dir;

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void createWritesTheLayoutFileAndAnEmptyIndex() throws IOException {
    OciLayout layout = OciLayout.create(dir.resolve("img"));
    assertThat(Files.readString(dir.resolve("img/oci-layout"))).isEqualTo("{\"imageLayoutVersion\":\"1.0.0\"}");
    assertThat(Files.readString(dir.resolve("img/index.json")))
        .isEqualTo("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}");
    assertThat(layout.tags()).isEmpty();
  }

  @Test
  void blobsRoundTripUnderTheirDigest() throws IOException {
    OciLayout layout = OciLayout.create(dir);
    byte[] data = utf8("hello blob");
    Descriptor d = layout.writeBlob("application/octet-stream", data);
    Digest digest = Digest.sha256Of(data);
    assertThat(d).isEqualTo(Descriptor.of("application/octet-stream", digest, data.length));
    assertThat(dir.resolve("blobs/sha256/" + digest.hex())).hasBinaryContent(data);
    assertThat(layout.hasBlob(digest)).isTrue();
    assertThat(layout.readBlob(digest, data.length)).isEqualTo(data);
    assertThat(layout.readBlob(digest, -1)).isEqualTo(data);
    try (InputStream in = layout.openBlob(digest)) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    // Writing again is a no-op.
    assertThat(layout.writeBlob(digest, new ByteArrayInputStream(data))).isEqualTo(-1);
  }

  @Test
  void streamedBlobIsVerifiedBeforeItAppears() throws IOException {
    OciLayout layout = OciLayout.create(dir);
    byte[] data = utf8("streamed");
    Digest wrong = Digest.sha256Of(utf8("something else"));
    assertThatThrownBy(() -> layout.writeBlob(wrong, new ByteArrayInputStream(data)))
        .isInstanceOf(OciLayoutException.class).hasMessageContaining(wrong.toString());
    assertThat(layout.hasBlob(wrong)).isFalse();
    try (Stream<Path> files = Files.list(dir.resolve("blobs/sha256"))) {
      assertThat(files).isEmpty(); // no temp file left behind
    }
    assertThat(layout.writeBlob(Digest.sha256Of(data), new ByteArrayInputStream(data))).isEqualTo(data.length);
    assertThat(layout.readBlob(Digest.sha256Of(data), data.length)).isEqualTo(data);
  }

  @Test
  void readBlobDetectsCorruptContent() throws IOException {
    OciLayout layout = OciLayout.create(dir);
    Digest d = layout.writeBlob("x", utf8("good")).parsedDigest();
    Files.writeString(layout.blobPath(d), "evil");
    assertThatThrownBy(() -> layout.readBlob(d, 4)).isInstanceOf(OciLayoutException.class);
    Digest missing = Digest.sha256Of(utf8("missing"));
    assertThatThrownBy(() -> layout.openBlob(missing)).isInstanceOf(OciLayoutException.class).hasMessageContaining("not found");
  }

  @Test
  void tagsAreAddedReplacedAndResolved() throws IOException {
    OciLayout layout = OciLayout.create(dir);
    Descriptor one = layout.writeBlob(MediaTypes.OCI_MANIFEST, utf8("{\"one\":1}"));
    Descriptor two = layout.writeBlob(MediaTypes.OCI_INDEX, utf8("{\"two\":2}"));
    layout.tag("latest", one);
    layout.tag("v2", two);
    layout.tag("latest", two);

    assertThat(layout.tags()).containsExactly("v2", "latest");
    assertThat(layout.resolve("latest")).isEqualTo(two.withAnnotation(OciLayout.REF_NAME, "latest"));
    assertThat(Files.readString(dir.resolve("index.json"))).isEqualTo(
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
            + "{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"digest\":\"" + two.digest() + "\",\"size\":9,"
            + "\"annotations\":{\"org.opencontainers.image.ref.name\":\"v2\"}},"
            + "{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"digest\":\"" + two.digest() + "\",\"size\":9,"
            + "\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}}]}");
    assertThatThrownBy(() -> layout.resolve("nope")).isInstanceOf(OciLayoutException.class).hasMessageContaining("latest");
    assertThatThrownBy(() -> layout.resolve(null)).isInstanceOf(OciLayoutException.class);
  }

  @Test
  void singleEntryResolvesWithoutATag() {
    OciLayout layout = OciLayout.create(dir);
    Descriptor d = layout.writeBlob(MediaTypes.OCI_MANIFEST, utf8("{}"));
    layout.replaceIndex(java.util.List.of(d));
    assertThat(layout.resolve(null)).isEqualTo(d);
  }

  @Test
  void opensALayoutWrittenByAnotherTool() throws IOException {
    // skopeo/containers-image style: pretty index.json without mediaType, Docker entry with a full ref name.
    Files.writeString(dir.resolve("oci-layout"), "{\n  \"imageLayoutVersion\": \"1.0.0\"\n}\n");
    Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\""
        + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f\","
        + "\"size\":3,\"annotations\":{\"org.opencontainers.image.ref.name\":\"docker.io/library/busybox:latest\"}}]}\n");
    OciLayout layout = OciLayout.open(dir);
    assertThat(layout.resolve("docker.io/library/busybox:latest").size()).isEqualTo(3);
    assertThat(layout.resolve(null).size()).isEqualTo(3);
    layout.tag("soci", Descriptor.of(MediaTypes.OCI_INDEX, "sha256:3c3a4604a545cdc127456d94e421cd355bca5b528f4a9c1905b15da2eb4a4c6b", 4));
    assertThat(layout.index().mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(layout.tags()).containsExactly("docker.io/library/busybox:latest", "soci");
  }

  @Test
  void refusesDirectoriesThatAreNotLayouts() throws IOException {
    assertThatThrownBy(() -> OciLayout.open(dir)).isInstanceOf(OciLayoutException.class).hasMessageContaining("oci-layout");
    Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"2.0.0\"}");
    assertThatThrownBy(() -> OciLayout.open(dir)).isInstanceOf(OciLayoutException.class);
    Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    assertThatThrownBy(() -> OciLayout.open(dir)).isInstanceOf(OciLayoutException.class).hasMessageContaining("index.json");
  }

  @Test
  void aBlobIsReadOnlyUpToItsDescriptorsSize() throws IOException {
    OciLayout layout = OciLayout.create(dir);
    Digest d = layout.writeBlob("x", utf8("{\"config\":true}")).parsedDigest();

    assertThatThrownBy(() -> layout.readBlob(d, 5))
        .isInstanceOf(OciLayoutException.class)
        .hasMessage("blob " + d + " in OCI layout " + dir + " is larger than its descriptor's 5 bytes");
    assertThatThrownBy(() -> layout.readBlob(d, 100))
        .hasMessage("blob " + d + " in OCI layout " + dir + " is 15 bytes, its descriptor says 100");
    assertThatThrownBy(() -> layout.readBlob(d, 1L << 40))
        .hasMessageContaining("is 1099511627776 bytes by its descriptor, more than the 33554432 bytes read whole");
  }

  @Test
  void aBlobLinkedToAnEndlessFileFailsAtTheMaximumInsteadOfExhaustingMemory() throws IOException {
    OciLayout layout = OciLayout.create(dir);
    Digest d = Digest.sha256Of(utf8("a manifest"));
    Files.createSymbolicLink(layout.blobPath(d), Path.of("/dev/zero"));

    assertThatThrownBy(() -> layout.readBlob(d, -1))
        .isInstanceOf(OciLayoutException.class)
        .hasMessage("blob " + d + " in OCI layout " + dir + " is larger than the maximum of 33554432 bytes");
  }

  @Test
  void aHugeIndexJsonFailsWithAClearErrorInsteadOfExhaustingMemory() throws IOException {
    OciLayout.create(dir);
    Files.delete(dir.resolve("index.json"));
    Files.createSymbolicLink(dir.resolve("index.json"), Path.of("/dev/zero"));

    assertThatThrownBy(() -> OciLayout.open(dir))
        .isInstanceOf(OciLayoutException.class)
        .hasMessage("index.json of OCI layout " + dir + " is larger than 33554432 bytes");
    Files.delete(dir.resolve("oci-layout"));
    Files.createSymbolicLink(dir.resolve("oci-layout"), Path.of("/dev/zero"));
    assertThatThrownBy(() -> OciLayout.open(dir))
        .hasMessage("oci-layout file " + dir.resolve("oci-layout") + " is larger than 4096 bytes");
  }

  @Test
  void anIndexJsonThatIsNotAnIndexIsNamed() throws IOException {
    OciLayout.create(dir);
    Files.writeString(dir.resolve("index.json"), "{\"manifests\":42}");

    assertThatThrownBy(() -> OciLayout.open(dir))
        .isInstanceOf(OciLayoutException.class)
        .hasMessageStartingWith("index.json of OCI layout " + dir + " is not an image index: ");
  }

  @Test
  void newFilesGetTheUmasksModeAndIndexJsonKeepsItsOwn() throws IOException {
    OciLayout layout = OciLayout.create(dir);
    Path index = dir.resolve("index.json");
    java.util.Set<java.nio.file.attribute.PosixFilePermission> plain = plainCreateMode(dir.resolve("probe"));
    Files.setPosixFilePermissions(index, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));

    Descriptor d = layout.writeBlob(MediaTypes.OCI_MANIFEST, utf8("{}"));
    layout.writeBlob(Digest.sha256Of(utf8("streamed")), new ByteArrayInputStream(utf8("streamed")));
    layout.tag("t", d);

    assertThat(Files.getPosixFilePermissions(layout.blobPath(d.parsedDigest()))).isEqualTo(plain);
    assertThat(Files.getPosixFilePermissions(layout.blobPath(Digest.sha256Of(utf8("streamed"))))).isEqualTo(plain);
    assertThat(Files.getPosixFilePermissions(dir.resolve("oci-layout"))).isEqualTo(plain);
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(index)))
        .isEqualTo("rw-r-----");
    assertThat(layout.tags()).containsExactly("t");
  }

  /** The mode this process's umask gives a file created without explicit permissions. */
  static java.util.Set<java.nio.file.attribute.PosixFilePermission> plainCreateMode(Path probe) throws IOException {
    Files.newOutputStream(probe).close();
    try {
      return Files.getPosixFilePermissions(probe);
    } finally {
      Files.delete(probe);
    }
  }
}
