package dev.socibuilder.registry;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.digest.VerifyingInputStream;
import dev.socibuilder.registry.http.Request;
import dev.socibuilder.registry.http.Response;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Blob downloads that survive dropped connections and verify what they delivered.
 *
 * <p>Each GET follows http(s) redirects (to pre-signed storage) without the registry's credentials. When
 * the connection fails (an I/O error, a clean end before the expected size, or no data within the
 * client's timeout: the transport guards every body read), the download reconnects through the registry
 * (so an expired pre-signed URL is re-issued) asking for {@code Range: bytes=N-} where N is the number
 * of bytes already delivered; a 200 answer
 * instead of 206 is skipped forward to N. Reconnects are bounded by the retry policy's attempts, counted
 * since the last successful read, with its backoff in between (all waits of one download within the
 * policy's retry budget), and by the run's deadline: a blob trickled slower than the deadline allows
 * fails when it passes. Every byte goes through one
 * {@link VerifyingInputStream}: the size and digest must match, else {@link DigestMismatchException}.
 *
 * <p>A blob of known size of at least the {@link Parallelism#threshold()} is received over up to
 * {@link Parallelism#connections()} connections at once ({@link RangedBlob}), still verified in order by
 * the same single {@code VerifyingInputStream}; at most {@link Parallelism#maxRanged()} blobs at once, the
 * others as one stream.
 */
final class BlobDownload implements AutoCloseable {
  private static final int MAX_REDIRECTS = 5;
  /**
   * How long a large blob is read over one connection before it may turn ranged (from its first byte):
   * long enough that the time to the first bytes and TCP's slow start do not pass for a slow network.
   */
  static final long UPGRADE_AFTER_NANOS = 50_000_000L;

  /** Blobs larger than this (or of unknown size) are read ahead on another thread. */
  static final long READ_AHEAD_MIN_SIZE = 1 << 20;
  /** Read-ahead buffers per download: 8 x 128 KiB, 1 MiB per blob being read. */
  static final int READ_AHEAD_BUFFER = 128 * 1024;
  static final int READ_AHEAD_BUFFERS = 8;

  /**
   * How large blobs are received over several connections.
   *
   * @param connections connections per blob, 1 (one stream, no ranges) to {@link #MAX_CONNECTIONS}
   * @param threshold blobs of at least this many bytes (and of known size) use several connections
   * @param partSize bytes per ranged GET
   * @param maxRanged how many blobs of one client may be received over several connections at once (the
   *     others are read as one stream): each holds up to {@code (connections + 1) x partSize} bytes
   * @param rangedFromStart receive such blobs as ranges from their first byte (adding connections while the
   *     reader waits); false (the default): over one plain connection until it turns out to be the slower
   *     side ({@link Upgrading}), so that a fast network never pays for the ranged path
   */
  record Parallelism(int connections, long threshold, int partSize, int maxRanged, boolean rangedFromStart) {
    /** The most connections per blob. */
    static final int MAX_CONNECTIONS = 16;
    static final int DEFAULT_CONNECTIONS = 4;
    static final long DEFAULT_THRESHOLD = 64L << 20;
    /**
     * 8 MiB: large enough that a part's request (a round trip, and on S3 the time to its first byte) is
     * small against its transfer at the tens to hundreds of MB/s of one connection, as AWS recommends for
     * S3 byte-range GETs (8-16 MB); small enough that the window of parts held in memory stays at
     * (connections + 1) x 8 MiB, 40 MiB at 4 connections, beside the inflate in a 128 MiB heap.
     */
    static final int DEFAULT_PART_SIZE = 8 << 20;

    Parallelism(int connections, long threshold, int partSize, int maxRanged) {
      this(connections, threshold, partSize, maxRanged, false);
    }

    Parallelism {
      if (connections < 1 || connections > MAX_CONNECTIONS) {
        throw new IllegalArgumentException("blob connections must be 1 to " + MAX_CONNECTIONS + ", got " + connections);
      }
      if (threshold < 1) {
        throw new IllegalArgumentException("the parallel download threshold must be positive, got " + threshold);
      }
      if (partSize < 1) {
        throw new IllegalArgumentException("the part size must be positive, got " + partSize);
      }
      if (maxRanged < 1) {
        throw new IllegalArgumentException("the most parallel downloads must be positive, got " + maxRanged);
      }
    }

    /**
     * As many parallel downloads as fit in a quarter of {@code maxHeap}, at least one: layers are indexed
     * several at once (one per processor), and with a 128 MiB heap two windows of 40 MiB beside two
     * inflates would not fit; the other layers are then read as one stream each (1 MiB read-ahead).
     */
    static int maxRangedFor(long maxHeap, int connections, int partSize) {
      long window = (connections + 1L) * partSize;
      return (int) Math.max(1, Math.min(MAX_CONNECTIONS, maxHeap / 4 / window));
    }
  }

  private final Transport transport;
  private final Parallelism parallelism;
  /** One permit per blob that may be received over several connections now. */
  private final Semaphore rangedSlots;
  private final ExecutorService readers = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "registry-blob-reader");
    t.setDaemon(true);
    return t;
  });
  /** The part workers of ranged downloads; a thread ends as soon as its download no longer needs it. */
  private final ExecutorService partWorkers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 0, TimeUnit.SECONDS,
      new SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, "registry-blob-part");
        t.setDaemon(true);
        return t;
      });

  BlobDownload(Transport transport, Parallelism parallelism) {
    this.transport = transport;
    this.parallelism = parallelism;
    this.rangedSlots = new Semaphore(parallelism.maxRanged());
  }

  /**
   * Opens the blob; the first connection is made now, so that a missing blob or refused
   * authentication fails here rather than in the first read. The caller closes the stream.
   *
   * <p>A blob larger than {@link #READ_AHEAD_MIN_SIZE} (or of unknown size) is received and verified on
   * another thread, up to 1 MiB ahead of the reader ({@link ReadAhead}): the socket reads and the
   * SHA-256 then run beside the reader's own work (a layer's inflate) instead of before it.
   *
   * <p>A blob of known size of at least the {@link Parallelism#threshold()} is received as ranges over
   * several connections ({@link RangedBlob}, whose stream is then the one verified and read ahead), if
   * fewer than {@link Parallelism#maxRanged()} such downloads are open; closing the stream stops them.
   *
   * @param size the expected size, or -1 to take it from the response
   */
  /**
   * Ranged downloads open now. A closed download gives its slot back once its workers have stopped,
   * which the read-ahead thread that owns the stream may do a moment after the reader closed it.
   */
  int rangedDownloadsOpen() {
    return parallelism.maxRanged() - rangedSlots.availablePermits();
  }

  InputStream open(Op op, Digest digest, long size) {
    InputStream raw;
    boolean large = parallelism.connections() > 1 && size > 0 && size >= parallelism.threshold();
    if (large && !parallelism.rangedFromStart()) {
      Upgrading u = new Upgrading(op, digest, size);
      u.connect();
      raw = u;
    } else if (large && rangedSlots.tryAcquire()) {
      Runnable release = slotRelease();
      try {
        raw = openRanged(op, digest, size, release);
      } catch (RuntimeException | Error e) {
        release.run();
        throw e;
      }
    } else {
      Resumable single = new Resumable(op, digest, size, 0, null);
      single.connect();
      raw = single;
    }
    InputStream verified = new VerifyingInputStream(raw, digest, size, (actual, detail) ->
        new DigestMismatchException(op.action(), op.registry(), op.repository(), digest, actual,
            "registry sent " + detail));
    if (size >= 0 && size <= READ_AHEAD_MIN_SIZE) {
      return verified;
    }
    try {
      return new ReadAhead(verified, readers, READ_AHEAD_BUFFER, READ_AHEAD_BUFFERS);
    } catch (IOException e) {
      throw Transport.ioFailure(op, e);
    }
  }

  /**
   * The first part with a ranged GET through the registry (auth, redirects): a 206 with exactly that range
   * starts the other parts where the redirects ended; a 200 (ranges ignored) is the whole blob, read over
   * this one connection as without parallelism.
   *
   * @param release gives the ranged slot back; run when the ranged stream is closed, or now if the blob
   *     is read as one stream
   */
  private InputStream openRanged(Op op, Digest digest, long size, Runnable release) {
    URI uri = blobUri(op, digest);
    long firstLast = Math.min(size, parallelism.partSize()) - 1;
    Response r = transport.withRetries(op, () -> {
      Response x = get(transport, op, uri, "bytes=0-" + firstLast);
      if (x.statusCode() != 200 && x.statusCode() != 206) {
        throw Transport.failure(op, x);
      }
      return x;
    });
    long total;
    if (r.statusCode() == 206) {
      String cr = r.headers().firstValue("Content-Range").orElse("");
      total = HeaderValues.contentRangeTotal(cr);
      checkSize(op, digest, size, total, r);
      if (RangedBlob.isRange(cr, 0, firstLast, size)) {
        try {
          return new RangedBlob(transport, op, size, parallelism.connections(), parallelism.partSize(), partWorkers,
              r.body(), uri, r.uri(), from -> resumeFrom(op, digest, size, from), release);
        } catch (IOException e) {
          throw Transport.ioFailure(op, e);
        }
      }
      // Some other range: start over on one connection, as without parallelism.
      Transport.closeQuietly(r);
      release.run();
      Resumable single = new Resumable(op, digest, size, 0, null);
      single.connect();
      return single;
    }
    release.run();
    total = r.headers().firstValueAsLong("Content-Length").orElse(-1);
    checkSize(op, digest, size, total, r);
    return new Resumable(op, digest, size, 0, r.body());
  }

  private static void checkSize(Op op, Digest digest, long size, long total, Response r) {
    if (total >= 0 && total != size) {
      Transport.closeQuietly(r);
      throw sizeMismatch(op, digest, size, total);
    }
  }

  private static DigestMismatchException sizeMismatch(Op op, Digest digest, long size, long total) {
    return new DigestMismatchException(op.action(), op.registry(), op.repository(), digest, null,
        "expected " + size + " bytes but the registry serves " + total);
  }

  /** Stops the read-ahead and part threads; blobs still being read fail. */
  @Override
  public void close() {
    readers.shutdownNow();
    partWorkers.shutdownNow();
  }

  /** The size and body of one GET from {@code offset}. */
  private record Fetched(InputStream body, long totalSize) {}

  /**
   * One GET of the blob from {@code offset}, following redirects, returning a stream positioned at
   * {@code offset} and the total blob size if the response told it (else -1).
   */
  private Fetched fetch(Op op, Digest digest, long offset) throws IOException, InterruptedException {
    Response r = get(transport, op, blobUri(op, digest), offset > 0 ? "bytes=" + offset + "-" : null);
    int s = r.statusCode();
    if (s == 206 && offset > 0) {
      String cr = r.headers().firstValue("Content-Range").orElse("");
      long start = HeaderValues.contentRangeStart(cr);
      if (start == offset) {
        return new Fetched(r.body(), HeaderValues.contentRangeTotal(cr));
      }
      if (start != 0) {
        Transport.closeQuietly(r);
        throw op.failure(s, null, "asked for bytes " + offset + "- but got Content-Range '" + cr + "'", true);
      }
      // A 206 from 0 is as good as a 200: skip below.
    }
    if (s == 200 || s == 206) {
      InputStream body = r.body();
      long total = s == 200 ? r.headers().firstValueAsLong("Content-Length").orElse(-1) : -1;
      if (offset > 0) {
        // The server ignored Range: skip what was already read (and hashed).
        body.skipNBytes(offset);
      }
      return new Fetched(body, total);
    }
    throw Transport.failure(op, r);
  }

  private URI blobUri(Op op, Digest digest) {
    return transport.uri(op.registry(), op.repository(), "/blobs/" + digest);
  }

  /**
   * One GET of {@code uri} with {@code Range: range} (or none if null), following redirects; the answer
   * (not a redirect) is the caller's to check and close. Its {@link Response#uri()} is where the redirects
   * ended.
   */
  static Response get(Transport transport, Op op, URI uri, String range) throws IOException, InterruptedException {
    Response r = transport.exchange(op, () -> rangeGet(uri, range));
    for (int hops = 0; Transport.isRedirect(r.statusCode()); hops++) {
      Transport.closeQuietly(r);
      if (hops >= MAX_REDIRECTS) {
        throw op.failure(r.statusCode(), null, "more than " + MAX_REDIRECTS + " redirects", false);
      }
      URI next = Transport.location(op, r, "redirect");
      // Pre-signed storage on another origin is authenticated by its query string: the exchange sends
      // the registry's credentials only to the registry's own origin.
      r = transport.exchange(op, () -> rangeGet(next, range));
    }
    return r;
  }

  private static Request.Builder rangeGet(URI uri, String range) {
    Request.Builder b = Request.newBuilder(uri).GET();
    if (range != null) {
      b.header("Range", range);
    }
    return b;
  }

  /**
   * A large blob over one connection ({@link Resumable}) that turns ranged when that connection is the slower
   * side: once, past its first part and {@link #UPGRADE_AFTER_NANOS} after its first byte, the reader (the
   * read-ahead thread) has spent a quarter of that time waiting in reads (not decrypting: {@link
   * #waitedNanos}), the rest of the blob from the end of the part being read is received as ranges over all
   * the connections at once ({@link RangedBlob}), while this connection delivers up to there and is closed.
   * A connection that keeps ahead of the reader (a fast network; a zTOC build that is the slower side) stays
   * alone: no ranges, part threads or pages. Needs a ranged slot at that moment, else it tries again later.
   */
  private final class Upgrading extends InputStream {
    private final Op op;
    private final Digest digest;
    private final long size;
    private final Resumable single;
    private RangedBlob ranged;
    private long position;
    /** Where the single connection hands over to the ranged parts; the blob's size while there are none. */
    private long switchAt;
    private long firstByteNanos;
    private long waitingNanos;
    /** Whether the blob comes over TLS, where a read's own CPU time is told apart from its waiting. */
    private final boolean tls;
    private boolean closed;

    Upgrading(Op op, Digest digest, long size) {
      this.op = op;
      this.digest = digest;
      this.size = size;
      this.switchAt = size;
      this.single = new Resumable(op, digest, size, 0, null);
      // Only a TLS read computes much (decrypting); over plain http all of a read's time counts as waiting.
      this.tls = "https".equals(blobUri(op, digest).getScheme());
      if (tls) {
        ThreadCpu.prepare(); // ready long before the first decision (past the first part and 50 ms)
      }
    }

    void connect() {
      single.connect();
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (closed) {
        throw new IOException("stream closed");
      }
      if (len == 0) {
        return 0;
      }
      if (position >= switchAt && ranged != null) {
        int n = ranged.read(b, off, len);
        if (n > 0) {
          position += n;
        }
        return n;
      }
      if (position >= size) {
        return single.read(b, off, len); // its end: -1, or more bytes than the size (a registry bug it reports)
      }
      long t0 = System.nanoTime();
      long cpu0 = tls ? ThreadCpu.nanos() : -1;
      int n = single.read(b, off, (int) Math.min(len, switchAt - position));
      long t1 = System.nanoTime();
      long cpu1 = tls ? ThreadCpu.nanos() : -1;
      if (n <= 0) {
        return n;
      }
      if (firstByteNanos == 0) {
        firstByteNanos = t1;
      } else {
        waitingNanos += waitedNanos(t1 - t0, cpu0, cpu1);
      }
      position += n;
      if (position == switchAt && ranged != null) {
        single.close(); // the ranged parts take over
      } else if (ranged == null && turnsRanged(position, parallelism.partSize(), t1 - firstByteNanos, waitingNanos)) {
        upgrade();
      }
      return n;
    }

    /** The rest from the end of the current part over several connections, if a ranged slot is free. */
    private void upgrade() throws IOException {
      long at = (position / parallelism.partSize() + 1) * parallelism.partSize();
      if (at >= size || !rangedSlots.tryAcquire()) {
        firstByteNanos = System.nanoTime(); // measure again from now
        waitingNanos = 0;
        return;
      }
      Runnable release = slotRelease();
      try {
        ranged = new RangedBlob(transport, op, size, at, parallelism.connections(), parallelism.connections(),
            parallelism.partSize(), partWorkers, null, blobUri(op, digest), null,
            from -> resumeFrom(op, digest, size, from), release);
      } catch (IOException | RuntimeException e) {
        release.run();
        throw e;
      }
      switchAt = at;
    }

    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      single.close();
      if (ranged != null) {
        ranged.close();
      }
    }
  }

  /** Gives back a ranged slot that was just taken; runs once however often it is called. */
  private Runnable slotRelease() {
    AtomicBoolean held = new AtomicBoolean(true);
    return () -> {
      if (held.getAndSet(false)) {
        rangedSlots.release();
      }
    };
  }

  /** The blob over one connection from byte {@code from} (a ranged stream's fall back). */
  private InputStream resumeFrom(Op op, Digest digest, long size, long from) {
    Resumable rest = new Resumable(op, digest, size, from, null);
    rest.connect();
    return rest;
  }

  /**
   * The part of a read's {@code wallNanos} spent waiting, not computing: less this thread's CPU time in it
   * ({@code cpuBefore} to {@code cpuAfter}, -1 if not known: then all of it). Over TLS a read decrypts, and
   * in a fresh JVM that takes most of its time. Turning ranged then adds handshakes and decrypting threads
   * beside the inflate rather than bytes: on two processors, the JDK layer's index over https took 0.6 s
   * longer on four connections than on one.
   */
  static long waitedNanos(long wallNanos, long cpuBefore, long cpuAfter) {
    if (cpuBefore < 0 || cpuAfter < cpuBefore) {
      return wallNanos;
    }
    return Math.max(0, wallNanos - (cpuAfter - cpuBefore));
  }

  /**
   * Whether a blob read over one connection should turn ranged: past its first part, at least {@link
   * #UPGRADE_AFTER_NANOS} after its first byte, the reader has spent a quarter of that time or more waiting
   * in reads ({@link #waitedNanos}: so the network, not the reader or the decryption, sets the pace).
   */
  static boolean turnsRanged(long position, int partSize, long sinceFirstByteNanos, long waitingNanos) {
    return position >= partSize && sinceFirstByteNanos >= UPGRADE_AFTER_NANOS
        && 4 * waitingNanos >= sinceFirstByteNanos;
  }

  /** The blob's bytes across reconnects, in order, each once; verification is the wrapper's. */
  private final class Resumable extends InputStream {
    private final Op op;
    private final Digest digest;
    private long size;
    private long position;
    private InputStream current;
    private int failuresSinceProgress;
    private boolean finished;
    private boolean closed;
    /** The waits of this whole download, against the retry budget. */
    private final Transport.RetryState retries = new Transport.RetryState();

    /**
     * @param position where the blob is read from
     * @param current a body already open at {@code position} (its size checked), or null to connect
     */
    Resumable(Op op, Digest digest, long size, long position, InputStream current) {
      this.op = op;
      this.digest = digest;
      this.size = size;
      this.position = position;
      this.current = current;
    }

    void connect() {
      Fetched r = transport.withRetries(op, () -> fetch(op, digest, position));
      long total = r.totalSize();
      if (total >= 0) {
        if (size < 0) {
          size = total;
        } else if (total != size) {
          closeQuietly(r.body());
          throw sizeMismatch(op, digest, size, total);
        }
      }
      current = r.body();
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (closed) {
        throw new IOException("stream closed");
      }
      if (len == 0) {
        return 0;
      }
      if (finished) {
        return -1;
      }
      while (true) {
        if (current == null) {
          connect();
        }
        int n;
        try {
          n = current.read(b, off, len);
        } catch (IOException e) {
          dropped(e);
          continue;
        }
        if (n < 0) {
          if (size >= 0 && position < size) {
            dropped(new EOFException("connection ended after " + position + " of " + size + " bytes"));
            continue;
          }
          finished = true;
          closeQuietly(current);
          current = null;
          return -1;
        }
        position += n;
        failuresSinceProgress = 0;
        return n;
      }
    }

    private void dropped(IOException e) {
      closeQuietly(current);
      current = null;
      failuresSinceProgress++;
      Deadline deadline = transport.deadline();
      if (deadline.expired()) {
        throw deadline.exceeded(op.describe() + " at byte " + position + (size >= 0 ? " of " + size : ""), e);
      }
      RegistryException failure = new RegistryException(op.action(), op.registry(), op.repository(), op.reference(),
          0, null, "connection failed at byte " + position + (size >= 0 ? " of " + size : "") + " "
              + failuresSinceProgress + " times in a row: " + e, true, e);
      if (failuresSinceProgress >= transport.retryPolicy().maxAttempts()) {
        throw failure;
      }
      transport.backOff(op, retries, failuresSinceProgress, failure);
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        closeQuietly(current);
        current = null;
      }
    }
  }

  private static void closeQuietly(InputStream in) {
    if (in == null) {
      return;
    }
    try {
      in.close();
    } catch (IOException | RuntimeException ignored) {
      // a body we abandon
    }
  }
}
