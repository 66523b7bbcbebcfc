package dev.socibuilder.ztoc.tar;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the TOC of a zTOC FlatBuffer (soci-format.md §1) just far enough to compare the tar scanner
 * with soci's own output: the file metadata and {@code uncompressed_archive_size}.
 */
final class ZtocTocReader {
  /** One {@code FileMetadata} table, raw. */
  record Metadata(
      byte[] name, String type, long offset, long size, byte[] linkname, long mode, int uid, int gid,
      byte[] uname, byte[] gname, byte[] modTime, long devMajor, long devMinor,
      List<PaxRecord> xattrs) {}

  private final ByteBuffer b;

  private ZtocTocReader(byte[] ztoc) {
    b = ByteBuffer.wrap(ztoc).order(ByteOrder.LITTLE_ENDIAN);
  }

  static long uncompressedArchiveSize(byte[] ztoc) {
    ZtocTocReader r = new ZtocTocReader(ztoc);
    return r.longField(r.root(), 3);
  }

  static List<Metadata> files(byte[] ztoc) {
    ZtocTocReader r = new ZtocTocReader(ztoc);
    int toc = r.tableField(r.root(), 4);
    List<Metadata> out = new ArrayList<>();
    for (int m : r.tableVector(toc, 0)) {
      List<PaxRecord> xattrs = new ArrayList<>();
      for (int x : r.tableVector(m, 13)) {
        xattrs.add(new PaxRecord(r.bytesField(x, 0), r.bytesField(x, 1)));
      }
      out.add(new Metadata(
          r.bytesField(m, 0),
          new String(r.bytesField(m, 1), StandardCharsets.UTF_8),
          r.longField(m, 2),
          r.longField(m, 3),
          r.bytesField(m, 4),
          r.longField(m, 5),
          r.intField(m, 6),
          r.intField(m, 7),
          r.bytesField(m, 8),
          r.bytesField(m, 9),
          r.bytesField(m, 10),
          r.longField(m, 11),
          r.longField(m, 12),
          xattrs));
    }
    return out;
  }

  private int root() {
    return b.getInt(0);
  }

  /** Absolute position of field {@code id} of the table at {@code table}, or 0 when absent. */
  private int field(int table, int id) {
    int vtable = table - b.getInt(table);
    int vsize = Short.toUnsignedInt(b.getShort(vtable));
    int slot = 4 + 2 * id;
    if (slot >= vsize) {
      return 0;
    }
    int off = Short.toUnsignedInt(b.getShort(vtable + slot));
    return off == 0 ? 0 : table + off;
  }

  private long longField(int table, int id) {
    int p = field(table, id);
    return p == 0 ? 0 : b.getLong(p);
  }

  private int intField(int table, int id) {
    int p = field(table, id);
    return p == 0 ? 0 : b.getInt(p);
  }

  private int tableField(int table, int id) {
    int p = field(table, id);
    return p + b.getInt(p);
  }

  private byte[] bytesField(int table, int id) {
    int p = field(table, id);
    if (p == 0) {
      return new byte[0];
    }
    int s = p + b.getInt(p);
    byte[] out = new byte[b.getInt(s)];
    b.get(s + 4, out);
    return out;
  }

  private List<Integer> tableVector(int table, int id) {
    int p = field(table, id);
    List<Integer> out = new ArrayList<>();
    if (p == 0) {
      return out;
    }
    int v = p + b.getInt(p);
    int n = b.getInt(v);
    for (int k = 0; k < n; k++) {
      int e = v + 4 + 4 * k;
      out.add(e + b.getInt(e));
    }
    return out;
  }
}
