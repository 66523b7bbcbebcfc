package dev.socibuilder.ztoc.tar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socibuilder.layer.LayerDataException;
import dev.socibuilder.testing.conformance.ConformanceCorpus;
import dev.socibuilder.testing.conformance.ConformanceCorpus.Case;
import dev.socibuilder.testing.conformance.ConformanceCorpus.InfoFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the scanner over every layer of the conformance corpus and compares it with soci's own
 * output: the expected zTOC's file metadata (every field, byte for byte, mod_time through
 * {@link GoTime} in UTC as the corpus was built), its {@code uncompressed_archive_size}, the
 * {@code info.json} file list, and the error words of the tar error cases.
 *
 * <p>Layers are inflated with {@link GZIPInputStream}. Cases whose gzip stream it cannot read (the
 * corpus's deliberately broken gzip streams, which fail as zlib errors in soci before the tar
 * reader runs) are not run here: they belong to the inflater's tests.
 */
class TarScannerConformanceTest {

  @TestFactory
  Stream<DynamicTest> everyCaseMatchesSoci() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Case c : ConformanceCorpus.cases()) {
      if (c.ok() || isTarError(c.errorReason())) {
        tests.add(DynamicTest.dynamicTest(c.name(), () -> check(c)));
      }
      // Broken gzip streams are not tar cases: the inflater's and the builder's tests cover them.
    }
    return tests.stream();
  }

  private static void check(Case c) throws IOException {
    String name = c.name();
    byte[] layer = ConformanceCorpus.layerBytes(c);
    boolean gzip = c.gzip();
    String reason = c.errorReason();
    if ("error".equals(c.expect())) {
      byte[] tar = inflate(layer, gzip);
      TarScanner scanner = new TarScanner(new ByteArrayInputStream(tar));
      LayerDataException failure = null;
      try {
        while (scanner.next() != null) {
          // scan to the failure
        }
      } catch (LayerDataException e) {
        failure = e;
      }
      assertThat(failure).as("a tar failure").isNotNull();
      assertThat(failure.problem()).isEqualTo(reason);
      assertThat(failure.uncompressedOffset()).isEqualTo(scanner.position());
      return;
    }

    byte[] tar = inflate(layer, gzip);
    TarScanner scanner = new TarScanner(new ByteArrayInputStream(tar));
    List<TarEntry> entries = new ArrayList<>();
    for (TarEntry e; (e = scanner.next()) != null; ) {
      entries.add(e);
    }
    assertThat(scanner.next()).as("stays at end").isNull();
    assertThat(entries).hasSize(c.numFiles());
    assertThat(scanner.position())
        .as("uncompressed_archive_size")
        .isEqualTo(c.uncompressedArchiveSize().longValue());

    byte[] ztoc = ConformanceCorpus.expectedZtoc(c);
    assertThat(scanner.position()).isEqualTo(ZtocTocReader.uncompressedArchiveSize(ztoc));
    List<ZtocTocReader.Metadata> expected = ZtocTocReader.files(ztoc);
    assertThat(entries).hasSameSizeAs(expected);
    for (int i = 0; i < entries.size(); i++) {
      TarEntry e = entries.get(i);
      ZtocTocReader.Metadata m = expected.get(i);
      if (matches(e, m)) {
        continue; // the per-field assertions below are only there to explain a mismatch
      }
      String at = name + " entry " + i + " (" + m.type() + " " + goString(m.name()) + ")";
      assertThat(e.name()).as(at + " name").isEqualTo(m.name());
      assertThat(e.type()).as(at + " type").isEqualTo(m.type());
      assertThat(e.dataOffset()).as(at + " offset").isEqualTo(m.offset());
      assertThat(e.size()).as(at + " size").isEqualTo(m.size());
      assertThat(e.linkname()).as(at + " linkname").isEqualTo(m.linkname());
      assertThat(e.mode()).as(at + " mode").isEqualTo(m.mode());
      assertThat((int) e.uid()).as(at + " uid").isEqualTo(m.uid());
      assertThat((int) e.gid()).as(at + " gid").isEqualTo(m.gid());
      assertThat(e.uname()).as(at + " uname").isEqualTo(m.uname());
      assertThat(e.gname()).as(at + " gname").isEqualTo(m.gname());
      assertThat(goString(GoTime.marshalText(e.modTimeSeconds(), e.modTimeNanos(), ZoneOffset.UTC)))
          .as(at + " mod_time")
          .isEqualTo(goString(m.modTime()));
      assertThat(e.devMajor()).as(at + " devmajor").isEqualTo(m.devMajor());
      assertThat(e.devMinor()).as(at + " devminor").isEqualTo(m.devMinor());
      assertThat(e.paxRecords()).as(at + " xattrs").isEqualTo(m.xattrs());
    }

    // info.json is absent for the two cases soci's own Unmarshal rejects.
    if (c.readbackOk()) {
      List<InfoFile> files = ConformanceCorpus.expectedInfoFiles(c);
      assertThat(files).as("info.json of a readable case").isNotNull();
      assertThat(entries).hasSameSizeAs(files);
      for (int i = 0; i < files.size(); i++) {
        InfoFile f = files.get(i);
        TarEntry e = entries.get(i);
        if (goString(e.name()).equals(f.filename())
            && e.dataOffset() == f.offset()
            && e.size() == f.size()
            && e.type().equals(f.type())) {
          continue;
        }
        assertThat(goString(e.name())).isEqualTo(f.filename());
        assertThat(e.dataOffset()).isEqualTo(f.offset());
        assertThat(e.size()).isEqualTo(f.size());
        assertThat(e.type()).isEqualTo(f.type());
      }
    }
  }

  private static boolean matches(TarEntry e, ZtocTocReader.Metadata m) {
    return Arrays.equals(e.name(), m.name())
        && e.type().equals(m.type())
        && e.dataOffset() == m.offset()
        && e.size() == m.size()
        && Arrays.equals(e.linkname(), m.linkname())
        && e.mode() == m.mode()
        && (int) e.uid() == m.uid()
        && (int) e.gid() == m.gid()
        && Arrays.equals(e.uname(), m.uname())
        && Arrays.equals(e.gname(), m.gname())
        && Arrays.equals(
            GoTime.marshalText(e.modTimeSeconds(), e.modTimeNanos(), ZoneOffset.UTC), m.modTime())
        && e.devMajor() == m.devMajor()
        && e.devMinor() == m.devMinor()
        && e.paxRecords().equals(m.xattrs());
  }

  private static boolean isTarError(String reason) {
    return reason.startsWith("tar:") || reason.startsWith("unsupported");
  }

  private static byte[] inflate(byte[] layer, boolean gzip) {
    if (!gzip) {
      return layer;
    }
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(layer))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new AssertionError("GZIPInputStream cannot read the layer of a tar case: " + e, e);
    }
  }

  /** Decodes as Go does when it turns bytes into JSON text: each invalid byte becomes U+FFFD. */
  static String goString(byte[] b) {
    StringBuilder s = new StringBuilder();
    int i = 0;
    while (i < b.length) {
      int c = b[i] & 0xff;
      int n;
      int min;
      int cp;
      if (c < 0x80) {
        s.append((char) c);
        i++;
        continue;
      } else if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
        min = 0x80;
      } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
        min = 0x800;
      } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
        min = 0x10000;
      } else {
        s.append('\ufffd');
        i++;
        continue;
      }
      boolean ok = i + n <= b.length;
      for (int k = 1; ok && k < n; k++) {
        int cc = b[i + k] & 0xff;
        if ((cc & 0xc0) != 0x80) {
          ok = false;
        } else {
          cp = (cp << 6) | (cc & 0x3f);
        }
      }
      if (!ok || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        s.append('\ufffd');
        i++;
        continue;
      }
      s.appendCodePoint(cp);
      i += n;
    }
    return s.toString();
  }
}
