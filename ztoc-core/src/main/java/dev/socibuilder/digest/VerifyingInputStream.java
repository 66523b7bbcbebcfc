package dev.socibuilder.digest;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * Hashes a blob as it is read and fails unless it has the expected sha256 digest and size: as soon as
 * it runs past the size, and at its end otherwise. Nothing derived from a blob may be published before
 * the blob is verified, so every blob read (registry downloads, OCI layout reads) goes through this
 * one stream. Closing it closes the wrapped stream.
 *
 * <p>The failure is the caller's own exception, made by a {@link MismatchHandler}, so that it names
 * the blob in the caller's terms (which repository, which layout) and has the caller's type.
 */
public final class VerifyingInputStream extends FilterInputStream {

  /** Makes the exception for a blob that is not what its descriptor says. */
  @FunctionalInterface
  public interface MismatchHandler {
    /**
     * @param actual the digest of what was read, or null when the size was already wrong
     * @param detail what was wrong, in words (sizes and digests)
     */
    RuntimeException mismatch(Digest actual, String detail);
  }

  private final Digest expected;
  private final long expectedSize;
  private final MismatchHandler onMismatch;
  private final MessageDigest sha = Digest.newSha256();
  private long count;
  private boolean verified;

  /**
   * @param in the blob's bytes; closed by {@link #close()}
   * @param expected the blob's sha256 digest
   * @param expectedSize the blob's size, or -1 when only the digest is known
   * @param onMismatch makes the exception thrown from {@code read} on a mismatch
   * @throws IllegalArgumentException if {@code expected} is not a sha256 digest (nothing else can be
   *     verified here)
   */
  public VerifyingInputStream(InputStream in, Digest expected, long expectedSize, MismatchHandler onMismatch) {
    super(Objects.requireNonNull(in, "in"));
    this.expected = Objects.requireNonNull(expected, "expected");
    if (!expected.algorithm().equals("sha256")) {
      throw new IllegalArgumentException("only sha256 blobs can be verified: " + expected);
    }
    this.expectedSize = expectedSize;
    this.onMismatch = Objects.requireNonNull(onMismatch, "onMismatch");
  }

  /** Bytes read (and hashed) so far. */
  public long count() {
    return count;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n > 0) {
      sha.update(b, off, n);
      count += n;
      if (expectedSize >= 0 && count > expectedSize) {
        throw onMismatch.mismatch(null, "more than the expected " + expectedSize + " bytes");
      }
    } else if (n < 0 && !verified) {
      verified = true;
      Digest actual = Digest.sha256(sha.digest());
      if (expectedSize >= 0 && count != expectedSize) {
        throw onMismatch.mismatch(actual, count + " bytes, expected " + expectedSize);
      }
      if (!actual.equals(expected)) {
        throw onMismatch.mismatch(actual, "content has digest " + actual + ", expected " + expected);
      }
    }
    return n;
  }

  /** Skips by reading: every byte must be hashed. */
  @Override
  public long skip(long n) throws IOException {
    byte[] buf = new byte[(int) Math.min(Math.max(n, 0), 1 << 16)];
    long done = 0;
    while (done < n) {
      int r = read(buf, 0, (int) Math.min(buf.length, n - done));
      if (r < 0) {
        break;
      }
      done += r;
    }
    return done;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public synchronized void mark(int readlimit) {
    // not supported: a reset would hash bytes twice
  }

  @Override
  public synchronized void reset() throws IOException {
    throw new IOException("mark/reset not supported");
  }
}
