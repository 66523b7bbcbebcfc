package dev.socibuilder.ztoc;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.ztoc.flatbuffers.FlatBufferBuilder;
import dev.socibuilder.ztoc.flatbuffers.FlatBufferReader;
import dev.socibuilder.ztoc.flatbuffers.InvalidFlatBufferException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Encodes a {@link Ztoc} to soci's exact FlatBuffer bytes and decodes (and validates) them.
 *
 * <p>Byte identity with soci comes from issuing exactly the builder calls of soci's {@code
 * ztoc/ztoc_marshaler.go} ({@code ztocToFlatbuffer}) on a port of the Go builder: TOC entries are
 * serialized last to first, each entry's strings before its xattrs before its table; fields are
 * added in soci's order (which decides where alignment padding goes); scalars equal to the schema
 * default are omitted; strings are never shared.
 */
public final class ZtocCodec {
  // Field ids, from ztoc.fbs.
  private static final int ZTOC_VERSION = 0;
  private static final int ZTOC_BUILD_TOOL = 1;
  private static final int ZTOC_COMPRESSED_SIZE = 2;
  private static final int ZTOC_UNCOMPRESSED_SIZE = 3;
  private static final int ZTOC_TOC = 4;
  private static final int ZTOC_COMPRESSION_INFO = 5;
  private static final int TOC_METADATA = 0;
  private static final int FM_NAME = 0;
  private static final int FM_TYPE = 1;
  private static final int FM_OFFSET = 2;
  private static final int FM_SIZE = 3;
  private static final int FM_LINKNAME = 4;
  private static final int FM_MODE = 5;
  private static final int FM_UID = 6;
  private static final int FM_GID = 7;
  private static final int FM_UNAME = 8;
  private static final int FM_GNAME = 9;
  private static final int FM_MOD_TIME = 10;
  private static final int FM_DEVMAJOR = 11;
  private static final int FM_DEVMINOR = 12;
  private static final int FM_XATTRS = 13;
  private static final int XATTR_KEY = 0;
  private static final int XATTR_VALUE = 1;
  private static final int CI_ALGORITHM = 0;
  private static final int CI_MAX_SPAN_ID = 1;
  private static final int CI_SPAN_DIGESTS = 2;
  private static final int CI_CHECKPOINTS = 3;

  private ZtocCodec() {}

  /** No limit but the format's own (2 GiB): for models given whole. */
  private static final ZtocLimits UNLIMITED =
      new ZtocLimits(Integer.MAX_VALUE, Long.MAX_VALUE, ZtocLimits.MAX_ZTOC_BYTES, 1);

  /**
   * Everything a zTOC holds, in the form a build keeps it: the TOC packed, the checkpoints blob as a
   * length and a writer that fills it in place.
   */
  record Parts(
      byte[] version,
      byte[] buildTool,
      long compressedArchiveSize,
      long uncompressedArchiveSize,
      TocRecords toc,
      CompressionAlgorithm algorithm,
      int maxSpanId,
      List<Digest> spanDigests,
      long checkpointsLength,
      FlatBufferBuilder.ByteFiller checkpoints) {}

  /**
   * The zTOC's FlatBuffer bytes, identical to soci's {@code ztoc.Marshal} for the same model.
   *
   * <p>The model's TOC goes through the same packed form as a build's ({@link TocRecords}), so that
   * re-encoding soci's zTOCs checks exactly the code that builds ours.
   */
  public static byte[] encode(Ztoc z) {
    return encode(parts(z), ZtocLimits.MAX_ZTOC_BYTES);
  }

  /** The exact size of {@link #encode}'s result, computed without building the bytes. */
  static int encodedSize(Ztoc z) {
    return measure(parts(z));
  }

  private static Parts parts(Ztoc z) {
    TocRecords toc = new TocRecords(UNLIMITED);
    for (FileMetadata f : z.toc()) {
      toc.add(f);
    }
    CompressionInfo ci = z.compressionInfo();
    byte[] blob = ci.checkpoints();
    return new Parts(z.version().getBytes(StandardCharsets.UTF_8), z.buildToolIdentifier(),
        z.compressedArchiveSize(), z.uncompressedArchiveSize(), toc, ci.algorithm(), ci.maxSpanId(),
        ci.spanDigests(), blob.length, (dst, off) -> System.arraycopy(blob, 0, dst, off, blob.length));
  }

  /**
   * The bytes of a zTOC given as parts.
   *
   * <p>Memory: a first, measuring pass computes the exact size without storing anything; the second
   * pass builds into a buffer of exactly that size and returns it without a copy. So besides the parts,
   * only the result is allocated, and the checkpoints are written straight into it.
   *
   * @throws ZtocLimitException if the zTOC would be larger than {@code maxBytes}
   */
  static byte[] encode(Parts parts, long maxBytes) {
    int size = measure(parts);
    if (size > maxBytes) {
      throw ZtocLimitException.ztocBytes(maxBytes, size);
    }
    FlatBufferBuilder b = new FlatBufferBuilder(size);
    build(b, parts);
    return b.sizedByteArray();
  }

  private static int measure(Parts parts) {
    FlatBufferBuilder measuring = FlatBufferBuilder.measuring();
    try {
      build(measuring, parts);
    } catch (IllegalStateException e) {
      // Only the 2 GiB bound of the format can fail here.
      throw ZtocLimitException.ztocBytes(ZtocLimits.MAX_ZTOC_BYTES, ZtocLimits.MAX_ZTOC_BYTES + 1);
    }
    return measuring.offset();
  }

  private static void build(FlatBufferBuilder b, Parts z) {
    int version = b.createString(z.version());
    int buildTool = b.createString(z.buildTool());

    // TOC: entries last to first; then the vector of their offsets (prepended in reverse).
    int[] entryOffsets = new int[z.toc().size()];
    TocRecords.Cursor entries = z.toc().lastToFirst();
    int[] scratch = new int[16];
    for (int i = entryOffsets.length - 1; entries.previous(); i--) {
      TocRecords.Entry e = entries.entry();
      if (scratch.length < e.xattrCount) {
        scratch = new int[e.xattrCount];
      }
      entryOffsets[i] = encodeEntry(b, e, scratch);
    }
    int metadata = offsetVector(b, entryOffsets, entryOffsets.length);
    b.startObject(1);
    b.addOffset(TOC_METADATA, metadata);
    int toc = b.endObject();

    // zInfo: checkpoints, then span digests first to last, then the table.
    int checkpoints = b.createByteVector(Math.toIntExact(z.checkpointsLength()), z.checkpoints());
    List<Digest> digests = z.spanDigests();
    int[] digestOffsets = new int[digests.size()];
    for (int i = 0; i < digestOffsets.length; i++) {
      digestOffsets[i] = b.createString(digests.get(i).toString().getBytes(StandardCharsets.UTF_8));
    }
    int spanDigests = offsetVector(b, digestOffsets, digestOffsets.length);
    b.startObject(4);
    b.addInt(CI_MAX_SPAN_ID, z.maxSpanId(), 0);
    b.addOffset(CI_SPAN_DIGESTS, spanDigests);
    b.addOffset(CI_CHECKPOINTS, checkpoints);
    // Added last, and omitted for gzip (the schema default).
    b.addByte(CI_ALGORITHM, z.algorithm().fbsValue(), CompressionAlgorithm.GZIP.fbsValue());
    int compressionInfo = b.endObject();

    // Root: toc is added before the two int64 sizes, which decides the padding.
    b.startObject(6);
    b.addOffset(ZTOC_VERSION, version);
    b.addOffset(ZTOC_BUILD_TOOL, buildTool);
    b.addOffset(ZTOC_TOC, toc);
    b.addLong(ZTOC_COMPRESSED_SIZE, z.compressedArchiveSize(), 0);
    b.addLong(ZTOC_UNCOMPRESSED_SIZE, z.uncompressedArchiveSize(), 0);
    b.addOffset(ZTOC_COMPRESSION_INFO, compressionInfo);
    int root = b.endObject();
    b.finish(root);
  }

  /** One entry: its strings, then its xattrs (already in bytewise key order), then its table. */
  private static int encodeEntry(FlatBufferBuilder b, TocRecords.Entry e, int[] xattrOffsets) {
    byte[] buf = e.buf;
    int name = b.createString(buf, e.nameOff, e.nameLen);
    int type = b.createString(buf, e.typeOff, e.typeLen);
    int linkname = b.createString(buf, e.linkOff, e.linkLen);
    int uname = b.createString(buf, e.unameOff, e.unameLen);
    int gname = b.createString(buf, e.gnameOff, e.gnameLen);
    int modTime = b.createString(buf, e.modTimeOff, e.modTimeLen);
    for (int j = 0; j < e.xattrCount; j++) {
      int key = b.createString(buf, e.keyOff[j], e.keyLen[j]);
      int value = b.createString(buf, e.valueOff[j], e.valueLen[j]);
      b.startObject(2);
      b.addOffset(XATTR_KEY, key);
      b.addOffset(XATTR_VALUE, value);
      xattrOffsets[j] = b.endObject();
    }
    int xattrVector = offsetVector(b, xattrOffsets, e.xattrCount);
    b.startObject(14);
    b.addOffset(FM_NAME, name);
    b.addOffset(FM_TYPE, type);
    b.addLong(FM_OFFSET, e.uncompressedOffset, 0);
    b.addLong(FM_SIZE, e.uncompressedSize, 0);
    b.addOffset(FM_LINKNAME, linkname);
    b.addLong(FM_MODE, e.mode, 0);
    b.addInt(FM_UID, e.uid, 0);
    b.addInt(FM_GID, e.gid, 0);
    b.addOffset(FM_UNAME, uname);
    b.addOffset(FM_GNAME, gname);
    b.addOffset(FM_MOD_TIME, modTime);
    b.addLong(FM_DEVMAJOR, e.devMajor, 0);
    b.addLong(FM_DEVMINOR, e.devMinor, 0);
    b.addOffset(FM_XATTRS, xattrVector);
    return b.endObject();
  }

  private static int offsetVector(FlatBufferBuilder b, int[] offsets, int count) {
    b.startVector(4, count, 4);
    for (int i = count - 1; i >= 0; i--) {
      b.prependUOffset(offsets[i]);
    }
    return b.endVector(count);
  }

  /**
   * Decodes and validates like soci: parse as {@code ztoc.Unmarshal} does (a FlatBuffer whose root
   * has a TOC and a CompressionInfo), then the checks of {@link #validate}.
   *
   * @throws InvalidZtocException if soci would reject the bytes
   */
  public static Ztoc decode(byte[] bytes) {
    Ztoc z = decodeUnchecked(bytes);
    validate(z);
    return z;
  }

  /**
   * Decodes without the semantic checks of {@link #validate} (the TOC may overlap, the blob may be
   * inconsistent), e.g. to inspect zTOCs soci writes but then refuses to read. The TOC keeps its
   * stored order, so {@code encode(decodeUnchecked(b))} reproduces soci-written bytes.
   *
   * @throws InvalidZtocException if the bytes are not a readable zTOC FlatBuffer (any out-of-bounds
   *     reference, a missing TOC or CompressionInfo, an unknown compression algorithm, a malformed
   *     span digest)
   */
  public static Ztoc decodeUnchecked(byte[] bytes) {
    try {
      FlatBufferReader r = new FlatBufferReader(bytes);
      int root = r.rootTable();
      String version = utf8(r.bytesField(root, ZTOC_VERSION));
      byte[] buildTool = orEmpty(r.bytesField(root, ZTOC_BUILD_TOOL));
      long compressedSize = r.longField(root, ZTOC_COMPRESSED_SIZE, 0);
      long uncompressedSize = r.longField(root, ZTOC_UNCOMPRESSED_SIZE, 0);

      int toc = r.refField(root, ZTOC_TOC);
      if (toc < 0) {
        throw new InvalidZtocException("cannot unmarshal ztoc: no toc");
      }
      List<FileMetadata> files = new ArrayList<>();
      int metadata = r.refField(toc, TOC_METADATA);
      if (metadata >= 0) {
        int n = r.vectorLength(metadata);
        for (int i = 0; i < n; i++) {
          files.add(decodeEntry(r, r.vectorRef(metadata, i)));
        }
      }

      int ci = r.refField(root, ZTOC_COMPRESSION_INFO);
      if (ci < 0) {
        throw new InvalidZtocException("cannot unmarshal ztoc: no compression info");
      }
      CompressionAlgorithm algorithm =
          CompressionAlgorithm.fromFbsValue(
              r.byteField(ci, CI_ALGORITHM, CompressionAlgorithm.GZIP.fbsValue()));
      int maxSpanId = r.intField(ci, CI_MAX_SPAN_ID, 0);
      List<Digest> digests = new ArrayList<>();
      int digestVector = r.refField(ci, CI_SPAN_DIGESTS);
      if (digestVector >= 0) {
        int n = r.vectorLength(digestVector);
        for (int i = 0; i < n; i++) {
          String s = utf8(r.vectorBytes(r.vectorRef(digestVector, i)));
          try {
            digests.add(Digest.parse(s));
          } catch (IllegalArgumentException e) {
            throw new InvalidZtocException("invalid span digest " + i + ": " + e.getMessage(), e);
          }
        }
      }
      byte[] checkpoints = orEmpty(r.bytesField(ci, CI_CHECKPOINTS));
      return new Ztoc(
          version,
          buildTool,
          compressedSize,
          uncompressedSize,
          files,
          new CompressionInfo(algorithm, maxSpanId, digests, checkpoints));
    } catch (InvalidFlatBufferException e) {
      throw new InvalidZtocException("cannot unmarshal ztoc: " + e.getMessage(), e);
    }
  }

  private static FileMetadata decodeEntry(FlatBufferReader r, int t) {
    List<Xattr> xattrs = new ArrayList<>();
    int xv = r.refField(t, FM_XATTRS);
    if (xv >= 0) {
      int n = r.vectorLength(xv);
      for (int j = 0; j < n; j++) {
        int x = r.vectorRef(xv, j);
        xattrs.add(
            new Xattr(orEmpty(r.bytesField(x, XATTR_KEY)), orEmpty(r.bytesField(x, XATTR_VALUE))));
      }
    }
    return new FileMetadata(
        orEmpty(r.bytesField(t, FM_NAME)),
        utf8(r.bytesField(t, FM_TYPE)),
        r.longField(t, FM_OFFSET, 0),
        r.longField(t, FM_SIZE, 0),
        orEmpty(r.bytesField(t, FM_LINKNAME)),
        r.longField(t, FM_MODE, 0),
        r.intField(t, FM_UID, 0),
        r.intField(t, FM_GID, 0),
        orEmpty(r.bytesField(t, FM_UNAME)),
        orEmpty(r.bytesField(t, FM_GNAME)),
        orEmpty(r.bytesField(t, FM_MOD_TIME)),
        r.longField(t, FM_DEVMAJOR, 0),
        r.longField(t, FM_DEVMINOR, 0),
        xattrs);
  }

  /**
   * The checks soci applies when it reads a zTOC (spec §7): the TOC, sorted by offset as soci sorts
   * it, must not overlap ({@code align512(prev.offset + prev.size) <= offset}, else "invalid toc
   * entry"); the checkpoints blob must parse for the algorithm; {@code max_span_id} must match the
   * zInfo and there must be one span digest per span. Not checked here (they need the layer or are
   * checked later by the snapshotter): the gzip header, checkpoint monotonicity, span digests.
   *
   * @throws InvalidZtocException naming the first failed check
   */
  public static void validate(Ztoc z) {
    validateToc(z.toc());
    CompressionInfo ci = z.compressionInfo();
    long spans;
    if (ci.algorithm() == CompressionAlgorithm.GZIP) {
      spans = GzipZinfo.parse(ci.checkpoints()).checkpointCount();
    } else {
      spans = TarZinfo.parse(ci.checkpoints()).maxSpanId() + 1;
    }
    if (ci.maxSpanId() != spans - 1) {
      throw new InvalidZtocException(
          "incorrect max span id: max_span_id is " + ci.maxSpanId() + " but the zinfo has " + spans
              + " spans");
    }
    if (ci.spanDigests().size() != spans) {
      throw new InvalidZtocException(
          "incorrect max span id: " + ci.spanDigests().size() + " span digests for " + spans
              + " spans");
    }
  }

  private static void validateToc(List<FileMetadata> toc) {
    // soci sorts by uncompressed_offset before checking; a stable sort keeps ties in stored order.
    List<FileMetadata> sorted = toc;
    for (int i = 1; i < toc.size(); i++) {
      if (toc.get(i - 1).uncompressedOffset() > toc.get(i).uncompressedOffset()) {
        sorted = new ArrayList<>(toc);
        sorted.sort(Comparator.comparingLong(FileMetadata::uncompressedOffset));
        break;
      }
    }
    long nextTarHeader = 0;
    for (int i = 0; i < sorted.size(); i++) {
      FileMetadata e = sorted.get(i);
      if (nextTarHeader > e.uncompressedOffset()) {
        throw new InvalidZtocException(
            "invalid toc entry: '" + e.nameString() + "' at uncompressed offset "
                + e.uncompressedOffset() + " starts before the end of the previous entry ("
                + nextTarHeader + ")");
      }
      // Go: AlignToTarBlock(offset + size), int64 arithmetic.
      nextTarHeader = (e.uncompressedOffset() + e.uncompressedSize() + 511) & ~511L;
    }
  }

  private static byte[] orEmpty(byte[] b) {
    return b == null ? new byte[0] : b;
  }

  private static String utf8(byte[] b) {
    return b == null ? "" : GoText.decode(b);
  }
}
