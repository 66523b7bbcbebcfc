package dev.socibuilder.ztoc.tar;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One record of a PAX extended header ({@code typeflag 'x'}), as raw bytes. soci stores every record
 * of the entry's header in the zTOC {@code xattrs} vector, not only {@code SCHILY.xattr.*} ones.
 *
 * <p>Equality is by content (unlike a plain record with array components).
 */
public record PaxRecord(byte[] key, byte[] value) {
  public PaxRecord {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }

  /** A record from strings, encoded as UTF-8 (convenient for tests and callers). */
  public static PaxRecord of(String key, String value) {
    return new PaxRecord(
        key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PaxRecord r && Arrays.equals(key, r.key) && Arrays.equals(value, r.value);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return new String(key, StandardCharsets.UTF_8) + "=" + new String(value, StandardCharsets.UTF_8);
  }
}
