package dev.socibuilder.ztoc;

import java.util.Arrays;
import java.util.Objects;

/**
 * One raw PAX record of a tar entry, as soci stores it in {@code FileMetadata.xattrs}. Despite the
 * schema's field name this holds <em>every</em> PAX record (e.g. {@code path}, {@code mtime}), not
 * only {@code SCHILY.xattr.*}. Key and value are raw bytes (they need not be UTF-8). The arrays are
 * not copied; do not modify them.
 */
public record Xattr(byte[] key, byte[] value) {
  public Xattr {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Xattr x && Arrays.equals(key, x.key) && Arrays.equals(value, x.value);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "Xattr[" + GoText.decode(key) + "=" + GoText.decode(value) + "]";
  }
}
