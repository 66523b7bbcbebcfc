package dev.socibuilder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.digest.Digest;
import org.junit.jupiter.api.Test;

class ImageReferenceTest {
  static final String HEX = "a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4";

  @Test
  void parsesHostPortRepositoryAndTag() {
    ImageReference r = ImageReference.parse("127.0.0.1:5000/team/app:v1.2");

    assertThat(r).isEqualTo(new ImageReference("127.0.0.1:5000", "team/app", "v1.2", null));
    assertThat(r.reference()).isEqualTo("v1.2");
  }

  @Test
  void digestWinsOverTagAsTheReference() {
    ImageReference r = ImageReference.parse("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1@sha256:" + HEX);

    assertThat(r.registry()).isEqualTo("123456789012.dkr.ecr.us-east-1.amazonaws.com");
    assertThat(r.tag()).isEqualTo("v1");
    assertThat(r.digest()).isEqualTo(Digest.parse("sha256:" + HEX));
    assertThat(r.reference()).isEqualTo("sha256:" + HEX);
    assertThat(r).hasToString("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1@sha256:" + HEX);
  }

  @Test
  void dockerHubDefaults() {
    assertThat(ImageReference.parse("ubuntu")).isEqualTo(new ImageReference("registry-1.docker.io", "library/ubuntu", "latest", null));
    assertThat(ImageReference.parse("docker.io/bitnami/redis:7")).isEqualTo(new ImageReference("registry-1.docker.io", "bitnami/redis", "7", null));
    assertThat(ImageReference.parse("localhost/app@sha256:" + HEX).registry()).isEqualTo("localhost");
    assertThat(ImageReference.parse("localhost:5000/app").tag()).isEqualTo("latest");
  }

  @Test
  void firstComponentWithoutDotOrPortIsARepositoryNamespace() {
    assertThat(ImageReference.parse("team/app:v1")).isEqualTo(new ImageReference("registry-1.docker.io", "team/app", "v1", null));
  }

  @Test
  void rejectsInvalidReferences() {
    assertThatThrownBy(() -> ImageReference.parse("example.com/App:v1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ImageReference.parse("example.com/app:bad tag")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ImageReference.parse("example.com/app@sha256:short")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ImageReference.parse("example.com/")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void withTagAndWithDigest() {
    ImageReference r = ImageReference.parse("example.com/app:v1");
    assertThat(r.withTag("v1-soci")).hasToString("example.com/app:v1-soci");
    assertThat(r.withDigest(Digest.parse("sha256:" + HEX)).reference()).isEqualTo("sha256:" + HEX);
  }

  @Test
  void aHugeRepositoryNameIsRejectedWithAShortMessageNotAStackOverflow() {
    String name = "example.com/" + "a-".repeat(1000) + "a:v1";
    String longHost = "a.".repeat(100_000) + "com/app:v1";

    assertThatThrownBy(() -> ImageReference.parse(name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("is longer than 256 characters (2001)")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400));
    assertThatThrownBy(() -> ImageReference.parse(longHost))
        .hasMessageContaining("invalid registry host")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400));
    assertThatThrownBy(() -> ImageReference.parse("example.com/app:" + "t".repeat(129)))
        .hasMessageEndingWith("invalid tag '" + "t".repeat(100) + "... (29 more characters)': is longer than 128 characters (129)");
  }
}
