package dev.socibuilder.ztoc.tar;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One tar entry exactly as Go's {@code tar.Reader.Next()} reports it and soci records it in the
 * zTOC (soci-format.md §3.4). Byte fields are raw: names may be invalid UTF-8 and are never cleaned.
 *
 * <p>Equality is by content (unlike a plain record with array components).
 *
 * @param name {@code hdr.Name} after prefix joining and PAX {@code path} / GNU {@code L} /
 *     {@code GNU.sparse.name} overrides
 * @param type one of {@code reg dir symlink hardlink char block fifo} (soci's {@code getType})
 * @param dataOffset the byte position in the uncompressed tar right after {@code Next()} returned,
 *     i.e. the first data byte (soci's {@code uncompressed_offset})
 * @param size {@code hdr.Size}: after a PAX {@code size} override, the real size for PAX GNU sparse
 *     files; kept as written for header-only types
 * @param linkname {@code hdr.Linkname}
 * @param mode the raw numeric mode field, including any type bits the writer put there
 * @param uid {@code hdr.Uid} as a 64-bit value (soci stores {@code uint32(uid)})
 * @param gid {@code hdr.Gid} as a 64-bit value (soci stores {@code uint32(gid)})
 * @param uname {@code hdr.Uname} (empty for V7 headers)
 * @param gname {@code hdr.Gname} (empty for V7 headers)
 * @param modTimeSeconds seconds since the Unix epoch of {@code hdr.ModTime}
 * @param modTimeNanos nanoseconds within that second, 0..999 999 999
 * @param devMajor {@code hdr.Devmajor} (0 for V7 headers)
 * @param devMinor {@code hdr.Devminor} (0 for V7 headers)
 * @param paxRecords the complete record map of the immediately preceding {@code 'x'} header
 *     (including empty values and the folded {@code GNU.sparse.map}), sorted bytewise by key;
 *     empty when there was none
 */
public record TarEntry(
    byte[] name,
    String type,
    long dataOffset,
    long size,
    byte[] linkname,
    long mode,
    long uid,
    long gid,
    byte[] uname,
    byte[] gname,
    long modTimeSeconds,
    int modTimeNanos,
    long devMajor,
    long devMinor,
    List<PaxRecord> paxRecords) {

  /** The entry types soci accepts; any other tar type fails the layer. */
  public static final Set<String> TYPES =
      Set.of("reg", "dir", "symlink", "hardlink", "char", "block", "fifo");

  public TarEntry {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(linkname, "linkname");
    Objects.requireNonNull(uname, "uname");
    Objects.requireNonNull(gname, "gname");
    if (!TYPES.contains(type)) {
      throw new IllegalArgumentException("unknown entry type: " + type);
    }
    if (dataOffset < 0) {
      throw new IllegalArgumentException("negative data offset: " + dataOffset);
    }
    if (modTimeNanos < 0 || modTimeNanos > 999_999_999) {
      throw new IllegalArgumentException("nanoseconds out of range: " + modTimeNanos);
    }
    paxRecords = List.copyOf(paxRecords);
  }

  /** The name decoded as UTF-8 (invalid sequences become U+FFFD), for messages and logs. */
  public String nameString() {
    return new String(name, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TarEntry e
        && Arrays.equals(name, e.name)
        && type.equals(e.type)
        && dataOffset == e.dataOffset
        && size == e.size
        && Arrays.equals(linkname, e.linkname)
        && mode == e.mode
        && uid == e.uid
        && gid == e.gid
        && Arrays.equals(uname, e.uname)
        && Arrays.equals(gname, e.gname)
        && modTimeSeconds == e.modTimeSeconds
        && modTimeNanos == e.modTimeNanos
        && devMajor == e.devMajor
        && devMinor == e.devMinor
        && paxRecords.equals(e.paxRecords);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        Arrays.hashCode(name), type, dataOffset, size, Arrays.hashCode(linkname), mode, uid, gid,
        Arrays.hashCode(uname), Arrays.hashCode(gname), modTimeSeconds, modTimeNanos, devMajor,
        devMinor, paxRecords);
  }

  @Override
  public String toString() {
    return "TarEntry[name=" + nameString()
        + ", type=" + type
        + ", dataOffset=" + dataOffset
        + ", size=" + size
        + ", linkname=" + new String(linkname, StandardCharsets.UTF_8)
        + ", mode=0" + Long.toOctalString(mode)
        + ", uid=" + uid
        + ", gid=" + gid
        + ", uname=" + new String(uname, StandardCharsets.UTF_8)
        + ", gname=" + new String(gname, StandardCharsets.UTF_8)
        + ", modTime=" + modTimeSeconds + "." + String.format("%09d", modTimeNanos)
        + ", dev=" + devMajor + "," + devMinor
        + ", pax=" + paxRecords
        + "]";
  }
}
