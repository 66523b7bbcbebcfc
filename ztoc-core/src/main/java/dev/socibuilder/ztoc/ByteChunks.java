package dev.socibuilder.ztoc;

import java.util.Arrays;

/**
 * An append-only byte store in fixed 64 KiB chunks: what a zTOC build keeps until it encodes (packed
 * TOC entries, compressed checkpoint windows). Unlike one growable array it never copies what it holds
 * to grow, so it never needs twice its size, and it wastes at most one partly filled chunk. Not
 * thread-safe.
 */
final class ByteChunks {
  private static final int SHIFT = 16;
  static final int CHUNK_SIZE = 1 << SHIFT;
  private static final int MASK = CHUNK_SIZE - 1;

  private byte[][] chunks = new byte[4][];
  private long size;

  /** Bytes written so far. */
  long size() {
    return size;
  }

  void write(int b) {
    int at = (int) (size & MASK);
    chunkFor(size)[at] = (byte) b;
    size++;
  }

  void write(byte[] b, int off, int len) {
    while (len > 0) {
      int at = (int) (size & MASK);
      int n = Math.min(len, CHUNK_SIZE - at);
      System.arraycopy(b, off, chunkFor(size), at, n);
      off += n;
      len -= n;
      size += n;
    }
  }

  /** An unsigned LEB128 varint of {@code v} (treated as unsigned 64 bits). */
  void writeVarLong(long v) {
    while ((v & ~0x7fL) != 0) {
      write((int) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    write((int) v);
  }

  /** A little-endian int32. */
  void writeInt(int v) {
    write(v);
    write(v >>> 8);
    write(v >>> 16);
    write(v >>> 24);
  }

  /** The little-endian int32 at {@code pos}. */
  int readInt(long pos) {
    return (byteAt(pos) & 0xff) | (byteAt(pos + 1) & 0xff) << 8 | (byteAt(pos + 2) & 0xff) << 16
        | (byteAt(pos + 3) & 0xff) << 24;
  }

  private byte byteAt(long pos) {
    return chunks[(int) (pos >>> SHIFT)][(int) (pos & MASK)];
  }

  /**
   * Points {@code view} at {@code len} bytes from {@code pos}: into the chunk itself when the range lies
   * in one chunk, else into a copy in the view's scratch array (grown as needed).
   */
  void view(long pos, int len, Slice view) {
    int c = (int) (pos >>> SHIFT);
    int at = (int) (pos & MASK);
    if (at + len <= CHUNK_SIZE) {
      view.array = chunks[c];
      view.offset = at;
      return;
    }
    if (view.scratch.length < len) {
      view.scratch = new byte[Math.max(len, view.scratch.length * 2)];
    }
    for (int done = 0; done < len; ) {
      int n = Math.min(len - done, CHUNK_SIZE - at);
      System.arraycopy(chunks[c], at, view.scratch, done, n);
      done += n;
      c++;
      at = 0;
    }
    view.array = view.scratch;
    view.offset = 0;
  }

  /** Where {@link #view} put a range: {@code array[offset...]}. */
  static final class Slice {
    byte[] array;
    int offset;
    private byte[] scratch = new byte[256];
  }

  private byte[] chunkFor(long pos) {
    int c = (int) (pos >>> SHIFT);
    if (c == chunks.length) {
      chunks = Arrays.copyOf(chunks, c * 2);
    }
    byte[] chunk = chunks[c];
    if (chunk == null) {
      chunk = new byte[CHUNK_SIZE];
      chunks[c] = chunk;
    }
    return chunk;
  }
}
