package dev.socibuilder.ztoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.time.ZoneOffset;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/**
 * The memory aim of a zTOC build, heap ≤ 2 × zTOC size + 64 MiB, on hostile layers with the default
 * limits. This class runs in its own surefire execution with {@code -Xmx360m}: the aim for a layer of a
 * million empty files, whose zTOC is about 152 MiB.
 */
class ZtocBuilderAimHeapTest {
  private static final long MIB = 1 << 20;

  @Test
  void aMillionEmptyFilesBuildInTwiceTheZtocSizePlus64MiB() throws Exception {
    ZtocBuilder.Result r;
    try (InputStream layer = HostileLayers.gzipStream(HostileLayers.emptyFiles(1_000_000), Deflater.BEST_SPEED)) {
      r = ZtocBuilder.of("test").build(layer, CompressionAlgorithm.GZIP);
    }

    assertThat(r.tocEntries()).isEqualTo(1_000_000);
    assertThat(Runtime.getRuntime().maxMemory()).as("this JVM's heap is within the aim")
        .isLessThanOrEqualTo(2L * r.bytes().length + 64 * MIB);
  }

  @Test
  void aPaxXattrBombFailsWithTheDefaultXattrLimitInsteadOfRunningOutOfMemory() throws Exception {
    // 400 MiB of PAX records compress to under 1 MB and would make a zTOC of over 400 MiB.
    try (InputStream layer = HostileLayers.gzipStream(HostileLayers.paxXattrs(1 << 20, 400 * MIB), Deflater.BEST_SPEED)) {
      assertThatThrownBy(() -> ZtocBuilder.of("test").build(layer, CompressionAlgorithm.GZIP))
          .isInstanceOfSatisfying(ZtocLimitException.class, e -> {
            assertThat(e.limit()).isEqualTo("xattr-bytes");
            assertThat(e.value()).isEqualTo(ZtocLimits.DEFAULT_MAX_XATTR_BYTES);
          });
    }
    assertThat(Runtime.getRuntime().maxMemory()).as("runs with -Xmx360m").isLessThanOrEqualTo(360 * MIB);
  }
}
