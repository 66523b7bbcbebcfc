package dev.socibuilder.testing.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socibuilder.testing.registry.TestImages.LayerSpec;
import dev.socibuilder.testing.registry.TestImages.TestImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestImagesTest {
  @TempDir
  Path tmp;

  @Test
  void incompressibleLayerIsAsBigCompressedAsAskedAndItsDiffIdIsTheTarDigest() throws Exception {
    TestImage img = TestImages.singlePlatform(tmp.resolve("l"), "v1",
        LayerSpec.incompressible(12 << 20, 1), LayerSpec.compressible(1024, 2));
    TestImages.Layer big = img.manifests().get(0).layers().get(0);
    TestImages.Layer small = img.manifests().get(0).layers().get(1);

    assertThat(big.size()).isGreaterThanOrEqualTo(12L << 20);
    assertThat(small.size()).isLessThan(1024);
    byte[] tar = new GZIPInputStream(new ByteArrayInputStream(Files.readAllBytes(img.blob(big.digest())))).readAllBytes();
    assertThat(big.diffId())
        .isEqualTo("sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(tar)));
    assertThat(new String(tar, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("data/");
    assertThat(new String(tar, 257, 5, StandardCharsets.US_ASCII)).isEqualTo("ustar");
    assertThat(Files.readString(img.blob(img.manifests().get(0).configDigest())))
        .contains("\"os\":\"linux\"", "\"architecture\":\"amd64\"", big.diffId().toString());
  }

  @Test
  void sameSpecsGiveSameDigests() {
    TestImage a = TestImages.singlePlatform(tmp.resolve("a"), "v1", LayerSpec.compressible(4096, 3));
    TestImage b = TestImages.singlePlatform(tmp.resolve("b"), "v1", LayerSpec.compressible(4096, 3));
    TestImage c = TestImages.singlePlatform(tmp.resolve("c"), "v1", LayerSpec.compressible(4096, 4));

    assertThat(a.digest()).isEqualTo(b.digest()).isNotEqualTo(c.digest());
  }
}
