package dev.socibuilder.soci;

import dev.socibuilder.ztoc.FileMetadata;
import dev.socibuilder.ztoc.Xattr;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * soci's optional index optimizations ({@code --optimizations}, repeatable, off by default; spec §5.1,
 * §8). There is one: {@link #XATTR}.
 */
public enum Optimization {
  /**
   * {@code xattr}: the zTOC descriptor of a layer none of whose entries has extended attributes gets the
   * annotation {@code com.amazon.soci.disable-xattrs: "true"}, and the snapshotter then answers xattr
   * lookups on that layer's files without looking (see {@link #shouldDisableXattrs}).
   */
  XATTR("xattr");

  /** The PAX record prefix of an extended attribute (Go's {@code paxSchilyXattr}). */
  private static final byte[] SCHILY_XATTR = "SCHILY.xattr.".getBytes(StandardCharsets.US_ASCII);
  /**
   * The name of an overlay opaque-directory whiteout: the runtime marks the directory opaque with an
   * xattr, so such a layer needs xattr lookups.
   */
  private static final byte[] OPAQUE_WHITEOUT = ".wh..wh..opq".getBytes(StandardCharsets.US_ASCII);

  private final String sociName;

  Optimization(String sociName) {
    this.sociName = sociName;
  }

  /** The name on soci's command line, e.g. {@code xattr}. */
  public String sociName() {
    return sociName;
  }

  /**
   * The optimization soci calls {@code name} (exactly, as soci's {@code ParseOptimization}).
   *
   * @throws IllegalArgumentException naming the valid ones if there is none of that name
   */
  public static Optimization parse(String name) {
    for (Optimization o : values()) {
      if (o.sociName.equals(name)) {
        return o;
      }
    }
    throw new IllegalArgumentException("unknown optimization '" + name + "' (valid: xattr)");
  }

  /**
   * soci's {@code shouldDisableXattrs}: true if no entry of {@code toc} has a PAX record whose key starts
   * with {@code SCHILY.xattr.} and no entry name ends in {@code .wh..wh..opq}. Names and keys are
   * compared as raw bytes, as Go compares strings.
   */
  public static boolean shouldDisableXattrs(List<FileMetadata> toc) {
    for (FileMetadata m : toc) {
      if (endsWith(m.name(), OPAQUE_WHITEOUT)) {
        return false;
      }
      for (Xattr x : m.xattrs()) {
        if (startsWith(x.key(), SCHILY_XATTR)) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean startsWith(byte[] s, byte[] prefix) {
    if (s.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (s[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean endsWith(byte[] s, byte[] suffix) {
    int off = s.length - suffix.length;
    if (off < 0) {
      return false;
    }
    for (int i = 0; i < suffix.length; i++) {
      if (s[off + i] != suffix[i]) {
        return false;
      }
    }
    return true;
  }
}
