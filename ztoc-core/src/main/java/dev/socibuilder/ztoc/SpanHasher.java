package dev.socibuilder.ztoc;

import dev.socibuilder.digest.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The compressed side of the single pass: counts every byte of the layer and computes the per-span
 * digests of soci-format.md §4.4 without a second read. (The layer's own digest is the caller's
 * business: a registry stream verifies it as it is read.)
 *
 * <p>Span {@code i} covers the compressed bytes {@code [in_i - (bits_i != 0 ? 1 : 0), in_{i+1})}; the last
 * span runs to the end of the blob. Checkpoints are only known once the inflater reaches them, and the
 * inflater reads ahead, so bytes are kept pending until they are certainly before any future span start:
 * a future checkpoint's start is at least {@code floor(bitPosition / 8) - 1}, where {@code bitPosition}
 * is what the decoder has consumed so far. The pending buffer is therefore bounded by the inflater's
 * read-ahead, whatever the layer size.
 */
final class SpanHasher extends FilterInputStream {
  private final List<Digest> spanDigests = new ArrayList<>();
  private LongSupplier consumedBits = () -> 0L;
  private Runnable onCheckpoint = () -> {};

  private MessageDigest span; // null before the first checkpoint (the gzip header belongs to no span)
  private long count; // bytes read from the layer so far
  private byte[] pending = new byte[1 << 17];
  private int pendingOff; // pending[pendingOff..pendingOff+pendingLen) are the pending bytes
  private long pendingBase; // layer offset of pending[pendingOff]
  private int pendingLen;
  private long hashedUpTo; // bytes before this offset are in the current span digest (or were dropped)
  private long fixedSpan; // > 0 for uncompressed layers: spans are fixed byte ranges
  private long nextFixedStart;

  /** Does not close {@code layer} until {@link #close()} is called. */
  SpanHasher(InputStream layer) {
    super(layer);
  }

  /**
   * Uncompressed layers (§4.6): span {@code i} is the raw range {@code [i * span, (i + 1) * span)}, the
   * last one ending at the file size. The tar scanner consumes everything it reads.
   */
  void useFixedSpans(long spanSize) {
    this.fixedSpan = spanSize;
    this.consumedBits = () -> count << 3;
  }

  /** Tells the hasher how far the decoder has consumed, in bits (for the pending-bytes bound). */
  void trackDecoder(LongSupplier consumedBits) {
    this.consumedBits = consumedBits;
  }

  /** Runs {@code action} at each span start (e.g. to count what the spans add to the zTOC). */
  void onCheckpoint(Runnable action) {
    this.onCheckpoint = action;
  }

  /** Starts span {@code i + 1} at checkpoint {@code (in, bits)}, finishing span {@code i} at {@code in}. */
  void checkpoint(long in, int bits) {
    onCheckpoint.run();
    settle(in);
    if (span != null) {
      spanDigests.add(Digest.sha256(span.digest()));
    }
    span = Digest.newSha256();
    long start = in - (bits != 0 ? 1 : 0);
    if (start < pendingBase || start > pendingBase + pendingLen) {
      throw new IllegalStateException("span start " + start + " is not buffered");
    }
    hashedUpTo = start;
    settle(in);
  }

  /** Reads the layer to its end (hashing it) and returns the span digests, the last span ending at EOF. */
  List<Digest> finish() throws IOException {
    byte[] skip = new byte[1 << 16];
    while (read(skip, 0, skip.length) >= 0) {
      // drain: the blob may continue past what the decoder needed (never for valid gzip, but for tar)
    }
    settle(count);
    if (span != null) {
      spanDigests.add(Digest.sha256(span.digest()));
      span = null;
    }
    return List.copyOf(spanDigests);
  }

  long bytesRead() {
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
      // Everything this far behind the decoder can no longer start a span: hash and drop it.
      settle(Math.min(count, (consumedBits.getAsLong() >>> 3) - 1));
      append(b, off, n);
      count += n;
      // A fixed span starts only once a byte of it exists, so a size that is an exact multiple of
      // the span gets no empty last span.
      while (fixedSpan > 0 && nextFixedStart < count) {
        checkpoint(nextFixedStart, 0);
        nextFixedStart += fixedSpan;
      }
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    // Every byte must be hashed, so skipping reads.
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

  /** Hashes pending bytes up to {@code limit} (exclusive) into the current span and drops what is no longer needed. */
  private void settle(long limit) {
    if (limit > hashedUpTo) {
      long end = Math.min(limit, pendingBase + pendingLen);
      if (span != null && end > hashedUpTo) {
        span.update(pending, pendingOff + (int) (hashedUpTo - pendingBase), (int) (end - hashedUpTo));
      }
      hashedUpTo = Math.max(hashedUpTo, end);
    }
    // Keep one byte before hashedUpTo: the next span may start one byte early (bits != 0). Dropping
    // only moves the start; bytes are moved when the buffer is full (see append).
    long keepFrom = Math.max(pendingBase, hashedUpTo - 1);
    int drop = (int) (keepFrom - pendingBase);
    if (drop > 0) {
      pendingOff += drop;
      pendingLen -= drop;
      pendingBase += drop;
    }
  }

  private void append(byte[] b, int off, int n) {
    if (pendingOff + pendingLen + n > pending.length) {
      // Move the live bytes to the front, growing (by a quarter, not doubling: the pending bytes
      // can be the parallel inflater's whole read-ahead) only if they still do not fit.
      byte[] target = pending;
      if (pendingLen + n > pending.length) {
        target = new byte[Math.max(pendingLen + n, pending.length + (pending.length >> 2))];
      }
      System.arraycopy(pending, pendingOff, target, 0, pendingLen);
      pending = target;
      pendingOff = 0;
    }
    System.arraycopy(b, off, pending, pendingOff + pendingLen, n);
    pendingLen += n;
  }
}
