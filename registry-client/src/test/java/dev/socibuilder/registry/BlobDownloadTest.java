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
  void aReadCountsAsWaitingOnlyForTheTimeThisThreadWasNotComputing() {
    long ms = 1_000_000L;
    // Over TLS in a fresh JVM a read mostly decrypts: 10 ms in the read, 9 ms of it on this thread's CPU.
    assertThat(BlobDownload.waitedNanos(10 * ms, 100 * ms, 109 * ms)).isEqualTo(1 * ms);
    // A read that waited for the network: no CPU time.
    assertThat(BlobDownload.waitedNanos(10 * ms, 100 * ms, 100 * ms)).isEqualTo(10 * ms);
    // The clocks' granularity may show more CPU than wall time: never negative.
    assertThat(BlobDownload.waitedNanos(1 * ms, 100 * ms, 102 * ms)).isZero();
    // CPU time not known (yet, or at all): all of it, as before this distinction.
    assertThat(BlobDownload.waitedNanos(10 * ms, -1, -1)).isEqualTo(10 * ms);
    assertThat(BlobDownload.waitedNanos(10 * ms, -1, 5 * ms)).isEqualTo(10 * ms);
    // So a connection as slow as its decryption keeps the reader computing, not waiting: it stays alone.
    int part = 8 * MIB;
    long waited = 0;
    for (int i = 0; i < 200; i++) { // 2 s of 10 ms reads, each 9 ms of decryption
      waited += BlobDownload.waitedNanos(10 * ms, i * 9 * ms, (i + 1) * 9 * ms);
    }
    assertThat(BlobDownload.turnsRanged(3L * part, part, 2000 * ms, waited)).isFalse();
    assertThat(BlobDownload.turnsRanged(3L * part, part, 2000 * ms, 200 * 10 * ms)).isTrue();
  }

  @Test
  void theThreadCpuClockCountsComputingAndNotSleeping() throws InterruptedException {
    ThreadCpu.prepare();
    long until = System.nanoTime() + 10_000_000_000L;
    while (ThreadCpu.nanos() < 0 && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    assertThat(ThreadCpu.nanos()).as("the clock is ready within 10 s on this JVM").isNotNegative();
    long c0 = ThreadCpu.nanos();
    Thread.sleep(200);
    long slept = ThreadCpu.nanos() - c0;
    long c1 = ThreadCpu.nanos();
    long spinUntil = System.nanoTime() + 200_000_000L;
    long x = 0;
    while (System.nanoTime() < spinUntil) {
      x += x * 31 + 7;
    }
    long spun = ThreadCpu.nanos() - c1;
    assertThat(slept).isLessThan(50_000_000L);
    assertThat(spun).as("spinning %d", x).isGreaterThan(50_000_000L);
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
