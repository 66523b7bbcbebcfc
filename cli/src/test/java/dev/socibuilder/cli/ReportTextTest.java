package dev.socibuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socibuilder.indexer.IndexReport;
import dev.socibuilder.oci.Platform;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTextTest {
  static final String LAYER = "sha256:" + "a".repeat(64);
  static final String SMALL = "sha256:" + "b".repeat(64);
  static final String ZTOC = "sha256:" + "c".repeat(64);
  static final String MANIFEST = "sha256:" + "d".repeat(64);
  static final String SOCI = "sha256:" + "e".repeat(64);
  static final String INDEX = "sha256:" + "f".repeat(64);

  @Test
  void anIndexedImageIsOneLineThenOnePerPlatformIndexZtocAndSkippedLayer() {
    IndexReport.ZtocReport z = new IndexReport.ZtocReport(LAYER, 12_948_736, ZTOC, 139_234, 4,
        IndexReport.ZtocSource.CACHED, IndexReport.BlobOutcome.MOUNTED, null);
    IndexReport.PlatformReport p = new IndexReport.PlatformReport(Platform.of("linux", "arm64", "v8"), MANIFEST, SOCI,
        List.of(z), List.of(new IndexReport.SkippedLayer(SMALL, 161, "application/vnd.oci.image.layer.v1.tar+gzip",
            "size 161 is less than min-layer-size 10485760")));
    IndexReport r = new IndexReport("127.0.0.1:5000/app:1", IndexReport.Outcome.INDEXED, "built", "v2", List.of(p),
        INDEX, "1-soci", Duration.ofMillis(2_349));
    StringWriter s = new StringWriter();

    try (PrintWriter out = new PrintWriter(s)) {
      ReportText.print(out, r);
    }

    String nl = System.lineSeparator();
    assertThat(s.toString()).isEqualTo(
        "Indexed 127.0.0.1:5000/app:1 (SOCI index v2) in 2.3 s" + nl
            + "  linux/arm64/v8  manifest " + MANIFEST + nl
            + "    SOCI index " + SOCI + nl
            + "    zTOC " + ZTOC + " for layer " + LAYER + " (12.9 MB, 4 spans, zTOC 139.2 kB, reused from the zTOC"
            + " cache, blob mounted)" + nl
            + "    skipped layer " + SMALL + " (161 B): size 161 is less than min-layer-size 10485760" + nl
            + "  SOCI-enabled image index " + INDEX + " tagged 1-soci" + nl);
  }

  @Test
  void sizesForPeopleInBytesKilobytesAndMegabytesRoundedHalfUp() {
    assertThat(ReportText.human(0)).isEqualTo("0 B");
    assertThat(ReportText.human(9_999)).isEqualTo("9999 B");
    assertThat(ReportText.human(10_000)).isEqualTo("10.0 kB");
    assertThat(ReportText.human(139_249)).isEqualTo("139.2 kB");
    assertThat(ReportText.human(139_250)).isEqualTo("139.3 kB");
    assertThat(ReportText.human(9_999_999)).isEqualTo("10000.0 kB");
    assertThat(ReportText.human(10_000_000)).isEqualTo("10.0 MB");
    assertThat(ReportText.human(141_831_728)).isEqualTo("141.8 MB");
  }
}
