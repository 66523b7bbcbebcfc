package dev.socibuilder.ztoc;

import dev.socibuilder.digest.Digest;
import dev.socibuilder.layer.LayerDataException;
import dev.socibuilder.ztoc.flatbuffers.FlatBufferBuilder.ByteFiller;
import dev.socibuilder.ztoc.inflate.CheckpointingInflater;
import dev.socibuilder.ztoc.inflate.ParallelGzipInflater;
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
 * <p>A gzip layer is inflated on {@link #parallelism()} threads (by default the available
 * processors if there are four or more: {@link #defaultParallelism()}; callers that know the layer's
 * size use {@link #parallelismFor(long)}; {@link ParallelGzipInflater}), with the same bytes and faults as on one; the chunks in
 * flight then add up to 48 MiB, whatever the layer's size. In a heap smaller than {@link
 * #PARALLEL_MIN_HEAP} the calling thread inflates alone.
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

  /**
   * The smallest maximum heap in which a gzip layer is inflated on several threads: their chunks in
   * flight (48 MiB, plus a 4 MiB input copy per thread) must fit beside the zTOC and the caller's own
   * data. A 128 MiB heap (the aim) qualifies; smaller heaps build on one thread, in 64 MiB.
   */
  public static final long PARALLEL_MIN_HEAP = 112L << 20;

  /** The fewest available processors on which a layer of unknown size is inflated in parallel. */
  public static final int PARALLEL_MIN_PROCESSORS = 4;

  /** The smallest compressed layer inflated in parallel on {@link #PARALLEL_MIN_PROCESSORS} or more. */
  public static final long PARALLEL_MIN_LAYER_SIZE = 32L << 20;

  /** The smallest compressed layer inflated in parallel on two or three processors. */
  public static final long PARALLEL_MIN_LAYER_SIZE_FEW_CORES = 256L << 20;

  private final long spanSize;
  private final byte[] buildTool;
  private final ZoneId zone;
  private final ZtocLimits limits;
  private final int parallelism;
  private final int chunkSize;

  private ZtocBuilder(
      long spanSize, byte[] buildTool, ZoneId zone, ZtocLimits limits, int parallelism, int chunkSize) {
    this.limits = Objects.requireNonNull(limits, "limits");
    limits.checkSpanSize(spanSize);
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
    }
    this.spanSize = spanSize;
    this.buildTool = buildTool;
    this.zone = Objects.requireNonNull(zone, "zone");
    this.parallelism = parallelism;
    this.chunkSize = chunkSize;
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
    return new ZtocBuilder(spanSize, buildToolIdentifier.getBytes(StandardCharsets.UTF_8), zone, limits,
        defaultParallelism(), ParallelGzipInflater.DEFAULT_CHUNK_SIZE);
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
   * A builder that inflates one gzip layer on {@code threads} threads ({@link
   * ParallelGzipInflater}); the default is {@link #defaultParallelism()}. With 1 the layer is
   * inflated on the calling thread by the reference decoder. The zTOC bytes, and any fault, are the
   * same either way. The parallel build holds up to 48 MiB of chunks in flight (compressed and
   * decoded), whatever the layer's size; several builds at once each hold their own.
   */
  public ZtocBuilder withParallelism(int threads) {
    return new ZtocBuilder(spanSize, buildTool, zone, limits, threads, chunkSize);
  }

  /**
   * The threads a gzip layer of unknown size is inflated on by default: every available processor when
   * there are at least {@link #PARALLEL_MIN_PROCESSORS}, else one (see {@link #parallelismFor(long)}).
   */
  public static int defaultParallelism() {
    return parallelismFor(-1);
  }

  /**
   * The threads a gzip layer of {@code compressedSize} bytes (-1 if unknown) is best inflated on: every
   * available processor for a layer of at least {@link #PARALLEL_MIN_LAYER_SIZE} when there are {@link
   * #PARALLEL_MIN_PROCESSORS} or more, and for a layer of at least {@link #PARALLEL_MIN_LAYER_SIZE_FEW_CORES}
   * on two or three; else one. The parallel path starts slower: in a fresh JVM its decoders run
   * interpreted until compiled (the compiler takes a core's share too), and the first chunks are decoded
   * with markers for the unknown window. Once warm, two threads inflate 1.36 times as fast as one on two
   * processors; whole processes gain from about 200 MB of compressed layer there (bench/RESULTS.md).
   */
  public static int parallelismFor(long compressedSize) {
    int processors = Runtime.getRuntime().availableProcessors();
    if (processors >= PARALLEL_MIN_PROCESSORS) {
      return compressedSize < 0 || compressedSize >= PARALLEL_MIN_LAYER_SIZE ? processors : 1;
    }
    return processors > 1 && compressedSize >= PARALLEL_MIN_LAYER_SIZE_FEW_CORES ? processors : 1;
  }

  /**
   * The threads to inflate a gzip layer of {@code compressedSize} bytes (-1 if unknown) on when {@code asked}
   * are asked for: at most the available processors (more would only take memory, a chunk buffer per
   * thread); 0 asks for {@link #parallelismFor(long)}'s choice.
   */
  public static int parallelismFor(int asked, long compressedSize) {
    return asked > 0
        ? Math.min(asked, Runtime.getRuntime().availableProcessors())
        : parallelismFor(compressedSize);
  }

  /** The number of threads a gzip layer is inflated on. */
  public int parallelism() {
    return parallelism;
  }

  /** Chunks of at most {@code bytes} compressed bytes for the parallel inflater (tests split small layers). */
  ZtocBuilder withChunkSize(int bytes) {
    return new ZtocBuilder(spanSize, buildTool, zone, limits, parallelism, bytes);
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
   * @throws LayerDataException if the layer is not a valid gzip (or raw) tar; nothing is returned.
   *     For gzip, a fault of the gzip stream is the one reported wherever it lies, even after a tar
   *     fault (soci's zlib pass reads the whole layer before its tar pass); a tar fault carries its
   *     uncompressed offset and, as compressed offset, the start of the span holding it
   * @throws ZtocLimitException if the zTOC would pass one of the {@link #limits()}
   * @throws IOException if reading {@code layer} fails
   */
  public Result build(InputStream layer, CompressionAlgorithm compression) throws IOException {
    TocRecords toc = new TocRecords(limits);
    long tarSize;
    GzipZinfo.Writer checkpoints = null;
    List<Digest> spans;
    long layerSize;
    if (compression == CompressionAlgorithm.GZIP && parallelism > 1
        && Runtime.getRuntime().maxMemory() >= PARALLEL_MIN_HEAP) {
      // The parallel inflater keeps the compressed chunks until no span can start in them, then
      // hands them to the digester: no copy of its read-ahead.
      SpanDigester digester = new SpanDigester();
      Zinfo zinfo = new Zinfo((in, bits) -> {
        toc.spanAdded(true);
        digester.checkpoint(in, bits);
      });
      try (ParallelGzipInflater inflater =
          ParallelGzipInflater.gzip(layer, zinfo, digester::bytes, parallelism, chunkSize)) {
        zinfo.decoder = inflater::copyWindow;
        tarSize = scanGzip(inflater, inflater::drain, toc, zinfo);
      }
      checkpoints = zinfo.writer;
      spans = digester.finish();
      layerSize = digester.bytesPushed();
    } else {
      SpanHasher hashed = new SpanHasher(layer);
      hashed.onCheckpoint(() -> toc.spanAdded(compression == CompressionAlgorithm.GZIP));
      if (compression == CompressionAlgorithm.GZIP) {
        Zinfo zinfo = new Zinfo(hashed::checkpoint);
        CheckpointingInflater inflater = CheckpointingInflater.gzip(hashed, zinfo);
        zinfo.decoder = inflater::copyWindow;
        hashed.trackDecoder(inflater::compressedBitPosition);
        tarSize = scanGzip(inflater, inflater::drain, toc, zinfo);
        checkpoints = zinfo.writer;
      } else {
        hashed.useFixedSpans(spanSize);
        tarSize = scan(hashed, toc);
      }
      spans = hashed.finish();
      layerSize = hashed.bytesRead();
    }
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

  /**
   * The gzip zInfo as the boundaries come: zran's checkpoint rule, the window at each checkpoint,
   * and each checkpoint told to the span digests.
   */
  private final class Zinfo implements CheckpointingInflater.BoundaryListener {
    final GzipZinfo.Writer writer = new GzipZinfo.Writer(spanSize);
    final Checkpoints taken = new Checkpoints();
    private final SpanStarts spanStarts;
    private final byte[] window = new byte[32768];
    private final CheckpointRule rule = new CheckpointRule();
    WindowSource decoder;

    Zinfo(SpanStarts spanStarts) {
      this.spanStarts = spanStarts;
    }

    @Override
    public void onBoundary(long bitOffset, long out, boolean finalBlock) {
      if (rule.accept(out, finalBlock)) {
        long in = (bitOffset + 7) >>> 3;
        int bits = (int) ((in << 3) - bitOffset);
        decoder.copyWindow(window, 0);
        writer.add(in, out, bits, window, 0);
        taken.add(in, bits, out);
        spanStarts.checkpoint(in, bits);
      }
    }
  }

  /** Where the span digests learn that a span starts. */
  private interface SpanStarts {
    void checkpoint(long in, int bits);
  }

  /** The decoder's 32 KiB window during a boundary callback. */
  private interface WindowSource {
    void copyWindow(byte[] dst, int off);
  }

  private interface Drain {
    long drain() throws IOException;
  }

  /**
   * Scans the tar in the inflated stream, then inflates the rest. soci's zlib pass reads the whole
   * stream before its tar pass: later members, trailers and CRCs must be valid even though the tar
   * ended, and a gzip fault anywhere is the one reported.
   */
  private long scanGzip(InputStream inflated, Drain rest, TocRecords toc, Zinfo zinfo)
      throws IOException {
    LayerDataException tarFault = null;
    long tarSize = -1;
    try {
      tarSize = scan(inflated, toc);
    } catch (LayerDataException e) {
      if (e.compressedOffset() >= 0) {
        throw e; // the inflater's: the gzip stream itself is broken
      }
      tarFault = e;
    }
    rest.drain();
    if (tarFault != null) {
      throw tarFault.withCompressedOffset(zinfo.taken.spanStartHolding(tarFault.uncompressedOffset()));
    }
    return tarSize;
  }

  private long scan(InputStream tarStream, TocRecords toc) throws IOException {
    TarScanner scanner = new TarScanner(tarStream);
    for (TarEntry e = scanner.next(); e != null; e = scanner.next()) {
      toc.add(e, GoTime.marshalText(e.modTimeSeconds(), e.modTimeNanos(), zone));
    }
    return scanner.position();
  }

  /**
   * The checkpoints taken so far, for placing a tar fault in the compressed layer: where the span
   * holding the faulty byte starts. This does not depend on how far the inflater happened to have
   * read ahead, so every decoder (sequential or parallel) reports the same offset.
   */
  private static final class Checkpoints {
    private long[] values = new long[3 * 16]; // in, bits, out per checkpoint
    private int count;

    void add(long in, int bits, long out) {
      if (3 * count + 3 > values.length) {
        values = java.util.Arrays.copyOf(values, values.length * 2);
      }
      values[3 * count] = in;
      values[3 * count + 1] = bits;
      values[3 * count + 2] = out;
      count++;
    }

    /**
     * Compressed start of the span holding uncompressed byte {@code max(offset - 1, 0)} (the last
     * byte the tar reader consumed), chosen as soci's {@code pt_index_from_ucmp_offset} does.
     */
    long spanStartHolding(long offset) {
      if (count == 0) {
        return 0;
      }
      long x = Math.max(offset - 1, 0);
      int i = 0;
      while (i + 1 < count && values[3 * (i + 1) + 2] <= x) {
        i++;
      }
      return values[3 * i] - (values[3 * i + 1] != 0 ? 1 : 0);
    }
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
