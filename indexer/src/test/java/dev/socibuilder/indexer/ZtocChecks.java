package dev.socibuilder.indexer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.ztoc.CompressionAlgorithm;
import dev.socibuilder.ztoc.FileExtractor;
import dev.socibuilder.ztoc.FileMetadata;
import dev.socibuilder.ztoc.Ztoc;
import dev.socibuilder.ztoc.ZtocCodec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Checks a pushed zTOC the way a lazy-loading runtime uses it: decode it, then extract regular files
 * through its checkpoints (reading the layer from an offset), and compare them with the files read
 * independently from the layer by {@link GZIPInputStream} and a minimal tar reader.
 */
public final class ZtocChecks {
  private ZtocChecks() {}

  /**
   * Asserts that {@code ztocBytes} describes {@code layer} (a gzip tar) and that every regular file of
   * the layer is extracted through the zTOC with the right content.
   *
   * @return how many extracted files crossed at least one checkpoint (so spans other than a file's
   *     first one were used)
   */
  public static int assertExtractsEveryFile(byte[] ztocBytes, byte[] layer, long spanSize) {
    Ztoc ztoc = ZtocCodec.decode(ztocBytes);
    assertThat(ztoc.compressionInfo().algorithm()).isEqualTo(CompressionAlgorithm.GZIP);
    assertThat(ztoc.compressedArchiveSize()).isEqualTo(layer.length);
    List<Long> checkpointOuts = gzipCheckpointOuts(ztoc.compressionInfo().checkpoints());
    assertThat(checkpointOuts).hasSize(ztoc.compressionInfo().spanDigests().size());
    assertThat(ztoc.compressionInfo().maxSpanId()).isEqualTo(checkpointOuts.size() - 1);
    // More than span bytes between checkpoints is what soci's rule allows; never fewer than one per span.
    assertThat((long) checkpointOuts.size()).isGreaterThanOrEqualTo(ztoc.uncompressedArchiveSize() / spanSize);

    Map<String, byte[]> expected = regularFiles(gunzip(layer));
    assertThat(expected).isNotEmpty();
    int crossing = 0;
    for (Map.Entry<String, byte[]> e : expected.entrySet()) {
      FileMetadata m = FileExtractor.find(ztoc, e.getKey())
          .orElseThrow(() -> new AssertionError("zTOC has no entry " + e.getKey()));
      assertThat(m.type()).isEqualTo("reg");
      assertThat(m.uncompressedSize()).isEqualTo(e.getValue().length);
      byte[] got;
      try {
        got = FileExtractor.extract(ztoc, offset -> from(layer, offset), m);
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
      assertThat(got).as("content of %s extracted through the zTOC", e.getKey()).isEqualTo(e.getValue());
      long start = m.uncompressedOffset();
      long end = start + m.uncompressedSize();
      if (checkpointOuts.stream().anyMatch(out -> out > start && out < end)) {
        crossing++;
      }
    }
    return crossing;
  }

  /** Asserts the span digests are the sha256 of the layer's compressed span ranges (§4.4). */
  public static void assertSpanDigestsMatch(byte[] ztocBytes, byte[] layer) {
    Ztoc ztoc = ZtocCodec.decode(ztocBytes);
    byte[] blob = ztoc.compressionInfo().checkpoints();
    ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
    int n = b.getInt(0);
    List<Digest> digests = ztoc.compressionInfo().spanDigests();
    for (int i = 0; i < n; i++) {
      int at = 12 + i * 32785;
      long in = b.getLong(at);
      int bits = blob[at + 16] & 0xff;
      long startOff = in - (bits != 0 ? 1 : 0);
      long endOff = i + 1 < n ? b.getLong(at + 32785) : layer.length;
      byte[] span = Arrays.copyOfRange(layer, (int) startOff, (int) endOff);
      assertThat(digests.get(i)).as("span %d digest", i).isEqualTo(Digest.sha256Of(span));
    }
  }

  /** The {@code out} field of each checkpoint of a gzip zinfo v2 blob (soci-format.md §4.3). */
  public static List<Long> gzipCheckpointOuts(byte[] blob) {
    ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
    int n = b.getInt(0);
    assertThat(blob.length).isEqualTo(12 + 32785 * n);
    List<Long> outs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      outs.add(b.getLong(12 + i * 32785 + 8));
    }
    return outs;
  }

  private static InputStream from(byte[] layer, long offset) {
    return new ByteArrayInputStream(layer, (int) offset, layer.length - (int) offset);
  }

  public static byte[] gunzip(byte[] gz) {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Regular files of a ustar archive (no PAX, no GNU long names: what the test images contain). */
  public static Map<String, byte[]> regularFiles(byte[] tar) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    int pos = 0;
    while (pos + 512 <= tar.length) {
      if (isZero(tar, pos)) {
        break;
      }
      String name = field(tar, pos, 100);
      String prefix = field(tar, pos + 345, 155);
      if (!prefix.isEmpty()) {
        name = prefix + "/" + name;
      }
      long size = Long.parseLong(field(tar, pos + 124, 12).trim(), 8);
      char type = (char) tar[pos + 156];
      int data = pos + 512;
      if (type == '0' || type == '\0') {
        files.put(name, Arrays.copyOfRange(tar, data, data + (int) size));
      }
      pos = data + (int) ((size + 511) / 512 * 512);
    }
    return files;
  }

  private static boolean isZero(byte[] b, int off) {
    for (int i = off; i < off + 512; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static String field(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.US_ASCII);
  }
}
