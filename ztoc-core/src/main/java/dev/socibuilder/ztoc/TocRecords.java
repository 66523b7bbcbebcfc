package dev.socibuilder.ztoc;

import dev.socibuilder.ztoc.tar.PaxRecord;
import dev.socibuilder.ztoc.tar.TarEntry;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The TOC entries of a zTOC being built, packed into {@link ByteChunks} until they are encoded, with the
 * counts the {@link ZtocLimits} bound.
 *
 * <p>Why packed: soci's marshaler writes the TOC last entry first (the FlatBuffer is built back to front),
 * so nothing can be encoded before the tar has ended; a {@link FileMetadata} object per entry (with its
 * arrays, strings and lists) costs several times the entry's encoded size, and was most of the memory
 * of a build. A packed record is smaller than the entry's FlatBuffer encoding: varints instead of
 * 8-byte scalars, no string length words, NUL terminators, padding or table offsets.
 *
 * <p>Record layout: the fields as varints and length-prefixed byte strings, in {@link FileMetadata}'s
 * order, PAX records last, then the record's length as an int32, so that the records can be walked
 * backwards without an index. Not thread-safe.
 */
final class TocRecords {
  /**
   * Bytes every entry adds to the encoded zTOC at the least, besides its text fields: its slot in the TOC
   * vector, the table's vtable offset and its seven offset fields, and the xattr vector's length.
   */
  private static final int MIN_ENTRY_OVERHEAD = 4 + 4 + 7 * 4 + 4;
  /** Encoded bytes of a string besides its content, at the least: the length word and the NUL. */
  private static final int MIN_STRING_OVERHEAD = 5;
  /** Encoded bytes of one PAX record at the least: vector slot, table (vtable offset, 2 offsets). */
  private static final int MIN_XATTR_OVERHEAD = 4 + 4 + 2 * 4 + 2 * MIN_STRING_OVERHEAD;

  /** Encoded bytes of one span besides its checkpoint: its digest string and vector slot. */
  private static final int SPAN_DIGEST_SIZE = 4 + 4 + 71 + 1;

  /** The type names' bytes, shared by all entries (never modified). */
  private static final Map<String, byte[]> TYPES = TarEntry.TYPES.stream()
      .collect(Collectors.toUnmodifiableMap(t -> t, t -> t.getBytes(StandardCharsets.US_ASCII)));

  private final ZtocLimits limits;
  private final ByteChunks store = new ByteChunks();
  private int count;
  private long xattrBytes;
  private long minEncodedSize;
  /** Encoded bytes of the spans so far (their checkpoints and digests). */
  private long spanBytes;

  TocRecords(ZtocLimits limits) {
    this.limits = limits;
  }

  /** Number of entries. */
  int size() {
    return count;
  }

  /** A lower bound of the encoded size of the entries so far (exact but for padding and vtables). */
  long minEncodedSize() {
    return minEncodedSize;
  }

  /**
   * Counts one more span towards the zTOC size limit: its digest, and for gzip its 32 KiB checkpoint.
   * The zTOC size is checked as the layer is read (a lower bound of it), so that a layer cannot make the
   * build hold far more than the limit before the exact size is known at the end.
   *
   * @throws ZtocLimitException if the zTOC would pass its limit
   */
  void spanAdded(boolean gzipCheckpoint) {
    spanBytes += SPAN_DIGEST_SIZE + (gzipCheckpoint ? GzipZinfo.CHECKPOINT_SIZE : 0);
    checkZtocSize();
  }

  private void checkZtocSize() {
    long atLeast = minEncodedSize + spanBytes;
    if (atLeast > limits.maxZtocBytes()) {
      throw ZtocLimitException.ztocBytes(limits.maxZtocBytes(), atLeast);
    }
  }

  /** Appends a tar entry as soci records it, with its {@code mod_time} text. */
  void add(TarEntry e, byte[] modTime) {
    List<PaxRecord> pax = e.paxRecords();
    byte[][] keys = new byte[pax.size()][];
    byte[][] values = new byte[keys.length][];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = pax.get(i).key();
      values[i] = pax.get(i).value();
    }
    // soci stores uint32(hdr.Uid): two's-complement wrap.
    add(e.name(), TYPES.get(e.type()), e.dataOffset(),
        e.size(), e.linkname(), e.mode(), (int) e.uid(), (int) e.gid(), e.uname(), e.gname(), modTime,
        e.devMajor(), e.devMinor(), keys, values);
  }

  /**
   * Appends an entry. {@code xattrKeys[i]}/{@code xattrValues[i]} are the entry's PAX records; they are
   * stored sorted bytewise by key (soci's order) whatever the given order.
   *
   * @param dataOffset where the entry's data starts in the tar, for the message of a limit
   * @throws ZtocLimitException if the entry count or the PAX bytes pass their limit
   */
  void add(byte[] name, byte[] type, long uncompressedOffset, long uncompressedSize, byte[] linkname,
      long mode, int uid, int gid, byte[] uname, byte[] gname, byte[] modTime, long devMajor,
      long devMinor, byte[][] xattrKeys, byte[][] xattrValues) {
    if (count >= limits.maxTocEntries()) {
      throw ZtocLimitException.tocEntries(limits.maxTocEntries(), uncompressedOffset);
    }
    long pax = 0;
    for (int i = 0; i < xattrKeys.length; i++) {
      pax += xattrKeys[i].length + xattrValues[i].length;
    }
    if (xattrBytes + pax > limits.maxXattrBytes()) {
      throw ZtocLimitException.xattrBytes(limits.maxXattrBytes(), uncompressedOffset);
    }
    int[] order = sortedByKey(xattrKeys);
    long start = store.size();
    bytes(name);
    bytes(type);
    store.writeVarLong(uncompressedOffset);
    store.writeVarLong(uncompressedSize);
    bytes(linkname);
    store.writeVarLong(mode);
    store.writeVarLong(uid & 0xffffffffL);
    store.writeVarLong(gid & 0xffffffffL);
    bytes(uname);
    bytes(gname);
    bytes(modTime);
    store.writeVarLong(devMajor);
    store.writeVarLong(devMinor);
    store.writeVarLong(xattrKeys.length);
    for (int i : order) {
      bytes(xattrKeys[i]);
      bytes(xattrValues[i]);
    }
    store.writeInt(Math.toIntExact(store.size() - start));
    count++;
    xattrBytes += pax;
    minEncodedSize += MIN_ENTRY_OVERHEAD
        + 6L * MIN_STRING_OVERHEAD + name.length + type.length + linkname.length + uname.length
        + gname.length + modTime.length
        + (long) MIN_XATTR_OVERHEAD * xattrKeys.length + pax;
    checkZtocSize();
  }

  /** Appends a model entry (its xattrs sorted by key if they are not). */
  void add(FileMetadata f) {
    byte[][] keys = new byte[f.xattrs().size()][];
    byte[][] values = new byte[keys.length][];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = f.xattrs().get(i).key();
      values[i] = f.xattrs().get(i).value();
    }
    add(f.name(), f.type().getBytes(StandardCharsets.UTF_8), f.uncompressedOffset(),
        f.uncompressedSize(), f.linkname(), f.mode(), f.uid(), f.gid(), f.uname(), f.gname(),
        f.modTime(), f.devMajor(), f.devMinor(), keys, values);
  }

  private void bytes(byte[] b) {
    store.writeVarLong(b.length);
    store.write(b, 0, b.length);
  }

  /** Indexes of {@code keys} in bytewise key order; a stable sort, as soci's {@code sort.Strings} on map keys. */
  private static int[] sortedByKey(byte[][] keys) {
    int[] order = new int[keys.length];
    boolean sorted = true;
    for (int i = 0; i < keys.length; i++) {
      order[i] = i;
      if (i > 0 && Arrays.compareUnsigned(keys[i - 1], keys[i]) > 0) {
        sorted = false;
      }
    }
    if (!sorted) {
      order = IntStream.range(0, keys.length).boxed()
          .sorted((a, b) -> Arrays.compareUnsigned(keys[a], keys[b]))
          .mapToInt(Integer::intValue).toArray();
    }
    return order;
  }

  /** A cursor over the entries from the last to the first, reusing one {@link Entry}. */
  Cursor lastToFirst() {
    return new Cursor();
  }

  final class Cursor {
    private long end = store.size();
    private final ByteChunks.Slice slice = new ByteChunks.Slice();
    private final Entry entry = new Entry();

    /** Loads the previous entry into {@link #entry()}; false when there is none. */
    boolean previous() {
      if (end == 0) {
        return false;
      }
      int len = store.readInt(end - 4);
      long start = end - 4 - len;
      store.view(start, len, slice);
      entry.load(slice.array, slice.offset);
      end = start;
      return true;
    }

    Entry entry() {
      return entry;
    }
  }

  /**
   * One packed entry, decoded in place: each text field is {@code buf[xOff, xOff + xLen)}. Valid until
   * the cursor moves.
   */
  static final class Entry {
    byte[] buf;
    int nameOff;
    int nameLen;
    int typeOff;
    int typeLen;
    long uncompressedOffset;
    long uncompressedSize;
    int linkOff;
    int linkLen;
    long mode;
    int uid;
    int gid;
    int unameOff;
    int unameLen;
    int gnameOff;
    int gnameLen;
    int modTimeOff;
    int modTimeLen;
    long devMajor;
    long devMinor;
    int xattrCount;
    int[] keyOff = new int[4];
    int[] keyLen = new int[4];
    int[] valueOff = new int[4];
    int[] valueLen = new int[4];
    private int pos;

    private void load(byte[] b, int off) {
      buf = b;
      pos = off;
      nameLen = (int) varLong();
      nameOff = skip(nameLen);
      typeLen = (int) varLong();
      typeOff = skip(typeLen);
      uncompressedOffset = varLong();
      uncompressedSize = varLong();
      linkLen = (int) varLong();
      linkOff = skip(linkLen);
      mode = varLong();
      uid = (int) varLong();
      gid = (int) varLong();
      unameLen = (int) varLong();
      unameOff = skip(unameLen);
      gnameLen = (int) varLong();
      gnameOff = skip(gnameLen);
      modTimeLen = (int) varLong();
      modTimeOff = skip(modTimeLen);
      devMajor = varLong();
      devMinor = varLong();
      xattrCount = (int) varLong();
      if (keyOff.length < xattrCount) {
        keyOff = new int[xattrCount];
        keyLen = new int[xattrCount];
        valueOff = new int[xattrCount];
        valueLen = new int[xattrCount];
      }
      for (int i = 0; i < xattrCount; i++) {
        keyLen[i] = (int) varLong();
        keyOff[i] = skip(keyLen[i]);
        valueLen[i] = (int) varLong();
        valueOff[i] = skip(valueLen[i]);
      }
    }

    private int skip(int n) {
      int at = pos;
      pos += n;
      return at;
    }

    private long varLong() {
      long v = 0;
      for (int shift = 0; ; shift += 7) {
        byte b = buf[pos++];
        v |= (long) (b & 0x7f) << shift;
        if (b >= 0) {
          return v;
        }
      }
    }
  }
}
