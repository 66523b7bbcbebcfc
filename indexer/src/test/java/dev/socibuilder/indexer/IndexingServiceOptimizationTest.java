package dev.socibuilder.indexer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.indexer.IndexReport.Outcome;
import dev.socibuilder.indexer.IndexReport.ZtocReport;
import dev.socibuilder.indexer.IndexReport.ZtocSource;
import dev.socibuilder.indexer.cache.DirectoryZtocCache;
import dev.socibuilder.indexer.store.LayoutImageStore;
import dev.socibuilder.indexer.store.OciLayout;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.soci.Optimization;
import dev.socibuilder.soci.SociIndex;
import dev.socibuilder.testing.tar.UstarHeader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * soci's {@code --optimizations xattr} through the indexing service, on OCI layouts holding generated PAX
 * tar layers: which zTOC descriptors get {@code com.amazon.soci.disable-xattrs}, the exact index bytes,
 * the same decision for zTOCs reused from the cache, and which existing indexes match.
 */
class IndexingServiceOptimizationTest {
  static final String TOOL = "soci-index-builder test";
  static final String GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
  static final long SPAN = 1 << 20;

  @TempDir
  Path tmp;

  static IndexOptions options(boolean xattr) {
    return IndexOptions.defaults(TOOL).withMinLayerSize(0).withSpanSize(SPAN).withParallelism(2)
        .withOptimizations(xattr ? Set.of(Optimization.XATTR) : Set.of());
  }

  // ------------------------------------------------------------------ generated layers

  /** A tar entry: a regular file or directory ({@code name} ending in /) with PAX records (maybe none). */
  record Entry(String name, String content, Map<String, String> pax) {
    static Entry file(String name, String content, String... pax) {
      Map<String, String> records = new LinkedHashMap<>();
      for (int i = 0; i < pax.length; i += 2) {
        records.put(pax[i], pax[i + 1]);
      }
      return new Entry(name, content, records);
    }
  }

  /** A POSIX (PAX) tar of {@code entries}, gzipped. */
  static byte[] layer(Entry... entries) {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    int n = 0;
    for (Entry e : entries) {
      if (!e.pax().isEmpty()) {
        StringBuilder records = new StringBuilder();
        e.pax().forEach((k, v) -> records.append(paxRecord(k, v)));
        byte[] body = records.toString().getBytes(StandardCharsets.UTF_8);
        writeEntry(tar, "PaxHeaders/" + n++, 'x', body);
      }
      boolean dir = e.name().endsWith("/");
      writeEntry(tar, e.name(), dir ? '5' : '0', e.content().getBytes(StandardCharsets.UTF_8));
    }
    tar.writeBytes(new byte[1024]);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(tar.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return gz.toByteArray();
  }

  /** {@code "<len> key=value\n"}, the length counting itself. */
  static String paxRecord(String key, String value) {
    String rest = " " + key + "=" + value + "\n";
    int len = rest.getBytes(StandardCharsets.UTF_8).length;
    int total = len + String.valueOf(len).length();
    if (String.valueOf(total).length() != String.valueOf(len).length()) {
      total++;
    }
    return total + rest;
  }

  static void writeEntry(ByteArrayOutputStream tar, String name, char type, byte[] body) {
    // A name longer than 100 bytes is cut here; the whole one is in the PAX path record.
    tar.writeBytes(UstarHeader.of(name, body.length, type, type == '5' ? 0755 : 0644, 01750, UstarHeader.DEFAULT_MTIME,
        "builder"));
    tar.writeBytes(body);
    tar.writeBytes(new byte[(512 - body.length % 512) % 512]);
  }

  /** A single-platform OCI layout tagged {@code v1} with {@code layers}. */
  static OciLayout image(Path dir, byte[]... layers) {
    OciLayout layout = OciLayout.create(dir);
    StringBuilder layerJson = new StringBuilder();
    for (byte[] l : layers) {
      Descriptor d = layout.writeBlob(GZIP, l);
      layerJson.append(layerJson.length() == 0 ? "" : ",")
          .append("{\"mediaType\":\"" + GZIP + "\",\"digest\":\"" + d.digest() + "\",\"size\":" + d.size() + "}");
    }
    Descriptor config = layout.writeBlob("application/vnd.oci.image.config.v1+json",
        "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
            .getBytes(StandardCharsets.UTF_8));
    String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + config.digest()
        + "\",\"size\":" + config.size() + "},\"layers\":[" + layerJson + "]}";
    Descriptor m = layout.writeBlob("application/vnd.oci.image.manifest.v1+json",
        manifest.getBytes(StandardCharsets.UTF_8));
    layout.tag("v1", m);
    return layout;
  }

  /** No xattrs: plain files and a directory, with PAX records that are not xattrs (a long path, a time). */
  static final byte[] PLAIN = layer(
      Entry.file("app/", ""),
      Entry.file("app/" + "very-long-name-".repeat(8) + ".txt", "long", "path",
          "app/" + "very-long-name-".repeat(8) + ".txt", "mtime", "1700000000.5"),
      Entry.file("app/run.sh", "#!/bin/sh\necho hi\n", "LIBARCHIVE.xattr.user.x", "bm90IGEgU0NISUxZIG9uZQ"));
  /** One file with a SCHILY.xattr record (a file capability). */
  static final byte[] WITH_XATTR = layer(
      Entry.file("bin/", ""),
      Entry.file("bin/ping", "ELF", "SCHILY.xattr.user.mime_type", "application/x-executable"));
  /** An opaque-directory whiteout and no xattr record. */
  static final byte[] WITH_OPAQUE = layer(
      Entry.file("etc/", ""),
      Entry.file("etc/.wh..wh..opq", ""),
      Entry.file("etc/hosts", "127.0.0.1 localhost\n"));

  static String digest(byte[] b) {
    return Digest.sha256Of(b).toString();
  }

  static IndexReport index(OciLayout layout, IndexOptions options, DirectoryZtocCache cache) {
    return new IndexingService(options, null, cache).index(new LayoutImageStore(layout), "v1", null);
  }

  static String sociIndex(OciLayout layout, IndexReport r) {
    byte[] b = layout.readBlob(Digest.parse(r.platforms().get(0).sociIndexDigest()));
    return new String(b, StandardCharsets.UTF_8);
  }

  /**
   * The v2 SOCI index soci writes for these layers, written out from soci-format.md §5.1: compact, fields in
   * Go's order, the annotations of each zTOC descriptor sorted bytewise, {@code disable-xattrs} first where
   * it applies; the zTOC digests and sizes are the ones the run reported.
   */
  static String expectedIndex(List<ZtocReport> ztocs, List<Boolean> disable) {
    StringBuilder sb = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        + "\"config\":{\"mediaType\":\"application/vnd.amazon.soci.index.v2+json\",\"digest\":\"sha256:"
        + "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":2},\"layers\":[");
    for (int i = 0; i < ztocs.size(); i++) {
      ZtocReport z = ztocs.get(i);
      sb.append(i == 0 ? "" : ",").append("{\"mediaType\":\"application/octet-stream\",\"digest\":\"")
          .append(z.ztocDigest()).append("\",\"size\":").append(z.ztocSize()).append(",\"annotations\":{")
          .append(disable.get(i) ? "\"com.amazon.soci.disable-xattrs\":\"true\"," : "")
          .append("\"com.amazon.soci.image-layer-digest\":\"").append(z.layerDigest())
          .append("\",\"com.amazon.soci.image-layer-mediaType\":\"").append(GZIP)
          .append("\",\"com.amazon.soci.span-size\":\"1048576\"}}");
    }
    return sb.append("],\"annotations\":{\"com.amazon.soci.build-tool-identifier\":\"").append(TOOL)
        .append("\"}}").toString();
  }

  // ------------------------------------------------------------------ tests

  @Test
  void onlyLayersWithoutXattrRecordsOrOpaqueWhiteoutsAreMarked() {
    OciLayout layout = image(tmp.resolve("img"), PLAIN, WITH_XATTR, WITH_OPAQUE);

    IndexReport r = index(layout, options(true), null);

    assertThat(r.outcome()).isEqualTo(Outcome.INDEXED);
    List<ZtocReport> ztocs = r.platforms().get(0).ztocs();
    assertThat(ztocs).extracting(ZtocReport::layerDigest)
        .containsExactly(digest(PLAIN), digest(WITH_XATTR), digest(WITH_OPAQUE));
    String bytes = sociIndex(layout, r);
    assertThat(bytes).isEqualTo(expectedIndex(ztocs, List.of(true, false, false)));
    assertThat(SociIndex.survivesSnapshotterRoundTrip(bytes.getBytes(StandardCharsets.UTF_8))).isTrue();
  }

  @Test
  void withoutTheOptimizationNoLayerIsMarked() {
    OciLayout layout = image(tmp.resolve("img"), PLAIN, WITH_XATTR, WITH_OPAQUE);

    IndexReport r = index(layout, options(false), null);

    assertThat(sociIndex(layout, r)).isEqualTo(expectedIndex(r.platforms().get(0).ztocs(), List.of(false, false, false)))
        .doesNotContain("disable-xattrs");
  }

  @Test
  void zTocsReusedFromTheCacheGetTheSameDecision() {
    DirectoryZtocCache cache = new DirectoryZtocCache(tmp.resolve("cache"));
    index(image(tmp.resolve("first"), PLAIN, WITH_XATTR, WITH_OPAQUE), options(false), cache);
    OciLayout layout = image(tmp.resolve("second"), PLAIN, WITH_XATTR, WITH_OPAQUE);

    IndexReport r = index(layout, options(true), cache);

    List<ZtocReport> ztocs = r.platforms().get(0).ztocs();
    assertThat(ztocs).extracting(ZtocReport::source).containsOnly(ZtocSource.CACHED);
    assertThat(sociIndex(layout, r)).isEqualTo(expectedIndex(ztocs, List.of(true, false, false)));
  }

  @Test
  void anExistingIndexMatchesOnlyARequestWithTheSameOptimization() {
    OciLayout layout = image(tmp.resolve("img"), PLAIN, WITH_XATTR, WITH_OPAQUE);
    List<Outcome> outcomes = new ArrayList<>();

    outcomes.add(index(layout, options(false), null).outcome()); // builds
    outcomes.add(index(layout, options(false), null).outcome()); // the same: found
    outcomes.add(index(layout, options(true), null).outcome()); // its PLAIN zTOC lacks the mark: rebuilt
    outcomes.add(index(layout, options(true), null).outcome()); // found (the unmarked zTOCs are read: xattrs)
    outcomes.add(index(layout, options(false), null).outcome()); // PLAIN is marked: rebuilt

    assertThat(outcomes).containsExactly(Outcome.INDEXED, Outcome.ALREADY_INDEXED, Outcome.INDEXED,
        Outcome.ALREADY_INDEXED, Outcome.INDEXED);
  }

  @Test
  void anIndexOfLayersThatAllHaveXattrsIsTheSameWithOrWithoutTheOptimization() {
    OciLayout layout = image(tmp.resolve("img"), WITH_XATTR, WITH_OPAQUE);

    IndexReport without = index(layout, options(false), null);
    IndexReport with = index(layout, options(true), null);

    assertThat(with.outcome()).isEqualTo(Outcome.ALREADY_INDEXED);
    assertThat(with.platforms().get(0).sociIndexDigest()).isEqualTo(without.platforms().get(0).sociIndexDigest());
  }
}
