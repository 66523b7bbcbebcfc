package dev.socibuilder.filter.sweep;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time for sweep tests: it moves only when the service sleeps (the sleep is recorded, not waited) and, if
 * asked, by a fixed step at every reading, which stands for the time the work itself takes.
 */
final class FakeClock {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final long stepPerReading;
  final List<Duration> sleeps = new CopyOnWriteArrayList<>();

  FakeClock(Duration stepPerReading) {
    this.stepPerReading = stepPerReading.toNanos();
  }

  FakeClock() {
    this(Duration.ZERO);
  }

  long nanoTime() {
    return nanos.addAndGet(stepPerReading);
  }

  void sleep(Duration d) {
    sleeps.add(d);
    nanos.addAndGet(d.toNanos());
  }

  Duration slept() {
    return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
  }
}
