package dev.socibuilder.ztoc;

import dev.socibuilder.ztoc.flatbuffers.FlatBufferBuilder;
import dev.socibuilder.ztoc.flatbuffers.FlatBufferReader;
import dev.socibuilder.ztoc.flatbuffers.InvalidFlatBufferException;

/**
 * The zInfo of an uncompressed tar layer (soci {@code ztoc/compression/tar_zinfo.go}, schema {@code
 * zinfo.fbs}: {@code table TarZinfo { version:int32; span_size:int64; size:int64; }}). Stored as a
 * FlatBuffer in the zTOC's {@code checkpoints} field. Spans are fixed ranges of the raw file: span
 * {@code i} is {@code [i·spanSize, min((i+1)·spanSize, size))}.
 *
 * @param version soci writes {@value #CURRENT_VERSION}
 * @param spanSize span size in bytes, positive
 * @param size the layer file size
 */
public record TarZinfo(int version, long spanSize, long size) implements SpanIndex {
  /** The version soci writes ({@code zinfoVersion}). */
  public static final int CURRENT_VERSION = 2;

  public TarZinfo {
    if (spanSize <= 0) {
      throw new IllegalArgumentException("span size must be positive: " + spanSize);
    }
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative: " + size);
    }
  }

  /** The zInfo soci writes for a tar file of {@code size} bytes. */
  public static TarZinfo of(long spanSize, long size) {
    return new TarZinfo(CURRENT_VERSION, spanSize, size);
  }

  /**
   * The FlatBuffer bytes, built with soci's call order ({@code Start(3); AddVersion; AddSpanSize;
   * AddSize; End; Finish}); zero fields are omitted as the Go builder does.
   */
  public byte[] encode() {
    return encode(version, spanSize, size);
  }

  /** {@link #encode()} of any field values, valid or not (tests build rejectable blobs with it). */
  static byte[] encode(int version, long spanSize, long size) {
    FlatBufferBuilder b = new FlatBufferBuilder(64);
    b.startObject(3);
    b.addInt(0, version, 0);
    b.addLong(1, spanSize, 0);
    b.addLong(2, size, 0);
    int root = b.endObject();
    b.finish(root);
    return b.sizedByteArray();
  }

  /**
   * Parses the FlatBuffer.
   *
   * @throws InvalidZtocException if it is not a readable TarZinfo or its span size is not positive
   *     (soci would divide by zero)
   */
  public static TarZinfo parse(byte[] b) {
    try {
      FlatBufferReader r = new FlatBufferReader(b);
      int t = r.rootTable();
      return new TarZinfo(r.intField(t, 0, 0), r.longField(t, 1, 0), r.longField(t, 2, 0));
    } catch (InvalidFlatBufferException e) {
      throw new InvalidZtocException("cannot unmarshal tar zinfo: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new InvalidZtocException("invalid tar zinfo: " + e.getMessage(), e);
    }
  }

  /** Number of spans: {@code ceil(size / spanSize)} (soci's {@code MaxSpanID + 1}). */
  public int spanCount() {
    return Math.toIntExact(maxSpanId() + 1);
  }

  /** soci's {@code MaxSpanID}: {@code size/span − (size % span == 0 ? 1 : 0)} (−1 for an empty file). */
  public long maxSpanId() {
    return size / spanSize - (size % spanSize == 0 ? 1 : 0);
  }

  /** The span holding {@code offset}: {@code offset / spanSize} (not clamped, as in soci). */
  @Override
  public int spanOf(long offset) {
    return (int) (offset / spanSize);
  }
}
