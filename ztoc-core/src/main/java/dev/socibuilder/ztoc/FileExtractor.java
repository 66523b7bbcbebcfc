package dev.socibuilder.ztoc;

import dev.socibuilder.layer.LayerDataException;
import dev.socibuilder.ztoc.inflate.CheckpointingInflater;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Extracts one file from a layer using only its zTOC and the spans the file lies in, as a lazy-loading
 * runtime does: it resumes decompression at the checkpoint of the file's first span (soci-format.md
 * §4.4) instead of inflating the layer from its start.
 */
public final class FileExtractor {
  private FileExtractor() {}

  /** Random access to the layer blob as stored (a file, or HTTP range requests). */
  @FunctionalInterface
  public interface LayerSource {
    /** Returns the layer's bytes from {@code offset} to its end; the caller closes the stream. */
    InputStream openAt(long offset) throws IOException;
  }

  /**
   * The first TOC entry named {@code path} (soci's {@code get-file} takes the first match). A leading
   * {@code /} in {@code path} is also tried without it, since layer entries are relative.
   */
  public static Optional<FileMetadata> find(Ztoc ztoc, String path) {
    byte[] want = path.getBytes(StandardCharsets.UTF_8);
    Optional<FileMetadata> found = find(ztoc, want);
    if (found.isEmpty() && path.startsWith("/")) {
      found = find(ztoc, path.substring(1).getBytes(StandardCharsets.UTF_8));
    }
    return found;
  }

  /** The first TOC entry whose raw name equals {@code name}. */
  public static Optional<FileMetadata> find(Ztoc ztoc, byte[] name) {
    for (FileMetadata m : ztoc.toc()) {
      if (Arrays.equals(m.name(), name)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  /** The file's content, read through the zTOC's checkpoints. */
  public static byte[] extract(Ztoc ztoc, LayerSource layer, FileMetadata file) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(file.uncompressedSize(), 1 << 20));
    extract(ztoc, layer, file, out);
    return out.toByteArray();
  }

  /**
   * Writes the file's content to {@code out} (not closed), streaming: nothing is held but small buffers.
   *
   * @throws InvalidZtocException if the entry or its span's checkpoint cannot be right (a negative size
   *     or offset, a checkpoint after the file or outside the layer, more than 7 bits): a corrupt or
   *     tampered zTOC, which soci's own validation does not catch
   * @throws LayerDataException if the layer's data there does not inflate
   */
  public static void extract(Ztoc ztoc, LayerSource layer, FileMetadata file, OutputStream out)
      throws IOException {
    long offset = file.uncompressedOffset();
    long size = file.uncompressedSize();
    if (offset < 0 || size < 0) {
      throw new InvalidZtocException("invalid toc entry: '" + file.nameString() + "' has offset " + offset
          + " and size " + size);
    }
    if (size == 0) {
      return;
    }
    CompressionInfo ci = ztoc.compressionInfo();
    if (ci.algorithm() == CompressionAlgorithm.UNCOMPRESSED) {
      try (InputStream in = layer.openAt(offset)) {
        copy(in, out, size, offset);
      }
      return;
    }
    GzipZinfo zinfo = GzipZinfo.parse(ci.checkpoints());
    int span = zinfo.spanOf(offset);
    checkCheckpoint(zinfo, span, offset, ztoc.compressedArchiveSize());
    byte[] window = new byte[32768];
    zinfo.copyWindow(span, window, 0);
    long start = zinfo.spanCompressedStart(span);
    try (InputStream compressed = layer.openAt(start);
        CheckpointingInflater in =
            CheckpointingInflater.resumeGzip(
                compressed, start, zinfo.bits(span), window, zinfo.out(span), null)) {
      long skip = offset - zinfo.out(span);
      while (skip > 0) {
        long n = in.skip(skip);
        if (n <= 0) {
          throw new LayerDataException(
              "layer ends before the file's data", start, zinfo.out(span) + (offset - zinfo.out(span) - skip));
        }
        skip -= n;
      }
      copy(in, out, size, offset);
    }
  }

  /** The checks {@link CheckpointingInflater#resumeGzip} would otherwise fail with an argument error. */
  private static void checkCheckpoint(GzipZinfo zinfo, int span, long offset, long layerSize) {
    int bits = zinfo.bits(span);
    long in = zinfo.in(span);
    long start = zinfo.spanCompressedStart(span);
    long out = zinfo.out(span);
    String problem = null;
    if (bits > 7) {
      problem = "has " + bits + " bits (at most 7)";
    } else if (start < 0 || (bits != 0 && in <= 1) || in > layerSize) {
      problem = "is at compressed offset " + in + ", outside the " + layerSize + "-byte layer";
    } else if (out < 0 || out > offset) {
      problem = "is at uncompressed offset " + out + ", after the file's data at " + offset;
    }
    if (problem != null) {
      throw new InvalidZtocException("invalid checkpoint: checkpoint " + span + " " + problem);
    }
  }

  private static void copy(InputStream in, OutputStream out, long size, long offset)
      throws IOException {
    byte[] buf = new byte[(int) Math.min(size, 1 << 16)];
    long left = size;
    while (left > 0) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        throw new LayerDataException(
            "layer ends inside the file's data", -1, offset + (size - left));
      }
      out.write(buf, 0, n);
      left -= n;
    }
  }
}
