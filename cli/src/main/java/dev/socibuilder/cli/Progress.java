package dev.socibuilder.cli;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A progress bar on stderr for work that takes longer than a moment, shown only when stderr is a
 * terminal (so logs and pipelines stay clean).
 */
final class Progress implements AutoCloseable {
  private static final long SHOW_AFTER_NANOS = 700_000_000L;

  private final String label;
  private final long total;
  private final java.util.function.Supplier<String> status; // null: a bar over `total`
  private final AtomicLong done = new AtomicLong();
  private final PrintStream err;
  private final Thread ticker;
  private volatile boolean closed;
  private volatile boolean shown;

  private Progress(
      String label, long total, java.util.function.Supplier<String> status, PrintStream err, boolean enabled) {
    this.label = label;
    this.total = total;
    this.status = status;
    this.err = err;
    this.ticker = enabled ? new Thread(this::tick, "progress") : null;
    if (ticker != null) {
      ticker.setDaemon(true);
      ticker.start();
    }
  }

  /** A progress display that is active only when the process has a terminal. */
  static Progress start(String label, long total) {
    return new Progress(label, total, null, System.err, System.console() != null);
  }

  /** A one-line status display, redrawn from {@code status}, active only on a terminal. */
  static Progress start(java.util.function.Supplier<String> status) {
    return new Progress("", 0, status, System.err, System.console() != null);
  }

  /** Counts {@code n} more bytes as done. */
  void advance(long n) {
    done.addAndGet(n);
  }

  /** Counts the bytes read from {@code in} as progress (the stream is closed with the wrapper). */
  InputStream track(InputStream in) {
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          done.incrementAndGet();
        }
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
          done.addAndGet(n);
        }
        return n;
      }
    };
  }

  private void tick() {
    long start = System.nanoTime();
    try {
      while (!closed) {
        Thread.sleep(200);
        if (!closed && System.nanoTime() - start > SHOW_AFTER_NANOS) {
          shown = true;
          draw();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private synchronized void draw() {
    if (status != null) {
      String line = status.get();
      err.print("\r\033[K" + line);
      err.flush();
      return;
    }
    long d = done.get();
    int width = 30;
    StringBuilder sb = new StringBuilder("\r").append(label).append(" [");
    if (total > 0) {
      int fill = (int) Math.min(width, d * width / total);
      sb.append("=".repeat(fill)).append(" ".repeat(width - fill)).append("] ");
      sb.append(String.format("%3d%% ", Math.min(100, d * 100 / total)));
    } else {
      sb.append("] ");
    }
    sb.append(String.format("%.1f MB", d / 1e6));
    err.print(sb);
    err.flush();
  }

  @Override
  public void close() {
    closed = true;
    if (ticker != null) {
      ticker.interrupt();
      try {
        ticker.join(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (shown) {
        synchronized (this) {
          err.print("\r\033[K");
          err.flush();
        }
      }
    }
  }
}
