package dev.socibuilder.indexer;

import dev.socibuilder.digest.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Hashes a blob as it is read and, at its end, fails unless it has the expected digest and size:
 * nothing derived from a blob is published before the blob is verified. Closes the wrapped stream.
 */
final class VerifyingInputStream extends FilterInputStream {
  private final Digest expected;
  private final long expectedSize;
  private final String what;
  private final MessageDigest sha = Digest.newSha256();
  private long count;
  private boolean verified;

  VerifyingInputStream(InputStream in, Digest expected, long expectedSize, String what) {
    super(in);
    this.expected = expected;
    this.expectedSize = expectedSize;
    this.what = what;
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
        throw new IndexingException(what + " is longer than its descriptor's size " + expectedSize);
      }
    } else if (n < 0 && !verified) {
      verified = true;
      Digest actual = Digest.sha256(sha.digest());
      if ((expectedSize >= 0 && count != expectedSize) || !actual.equals(expected)) {
        throw new IndexingException(what + " has digest " + actual + " and " + count + " bytes; expected "
            + expected + " and " + expectedSize + " bytes");
      }
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    byte[] buf = new byte[(int) Math.min(n, 1 << 16)];
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
}
