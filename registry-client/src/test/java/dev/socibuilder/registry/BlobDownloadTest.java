package dev.socibuilder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.registry.BlobDownload.Parallelism;
import org.junit.jupiter.api.Test;

/** The download settings; downloads themselves are tested against a real registry in RangedBlobTest and others. */
class BlobDownloadTest {
  private static final int MIB = 1 << 20;

  @Test
  void parallelDownloadsAtOnceFitInAQuarterOfTheHeapAndAtLeastOne() {
    // 4 connections of 8 MiB parts hold 40 MiB: none fits in a quarter of 128 MiB, but one is always allowed.
    assertThat(Parallelism.maxRangedFor(128L * MIB, 4, 8 * MIB)).isEqualTo(1);
    assertThat(Parallelism.maxRangedFor(400L * MIB, 4, 8 * MIB)).isEqualTo(2);
    assertThat(Parallelism.maxRangedFor(2048L * MIB, 4, 8 * MIB)).isEqualTo(12);
    assertThat(Parallelism.maxRangedFor(2048L * MIB, 1, 8 * MIB)).isEqualTo(16);
  }

  @Test
  void oneConnectionTurnsRangedOnlyPastItsFirstPartAfterAWhileAndWhenItKeepsTheReaderWaiting() {
    long ms = 1_000_000L;
    int part = 8 * MIB;
    // Waiting a quarter of the time or more, past the first part and 50 ms: the connection sets the pace.
    assertThat(BlobDownload.turnsRanged(part, part, 50 * ms, 13 * ms)).isTrue();
    assertThat(BlobDownload.turnsRanged(3L * part, part, 2000 * ms, 1900 * ms)).isTrue();
    // A reader that seldom waits: the connection keeps ahead of it.
    assertThat(BlobDownload.turnsRanged(3L * part, part, 2000 * ms, 400 * ms)).isFalse();
    // Too early to tell: within the first part, or the first 50 ms (first bytes, TCP slow start).
    assertThat(BlobDownload.turnsRanged(part - 1, part, 2000 * ms, 2000 * ms)).isFalse();
    assertThat(BlobDownload.turnsRanged(part, part, 49 * ms, 49 * ms)).isFalse();
  }

  @Test
  void settingsOutOfRangeAreRefused() {
    assertThatThrownBy(() -> new Parallelism(0, 1, 1, 1)).hasMessageContaining("1 to 16, got 0");
    assertThatThrownBy(() -> new Parallelism(17, 1, 1, 1)).hasMessageContaining("1 to 16, got 17");
    assertThatThrownBy(() -> new Parallelism(4, 0, 1, 1)).hasMessageContaining("threshold must be positive");
    assertThatThrownBy(() -> new Parallelism(4, 1, 0, 1)).hasMessageContaining("part size must be positive");
    assertThatThrownBy(() -> new Parallelism(4, 1, 1, 0)).hasMessageContaining("must be positive, got 0");
  }
}
