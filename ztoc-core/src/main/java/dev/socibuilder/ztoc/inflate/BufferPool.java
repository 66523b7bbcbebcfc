package dev.socibuilder.ztoc.inflate;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Recycles the large arrays of one parallel decode (compressed chunks, output blocks) between the workers and the coordinator. Fresh arrays of hundreds of megabytes per layer
 * cost more than decoding them (zeroing, page faults, young collections copying live output); a
 * handful of arrays reused in turn cost nothing. The pool holds at most {@code max} arrays; beyond
 * that, returned arrays are left to the garbage collector. Thread-safe.
 */
final class BufferPool {
  private final ConcurrentLinkedQueue<byte[]> bytes = new ConcurrentLinkedQueue<>();
  private final AtomicInteger held = new AtomicInteger();
  private final int byteSize;
  private final int max;

  /**
   * @param byteSize the largest size of pooled byte arrays
   * @param max arrays kept at most
   */
  BufferPool(int byteSize, int max) {
    this.byteSize = byteSize;
    this.max = max;
  }

  int byteSize() {
    return byteSize;
  }

  /** A byte array of {@link #byteSize()}; its contents are garbage. */
  byte[] bytes() {
    return bytes(byteSize);
  }

  /** A byte array of at least {@code min} (at most {@link #byteSize()}) bytes; contents are garbage. */
  byte[] bytes(int min) {
    byte[] b = bytes.poll();
    if (b == null) {
      return new byte[min];
    }
    held.decrementAndGet();
    return b.length >= min ? b : new byte[min]; // the small one is dropped
  }

  /** Returns an array no one uses any more; arrays larger than {@link #byteSize()} are dropped. */
  void give(byte[] b) {
    if (b == null || b.length > byteSize) {
      return;
    }
    if (held.incrementAndGet() <= max) {
      bytes.offer(b);
    } else {
      held.decrementAndGet();
    }
  }

}
