package dev.socibuilder.soci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.soci.LayerSelection.Decision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LayerSelectionTest {
  private static final String DIGEST = "sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f";

  private static LayerSelection classify(String mediaType, long size, long min) {
    return LayerSelection.classify(Descriptor.of(mediaType, DIGEST, size), min);
  }

  @ParameterizedTest(name = "{0} -> {1} ({2})")
  @CsvSource(
      delimiter = '|',
      value = {
        "application/vnd.oci.image.layer.v1.tar+gzip|GZIP|gzip",
        "application/vnd.oci.image.layer.v1.tar|UNCOMPRESSED|uncompressed",
        "application/vnd.oci.image.layer.v1.tar+zstd|SKIP_UNSUPPORTED_COMPRESSION|zstd",
        "application/vnd.oci.image.layer.nondistributable.v1.tar|SKIP_UNSUPPORTED_COMPRESSION|''",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip|GZIP|gzip",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd|SKIP_UNSUPPORTED_COMPRESSION|zstd",
        "application/vnd.docker.image.rootfs.diff.tar|UNCOMPRESSED|unknown",
        "application/vnd.docker.image.rootfs.diff.tar.gzip|GZIP|gzip",
        "application/vnd.docker.image.rootfs.diff.tar.zstd|SKIP_UNSUPPORTED_COMPRESSION|zstd",
        "application/vnd.docker.image.rootfs.foreign.diff.tar|UNCOMPRESSED|unknown",
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip|GZIP|gzip",
        "application/vnd.docker.image.rootfs.diff.tar.gzip+encrypted|SKIP_UNSUPPORTED_COMPRESSION|''",
        "application/vnd.docker.image.rootfs.diff.tar+encrypted|SKIP_UNSUPPORTED_COMPRESSION|''",
        // containerd sorts the suffixes and reads the last: "encrypted" < "gzip"
        "application/vnd.oci.image.layer.v1.tar+gzip+encrypted|GZIP|gzip",
        "application/vnd.oci.image.layer.v1.tar+encrypted+gzip|GZIP|gzip",
        "application/vnd.oci.image.layer.v1.tar+zstd+encrypted|SKIP_UNSUPPORTED_COMPRESSION|zstd",
        "application/vnd.oci.image.layer.v1.tar+encrypted|SKIP_UNSUPPORTED_COMPRESSION|''",
        // "gzip" < "zz": the last suffix is not a compression, so "" (not indexed)
        "application/vnd.oci.image.layer.v1.tar+gzip+zz|SKIP_UNSUPPORTED_COMPRESSION|''",
      })
  void classifiesEveryLayerMediaTypeLikeSoci(String mediaType, Decision decision, String compression) {
    LayerSelection s = classify(mediaType, 20 << 20, 10 << 20);
    assertThat(s.decision()).isEqualTo(decision);
    assertThat(s.compression()).isEqualTo(compression);
    assertThat(s.indexed()).isEqualTo(decision == Decision.GZIP || decision == Decision.UNCOMPRESSED);
  }

  @Test
  void ignoresPrefetchArtifacts() {
    LayerSelection s = classify("application/vnd.amazon.soci.prefetch.v1+json", 20 << 20, 0);
    assertThat(s.decision()).isEqualTo(Decision.IGNORE_PREFETCH);
    assertThat(s.indexed()).isFalse();
  }

  @Test
  void skipsLayersStrictlySmallerThanTheMinimum() {
    assertThat(classify("application/vnd.oci.image.layer.v1.tar+gzip", 99, 100).decision()).isEqualTo(Decision.SKIP_TOO_SMALL);
    assertThat(classify("application/vnd.oci.image.layer.v1.tar+gzip", 100, 100).decision()).isEqualTo(Decision.GZIP);
    assertThat(classify("application/vnd.oci.image.layer.v1.tar+gzip", 0, 0).decision()).isEqualTo(Decision.GZIP);
  }

  @Test
  void sizeIsCheckedBeforeCompression() {
    LayerSelection s = classify("application/vnd.oci.image.layer.v1.tar+zstd", 5, 10);
    assertThat(s.decision()).isEqualTo(Decision.SKIP_TOO_SMALL);
    assertThat(s.compression()).isNull();
    assertThat(classify("application/vnd.oci.image.layer.v1.foo", 5, 10).decision()).isEqualTo(Decision.SKIP_TOO_SMALL);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "application/octet-stream",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.config.v1+json",
        "application/vnd.docker.container.image.v1+json",
        "application/vnd.docker.image.rootfs.diff.tar.bz2",
      })
  void failsTheBuildForNonLayerMediaTypes(String mediaType) {
    assertThatThrownBy(() -> classify(mediaType, 20 << 20, 0))
        .isInstanceOf(LayerMediaTypeException.class)
        .hasMessageContaining("not a layer mediaType");
  }

  @Test
  void failsTheBuildForAnOciLayerTypeContainerdCannotRead() {
    assertThatThrownBy(() -> classify("application/vnd.oci.image.layer.v1.tar.bz2", 20 << 20, 0))
        .isInstanceOf(LayerMediaTypeException.class)
        .hasMessageContaining("could not determine layer compression")
        .satisfies(e -> assertThat(((LayerMediaTypeException) e).mediaType()).isEqualTo("application/vnd.oci.image.layer.v1.tar.bz2"));
  }

  @Test
  void explainsSkipsInSociWording() {
    Descriptor zstd = Descriptor.of("application/vnd.oci.image.layer.v1.tar+zstd", DIGEST, 20);
    assertThat(LayerSelection.classify(zstd, 0).reason(zstd, 0))
        .isEqualTo("is compressed in an unsupported format. expect: [tar, gzip, unknown] but got \"zstd\"");
    assertThat(LayerSelection.classify(zstd, 30).reason(zstd, 30)).isEqualTo("size 20 is less than min-layer-size 30");
  }
}
