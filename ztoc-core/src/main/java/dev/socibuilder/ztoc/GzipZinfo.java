package dev.socibuilder.ztoc;

import java.util.Arrays;
import java.util.Objects;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A gzip zInfo blob ("zinfo v2", soci {@code ztoc/compression/gzip_zinfo.c}): the decompression
 * checkpoints of a gzip layer. All integers little-endian, packed, no padding:
 *
 * <pre>
 * int32 N; int64 span_size;
 * N times: int64 in; int64 out; uint8 bits; byte[32768] window
 * </pre>
 *
 * Total {@code 12 + 32785·N}. Checkpoint {@code i} resumes inflation at compressed byte {@code in}
 * (with the top {@code bits} bits of byte {@code in-1} still unread) and uncompressed offset {@code
 * out}, with {@code window} the 32 KiB of output before {@code out} (zero-padded on the left). Legacy
 * "v1" blobs omitted checkpoint 0 ({@code 12 + 32785·(N−1)} bytes); the reader synthesizes it as
 * {@code in=10, out=0, bits=0}, zero window, as soci's {@code blob_to_zinfo} does. Writers always
 * write v2.
 *
 * <p>A parsed zInfo is a view over the blob (not copied).
 */
public final class GzipZinfo implements SpanIndex {
  /** Size of the blob header: int32 count plus int64 span size. */
  public static final int HEADER_SIZE = 12;
  /** Size of a checkpoint's window: the 32 KiB deflate history. */
  public static final int WINDOW_SIZE = 32768;
  /** Size of one packed checkpoint ({@code PACKED_CHECKPOINT_SIZE}). */
  public static final int CHECKPOINT_SIZE = 8 + 8 + 1 + WINDOW_SIZE;

  private final byte[] blob;
  private final int count;
  private final long spanSize;
  private final boolean legacyV1;

  private GzipZinfo(byte[] blob, int count, long spanSize, boolean legacyV1) {
    this.blob = blob;
    this.count = count;
    this.spanSize = spanSize;
    this.legacyV1 = legacyV1;
  }

  /**
   * Parses a blob, telling v2 and v1 apart by length as soci does.
   *
   * @throws InvalidZtocException if the length matches neither form ("cannot convert blob to
   *     gzip_zinfo") or there is no checkpoint at all
   */
  public static GzipZinfo parse(byte[] blob) {
    Objects.requireNonNull(blob, "blob");
    if (blob.length == 0) {
      throw new InvalidZtocException("empty checkpoints");
    }
    if (blob.length < HEADER_SIZE) {
      throw new InvalidZtocException(
          "cannot convert blob to gzip_zinfo: " + blob.length + " bytes is shorter than the header");
    }
    int n = readInt(blob, 0);
    long spanSize = readLong(blob, 4);
    long claimed = (long) CHECKPOINT_SIZE * n + HEADER_SIZE;
    boolean v1;
    if (claimed == blob.length) {
      v1 = false;
    } else if (claimed - CHECKPOINT_SIZE == blob.length) {
      v1 = true;
    } else {
      throw new InvalidZtocException(
          "cannot convert blob to gzip_zinfo: " + blob.length + " bytes do not hold " + n
              + " checkpoints (expected 12+32785*" + n + " = " + claimed + ")");
    }
    if (n < 1) {
      // soci's C code would accept N=0 and then index past its list; no builder writes it.
      throw new InvalidZtocException("cannot convert blob to gzip_zinfo: no checkpoints");
    }
    return new GzipZinfo(blob, n, spanSize, v1);
  }

  /** Number of checkpoints (= number of spans). */
  public int checkpointCount() {
    return count;
  }

  /** The span size the zInfo was built with (uncompressed bytes). */
  @Override
  public long spanSize() {
    return spanSize;
  }

  /** Whether this is a legacy v1 blob (checkpoint 0 synthesized). */
  public boolean isLegacyV1() {
    return legacyV1;
  }

  /** Compressed offset of the first full byte after checkpoint {@code i}'s boundary. */
  public long in(int i) {
    int at = position(i);
    return at < 0 ? 10 : readLong(blob, at);
  }

  /** Uncompressed offset of checkpoint {@code i}. */
  public long out(int i) {
    int at = position(i);
    return at < 0 ? 0 : readLong(blob, at + 8);
  }

  /** Number of bits (0…7) of byte {@code in(i) - 1} that belong to span {@code i}. */
  public int bits(int i) {
    int at = position(i);
    return at < 0 ? 0 : blob[at + 16] & 0xff;
  }

  /** Copies checkpoint {@code i}'s 32 KiB window (oldest byte first) to {@code dst[off...]}. */
  public void copyWindow(int i, byte[] dst, int off) {
    int at = position(i);
    if (at < 0) {
      Arrays.fill(dst, off, off + WINDOW_SIZE, (byte) 0);
    } else {
      System.arraycopy(blob, at + 17, dst, off, WINDOW_SIZE);
    }
  }

  /**
   * The span holding uncompressed offset {@code x}: the largest {@code i} with {@code out(i) <= x},
   * scanning from 0 exactly as soci's {@code pt_index_from_ucmp_offset} (which stops at the first
   * checkpoint whose successor starts after {@code x}).
   */
  @Override
  public int spanOf(long uncompressedOffset) {
    int i = 0;
    while (i + 1 < count && out(i + 1) <= uncompressedOffset) {
      i++;
    }
    return i;
  }

  /** Start of span {@code i} in the compressed layer: {@code in - (bits != 0 ? 1 : 0)}. */
  public long spanCompressedStart(int i) {
    return in(i) - (bits(i) != 0 ? 1 : 0);
  }

  /**
   * End (exclusive) of span {@code i} in the compressed layer: the next checkpoint's {@code in}
   * (adjacent spans may share a byte), or the layer size for the last span.
   */
  public long spanCompressedEnd(int i, long compressedArchiveSize) {
    return i == count - 1 ? compressedArchiveSize : in(i + 1);
  }

  /** Blob offset of checkpoint {@code i}, or -1 for the synthesized checkpoint 0 of a v1 blob. */
  private int position(int i) {
    Objects.checkIndex(i, count);
    int stored = legacyV1 ? i - 1 : i;
    return stored < 0 ? -1 : HEADER_SIZE + stored * CHECKPOINT_SIZE;
  }

  static int readInt(byte[] b, int at) {
    return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
  }

  static long readLong(byte[] b, int at) {
    return (readInt(b, at) & 0xffffffffL) | (long) readInt(b, at + 4) << 32;
  }

  /**
   * Builds a v2 blob incrementally, one checkpoint at a time. The windows are kept deflated (zlib level
   * 1) in {@link ByteChunks} until the blob is written, so that a build holds the 32 KiB windows once, in
   * the zTOC, rather than twice: a layer of highly compressible data (a gzip bomb) has thousands of
   * checkpoints whose windows deflate to a few bytes each. Not thread-safe.
   */
  public static final class Writer {
    /** Per checkpoint: in, out (int64 each), bits, then the int32 length of the stored window. */
    private static final int RECORD_HEADER = 8 + 8 + 1 + 4;
    /** A stored window of this length is raw (deflating did not make it smaller). */
    private static final int RAW = WINDOW_SIZE;

    private final long spanSize;
    private final ByteChunks store = new ByteChunks();
    private final byte[] header = new byte[RECORD_HEADER];
    private final byte[] linear = new byte[WINDOW_SIZE];
    private final byte[] deflated = new byte[WINDOW_SIZE];
    private Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    private int count;
    private byte[] blob;

    /** @param spanSize the span size in uncompressed bytes (recorded in the header) */
    public Writer(long spanSize) {
      if (spanSize <= 0) {
        throw new IllegalArgumentException("span size must be positive: " + spanSize);
      }
      this.spanSize = spanSize;
    }

    /**
     * Appends a checkpoint.
     *
     * @param in compressed offset of the first full byte after the boundary
     * @param out uncompressed offset
     * @param bits unread bits (0…7) of byte {@code in - 1}
     * @param window the 32 KiB history, oldest byte at {@code window[windowOff]}. If {@code
     *     window.length == 32768} it is treated as a ring buffer and the copy wraps around to index
     *     0; otherwise {@code window[windowOff … windowOff+32768)} must be in bounds.
     * @param windowOff index of the oldest window byte
     * @throws IllegalStateException after the blob was written
     * @throws IllegalArgumentException if the blob would exceed 2 GiB
     */
    public void add(long in, long out, int bits, byte[] window, int windowOff) {
      if (deflater == null) {
        throw new IllegalStateException("the blob was already written");
      }
      if (bits < 0 || bits > 7) {
        throw new IllegalArgumentException("bits must be 0..7: " + bits);
      }
      if (blobSize(count + 1) > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("zInfo blob exceeds 2 GiB");
      }
      byte[] src;
      int srcOff;
      if (window.length == WINDOW_SIZE) {
        Objects.checkIndex(windowOff, WINDOW_SIZE);
        int first = WINDOW_SIZE - windowOff;
        System.arraycopy(window, windowOff, linear, 0, first);
        System.arraycopy(window, 0, linear, first, windowOff);
        src = linear;
        srcOff = 0;
      } else {
        Objects.checkFromIndexSize(windowOff, WINDOW_SIZE, window.length);
        src = window;
        srcOff = windowOff;
      }
      deflater.reset();
      deflater.setInput(src, srcOff, WINDOW_SIZE);
      deflater.finish();
      int n = deflater.deflate(deflated, 0, deflated.length);
      boolean raw = !deflater.finished() || n >= RAW;
      writeLong(header, 0, in);
      writeLong(header, 8, out);
      header[16] = (byte) bits;
      writeInt(header, 17, raw ? RAW : n);
      store.write(header, 0, RECORD_HEADER);
      if (raw) {
        store.write(src, srcOff, WINDOW_SIZE);
      } else {
        store.write(deflated, 0, n);
      }
      count++;
    }

    /** Number of checkpoints added so far. */
    public int count() {
      return count;
    }

    /** The size of the blob: {@code 12 + 32785·count()}. */
    public long blobSize() {
      return blobSize(count);
    }

    private static long blobSize(int checkpoints) {
      return HEADER_SIZE + (long) CHECKPOINT_SIZE * checkpoints;
    }

    /**
     * Writes the blob ({@link #blobSize()} bytes) into {@code dst} from {@code off}, inflating each window
     * straight into place. Closes the writer: no {@link #add} after this; it may be called again.
     */
    public void writeBlob(byte[] dst, int off) {
      Objects.checkFromIndexSize(off, blobSize(), dst.length);
      if (deflater != null) {
        deflater.end();
        deflater = null;
      }
      writeInt(dst, off, count);
      writeLong(dst, off + 4, spanSize);
      ByteChunks.Slice slice = new ByteChunks.Slice();
      Inflater inflater = new Inflater();
      try {
        long pos = 0;
        int at = off + HEADER_SIZE;
        for (int i = 0; i < count; i++) {
          store.view(pos, RECORD_HEADER, slice);
          System.arraycopy(slice.array, slice.offset, dst, at, 17);
          int len = readInt(slice.array, slice.offset + 17);
          pos += RECORD_HEADER;
          store.view(pos, len, slice);
          if (len == RAW) {
            System.arraycopy(slice.array, slice.offset, dst, at + 17, WINDOW_SIZE);
          } else {
            inflater.reset();
            inflater.setInput(slice.array, slice.offset, len);
            int n = inflater.inflate(dst, at + 17, WINDOW_SIZE);
            if (n != WINDOW_SIZE || !inflater.finished()) {
              throw new IllegalStateException("stored window " + i + " inflated to " + n + " bytes");
            }
          }
          pos += len;
          at += CHECKPOINT_SIZE;
        }
      } catch (DataFormatException e) {
        throw new IllegalStateException("stored window does not inflate", e);
      } finally {
        inflater.end();
      }
    }

    /**
     * The finished blob. After the first call the writer is closed (no more {@link #add}); later calls
     * return the same array.
     */
    public byte[] toBlob() {
      if (blob == null) {
        byte[] b = new byte[Math.toIntExact(blobSize())];
        writeBlob(b, 0);
        blob = b;
      }
      return blob;
    }

    private static void writeInt(byte[] b, int at, int x) {
      b[at] = (byte) x;
      b[at + 1] = (byte) (x >>> 8);
      b[at + 2] = (byte) (x >>> 16);
      b[at + 3] = (byte) (x >>> 24);
    }

    private static void writeLong(byte[] b, int at, long x) {
      writeInt(b, at, (int) x);
      writeInt(b, at + 4, (int) (x >>> 32));
    }
  }
}
