package dev.socibuilder.registry;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The current thread's CPU time, to tell a read that waited for the network from one that computed (over
 * TLS, a read decrypts: in a fresh JVM, before the JIT compiler has compiled the cipher's callers, most of
 * its time). The {@link ThreadMXBean} is made on a thread of its own ({@link #prepare}), because its first
 * use loads the management classes, about 45 ms of a fresh JVM; until then, or where the JVM cannot tell a
 * thread's CPU time, {@link #nanos} says it does not know.
 */
final class ThreadCpu {
  private static final AtomicBoolean PREPARING = new AtomicBoolean();
  private static volatile ThreadMXBean bean;

  private ThreadCpu() {}

  /** Makes the clock ready soon, without waiting for it; once per JVM. */
  static void prepare() {
    if (!PREPARING.compareAndSet(false, true)) {
      return;
    }
    Thread t = new Thread(() -> {
      try {
        ThreadMXBean b = ManagementFactory.getThreadMXBean();
        if (b.isCurrentThreadCpuTimeSupported() && b.isThreadCpuTimeEnabled()) {
          bean = b;
        }
      } catch (RuntimeException | LinkageError e) {
        // a runtime without java.management: reads count as waiting, as they all did before
      }
    }, "thread-cpu-clock");
    t.setDaemon(true);
    t.start();
  }

  /** The current thread's CPU time in nanoseconds, or -1 if not known (yet). */
  static long nanos() {
    ThreadMXBean b = bean;
    return b == null ? -1 : b.getCurrentThreadCpuTime();
  }
}
