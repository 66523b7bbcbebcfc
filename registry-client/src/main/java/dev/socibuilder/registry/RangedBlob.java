package dev.socibuilder.registry;

import dev.socibuilder.registry.http.Response;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.function.LongFunction;

/**
 * A blob of known size received over several connections at once: it is cut into parts of a fixed size,
 * each fetched with its own {@code Range: bytes=a-b} GET by one of up to N worker threads, and the parts
 * are handed to the reader strictly in order, as they arrive (the reader may read a part while it is still
 * being received). Verification is the caller's, over exactly the bytes this stream delivers.
 *
 * <p><b>Connections as needed.</b> The stream starts with the workers it is given (all N when a plain
 * connection has already shown itself the slower side, {@code BlobDownload.Upgrading}; one when ranged from
 * the first byte); another is added (up to N) each time the reader, past the first part, finds no byte to
 * read: the download is then slower than its reader.
 *
 * <p><b>Memory.</b> Workers fetch only parts within a window of {@code connections + 1} parts from the one
 * being read, into pages of at most {@link #PAGE_SIZE} taken from a pool of this stream (pages the reader
 * has finished go back to it). So at most {@code (connections + 1) * partSize} bytes of pages plus the page
 * being read are held, whatever the blob's size: 40 MiB for 4 connections and 8 MiB parts. Pages are
 * smaller than half a G1 region of the smallest heaps (1 MiB regions), so they are never humongous.
 *
 * <p><b>Parts.</b> A part's answer must be 206 with {@code Content-Range: bytes a-b/size} exactly. A 200
 * (a server that ignores Range) or another range makes the whole stream fall back to one connection from
 * the reader's position ({@code resume}); what workers had received beyond it is dropped, so nothing is
 * delivered twice. Parts after the first go to where the first GET's redirects ended (pre-signed storage
 * accepts ranges; it gets no registry credentials); a part that fails mid-way reconnects through the
 * registry again (a fresh redirect, should the pre-signed URL have expired) asking only for the bytes it
 * is still missing, at most the retry policy's attempts in a row without progress, with its backoff (the
 * waits of all parts together within the policy's retry budget), never past the deadline. Every body read
 * is guarded against stalls by the transport.
 *
 * <p><b>Failures and closing.</b> The first failure that is final stops every worker (their connections
 * are closed) and is thrown from the reader's next {@link #read}, as the same {@link RegistryException} or
 * {@link DeadlineExceededException} a single-connection download throws. {@link #close()} (from the
 * reader's thread) stops the workers the same way: their connections are closed, which ends the reads they
 * are blocked in, and their threads end.
 */
final class RangedBlob extends InputStream {
  /** How long the reader waits for bytes before it adds another connection (while it may). */
  static final long GROW_AFTER_MILLIS = 50;

  /** The largest page: a quarter of the smallest G1 region (1 MiB), far below the humongous limit. */
  static final int PAGE_SIZE = 256 * 1024;

  /** A filled page of a part; only the last page of a part may be shorter than the page size. */
  private record Page(byte[] buf, int len) {}

  /** One range of the blob: received by one worker, read by the reader. Guarded by the stream's lock. */
  private static final class Part {
    final int index;
    final long first;
    final long length;
    final ArrayDeque<Page> pages = new ArrayDeque<>();
    /** Bytes of this part handed to the reader (in pages taken off {@link #pages}). */
    long taken;

    Part(int index, long first, long length) {
      this.index = index;
      this.first = first;
      this.length = length;
    }
  }

  private final Transport transport;
  private final ExecutorService threads;
  /** The most workers: the connections asked for, or fewer if the blob has fewer parts. */
  private final int maxWorkers;
  private final Op op;
  /** The blob's size: the stream ends there. */
  private final long size;
  /** The blob offset of the stream's first byte (where part 0 starts). */
  private final long base;
  private final int partSize;
  private final int pageSize;
  private final int partCount;
  private final int window;
  private final URI registryUri;
  /** Where parts are fetched from: where the last redirects through the registry ended. */
  private volatile URI partUri;
  private final LongFunction<InputStream> resume;
  private final Runnable onClose;
  /** The waits of this whole download, against the retry budget; shared by the workers. */
  private final Transport.RetryState retries = new Transport.RetryState();
  /** The workers started so far; added to by the reader while it waits. */
  private final List<Future<?>> workers = new CopyOnWriteArrayList<>();
  /**
   * One permit per part the window still has room for: a worker takes one to start a part, the reader gives
   * it back when it has taken the part's last byte. The lock's monitor is then waited on by the reader only.
   */
  private final Semaphore windowSlots;

  private final Object lock = new Object();
  // Guarded by lock:
  private final ArrayDeque<byte[]> freePages = new ArrayDeque<>();
  private final Map<Integer, Part> parts = new HashMap<>();
  /** The open part bodies, closed when the workers are stopped. */
  private final Set<InputStream> bodies = new HashSet<>();
  /** The first GET's body (part 0), until a worker takes it. */
  private InputStream firstBody;
  private int nextToFetch;
  /** The part the reader is on. */
  private int delivering;
  private int allocatedPages;
  private int mostAllocatedPages;
  private RuntimeException failure;
  private String fallbackReason;
  private boolean stopped;

  // The reader's own:
  private byte[] page;
  private int pagePos;
  private int pageLen;
  private long position;
  /** After a fall back: the rest of the blob over one connection. */
  private InputStream single;
  private boolean closed;

  /**
   * The whole blob, starting with one worker; part 0 is read from {@code firstBody}.
   *
   * @param firstBody the first GET's body: bytes {@code 0..min(partSize, size)-1} (validated by the caller);
   *     owned (and closed) by this stream from now on
   * @param registryUri the blob's URL at the registry
   * @param partUri where the first GET's redirects ended (or {@code registryUri})
   * @param resume opens the blob over one connection from a byte offset (the fall back)
   * @param onClose run once, when this stream is closed
   * @throws IOException if {@code threads} no longer accepts work (the client was closed); then everything
   *     opened has been closed
   */
  RangedBlob(Transport transport, Op op, long size, int connections, int partSize, ExecutorService threads,
      InputStream firstBody, URI registryUri, URI partUri, LongFunction<InputStream> resume, Runnable onClose)
      throws IOException {
    this(transport, op, size, 0, connections, 1, partSize, threads, Objects.requireNonNull(firstBody, "firstBody"),
        registryUri, Objects.requireNonNull(partUri, "partUri"), resume, onClose);
  }

  /**
   * The blob from byte {@code base} on (its parts start there), starting {@code initialWorkers} workers.
   *
   * @param firstBody bytes {@code base..} of part 0, or null for its worker to request it
   * @param partUri where parts are fetched, or null: through the registry, and from then on where that
   *     request's redirects ended
   */
  RangedBlob(Transport transport, Op op, long size, long base, int connections, int initialWorkers, int partSize,
      ExecutorService threads, InputStream firstBody, URI registryUri, URI partUri, LongFunction<InputStream> resume,
      Runnable onClose) throws IOException {
    if (size <= 0 || connections < 1 || partSize < 1 || base < 0 || base >= size || initialWorkers < 1) {
      throw new IllegalArgumentException("size, connections, workers and partSize must be positive, base within");
    }
    this.transport = Objects.requireNonNull(transport, "transport");
    this.op = Objects.requireNonNull(op, "op");
    this.size = size;
    this.base = base;
    this.position = base;
    this.partSize = partSize;
    this.pageSize = Math.min(PAGE_SIZE, partSize);
    long count = (size - base + partSize - 1) / partSize;
    if (count > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("too many parts: " + count);
    }
    this.partCount = (int) count;
    this.window = connections + 1;
    this.windowSlots = new Semaphore(window);
    this.firstBody = firstBody;
    this.registryUri = Objects.requireNonNull(registryUri, "registryUri");
    this.partUri = partUri;
    this.resume = Objects.requireNonNull(resume, "resume");
    this.onClose = Objects.requireNonNull(onClose, "onClose");
    this.threads = Objects.requireNonNull(threads, "threads");
    this.maxWorkers = (int) Math.min(connections, partCount);
    try {
      synchronized (lock) {
        for (int i = 0; i < Math.min(initialWorkers, maxWorkers); i++) {
          startWorker();
        }
      }
    } catch (RejectedExecutionException e) {
      close();
      throw new IOException("registry client closed", e);
    }
  }

  /** Under the lock: one more worker (a connection of its own). */
  private void startWorker() {
    workers.add(threads.submit(this::work));
  }

  /** Workers started so far (for tests). */
  int workersStarted() {
    return workers.size();
  }

  /** The most pages that were allocated at once (for tests of the memory bound). */
  int mostAllocatedPages() {
    synchronized (lock) {
      return mostAllocatedPages;
    }
  }

  /** Parts a worker has started on (for tests of the window). */
  int partsStarted() {
    synchronized (lock) {
      return nextToFetch;
    }
  }

  /** Bytes received and not yet taken by the reader (for tests of the window). */
  long bufferedBytes() {
    synchronized (lock) {
      long n = 0;
      for (Part p : parts.values()) {
        for (Page pg : p.pages) {
          n += pg.len();
        }
      }
      return n;
    }
  }

  /** The most pages that may be allocated at once: {@code (connections + 1)} parts' worth plus one. */
  int pageBound() {
    return window * ((partSize + pageSize - 1) / pageSize) + 1;
  }

  // ------------------------------------------------------------------ the reader

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
    while (true) {
      if (single != null) {
        int n = single.read(b, off, len);
        if (n > 0) {
          position += n;
        }
        return n;
      }
      if (page != null && pagePos < pageLen) {
        int n = Math.min(len, pageLen - pagePos);
        System.arraycopy(page, pagePos, b, off, n);
        pagePos += n;
        position += n;
        return n;
      }
      if (position == size) {
        releasePage();
        return -1;
      }
      nextPage();
    }
  }

  private void releasePage() {
    if (page != null) {
      synchronized (lock) {
        freePages.push(page);
      }
      page = null;
    }
  }

  /** Waits for the next page of the part being read; or switches to one connection if a worker asked to. */
  private void nextPage() throws IOException {
    String fallback;
    synchronized (lock) {
      if (page != null) {
        freePages.push(page);
        page = null;
      }
      while (true) {
        if (failure != null) {
          throw failure;
        }
        if (fallbackReason != null) {
          fallback = fallbackReason;
          stop();
          break;
        }
        Part p = parts.get(delivering);
        Page next = p == null ? null : p.pages.poll();
        if (next != null) {
          p.taken += next.len();
          if (p.taken == p.length) {
            parts.remove(delivering);
            delivering++;
            windowSlots.release(); // the window moved
          }
          page = next.buf();
          pagePos = 0;
          pageLen = next.len();
          return;
        }
        boolean growing = delivering > 0 && workers.size() < maxWorkers && nextToFetch < partCount;
        if (growing) {
          // Past the first part (whose wait is the first answer's latency) the reader waits for bytes: the
          // download is the slower side, so another connection.
          try {
            startWorker();
          } catch (RejectedExecutionException e) {
            growing = false; // the client is closing: go on with the workers there are
          }
        }
        try {
          // While more may start, wait only a while: workers that all stall deliver nothing to wake for.
          lock.wait(growing ? GROW_AFTER_MILLIS : 0);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          close();
          throw new InterruptedIOException("interrupted while reading a blob");
        }
      }
    }
    // The server does not serve ranges as asked: the rest over one connection. Nothing past the reader's
    // position was delivered, so nothing is delivered (or hashed) twice.
    transport.warnOnce("ranges " + op.registry(), "registry " + op.registry() + " did not serve a part of a blob"
        + " as asked (" + fallback + "): blobs whose parts it refuses are read over one connection");
    freeReaderPages();
    try {
      single = resume.apply(position);
    } catch (RuntimeException e) {
      if (e instanceof RegistryException re) {
        throw re.withNote("after falling back to one connection: " + fallback);
      }
      throw e;
    }
  }

  private void freeReaderPages() {
    synchronized (lock) {
      parts.clear();
      freePages.clear();
    }
  }

  /** Stops the workers, which close the wrapped connections; does not wait for them. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    page = null;
    if (single != null) {
      closeQuietly(single);
    }
    synchronized (lock) {
      stop();
      parts.clear();
      freePages.clear();
    }
    for (Future<?> w : workers) {
      w.cancel(true);
    }
    onClose.run();
  }

  // ------------------------------------------------------------------ the workers

  /** Under the lock: no more parts; every open part connection is closed, which ends blocked reads. */
  private void stop() {
    if (!stopped) {
      stopped = true;
      if (firstBody != null) {
        closeQuietly(firstBody);
        firstBody = null;
      }
      for (InputStream body : bodies) {
        closeQuietly(body);
      }
      bodies.clear();
      windowSlots.release(2 * window); // more than workers: each waiting one wakes up, sees the stop and ends
      lock.notifyAll();
    }
  }

  private void work() {
    try {
      while (true) {
        Part p;
        InputStream body;
        // A slot of the window; waiting on the lock instead would wake every worker at every page delivered.
        windowSlots.acquire();
        synchronized (lock) {
          if (stopped || nextToFetch >= partCount) {
            windowSlots.release(); // for the next worker to see the same
            return;
          }
          int i = nextToFetch++;
          long first = base + (long) i * partSize;
          p = new Part(i, first, Math.min(partSize, size - first));
          parts.put(i, p);
          body = firstBody;
          firstBody = null;
          if (body != null) {
            bodies.add(body);
          }
        }
        receive(p, body);
      }
    } catch (InterruptedException e) {
      // stopped
    } catch (RuntimeException | Error e) {
      fail(e instanceof RuntimeException re ? re : new RegistryException(op.action(), op.registry(), op.repository(),
          op.reference(), 0, null, "failed: " + e, false, e));
    }
  }

  /** The first final failure stops everything and is thrown to the reader; later ones are its echoes. */
  private void fail(RuntimeException e) {
    synchronized (lock) {
      if (!stopped) {
        failure = e;
        stop();
      }
    }
  }

  /** A worker found that ranges are not served as asked: the reader goes on over one connection. */
  private void fallBack(String reason) {
    synchronized (lock) {
      if (!stopped) {
        fallbackReason = reason;
        lock.notifyAll();
      }
    }
  }

  private boolean stopped() {
    synchronized (lock) {
      return stopped;
    }
  }

  /**
   * Receives part {@code p} into pages handed to the reader as they fill, reconnecting from where it
   * stopped.
   *
   * @param body an open body positioned at the part's first byte, or null to make the first request
   */
  private void receive(Part p, InputStream body) throws InterruptedException {
    long got = 0;
    byte[] buf = null;
    int fill = 0;
    int failuresSinceProgress = 0;
    boolean viaRegistry = false;
    try {
      while (true) {
        if (stopped()) {
          return;
        }
        RegistryException failure;
        try {
          if (body == null) {
            body = openPart(p.first + got, p.first + p.length - 1, viaRegistry);
            if (body == null) {
              return; // falling back, or stopped
            }
          }
          while (got < p.length) {
            if (buf == null) {
              buf = takePage();
              fill = 0;
            }
            int n = body.read(buf, fill, (int) Math.min(buf.length - fill, p.length - got));
            if (n < 0) {
              throw new EOFException("connection ended after " + got + " of the " + p.length + " bytes of part "
                  + p.index);
            }
            fill += n;
            got += n;
            failuresSinceProgress = 0;
            if (fill == buf.length || got == p.length) {
              if (!deliver(p, buf, fill)) {
                buf = null;
                return;
              }
              buf = null;
            }
          }
          // Read the end of the body so that its connection can serve the next part.
          if (body.read() >= 0) {
            closeQuietly(body); // longer than the range: a server bug, but the part is complete
          }
          return;
        } catch (IOException e) {
          if (stopped()) {
            return; // the reader closed the stream, or another part failed: this is the echo
          }
          failure = new RegistryException(op.action(), op.registry(), op.repository(), op.reference(), 0, null,
              "connection failed at byte " + (p.first + got) + " of " + size + " " + (failuresSinceProgress + 1)
                  + " times in a row: " + e, true, e);
        } catch (RegistryException e) {
          if (stopped()) {
            return;
          }
          if (!e.isTransient() && viaRegistry) {
            throw e;
          }
          failure = e;
        } finally {
          if (body != null && got < p.length) {
            release(body);
            body = null;
          }
        }
        failuresSinceProgress++;
        Deadline deadline = transport.deadline();
        if (deadline.expired()) {
          throw deadline.exceeded(op.describe() + " at byte " + (p.first + got) + " of " + size, failure);
        }
        if (failuresSinceProgress >= transport.retryPolicy().maxAttempts()) {
          throw failure;
        }
        transport.backOff(op, retries, failuresSinceProgress, failure);
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
        // Through the registry again: a pre-signed URL may have expired, the registry issues a fresh one.
        viaRegistry = true;
      }
    } finally {
      if (body != null) {
        release(body);
      }
      if (buf != null) {
        synchronized (lock) {
          freePages.push(buf);
        }
      }
    }
  }

  /**
   * GETs bytes {@code first..last}; null (with the fall back requested) if the answer is not exactly that
   * range, or if the workers were stopped meanwhile.
   *
   * @throws RegistryException for another status
   */
  private InputStream openPart(long first, long last, boolean viaRegistry) throws IOException, InterruptedException {
    URI at = partUri;
    boolean throughRegistry = viaRegistry || at == null;
    Response r = BlobDownload.get(transport, op, throughRegistry ? registryUri : at, "bytes=" + first + "-" + last);
    int s = r.statusCode();
    if (s == 206) {
      String cr = r.headers().firstValue("Content-Range").orElse("");
      if (!isRange(cr, first, last, size)) {
        Transport.closeQuietly(r);
        fallBack("asked for bytes " + first + "-" + last + " but got Content-Range '" + RegistryText.sanitize(cr)
            + "'");
        return null;
      }
    } else if (s == 200) {
      Transport.closeQuietly(r);
      fallBack("the server answered a range request with the whole blob");
      return null;
    } else {
      throw Transport.failure(op, r);
    }
    if (throughRegistry) {
      partUri = r.uri();
    }
    synchronized (lock) {
      if (stopped) {
        Transport.closeQuietly(r);
        return null;
      }
      bodies.add(r.body());
    }
    return r.body();
  }

  /** Whether {@code contentRange} is exactly {@code bytes first-last/size}. */
  static boolean isRange(String contentRange, long first, long last, long size) {
    String cr = contentRange.strip();
    return cr.startsWith("bytes ") && HeaderValues.contentRangeStart(cr) == first
        && HeaderValues.contentRangeEnd(cr) == last && HeaderValues.contentRangeTotal(cr) == size;
  }

  private byte[] takePage() {
    synchronized (lock) {
      byte[] b = freePages.poll();
      if (b == null) {
        b = new byte[pageSize];
        allocatedPages++;
        mostAllocatedPages = Math.max(mostAllocatedPages, allocatedPages);
      }
      return b;
    }
  }

  /** Hands a filled page to the reader; false if the workers were stopped (the page is dropped). */
  private boolean deliver(Part p, byte[] buf, int len) {
    synchronized (lock) {
      if (stopped || fallbackReason != null) {
        return false;
      }
      p.pages.add(new Page(buf, len));
      lock.notifyAll();
      return true;
    }
  }

  /** Forgets a part body and closes it (a body read to its end is already back in the pool). */
  private void release(InputStream body) {
    synchronized (lock) {
      bodies.remove(body);
    }
    closeQuietly(body);
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException | RuntimeException ignored) {
      // a body we abandon
    }
  }
}
