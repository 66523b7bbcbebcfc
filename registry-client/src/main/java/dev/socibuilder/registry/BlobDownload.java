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
 */
final class BlobDownload implements AutoCloseable {
  private static final int MAX_REDIRECTS = 5;
  /** Blobs larger than this (or of unknown size) are read ahead on another thread. */
  static final long READ_AHEAD_MIN_SIZE = 1 << 20;
  /** Read-ahead buffers per download: 8 x 128 KiB, 1 MiB per blob being read. */
  static final int READ_AHEAD_BUFFER = 128 * 1024;
  static final int READ_AHEAD_BUFFERS = 8;

  private final Transport transport;
  private final ExecutorService readers = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "registry-blob-reader");
    t.setDaemon(true);
    return t;
  });

  BlobDownload(Transport transport) {
    this.transport = transport;
  }

  /**
   * Opens the blob; the first connection is made now, so that a missing blob or refused
   * authentication fails here rather than in the first read. The caller closes the stream.
   *
   * <p>A blob larger than {@link #READ_AHEAD_MIN_SIZE} (or of unknown size) is received and verified on
   * another thread, up to 1 MiB ahead of the reader ({@link ReadAhead}): the socket reads and the
   * SHA-256 then run beside the reader's own work (a layer's inflate) instead of before it.
   *
   * @param size the expected size, or -1 to take it from the response
   */
  InputStream open(Op op, Digest digest, long size) {
    Resumable raw = new Resumable(op, digest, size);
    raw.connect();
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

  /** Stops the read-ahead threads; blobs still being read fail. */
  @Override
  public void close() {
    readers.shutdownNow();
  }

  /** The size and body of one GET from {@code offset}. */
  private record Fetched(InputStream body, long totalSize) {}

  /**
   * One GET of the blob from {@code offset}, following redirects, returning a stream positioned at
   * {@code offset} and the total blob size if the response told it (else -1).
   */
  private Fetched fetch(Op op, Digest digest, long offset) throws IOException, InterruptedException {
    URI uri = transport.uri(op.registry(), op.repository(), "/blobs/" + digest);
    Response r = transport.exchange(op, () -> rangeGet(uri, offset));
    for (int hops = 0; Transport.isRedirect(r.statusCode()); hops++) {
      Transport.closeQuietly(r);
      if (hops >= MAX_REDIRECTS) {
        throw op.failure(r.statusCode(), null, "more than " + MAX_REDIRECTS + " redirects", false);
      }
      URI next = Transport.location(op, r, "redirect");
      // Pre-signed storage on another origin is authenticated by its query string: the exchange sends
      // the registry's credentials only to the registry's own origin.
      r = transport.exchange(op, () -> rangeGet(next, offset));
    }
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

  private static Request.Builder rangeGet(URI uri, long offset) {
    Request.Builder b = Request.newBuilder(uri).GET();
    if (offset > 0) {
      b.header("Range", "bytes=" + offset + "-");
    }
    return b;
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

    Resumable(Op op, Digest digest, long size) {
      this.op = op;
      this.digest = digest;
      this.size = size;
    }

    void connect() {
      Fetched r = transport.withRetries(op, () -> fetch(op, digest, position));
      long total = r.totalSize();
      if (total >= 0) {
        if (size < 0) {
          size = total;
        } else if (total != size) {
          closeQuietly(r.body());
          throw new DigestMismatchException(op.action(), op.registry(), op.repository(), digest, null,
              "expected " + size + " bytes but the registry serves " + total);
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
