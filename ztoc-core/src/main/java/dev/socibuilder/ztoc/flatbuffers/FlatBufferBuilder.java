package dev.socibuilder.ztoc.flatbuffers;

import java.util.Arrays;

/**
 * A port of the Go FlatBuffers builder ({@code google/flatbuffers} {@code go/builder.go}, v23.3.3 …
 * v25.12.19), the library soci links. Byte identity with soci depends on reproducing its exact
 * behaviour, so this class follows the Go code rather than the Java library:
 *
 * <ul>
 *   <li>the buffer is built back to front; {@link #offset()} counts bytes from the end;
 *   <li>{@code prep} pads so that the next element is aligned after {@code additional} bytes and
 *       tracks {@code minalign}, which {@link #startObject} does <em>not</em> reset (Go builders
 *       since July 2018);
 *   <li>scalar slots are written only when the value differs from the default (no force-defaults);
 *   <li>strings are created from raw bytes, never shared or deduplicated;
 *   <li>{@link #endObject} trims trailing zero vtable entries and reuses an identical vtable,
 *       searching the written ones newest first and comparing only the field entries;
 *   <li>{@link #finish} aligns to {@code minalign}; no file identifier, no size prefix.
 * </ul>
 *
 * <p>A {@linkplain #measuring() measuring} builder performs the same calls without storing any
 * bytes and reports the exact final size ({@link #offset()} after {@link #finish}); a builder created
 * with exactly that size then hands over its buffer from {@link #sizedByteArray()} without a copy.
 * The layout only depends on offsets counted from the end, so it does not depend on the buffer size.
 *
 * <p>Not thread-safe; one builder builds one buffer. Misuse (nesting, offsets from the future)
 * throws {@link IllegalStateException}, as the Go builder panics.
 */
public final class FlatBufferBuilder {
  /** Go refuses to grow beyond 2 GiB; a Java array stops just short of that. */
  private static final int MAX_BUFFER = Integer.MAX_VALUE - 8;

  private final boolean measuring;
  private byte[] bytes;
  private int head;
  private int minalign = 1;
  private int[] vtable = new int[0];
  private int vtableLength;
  private int objectEnd;
  private int[] vtables = new int[16];
  /** The field entries of each written vtable, kept so that a measuring builder can compare them. */
  private short[][] vtableEntries = new short[16][];
  private int vtableCount;
  private boolean nested;
  private boolean finished;

  /**
   * @param initialSize the initial buffer size; sizing it from an estimate of the final size avoids
   *     repeated doubling (and copying) for large buffers
   */
  public FlatBufferBuilder(int initialSize) {
    if (initialSize < 0 || initialSize > MAX_BUFFER) {
      throw new IllegalArgumentException("initial size out of range: " + initialSize);
    }
    measuring = false;
    bytes = new byte[initialSize];
    head = initialSize;
  }

  private FlatBufferBuilder() {
    measuring = true;
    bytes = null;
    head = MAX_BUFFER;
  }

  /**
   * A builder that stores nothing and only tracks sizes: after {@link #finish}, {@link #offset()} is
   * the exact size the same calls produce on a real builder. Byte-content calls are accepted and
   * skipped; {@link #sizedByteArray()} is not available.
   */
  public static FlatBufferBuilder measuring() {
    return new FlatBufferBuilder();
  }

  /** Number of bytes written so far, counted from the end of the buffer. */
  public int offset() {
    return capacity() - head;
  }

  private int capacity() {
    return measuring ? MAX_BUFFER : bytes.length;
  }

  /** Places {@code n} zero bytes (space must already be reserved). */
  public void pad(int n) {
    if (!measuring) {
      Arrays.fill(bytes, head - n, head, (byte) 0);
    }
    head -= n;
  }

  /**
   * Prepares to write an element of {@code size} bytes after {@code additional} more bytes: aligns
   * so that the element will be {@code size}-aligned, growing the buffer if needed.
   */
  public void prep(int size, int additional) {
    prep(size, additional, size);
  }

  /**
   * {@code prep} reserving {@code reserve} bytes for the element itself. Go always reserves {@code
   * size} and grows when {@code head <= needed}; the space reserved only decides when the buffer
   * grows, never a byte of the output, so we reserve exactly what will be written. That lets a
   * buffer sized by a {@linkplain #measuring() measuring} pass be filled completely.
   */
  private void prep(int size, int additional, int reserve) {
    if (size > minalign) {
      minalign = size;
    }
    int alignSize = (-(offset() + additional)) & (size - 1);
    while (head < alignSize + reserve + additional) {
      grow(alignSize + reserve + additional);
    }
    pad(alignSize);
  }

  private void grow(int needed) {
    if (measuring) {
      throw new IllegalStateException("FlatBuffer would exceed " + MAX_BUFFER + " bytes");
    }
    int oldLength = bytes.length;
    long newLength = Math.max(Math.max(1L, oldLength * 2L), (long) offset() + needed + 1);
    if (newLength > MAX_BUFFER) {
      throw new IllegalStateException("cannot grow FlatBuffer beyond " + MAX_BUFFER + " bytes");
    }
    byte[] grown = new byte[(int) newLength];
    System.arraycopy(bytes, head, grown, grown.length - offset(), offset());
    head += grown.length - oldLength;
    bytes = grown;
  }

  // ---- place: write without alignment or space checks ----

  private void placeByte(byte x) {
    head--;
    if (!measuring) {
      bytes[head] = x;
    }
  }

  private void placeShort(short x) {
    head -= 2;
    if (!measuring) {
      bytes[head] = (byte) x;
      bytes[head + 1] = (byte) (x >>> 8);
    }
  }

  private void placeInt(int x) {
    head -= 4;
    writeInt(head, x);
  }

  private void writeInt(int at, int x) {
    if (measuring) {
      return;
    }
    bytes[at] = (byte) x;
    bytes[at + 1] = (byte) (x >>> 8);
    bytes[at + 2] = (byte) (x >>> 16);
    bytes[at + 3] = (byte) (x >>> 24);
  }

  private void placeLong(long x) {
    head -= 8;
    if (measuring) {
      return;
    }
    for (int i = 0; i < 8; i++) {
      bytes[head + i] = (byte) (x >>> (8 * i));
    }
  }

  // ---- prepend: align, then write ----

  /** Prepends a byte (int8 or uint8). */
  public void prependByte(byte x) {
    prep(1, 0);
    placeByte(x);
  }

  /** Prepends an int16 / uint16 / voffset. */
  public void prependShort(short x) {
    prep(2, 0);
    placeShort(x);
  }

  /** Prepends an int32 / uint32. */
  public void prependInt(int x) {
    prep(4, 0);
    placeInt(x);
  }

  /** Prepends an int64 / uint64. */
  public void prependLong(long x) {
    prep(8, 0);
    placeLong(x);
  }

  /** Prepends a uoffset pointing at {@code off} (an {@link #offset()} value from earlier). */
  public void prependUOffset(int off) {
    prep(4, 0);
    if (off > offset()) {
      throw new IllegalStateException("offset " + off + " is ahead of " + offset());
    }
    placeInt(offset() - off + 4);
  }

  // ---- table slots: written only when different from the default ----

  /** Prepends a byte (int8/uint8/bool/enum) into slot {@code o} unless it equals {@code d}. */
  public void addByte(int o, byte x, byte d) {
    if (x != d) {
      prependByte(x);
      slot(o);
    }
  }

  /** Prepends an int32/uint32 into slot {@code o} unless it equals {@code d}. */
  public void addInt(int o, int x, int d) {
    if (x != d) {
      prependInt(x);
      slot(o);
    }
  }

  /** Prepends an int64/uint64 into slot {@code o} unless it equals {@code d}. */
  public void addLong(int o, long x, long d) {
    if (x != d) {
      prependLong(x);
      slot(o);
    }
  }

  /**
   * Prepends an offset into slot {@code o} unless it is 0 (Go's {@code PrependUOffsetTSlot(o, x, 0)},
   * which is what generated code calls for strings, vectors and tables).
   */
  public void addOffset(int o, int x) {
    if (x != 0) {
      prependUOffset(x);
      slot(o);
    }
  }

  /** Records the current position as the location of field {@code slotNumber}. */
  public void slot(int slotNumber) {
    vtable[slotNumber] = offset();
  }

  // ---- vectors and strings ----

  /** Starts a vector of {@code count} elements of {@code elemSize} bytes. */
  public int startVector(int elemSize, int count, int alignment) {
    assertNotNested();
    nested = true;
    int size = Math.multiplyExact(elemSize, count);
    prep(4, size);
    prep(alignment, size);
    return offset();
  }

  /** Ends a vector: writes its length (space was reserved by {@link #startVector}). */
  public int endVector(int count) {
    if (!nested) {
      throw new IllegalStateException("endVector outside a vector");
    }
    placeInt(count);
    nested = false;
    return offset();
  }

  /** Writes a NUL-terminated string from raw bytes (no UTF-8 check, no deduplication). */
  public int createString(byte[] s) {
    return createString(s, 0, s.length);
  }

  /** Writes a NUL-terminated string from {@code s[off, off + len)} (no UTF-8 check, no deduplication). */
  public int createString(byte[] s, int off, int len) {
    assertNotNested();
    nested = true;
    prep(4, len + 1);
    placeByte((byte) 0);
    head -= len;
    if (!measuring) {
      System.arraycopy(s, off, bytes, head, len);
    }
    return endVector(len);
  }

  /** Writes a {@code [ubyte]} vector. */
  public int createByteVector(byte[] v) {
    return createByteVector(v.length, (dst, off) -> System.arraycopy(v, 0, dst, off, v.length));
  }

  /** Fills the content of a vector in place. */
  @FunctionalInterface
  public interface ByteFiller {
    /** Writes exactly the vector's length of bytes into {@code dst} from {@code off}. */
    void fill(byte[] dst, int off);
  }

  /**
   * Writes a {@code [ubyte]} vector of {@code length} bytes that {@code content} writes in place (not
   * called by a measuring builder), so that a large blob is never copied into an intermediate array.
   */
  public int createByteVector(int length, ByteFiller content) {
    assertNotNested();
    nested = true;
    prep(4, length);
    head -= length;
    if (!measuring) {
      content.fill(bytes, head);
    }
    return endVector(length);
  }

  // ---- tables ----

  /** Starts a table with {@code numFields} slots. */
  public void startObject(int numFields) {
    assertNotNested();
    nested = true;
    if (vtable.length < numFields) {
      vtable = new int[numFields];
    } else {
      Arrays.fill(vtable, 0, numFields, 0);
    }
    vtableLength = numFields;
    objectEnd = offset();
  }

  /** Ends the current table, writing or reusing its vtable; returns the table's offset. */
  public int endObject() {
    if (!nested) {
      throw new IllegalStateException("endObject outside a table");
    }
    prependInt(0); // placeholder for the soffset to the vtable
    int objectOffset = offset();
    // Trailing zero entries (absent or default fields at the end) are not written.
    int n = vtableLength;
    while (n > 0 && vtable[n - 1] == 0) {
      n--;
    }
    int existing = 0;
    for (int i = vtableCount - 1; i >= 0; i--) { // newest first, as Go does
      if (vtableEqual(n, objectOffset, vtableEntries[i])) {
        existing = vtables[i];
        break;
      }
    }
    if (existing == 0) {
      short[] entries = new short[n];
      for (int i = n - 1; i >= 0; i--) {
        int off = vtable[i] != 0 ? objectOffset - vtable[i] : 0;
        entries[i] = (short) off;
        prependShort((short) off);
      }
      prependShort((short) (objectOffset - objectEnd));
      prependShort((short) ((n + 2) * 2));
      writeInt(capacity() - objectOffset, offset() - objectOffset);
      if (vtableCount == vtables.length) {
        vtables = Arrays.copyOf(vtables, vtableCount * 2);
        vtableEntries = Arrays.copyOf(vtableEntries, vtableCount * 2);
      }
      vtables[vtableCount] = offset();
      vtableEntries[vtableCount++] = entries;
    } else {
      head = capacity() - objectOffset;
      writeInt(head, existing - objectOffset);
    }
    vtableLength = 0;
    nested = false;
    return objectOffset;
  }

  /** Go's {@code vtableEqual}, on the remembered entries of a written vtable. */
  private boolean vtableEqual(int n, int objectOffset, short[] written) {
    if (n != written.length) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      int x = written[i] & 0xffff;
      if (x == 0 && vtable[i] == 0) {
        continue;
      }
      // Go compares SOffsetT(x) with objectStart - a[i] (a[i] may be 0, giving objectStart).
      if (x != objectOffset - vtable[i]) {
        return false;
      }
    }
    return true;
  }

  /** Finishes the buffer with {@code root} as its root table. */
  public void finish(int root) {
    assertNotNested();
    prep(minalign, 4, 0); // only the 4-byte root offset follows, not a minalign-sized element
    prependUOffset(root);
    finished = true;
  }

  /**
   * The finished buffer: the internal array itself when it is exactly full (the builder was sized
   * with a {@link #measuring()} pass), else a copy of the written tail.
   */
  public byte[] sizedByteArray() {
    if (!finished) {
      throw new IllegalStateException("finish() has not been called");
    }
    if (measuring) {
      throw new IllegalStateException("a measuring builder has no bytes");
    }
    return head == 0 ? bytes : Arrays.copyOfRange(bytes, head, bytes.length);
  }

  private void assertNotNested() {
    if (nested) {
      throw new IllegalStateException("object or vector being built; finish it first");
    }
  }
}
