package dev.socibuilder.ztoc;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.layer.LayerDataException;
import dev.socibuilder.ztoc.flatbuffers.FlatBufferBuilder.ByteFiller;
import dev.socibuilder.ztoc.inflate.CheckpointingInflater;
import dev.socibuilder.ztoc.tar.GoTime;
import dev.socibuilder.ztoc.tar.TarEntry;
import dev.socibuilder.ztoc.tar.TarScanner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;

/**
 * Builds the zTOC of one layer in a single streaming pass, byte-identical to the soci CLI's.
 *
 * <p>The layer is read exactly once and never buffered whole: the compressed bytes go through the
 * span digests ({@link SpanHasher}) into the checkpointing inflater, whose output feeds a
 * header-only tar scanner. soci reads the layer three times (zlib checkpoints, Go tar, span digests);
 * the result is the same.
 *
 * <p>Memory is proportional to the zTOC, whatever the layer's size: the TOC entries are kept packed
 * ({@link TocRecords}) and the checkpoint windows deflated until the end, when the zTOC is encoded into
 * one array of its exact size. At its peak a build holds about twice the zTOC. {@link ZtocLimits} bound
 * what a hostile layer can make it hold: the entry count, the PAX bytes, the zTOC size (checked as the
 * layer is read, not only at the end) and the span size.
 *
 * <p>Instances are immutable and thread-safe; each {@link #build} call is independent.
 */
public final class ZtocBuilder {
  /** soci's default span size (4 MiB, {@code 1 << 22}). */
  public static final long DEFAULT_SPAN_SIZE = 1L << 22;
  /** The build tool identifier the soci CLI writes since v0.10.0. */
  public static final String SOCI_CLI_BUILD_TOOL = "AWS SOCI CLI v0.2";
  /** The zTOC format version soci has always written. */
  public static final String ZTOC_VERSION = "0.9";

  private final long spanSize;
  private final byte[] buildTool;
  private final ZoneId zone;
  private final ZtocLimits limits;

  private ZtocBuilder(long spanSize, byte[] buildTool, ZoneId zone, ZtocLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
    limits.checkSpanSize(spanSize);
    this.spanSize = spanSize;
    this.buildTool = buildTool;
    this.zone = Objects.requireNonNull(zone, "zone");
  }

  /**
   * @param spanSize uncompressed bytes per span (soci's {@code --span-size}, default 4 MiB)
   * @param buildToolIdentifier written into the zTOC (soci writes {@link #SOCI_CLI_BUILD_TOOL})
   * @param zone the time zone of {@code mod_time} texts; soci uses the process's local zone, reference
   *     runs use UTC
   * @param limits what one build may hold
   * @throws IllegalArgumentException if {@code spanSize} is below {@link ZtocLimits#minSpanSize()}
   */
  public static ZtocBuilder of(long spanSize, String buildToolIdentifier, ZoneId zone, ZtocLimits limits) {
    return new ZtocBuilder(spanSize, buildToolIdentifier.getBytes(StandardCharsets.UTF_8), zone, limits);
  }

  /** {@link #of(long, String, ZoneId, ZtocLimits)} with {@link ZtocLimits#DEFAULTS}. */
  public static ZtocBuilder of(long spanSize, String buildToolIdentifier, ZoneId zone) {
    return of(spanSize, buildToolIdentifier, zone, ZtocLimits.DEFAULTS);
  }

  /** Span 4 MiB, the given build tool identifier, UTC. */
  public static ZtocBuilder of(String buildToolIdentifier) {
    return of(DEFAULT_SPAN_SIZE, buildToolIdentifier, ZoneOffset.UTC);
  }

  public long spanSize() {
    return spanSize;
  }

  /** The limits of each build. */
  public ZtocLimits limits() {
    return limits;
  }

  /**
   * The result of one build: the zTOC's exact bytes and digest, the layer's size, and the zTOC's span
   * and entry counts. The layer's digest is not computed here (it would be one more hash of every byte
   * on the hot path): verify it in the stream you pass, as the registry client does.
   */
  public record Result(byte[] bytes, Digest ztocDigest, long layerSize, int spanCount, int tocEntries) {
    public Result {
      Objects.requireNonNull(bytes);
      Objects.requireNonNull(ztocDigest);
    }

    /**
     * The zTOC decoded from {@link #bytes()}. Each call decodes, and the model takes several times the
     * bytes' size: for tests and tools, not for the build path.
     */
    public Ztoc ztoc() {
      return ZtocCodec.decodeUnchecked(bytes);
    }
  }

  /**
   * Reads {@code layer} to its end once and returns its zTOC. Does not close {@code layer}.
   *
   * @throws LayerDataException if the layer is not a valid gzip (or raw) tar; nothing is returned
   * @throws ZtocLimitException if the zTOC would pass one of the {@link #limits()}
   * @throws IOException if reading {@code layer} fails
   */
  public Result build(InputStream layer, CompressionAlgorithm compression) throws IOException {
    SpanHasher hashed = new SpanHasher(layer);
    TocRecords toc = new TocRecords(limits);
    hashed.onCheckpoint(() -> toc.spanAdded(compression == CompressionAlgorithm.GZIP));
    long tarSize;
    GzipZinfo.Writer checkpoints = null;
    if (compression == CompressionAlgorithm.GZIP) {
      GzipZinfo.Writer zinfo = new GzipZinfo.Writer(spanSize);
      byte[] window = new byte[32768];
      CheckpointRule rule = new CheckpointRule();
      CheckpointingInflater[] ref = new CheckpointingInflater[1];
      CheckpointingInflater inflater =
          CheckpointingInflater.gzip(
              hashed,
              (bitOffset, out, finalBlock) -> {
                if (rule.accept(out, finalBlock)) {
                  long in = (bitOffset + 7) >>> 3;
                  int bits = (int) ((in << 3) - bitOffset);
                  ref[0].copyWindow(window, 0);
                  zinfo.add(in, out, bits, window, 0);
                  hashed.checkpoint(in, bits);
                }
              });
      ref[0] = inflater;
      hashed.trackDecoder(inflater::compressedBitPosition);
      try {
        tarSize = scan(inflater, toc);
        // soci's zlib pass reads the whole stream: later members, trailers and CRCs must be valid
        // even though the tar ended.
        inflater.drain();
      } catch (LayerDataException e) {
        throw e.withCompressedOffset(inflater.compressedBitPosition() >>> 3);
      }
      checkpoints = zinfo;
    } else {
      hashed.useFixedSpans(spanSize);
      tarSize = scan(hashed, toc);
    }
    List<Digest> spans = hashed.finish();
    long layerSize = hashed.bytesRead();
    ZtocCodec.Parts parts;
    if (checkpoints != null) {
      parts = parts(layerSize, tarSize, toc, compression, spans, checkpoints.blobSize(), checkpoints::writeBlob);
    } else {
      byte[] tarZinfo = new TarZinfo(2, spanSize, layerSize).encode();
      parts = parts(layerSize, tarSize, toc, compression, spans, tarZinfo.length,
          (dst, off) -> System.arraycopy(tarZinfo, 0, dst, off, tarZinfo.length));
    }
    byte[] bytes = ZtocCodec.encode(parts, limits.maxZtocBytes());
    return new Result(bytes, Digest.sha256Of(bytes), layerSize, spans.size(), toc.size());
  }

  private ZtocCodec.Parts parts(long layerSize, long tarSize, TocRecords toc, CompressionAlgorithm compression,
      List<Digest> spans, long checkpointsLength, ByteFiller fill) {
    return new ZtocCodec.Parts(ZTOC_VERSION.getBytes(StandardCharsets.UTF_8), buildTool, layerSize, tarSize, toc,
        compression, spans.size() - 1, spans, checkpointsLength, fill);
  }

  private long scan(InputStream tarStream, TocRecords toc) throws IOException {
    TarScanner scanner = new TarScanner(tarStream);
    for (TarEntry e = scanner.next(); e != null; e = scanner.next()) {
      toc.add(e, GoTime.marshalText(e.modTimeSeconds(), e.modTimeNanos(), zone));
    }
    return scanner.position();
  }

  /**
   * zran's rule as soci runs it (soci-format.md §4.1): a checkpoint at a boundary that did not end the
   * final block, when nothing was output yet or strictly more than a span was output since the last
   * checkpoint. {@code last} moves only when a checkpoint is taken.
   */
  private final class CheckpointRule {
    private long last;

    boolean accept(long out, boolean finalBlock) {
      if (!finalBlock && (out == 0 || out - last > spanSize)) {
        last = out;
        return true;
      }
      return false;
    }
  }
}
