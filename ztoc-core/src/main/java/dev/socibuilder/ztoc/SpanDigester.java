package dev.socibuilder.ztoc;

import dev.socibuilder.digest.Digest;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The span digests of soci-format.md §4.4 from compressed bytes pushed in stream order, for the
 * parallel build: its inflater keeps the compressed chunks anyway and hands each one over once no
 * span can start inside it any more, so nothing is copied or kept here (unlike {@link SpanHasher},
 * which must buffer what a sequential inflater has read ahead).
 *
 * <p>Checkpoints are told first ({@link #checkpoint}), the bytes they split later ({@link #bytes}):
 * span {@code i} covers {@code [in_i - (bits_i != 0 ? 1 : 0), in_{i+1})}, adjacent spans may share a
 * byte, and the last span runs to the end of the layer. Bytes before the first checkpoint (the gzip
 * header) belong to no span. Not thread-safe.
 */
final class SpanDigester {
  private final List<Digest> spanDigests = new ArrayList<>();
  /** Checkpoints told but not reached by the bytes yet: {start, end of the previous span}. */
  private final ArrayDeque<long[]> ahead = new ArrayDeque<>();
  private MessageDigest span; // null before the first checkpoint
  private long count; // bytes pushed so far
  private int last = -1; // the last byte pushed (a span starting one byte early needs it again)

  /** Starts the next span at checkpoint {@code (in, bits)}, ending the current one at {@code in}. */
  void checkpoint(long in, int bits) {
    long start = in - (bits != 0 ? 1 : 0);
    if (start < count - 1 || (start == count - 1 && last < 0)) {
      throw new IllegalStateException("span start " + start + " was already passed at " + count);
    }
    ahead.addLast(new long[] {start, in});
  }

  /** The next {@code len} bytes of the layer. */
  void bytes(byte[] b, int off, int len) {
    int end = off + len;
    while (off < end) {
      long[] next = ahead.peekFirst();
      if (next == null || count + (end - off) < next[1]) {
        hash(b, off, end - off); // the whole rest lies in the current span
        return;
      }
      // Up to the current span's end, then the next span (which may take the last byte again).
      int n = (int) (next[1] - count);
      hash(b, off, n);
      off += n;
      ahead.pollFirst();
      if (span != null) {
        spanDigests.add(Digest.sha256(span.digest()));
      }
      span = Digest.newSha256();
      if (next[0] < next[1]) {
        span.update((byte) last);
      }
    }
  }

  private void hash(byte[] b, int off, int n) {
    if (n <= 0) {
      return;
    }
    if (span != null) {
      span.update(b, off, n);
    }
    count += n;
    last = b[off + n - 1] & 0xff;
  }

  /** Bytes pushed so far: the layer's size once everything is pushed. */
  long bytesPushed() {
    return count;
  }

  /** The span digests, the last span ending at the last byte pushed. */
  List<Digest> finish() {
    while (!ahead.isEmpty()) {
      // A checkpoint at the very end (never for a valid layer): an empty span, as SpanHasher gives.
      long[] next = ahead.pollFirst();
      if (span != null) {
        spanDigests.add(Digest.sha256(span.digest()));
      }
      span = Digest.newSha256();
      if (next[0] < next[1] && last >= 0) {
        span.update((byte) last);
      }
    }
    if (span != null) {
      spanDigests.add(Digest.sha256(span.digest()));
      span = null;
    }
    return List.copyOf(spanDigests);
  }
}
