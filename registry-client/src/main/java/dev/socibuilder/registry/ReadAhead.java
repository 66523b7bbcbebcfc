package dev.socibuilder.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads a stream ahead of its reader on another thread, into a fixed set of buffers: while the reader
 * works on one buffer (a layer's inflate), the other thread receives and hashes the next ones (the
 * socket reads and the digest check of the wrapped stream). Memory is bounded by the buffers, whatever
 * the stream's length; the other thread waits when all of them are full.
 *
 * <p>The reader sees exactly the wrapped stream: its bytes in order, then its end or its failure (the
 * same exception, thrown from {@link #read} once every byte read before it has been delivered). A read in
 * an interrupted thread fails. {@link #close()} stops the other thread (it ends its current read, which
 * the wrapped stream's own timeouts bound) and closes the wrapped stream from that thread, so the wrapped
 * stream is only ever used by one thread at a time.
 */
final class ReadAhead extends InputStream {
  /** A filled buffer, or the end of the stream ({@code buf == null, failure == null}), or its failure. */
  private record Chunk(byte[] buf, int len, Throwable failure) {}

  private static final Chunk END = new Chunk(null, 0, null);

  private final InputStream source;
  private final BlockingQueue<byte[]> free;
  private final BlockingQueue<Chunk> filled;
  private final Future<?> producer;
  /** 0 before the other thread starts, 1 once it has, 2 if the stream was closed before it started. */
  private final AtomicInteger state = new AtomicInteger();
  private Chunk current;
  private int pos;
  private volatile boolean closed;

  /**
   * Starts reading {@code source} on a thread of {@code threads}.
   *
   * @param source read (and closed) only by the other thread from now on
   * @throws IOException if {@code threads} no longer accepts work (the client was closed); then
   *     {@code source} has been closed
   */
  ReadAhead(InputStream source, ExecutorService threads, int bufferSize, int buffers) throws IOException {
    this.source = Objects.requireNonNull(source, "source");
    if (bufferSize <= 0 || buffers <= 0) {
      throw new IllegalArgumentException("buffers must be positive");
    }
    this.free = new ArrayBlockingQueue<>(buffers);
    for (int i = 0; i < buffers; i++) {
      free.add(new byte[bufferSize]);
    }
    // Room for every buffer plus the end or failure: the other thread never waits on this queue.
    this.filled = new ArrayBlockingQueue<>(buffers + 1);
    try {
      this.producer = threads.submit(this::produce);
    } catch (RejectedExecutionException e) {
      closeSource();
      throw new IOException("registry client closed", e);
    }
  }

  private void produce() {
    if (!state.compareAndSet(0, 1)) {
      return; // closed before it started; close() closed the source
    }
    try {
      while (!closed) {
        byte[] b = free.take();
        int n = 0;
        Throwable failure = null;
        boolean end = false;
        while (n < b.length) {
          int r;
          try {
            r = source.read(b, n, b.length - n);
          } catch (Throwable t) { // handed to the reader, which rethrows it
            failure = t;
            break;
          }
          if (r < 0) {
            end = true;
            break;
          }
          n += r;
        }
        if (n > 0) {
          filled.put(new Chunk(b, n, null));
        } else {
          free.add(b);
        }
        if (failure != null) {
          filled.put(new Chunk(null, 0, failure));
          return;
        }
        if (end) {
          filled.put(END);
          return;
        }
      }
    } catch (InterruptedException e) {
      // closed: the reader wants no more
    } finally {
      closeSource();
    }
  }

  private void closeSource() {
    try {
      source.close();
    } catch (IOException | RuntimeException ignored) {
      // nothing left to read from it
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (closed) {
      throw new IOException("stream closed");
    }
    if (len == 0) {
      return 0;
    }
    if (current == null || (current.buf() != null && pos == current.len())) {
      if (current != null) {
        free.add(current.buf());
      }
      try {
        current = filled.take();
      } catch (InterruptedException e) {
        close();
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while reading a blob");
      }
      pos = 0;
    }
    if (current.buf() == null) {
      Throwable f = current.failure();
      if (f == null) {
        return -1;
      }
      if (f instanceof IOException io) {
        throw io;
      }
      if (f instanceof RuntimeException re) {
        throw re;
      }
      if (f instanceof Error err) {
        throw err;
      }
      throw new IOException(f);
    }
    int n = Math.min(len, current.len() - pos);
    System.arraycopy(current.buf(), pos, b, off, n);
    pos += n;
    return n;
  }

  @Override
  public int available() {
    return current != null && current.buf() != null ? current.len() - pos : 0;
  }

  /** Stops the other thread, which closes the wrapped stream; does not wait for it. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (state.compareAndSet(0, 2)) {
        producer.cancel(false);
        closeSource();
      } else {
        producer.cancel(true);
      }
    }
  }
}
