package dev.socibuilder.soci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.ztoc.FileMetadata;
import dev.socibuilder.ztoc.Xattr;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptimizationTest {
  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A TOC entry named {@code name} with PAX records {@code key, value, ...}. */
  static FileMetadata entry(String name, String... pax) {
    List<Xattr> records = new ArrayList<>();
    for (int i = 0; i < pax.length; i += 2) {
      records.add(new Xattr(b(pax[i]), b(pax[i + 1])));
    }
    return new FileMetadata(b(name), "reg", 512, 0, b(""), 0644, 0, 0, b(""), b(""), b(""), 0, 0, records);
  }

  @Test
  void parsesSocisNameExactly() {
    assertThat(Optimization.parse("xattr")).isEqualTo(Optimization.XATTR);
    assertThat(Optimization.XATTR.sociName()).isEqualTo("xattr");
    assertThatThrownBy(() -> Optimization.parse("XATTR")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown optimization 'XATTR' (valid: xattr)");
    assertThatThrownBy(() -> Optimization.parse(" xattr")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void xattrsCanBeDisabledWhenNoEntryHasASchilyXattrRecordOrIsAnOpaqueWhiteout() {
    assertThat(Optimization.shouldDisableXattrs(List.of())).isTrue();
    assertThat(Optimization.shouldDisableXattrs(List.of(entry("dir/"), entry("dir/file"),
        entry("dir/.wh.deleted"), entry("dir/.wh..wh..opq.not-at-the-end"),
        entry("long", "path", "long/name", "mtime", "1.5", "LIBARCHIVE.xattr.user.a", "x", "SCHILY.xattrs", "y",
            "schily.xattr.user.a", "z")))).isTrue();
  }

  @Test
  void aSchilyXattrRecordOnAnyEntryKeepsXattrs() {
    assertThat(Optimization.shouldDisableXattrs(List.of(entry("a"), entry("b", "SCHILY.xattr.user.a", "1"))))
        .isFalse();
    assertThat(Optimization.shouldDisableXattrs(List.of(entry("b", "SCHILY.xattr.security.capability", ""))))
        .isFalse();
    // soci strips the prefix and counts what is left, even an empty name.
    assertThat(Optimization.shouldDisableXattrs(List.of(entry("b", "SCHILY.xattr.", "v")))).isFalse();
  }

  @Test
  void anOpaqueWhiteoutKeepsXattrs() {
    assertThat(Optimization.shouldDisableXattrs(List.of(entry("etc/"), entry("etc/.wh..wh..opq")))).isFalse();
    assertThat(Optimization.shouldDisableXattrs(List.of(entry(".wh..wh..opq")))).isFalse();
    assertThat(Optimization.shouldDisableXattrs(List.of(entry("etc.wh..wh..opq")))).isFalse();
  }
}
