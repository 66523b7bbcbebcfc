package dev.socibuilder.ztoc;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One TOC entry: the metadata soci records for a tar entry ({@code ztoc.fbs} {@code table
 * FileMetadata}, 14 fields). Text fields that come from the tar header are raw bytes because tar names
 * need not be UTF-8 and soci stores them verbatim. The arrays are not copied; do not modify them.
 *
 * @param name the entry name, exactly as Go's {@code archive/tar} reports it (never cleaned)
 * @param type one of {@code reg dir symlink hardlink char block fifo}
 * @param uncompressedOffset offset of the entry's data in the uncompressed tar stream
 * @param uncompressedSize the entry's size ({@code hdr.Size})
 * @param linkname the link target (empty when none)
 * @param mode the raw tar mode field
 * @param uid the uid as uint32 bits
 * @param gid the gid as uint32 bits
 * @param uname the owner name (may be empty)
 * @param gname the group name (may be empty)
 * @param modTime Go {@code time.Time.MarshalText()} of the modification time (may be empty)
 * @param devMajor device major number
 * @param devMinor device minor number
 * @param xattrs all PAX records of the entry, keys sorted bytewise ascending (soci's order)
 */
public record FileMetadata(
    byte[] name,
    String type,
    long uncompressedOffset,
    long uncompressedSize,
    byte[] linkname,
    long mode,
    int uid,
    int gid,
    byte[] uname,
    byte[] gname,
    byte[] modTime,
    long devMajor,
    long devMinor,
    List<Xattr> xattrs) {

  public FileMetadata {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(linkname, "linkname");
    Objects.requireNonNull(uname, "uname");
    Objects.requireNonNull(gname, "gname");
    Objects.requireNonNull(modTime, "modTime");
    xattrs = List.copyOf(xattrs);
  }

  /** The name as text, decoding UTF-8 like Go does (each invalid byte becomes U+FFFD). */
  public String nameString() {
    return GoText.decode(name);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FileMetadata f
        && Arrays.equals(name, f.name)
        && type.equals(f.type)
        && uncompressedOffset == f.uncompressedOffset
        && uncompressedSize == f.uncompressedSize
        && Arrays.equals(linkname, f.linkname)
        && mode == f.mode
        && uid == f.uid
        && gid == f.gid
        && Arrays.equals(uname, f.uname)
        && Arrays.equals(gname, f.gname)
        && Arrays.equals(modTime, f.modTime)
        && devMajor == f.devMajor
        && devMinor == f.devMinor
        && xattrs.equals(f.xattrs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        Arrays.hashCode(name), type, uncompressedOffset, uncompressedSize, mode, uid, gid, xattrs);
  }

  @Override
  public String toString() {
    return "FileMetadata[" + nameString() + ", " + type + ", offset=" + uncompressedOffset
        + ", size=" + uncompressedSize + "]";
  }
}
