package dev.socibuilder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ReadAheadTest {
  final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    threads.shutdownNow();
  }

  static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  /** Returns at most {@code max} bytes per read, counts what was read, and fails after {@code failAt} bytes. */
  static final class Source extends InputStream {
    final InputStream in;
    final int max;
    final long failAt;
    final RuntimeException failure;
    final AtomicLong read = new AtomicLong();
    final CountDownLatch closed = new CountDownLatch(1);

    Source(byte[] data, int max, long failAt, RuntimeException failure) {
      this.in = new ByteArrayInputStream(data);
      this.max = max;
      this.failAt = failAt;
      this.failure = failure;
    }

    @Override
    public int read() {
      throw new UnsupportedOperationException();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (read.get() >= failAt) {
        throw failure;
      }
      int n = in.read(b, off, (int) Math.min(Math.min(len, max), failAt - read.get()));
      if (n > 0) {
        read.addAndGet(n);
      }
      return n;
    }

    @Override
    public void close() {
      closed.countDown();
    }
  }

  static byte[] readAll(InputStream in, int chunk) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[chunk];
    for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  @Test
  void deliversTheBytesInOrderThenTheEndAndClosesTheSource() throws Exception {
    byte[] data = random(1_000_003);
    Source source = new Source(data, 7_777, Long.MAX_VALUE, null);

    try (ReadAhead in = new ReadAhead(source, threads, 4096, 3)) {
      assertThat(readAll(in, 1000)).isEqualTo(data);
      assertThat(in.read()).isEqualTo(-1);
      assertThat(in.read(new byte[5], 0, 5)).isEqualTo(-1);
    }
    assertThat(source.closed.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aFailureComesAfterEveryByteReadBeforeItAndKeepsItsType() throws Exception {
    byte[] data = random(50_000);
    IllegalStateException failure = new IllegalStateException("digest mismatch, say");
    Source source = new Source(data, 1000, 30_001, failure);
    ByteArrayOutputStream got = new ByteArrayOutputStream();

    try (ReadAhead in = new ReadAhead(source, threads, 4096, 2)) {
      assertThatThrownBy(() -> {
        byte[] buf = new byte[777];
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
          got.write(buf, 0, n);
        }
      }).isSameAs(failure);
      assertThatThrownBy(in::read).isSameAs(failure);
    }
    assertThat(got.toByteArray()).hasSize(30_001).isEqualTo(java.util.Arrays.copyOf(data, 30_001));
  }

  @Test
  void readsNoFurtherAheadThanItsBuffers() throws Exception {
    byte[] data = random(1_000_000);
    Source source = new Source(data, 100_000, Long.MAX_VALUE, null);

    try (ReadAhead in = new ReadAhead(source, threads, 10_000, 4)) {
      assertThat(in.read()).isEqualTo(data[0] & 0xff);
      // Wait until the other thread has filled every buffer, then give it time to (wrongly) go on.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (source.read.get() < 40_000 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      Thread.sleep(200);
      assertThat(source.read.get()).isEqualTo(40_000);
    }
  }

  @Test
  void closingStopsTheOtherThreadWhichClosesTheSource() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    CountDownLatch reading = new CountDownLatch(1);
    InputStream blocking = new InputStream() {
      @Override
      public int read() throws IOException {
        reading.countDown();
        try {
          never.await();
        } catch (InterruptedException e) {
          throw new InterruptedIOException("interrupted");
        }
        return -1;
      }

      @Override
      public void close() {
        closed.countDown();
      }
    };

    ReadAhead in = new ReadAhead(blocking, threads, 1024, 2);
    assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();
    in.close();

    assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessage("stream closed");
  }

  @Test
  void aReadInAnInterruptedThreadFailsAndStopsTheReading() throws Exception {
    Source source = new Source(random(100_000), 1000, Long.MAX_VALUE, null);
    ReadAhead in = new ReadAhead(source, threads, 1024, 2);
    in.read(new byte[2048]); // the first buffer
    in.read(new byte[2048]); // the second

    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> {
        for (int i = 0; i < 1000; i++) {
          in.read(new byte[2048]);
        }
      }).isInstanceOf(InterruptedIOException.class);
    } finally {
      Thread.interrupted();
    }
    assertThat(source.closed.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aClosedPoolIsAnErrorAndTheSourceIsClosed() {
    threads.shutdown();
    Source source = new Source(new byte[10], 10, Long.MAX_VALUE, null);

    assertThatThrownBy(() -> new ReadAhead(source, threads, 1024, 2)).isInstanceOf(IOException.class)
        .hasMessage("registry client closed");
    assertThat(source.closed.getCount()).isZero();
  }
}
