package dev.socibuilder.ztoc.flatbuffers;

import java.util.Arrays;

/**
 * A minimal, bounds-checked FlatBuffers reader with the semantics of the Go runtime
 * ({@code flatbuffers.Table}) that soci's generated code uses: tables are addressed by their
 * position; a field is present when its vtable entry exists and is non-zero; absent scalars read as
 * the schema default.
 *
 * <p>Where Go would panic (an index out of range, which soci turns into an error) this reader throws
 * {@link InvalidFlatBufferException}. Every read is checked against the buffer bounds, so arbitrary
 * bytes never cause any other exception. The buffer is not copied; readers share it.
 */
public final class FlatBufferReader {
  private final byte[] buf;

  public FlatBufferReader(byte[] buf) {
    this.buf = buf;
  }

  /** Position of the root table (the uoffset at byte 0). */
  public int rootTable() {
    return indirect(0);
  }

  /**
   * Offset of field {@code id} relative to {@code table}, or 0 when the field is absent (its vtable
   * entry is missing or zero).
   */
  public int fieldOffset(int table, int id) {
    long vtable = (long) table - readInt(table);
    int vtableSize = readUnsignedShort(checkPos(vtable, 2));
    int voffset = 4 + 2 * id;
    if (voffset >= vtableSize) {
      return 0;
    }
    return readUnsignedShort(checkPos(vtable + voffset, 2));
  }

  /** Position of field {@code id}'s data, or -1 when absent. */
  public int fieldPosition(int table, int id) {
    int o = fieldOffset(table, id);
    return o == 0 ? -1 : checkPos((long) table + o, 1);
  }

  /** An int64 field, or {@code dflt} when absent. */
  public long longField(int table, int id, long dflt) {
    int p = fieldPosition(table, id);
    return p < 0 ? dflt : readLong(p);
  }

  /** An int32/uint32 field, or {@code dflt} when absent. */
  public int intField(int table, int id, int dflt) {
    int p = fieldPosition(table, id);
    return p < 0 ? dflt : readInt(p);
  }

  /** An int8/uint8 field, or {@code dflt} when absent. */
  public byte byteField(int table, int id, byte dflt) {
    int p = fieldPosition(table, id);
    return p < 0 ? dflt : readByte(p);
  }

  /** Position of the table (or vector/string) a field refers to, or -1 when absent. */
  public int refField(int table, int id) {
    int p = fieldPosition(table, id);
    return p < 0 ? -1 : indirect(p);
  }

  /** A string or {@code [ubyte]} field as a copy of its bytes, or {@code null} when absent. */
  public byte[] bytesField(int table, int id) {
    int v = refField(table, id);
    return v < 0 ? null : vectorBytes(v);
  }

  /** Number of elements of the vector at {@code vector}. */
  public int vectorLength(int vector) {
    int n = readInt(vector);
    if (n < 0) {
      throw new InvalidFlatBufferException("vector length " + (n & 0xffffffffL) + " at " + vector);
    }
    return n;
  }

  /** The position of element {@code i} of a vector of offsets (tables or strings), dereferenced. */
  public int vectorRef(int vector, int i) {
    return indirect(checkPos((long) vector + 4 + 4L * i, 4));
  }

  /** The bytes of the string or {@code [ubyte]} vector at {@code vector} (copied). */
  public byte[] vectorBytes(int vector) {
    int n = vectorLength(vector);
    int start = checkPos((long) vector + 4, 0);
    checkPos(start, n);
    return Arrays.copyOfRange(buf, start, start + n);
  }

  /** Follows the uoffset stored at {@code pos}. */
  public int indirect(int pos) {
    long target = pos + (readInt(pos) & 0xffffffffL);
    return checkPos(target, 0);
  }

  public byte readByte(int pos) {
    return buf[checkPos(pos, 1)];
  }

  public int readUnsignedShort(int pos) {
    checkPos(pos, 2);
    return (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8;
  }

  public int readInt(int pos) {
    checkPos(pos, 4);
    return (buf[pos] & 0xff)
        | (buf[pos + 1] & 0xff) << 8
        | (buf[pos + 2] & 0xff) << 16
        | (buf[pos + 3] & 0xff) << 24;
  }

  public long readLong(int pos) {
    checkPos(pos, 8);
    return (readInt(pos) & 0xffffffffL) | (long) readInt(pos + 4) << 32;
  }

  private int checkPos(long pos, long length) {
    if (pos < 0 || length < 0 || pos + length > buf.length) {
      throw new InvalidFlatBufferException(
          "reference out of bounds: " + length + " bytes at " + pos + " in a " + buf.length
              + "-byte buffer");
    }
    return (int) pos;
  }
}
