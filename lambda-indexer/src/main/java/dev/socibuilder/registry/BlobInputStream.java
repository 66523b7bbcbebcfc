package dev.socibuilder.registry;

import dev.socibuilder.digest.Digest;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpTimeoutException;
import java.security.MessageDigest;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A blob download that survives dropped connections and verifies what it delivered.
 *
 * <p>Every byte handed to the caller goes through a SHA-256 exactly once. When the connection fails
 * (an I/O error, or a clean end before the expected size), the stream reconnects through the
 * registry (so an expired pre-signed URL is re-issued) asking for {@code Range: bytes=N-} where N is
 * the number of bytes already delivered. Reconnects are bounded by the retry policy's attempts,
 * counted since the last successful read, with its backoff in between. A read that gets no data
 * within the client's timeout counts as a dropped connection. At the end the size and
 * digest must match, else {@link DigestMismatchException}.
 */
final class BlobInputStream extends InputStream {
  private final RegistryClient client;
  private final RegistryClient.Op op;
  private final Digest expected;
  private final MessageDigest sha256 = Digest.newSha256();
  private long size;
  private long position;
  private InputStream current;
  private int failuresSinceProgress;
  private boolean finished;
  private boolean closed;
  /** Set by the watchdog when a read blocked longer than the client's timeout (and it closed the body). */
  private volatile boolean stalled;

  BlobInputStream(RegistryClient client, RegistryClient.Op op, Digest expected, long size) {
    this.client = client;
    this.op = op;
    this.expected = expected;
    this.size = size;
  }

  /** Opens the first connection eagerly so that a missing blob or refused auth fails in openBlob. */
  void openFirst() {
    connect();
  }

  private void connect() {
    RegistryClient.BlobResponse r = client.withRetries(op, () -> client.fetchBlob(op, expected, position));
    long total = r.totalSize();
    if (total >= 0) {
      if (size < 0) {
        size = total;
      } else if (total != size) {
        closeQuietly(r.body());
        throw new DigestMismatchException(op.action(), op.registry(), op.repository(), expected, null,
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
      int n = 0;
      IOException failure = null;
      InputStream in = current;
      stalled = false;
      ScheduledFuture<?> alarm = client.alarm(() -> {
        stalled = true;
        closeQuietly(in);
      });
      try {
        n = in.read(b, off, len);
      } catch (IOException e) {
        failure = e;
      } finally {
        alarm.cancel(false);
      }
      if (stalled) {
        // Whatever this read returned came from a body the watchdog closed: resume from position.
        dropped(new HttpTimeoutException("no data received for " + client.timeout().toMillis() + " ms"));
        continue;
      }
      if (failure != null) {
        dropped(failure);
        continue;
      }
      if (n < 0) {
        if (size >= 0 && position < size) {
          dropped(new EOFException("connection ended after " + position + " of " + size + " bytes"));
          continue;
        }
        finish();
        return -1;
      }
      if (size >= 0 && position + n > size) {
        closeQuietly(current);
        current = null;
        throw new DigestMismatchException(op.action(), op.registry(), op.repository(), expected, null,
            "registry sent more than the expected " + size + " bytes");
      }
      sha256.update(b, off, n);
      position += n;
      failuresSinceProgress = 0;
      return n;
    }
  }

  private void dropped(IOException e) {
    closeQuietly(current);
    current = null;
    failuresSinceProgress++;
    if (failuresSinceProgress >= client.retryPolicy().maxAttempts()) {
      throw new RegistryException(op.action(), op.registry(), op.repository(), op.reference(), 0, null,
          "connection failed at byte " + position + (size >= 0 ? " of " + size : "") + " " + failuresSinceProgress
              + " times in a row: " + e,
          true, e);
    }
    client.pause(op, client.retryPolicy().delayAfter(failuresSinceProgress, ThreadLocalRandom.current().nextDouble()));
  }

  private void finish() {
    finished = true;
    closeQuietly(current);
    current = null;
    Digest actual = Digest.sha256(sha256.digest());
    if (!actual.equals(expected)) {
      throw new DigestMismatchException(op.action(), op.registry(), op.repository(), expected, actual, null);
    }
  }

  /** Bytes delivered so far. */
  long position() {
    return position;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      closeQuietly(current);
      current = null;
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
