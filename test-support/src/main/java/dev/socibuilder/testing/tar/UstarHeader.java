package dev.socibuilder.testing.tar;

import java.nio.charset.StandardCharsets;

/**
 * USTAR header blocks (512 bytes) for layers generated in tests, laid out as Go's archive/tar writes
 * them: octal numeric fields, magic {@code ustar} version {@code 00}, and the checksum as six octal
 * digits, a NUL and a space.
 */
public final class UstarHeader {
  /** Modification time of {@link #file}: 2023-11-14T22:13:20Z. */
  public static final long DEFAULT_MTIME = 1_700_000_000L;

  private UstarHeader() {}

  /** A regular file of {@code size} bytes: mode 0644, owner 0:0 without names, {@link #DEFAULT_MTIME}. */
  public static byte[] file(String name, long size) {
    return of(name, size, '0', 0644, 0, DEFAULT_MTIME, "");
  }

  /**
   * A header block; the entry's data (padded to 512 bytes) follows it.
   *
   * @param name the entry name; bytes past the field's 100 are cut (put the whole name in a PAX record)
   * @param type the type flag, e.g. {@code '0'} file, {@code '5'} directory, {@code 'x'} PAX records
   * @param id the uid and the gid
   * @param owner the user and group names, or empty for none
   */
  public static byte[] of(String name, long size, char type, int mode, int id, long mtimeSeconds, String owner) {
    byte[] h = new byte[512];
    put(h, 0, name, 100);
    put(h, 100, String.format("%07o", mode), 8);
    put(h, 108, String.format("%07o", id), 8);
    put(h, 116, String.format("%07o", id), 8);
    put(h, 124, String.format("%011o", size), 12);
    put(h, 136, String.format("%011o", mtimeSeconds), 12);
    h[156] = (byte) type;
    put(h, 257, "ustar", 6);
    put(h, 263, "00", 2);
    put(h, 265, owner, 32);
    put(h, 297, owner, 32);
    for (int i = 148; i < 156; i++) {
      h[i] = ' '; // the checksum counts its own field as spaces
    }
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    put(h, 148, String.format("%06o", sum), 6);
    h[154] = 0;
    return h;
  }

  private static void put(byte[] h, int off, String s, int max) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(b, 0, h, off, Math.min(b.length, max));
  }
}
