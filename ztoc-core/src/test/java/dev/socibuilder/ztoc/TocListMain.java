package dev.socibuilder.ztoc;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.StringJoiner;

/**
 * The TOC our zTOC build records for each gzip tar given, one line per entry in the format of {@code tarlist.go}
 * (what soci's TOC builder takes from Go's {@code archive/tar}), for {@code src/test/differential/tar-vs-go.sh}.
 * A layer the build rejects is one {@code ERR} line (the two sides' messages are not compared). Not a test.
 */
public final class TocListMain {
  private TocListMain() {}

  public static void main(String[] args) throws IOException {
    HexFormat hex = HexFormat.of();
    PrintStream out = new PrintStream(new BufferedOutputStream(System.out), false);
    ZtocBuilder builder = ZtocBuilder.of(1 << 16, ZtocBuilder.SOCI_CLI_BUILD_TOOL, ZoneOffset.UTC);
    for (String layer : args) {
      out.println("CASE " + layer);
      try (InputStream in = Files.newInputStream(Path.of(layer))) {
        // Unchecked: the reader's own checks (entries in order, no overlap) are not soci's builder's.
        Ztoc z = ZtocCodec.decodeUnchecked(builder.build(in, CompressionAlgorithm.GZIP).bytes());
        for (FileMetadata f : z.toc()) {
          StringJoiner pax = new StringJoiner(",");
          for (Xattr x : f.xattrs()) {
            pax.add(hex.formatHex(x.key()) + "=" + hex.formatHex(x.value()));
          }
          out.println(String.join(" ", "E", hex.formatHex(f.name()), f.type(), Long.toString(f.uncompressedOffset()),
              Long.toString(f.uncompressedSize()), hex.formatHex(f.linkname()), Long.toString(f.mode()),
              Integer.toUnsignedString(f.uid()), Integer.toUnsignedString(f.gid()), hex.formatHex(f.uname()),
              hex.formatHex(f.gname()), hex.formatHex(f.modTime()), Long.toString(f.devMajor()),
              Long.toString(f.devMinor()), "[" + pax + "]"));
        }
        out.println("END " + z.uncompressedArchiveSize());
      } catch (IOException | RuntimeException e) {
        out.println("ERR " + e.getClass().getSimpleName() + " " + e.getMessage());
      }
    }
    out.flush();
  }
}
