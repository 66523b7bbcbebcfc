package dev.socibuilder.ztoc.inflate;

import dev.socibuilder.ztoc.inflate.CheckpointingInflater.BoundaryListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.zip.CRC32;

/**
 * A gzip decoder that inflates one stream on several threads and behaves exactly like {@link
 * CheckpointingInflater}: the same bytes, the same boundaries in the same order (with the same
 * windows), the same faults with the same offsets. In the manner of rapidgzip (Knespel and Brunst,
 * HPDC 2023) and pugz (Kerbiriou and Chikhi, 2019):
 *
 * <ol>
 *   <li>The compressed stream is read once, in chunks, each followed by a copy of the start of the
 *       next one as lookahead. Workers ({@link SegmentInflater}) decode every chunk at once: each
 *       finds a deflate block start in its chunk by trial decoding, decodes without the 32 KiB
 *       window (references into it become markers), and stops at the first block start at or after
 *       the chunk's end, which is where the next chunk's worker starts if it found the right one.
 *   <li>A worker that is still in marker mode when the previous chunk's worker finishes takes that
 *       segment's end window ({@link Segment.Link}), resolves its markers itself and goes on in byte
 *       mode: workers run nearly in step, so this often ends marker mode early. Such a chained
 *       segment is valid right after the segment it chained to, or wherever the verified state is
 *       the one it took (the same position, window and member floor).
 *   <li>The calling thread stitches, in order. A segment is accepted only if it starts exactly where
 *       the verified stream stands; its markers are then resolved with the known window, the CRC-32
 *       and length of every member that ends in it are checked, and its boundaries are reported. A
 *       segment that ended early (its output filled the chunk's share of memory) is continued by a
 *       worker from its last block start. A chunk whose worker started before the verified position
 *       (a false start that decoded well) or found no start is decoded again, once, by a worker from
 *       the verified position with the known window.
 *   <li>A stretch of the stream that is mostly stored blocks (data that did not compress) makes the
 *       next stretch the reference decoder's, on the calling thread: a copy is all there is to
 *       inflating such blocks, and the workers would only add copies and hand-offs. The workers take
 *       over again after a stretch that compresses.
 *   <li>Anything else (a start the finder missed, a fault, a block longer than the lookahead) is
 *       decoded by the reference {@link CheckpointingInflater}, resumed at the
 *       verified state ({@link CheckpointingInflater#resumeMember}), up to the first block start at
 *       or after the chunk's end (or up to the next segment's start), after which stitching goes on.
 *       So every fault is detected and worded by the reference decoder itself.
 * </ol>
 *
 * Memory is bounded by the chunks in flight, whatever the stream's size: {@code threads + 1} chunks
 * share a budget of 64 MiB (compressed bytes plus decoded output, two bytes per byte while markers
 * are possible); chunks shrink when the data compresses well. A stream shorter than one chunk is
 * decoded by the reference decoder alone, on the calling thread.
 *
 * <p>Boundaries are reported to the listener synchronously from {@code read}, {@code skip} and
 * {@link #drain}, in stream order; a segment's boundaries are reported when it is accepted, before
 * its bytes are read. {@link #copyWindow} is valid during a callback. The source is read on the
 * calling thread and never closed by this class. {@link #close()} stops the workers; it must be
 * called (also after a failure). Not thread-safe.
 */
public final class ParallelGzipInflater extends InputStream {
  /** Default (and largest) compressed chunk size. */
  public static final int DEFAULT_CHUNK_SIZE = 4 << 20;

  /**
   * Receives every compressed byte read from the source exactly once, in stream order, as soon as no
   * boundary not yet reported can lie before its end: from these and the boundaries, span digests
   * need no copy of the read-ahead. Called on the thread that reads; the array is reused afterwards.
   */
  public interface CompressedSink {
    void passed(byte[] bytes, int off, int len);
  }

  private static final int WINDOW = CheckpointingInflater.WINDOW_SIZE;
  private static final java.lang.invoke.VarHandle LE_SHORT =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(short[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
  /**
   * Compressed chunks are kept in pages of the output blocks' size (far below G1's humongous-object
   * size, so that even a small, fragmented heap can hold them, and from the same pool, so that all
   * buffers share one memory); a chunk's lookahead is a copy of the next chunk's first page, enough
   * for any block zlib writes to end in it.
   */
  private static final int PAGE = SegmentInflater.blockSize();
  /**
   * Memory aimed at for all chunks in flight together: their compressed bytes plus the output the
   * workers hold for them (a byte per byte, two while markers are possible). Each of the {@code
   * threads + 1} chunks in flight gets an equal share; chunks shrink when the data compresses well,
   * so that memory grows neither with the layer nor with its compression ratio. Within the share,
   * larger chunks spend less of their output in marker mode.
   */
  private static final long MEMORY_BUDGET = 48L << 20;
  /**
   * Chunks' worth of compressed bytes (of the largest chunk size) decoded with one worker at a time
   * at first, when the workers take every processor: the decoders still run interpreted or lightly
   * compiled then, and a second worker mostly takes the JIT compiler's core (on two cores this gave
   * less CPU and less time for a whole build of the 140 MB JDK layer).
   */
  private static final int RAMP_UP_CHUNKS = 2;
  /** The first chunks' size, before the data's compression ratio is known. */
  private static final int FIRST_CHUNK = 1 << 20;
  /**
   * Compressed bytes judged together for stored blocks: a stretch of the stream that is mostly
   * stored blocks (data that did not compress: archives, images, encrypted or random bytes) is
   * decoded by the reference decoder on the calling thread, stretch by stretch, until one is not.
   */
  private static final long STRETCH = 16L << 20;
  /**
   * The first stretch judged: short, so that a layer of stored blocks leaves the workers (whose code
   * still runs interpreted then) after its first chunk.
   */
  private static final long FIRST_STRETCH = 512 << 10;
  /**
   * The share of a stretch's compressed bytes in stored blocks from which the next stretch is decoded
   * on the calling thread. Inflating a stored block is a copy: the workers would only add copies and
   * hand-offs to what the calling thread spends on the same bytes anyway (span digests, the tar
   * scan), and a 300 MB random layer took 0.76 s on two threads against 0.57 s on one.
   */
  private static final double STORED_SHARE = 0.9;
  /** Largest step of a skip through the reference decoder, so that a switch back is noticed. */
  private static final int SEQUENTIAL_SKIP_STEP = 1 << 16;

  private final InputStream source;
  private final BoundaryListener listener;
  private final CompressedSink sink;
  private final int threads;
  private final int maxChunkSize;
  private final int maxAhead;
  /** Memory for one chunk in flight: its bytes and its output. */
  private final long segmentBudget;
  /** Compressed bytes decoded with one worker at a time at first (see {@link #RAMP_UP_CHUNKS}). */
  private final long rampUp;
  /** {@link #STRETCH}, or smaller in tests, or 0: never on the calling thread for stored blocks. */
  private final long stretch;
  private ThreadPoolExecutor pool;
  private boolean closed;
  private final BufferPool blockPool;
  private final BufferPool widePool;
  private final BufferPool pagePool;
  /** {@link #PAGE}, or the chunk size if smaller (tests: tiny chunks must not each take a page). */
  private final int pageSize;
  /** Each worker thread's contiguous copy of the chunk it decodes (its pages and lookahead). */
  private final ThreadLocal<byte[]> inputs;
  /** Each worker thread's decoder, reused chunk after chunk. */
  private final ThreadLocal<SegmentInflater> decoders;
  /** Marker resolution table: bytes to themselves, markers to the window. */
  private final byte[] lut;

  /** A compressed chunk: its bytes in pages, then a copy of the start of the next chunk. */
  private static final class Chunk {
    final long start;
    final byte[][] pages;
    final int pageSize;
    final int len;
    /** Lookahead: the next chunk's first {@code tail} bytes, or null before it is read. */
    byte[] tailPage;
    int tail;
    /** Whether the stream ends where the lookahead ends. */
    boolean tailEof;
    /** Whether this is the stream's last chunk. */
    boolean last;
    boolean submitted;
    boolean released;
    /** Whether a worker was asked to decode it again from the verified position (once at most). */
    boolean redecoded;
    Future<Segment> result;
    /** The previous chunk (for its link); dropped once this one is submitted. */
    Chunk previous;
    /** Set by this chunk's worker when its segment is done, for the next chunk's worker. */
    volatile Segment.Link link;

    Chunk(long start, byte[][] pages, int pageSize, int len) {
      this.start = start;
      this.pages = pages;
      this.pageSize = pageSize;
      this.len = len;
    }

    long end() {
      return start + len;
    }

    int byteAt(int at) {
      return pages[at / pageSize][at % pageSize] & 0xff;
    }

    /** Copies up to {@code n} bytes from chunk offset {@code at} to {@code b[off..]}; returns the count. */
    int copy(int at, byte[] b, int off, int n) {
      int page = at / pageSize;
      int in = at % pageSize;
      int k = Math.min(n, Math.min(pageSize - in, len - at));
      System.arraycopy(pages[page], in, b, off, k);
      return k;
    }
  }

  private final ArrayDeque<Chunk> chunks = new ArrayDeque<>();
  private Chunk lastRead;
  private long readEnd;
  private boolean sourceEof;
  /** Chunks submitted to workers and not yet released. */
  private int pending;

  // The verified state: everything before bit (compressed) / out (uncompressed) is decoded,
  // checked and reported. bit is a block start, or 0 before the first header.
  private long bit;
  private long out;
  private final byte[] window = new byte[WINDOW];
  private long memberStart;
  private long memberCrc;
  private boolean atStart = true;
  private boolean done;
  /** Boundaries before this bit position have all been reported. */
  private long reportedBit;
  /** Bytes returned by read/skip so far. */
  private long delivered;
  /** The token of the segment accepted last, if nothing came between it and the verified position. */
  private Object lastAccepted;
  /** Output memory per compressed byte of recent segments (0 before the first). */
  private double memoryRatio;
  // What happened, for tests and benchmarks.
  private int accepted;
  private int sequentialRuns;
  private long sequentialBits;
  private long prefixBytes;
  private long markerOutput;
  private int chainedSegments;
  private int continuations;
  private int redecodes;
  private int storedStretches;
  // The stretch being judged for stored blocks (see STRETCH): where it began, its stored bytes.
  private long stretchStartBit;
  private long stretchStored;
  /** Whether the last stretch was mostly stored blocks: the next one is decoded on this thread. */
  private boolean storedMode;

  // The accepted segment being read: blocks of [32 KiB history | data].
  private byte[][] dBlocks = new byte[0][];
  private int[] dLens = new int[0];
  private int dCount;
  private int dIndex;
  private int dPos;
  // Where copyWindow reads while an accepted segment's boundaries are reported.
  private byte[] winArr = window;
  private int winOff;

  // The reference decoder, while it decodes a region the workers could not.
  private CheckpointingInflater seq;
  private long seqTarget;
  private long seqStartBit;
  /** A segment that may continue the region, if the reference decoder meets its start. */
  private Segment splice;
  private boolean switched;
  private long swBit;
  private long swOut;
  private long swCrc;
  private long swMemberStart;
  private long swStored;
  private final byte[] swWindow = new byte[WINDOW];

  private ParallelGzipInflater(
      InputStream source,
      BoundaryListener listener,
      CompressedSink sink,
      int threads,
      int chunkSize,
      long memoryBudget,
      long rampUp,
      long stretch) {
    this.source = Objects.requireNonNull(source, "source");
    this.listener = listener;
    this.sink = sink;
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    if (chunkSize < 64) {
      throw new IllegalArgumentException("chunk size must be at least 64 bytes, got " + chunkSize);
    }
    this.threads = threads;
    this.maxChunkSize = chunkSize;
    this.maxAhead = threads + 1;
    this.segmentBudget = Math.max(memoryBudget / maxAhead, 64 << 10);
    this.rampUp = rampUp;
    this.stretch = stretch;
    this.lut = new byte[Segment.MARKER + WINDOW];
    for (int i = 0; i < 256; i++) {
      lut[i] = (byte) i;
    }
    this.blockPool = new BufferPool(SegmentInflater.blockSize(), 4096);
    this.widePool = blockPool; // marker-mode blocks have the byte blocks' size: one memory for both
    this.pageSize = Math.min(PAGE, chunkSize);
    this.pagePool = pageSize == PAGE ? blockPool : new BufferPool(pageSize, 4096);
    int inputSize = chunkSize + pageSize;
    this.inputs = ThreadLocal.withInitial(() -> new byte[inputSize]);
    BufferPool blocks = blockPool;
    BufferPool wides = widePool;
    this.decoders = ThreadLocal.withInitial(() -> new SegmentInflater(blocks, wides));
  }

  /**
   * Multi-member gzip over {@code source} with {@code threads} decoding threads and {@link
   * #DEFAULT_CHUNK_SIZE} chunks. Does not close source.
   *
   * @param listener receives every boundary, as from {@link CheckpointingInflater}; may be null
   */
  public static ParallelGzipInflater gzip(InputStream source, BoundaryListener listener, int threads) {
    return gzip(source, listener, null, threads, DEFAULT_CHUNK_SIZE);
  }

  /**
   * As {@link #gzip(InputStream, BoundaryListener, int)}, handing the compressed bytes to {@code
   * sink} (may be null) and with chunks of at most {@code chunkSize} compressed bytes (smaller
   * chunks split small streams, e.g. in tests; chunks also shrink by themselves when the data
   * compresses well, to bound memory).
   */
  public static ParallelGzipInflater gzip(
      InputStream source, BoundaryListener listener, CompressedSink sink, int threads, int chunkSize) {
    long rampUp =
        threads >= Runtime.getRuntime().availableProcessors() ? (long) RAMP_UP_CHUNKS * chunkSize : 0;
    return new ParallelGzipInflater(source, listener, sink, threads, chunkSize, MEMORY_BUDGET, rampUp, STRETCH);
  }

  /**
   * For tests: another memory budget (small budgets make segments end early and continue), no
   * ramp-up (all workers from the start), and stretches of {@code stretch} compressed bytes judged
   * for stored blocks (0: the workers decode stored blocks too, to test their decoding).
   */
  static ParallelGzipInflater gzip(
      InputStream source,
      BoundaryListener listener,
      CompressedSink sink,
      int threads,
      int chunkSize,
      long memoryBudget,
      long stretch) {
    return new ParallelGzipInflater(source, listener, sink, threads, chunkSize, memoryBudget, 0, stretch);
  }

  // ------------------------------------------------------------------ public stream API

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    while (true) {
      ensureOpen();
      if (dIndex < dCount) {
        int n = Math.min(len, dLens[dIndex] - dPos);
        System.arraycopy(dBlocks[dIndex], WINDOW + dPos, b, off, n);
        consumed(n);
        return n;
      }
      if (seq != null) {
        long limit = switched ? swOut - delivered : Long.MAX_VALUE;
        if (limit > 0) {
          int n = seq.read(b, off, (int) Math.min(len, limit));
          if (n < 0) {
            endOfStreamInSequential();
            continue;
          }
          if (switched) {
            n = (int) Math.min(n, swOut - delivered); // the switch point may lie inside this read
          }
          delivered += n;
          if (n > 0) {
            return n;
          }
        }
        if (switched && delivered == swOut) {
          endSequential();
        }
        continue;
      }
      if (done) {
        releaseBefore(Long.MAX_VALUE); // the end: every byte is behind every boundary
        return -1;
      }
      advance();
    }
  }

  @Override
  public long skip(long n) throws IOException {
    long skipped = 0;
    while (skipped < n) {
      ensureOpen();
      if (dIndex < dCount) {
        int k = (int) Math.min(n - skipped, dLens[dIndex] - dPos);
        consumed(k);
        skipped += k;
        continue;
      }
      if (seq != null) {
        long limit = switched ? swOut - delivered : Long.MAX_VALUE;
        if (limit > 0) {
          long want = Math.min(Math.min(n - skipped, limit), SEQUENTIAL_SKIP_STEP);
          long k = seq.skip(want);
          if (switched) {
            k = Math.min(k, swOut - delivered);
          }
          delivered += k;
          skipped += k;
          if (k < want && !switched) {
            endOfStreamInSequential();
          }
          if (k > 0) {
            continue;
          }
        }
        if (switched && delivered == swOut) {
          endSequential();
        }
        continue;
      }
      if (done) {
        releaseBefore(Long.MAX_VALUE);
        break;
      }
      advance();
    }
    return skipped;
  }

  @Override
  public int available() {
    return dIndex < dCount ? dLens[dIndex] - dPos : 0;
  }

  /**
   * Decodes (discarding output, still reporting boundaries) to the end of the input.
   *
   * @return the total decoded bytes
   */
  public long drain() throws IOException {
    while (true) {
      if (skip(Long.MAX_VALUE) == 0 && read() < 0) {
        return delivered;
      }
    }
  }

  /**
   * During a boundary callback: copies the 32768 decoded bytes before that boundary into {@code
   * dst[off..off+32768)}, oldest first, zero-padded on the left near the stream's start.
   */
  public void copyWindow(byte[] dst, int off) {
    if (seq != null) {
      seq.copyWindow(dst, off);
    } else {
      System.arraycopy(winArr, winOff, dst, off, WINDOW);
    }
  }

  /**
   * A compressed bit position that every boundary not yet reported lies at or after (for span
   * digests: compressed bytes before it can no longer start a span).
   */
  public long compressedBitPosition() {
    if (seq != null) {
      return switched ? swBit : seq.compressedBitPosition();
    }
    return reportedBit;
  }

  /** Segments decoded by workers and accepted so far. */
  int acceptedSegments() {
    return accepted;
  }

  /** Regions handed to the reference decoder so far. */
  int sequentialRuns() {
    return sequentialRuns;
  }

  /** Output of accepted segments that was decoded in marker mode (resolved here). */
  long prefixBytes() {
    return prefixBytes;
  }

  /** Output of accepted segments that workers decoded in marker mode (resolved here or by them). */
  long markerOutput() {
    return markerOutput;
  }

  /** Accepted segments decoded or resolved with the previous segment's window. */
  int chainedSegments() {
    return chainedSegments;
  }

  /** Continuations submitted for chunks whose output went over their share of the budget. */
  int continuations() {
    return continuations;
  }

  /** Chunks a worker decoded again from the verified position (tests). */
  int redecodes() {
    return redecodes;
  }

  /** Stretches decoded by the reference decoder because the one before was mostly stored blocks. */
  int storedStretches() {
    return storedStretches;
  }

  /** Compressed bits decoded by the reference decoder in completed regions. */
  long sequentialBits() {
    return sequentialBits;
  }

  /** Stops the workers and drops all buffers. Does not close the source. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (pool != null) {
      pool.shutdownNow();
    }
    chunks.clear();
    lastRead = null;
    seq = null;
    splice = null;
    dBlocks = new byte[0][];
    dCount = 0;
  }

  // ------------------------------------------------------------------ stitching

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("parallel inflater is closed");
    }
  }

  private void consumed(int n) {
    dPos += n;
    delivered += n;
    skipEmptyBlocks();
  }

  private void skipEmptyBlocks() {
    while (dIndex < dCount && dPos == dLens[dIndex]) {
      if (dBlocks[dIndex].length == blockPool.byteSize()) {
        blockPool.give(dBlocks[dIndex]); // not the resolved prefix: it has its own size
      }
      dBlocks[dIndex] = null;
      dIndex++;
      dPos = 0;
    }
  }

  /** The verified stream stands at {@code bit}: accept the next segment or start the reference decoder. */
  private void advance() throws IOException {
    fill();
    Chunk c = chunkAt(bit);
    if (c == null) {
      // At the end of the input without the stream's end: the reference decoder says what is wrong.
      startSequential(Long.MAX_VALUE, null);
      return;
    }
    releaseBefore(c.start);
    submitReady();
    long target = c.last ? Long.MAX_VALUE : c.end() << 3;
    if (atStart && c.last) {
      startSequential(Long.MAX_VALUE, null); // one chunk: nothing to share between threads
      return;
    }
    if (storedMode) {
      storedStretches++;
      startSequential(c.last ? Long.MAX_VALUE : bit + (stretchLength() << 3), null);
      return;
    }
    Segment s = resultOf(c);
    if (s.startsAt(bit)) {
      if (!accept(s)) {
        startSequential(target, null);
      } else if (s.continuation != null) {
        continueChunk(c, s.continuation); // the rest of a chunk whose output was over the budget
      }
      return;
    }
    if (s.usable() && s.startBit > bit) {
      startSequential(target, s); // a gap (a block the finder does not look for): decode it, splice s
      return;
    }
    if (!atStart && !c.redecoded) {
      // The worker started before the verified position (a false start that decoded well) or found
      // none: a worker decodes the chunk again from the verified position with its window. The
      // reference decoder would do it on this thread, with code a parallel build has not compiled.
      c.result = pool.submit(task(c, verifiedLink(c)));
      redecodes++;
      return;
    }
    startSequential(target, null);
  }

  /**
   * Checks a segment that starts at the verified position and, if it holds, reports its boundaries,
   * queues its bytes and moves the verified state to its end.
   *
   * @return false if it does not hold (a member check failed or a marker reaches before the
   *     member's start): the region must be decoded by the reference decoder
   */
  private boolean accept(Segment s) {
    if (s.chainedFrom != null && s.chainedFrom != lastAccepted && !chainHolds(s)) {
      return false; // decoded with a window that is not the stream's
    }
    if (s.prefixLen > 0) {
      if (s.minMarker < verifiedFloor()) {
        return false;
      }
    }
    // The segment's output as byte blocks, each with the 32 KiB before it: the marker-mode blocks
    // resolved with the window, then the worker's byte blocks.
    int nb = s.wideCount + s.blockCount;
    byte[][] blocks = new byte[nb][];
    int[] lens = new int[nb];
    int k = 0;
    if (s.wideCount > 0) {
      System.arraycopy(window, 0, lut, Segment.MARKER, WINDOW);
      byte[] history = window;
      int historyAt = 0;
      for (int i = 0; i < s.wideCount; i++) {
        byte[] block = blockPool.bytes();
        System.arraycopy(history, historyAt, block, 0, WINDOW);
        resolve(s.wide[i], s.wideLens[i], lut, block);
        widePool.give(s.wide[i]);
        s.wide[i] = null;
        blocks[k] = block;
        lens[k++] = s.wideLens[i];
        history = block;
        historyAt = s.wideLens[i];
      }
      prefixBytes += s.prefixLen;
    }
    for (int i = 0; i < s.blockCount; i++) {
      blocks[k] = s.blocks[i];
      lens[k++] = s.blockLens[i];
    }

    // Members: CRC-32 and length of each that ends here; the state of the one still open. The
    // worker summed its byte blocks between cut points; the resolved prefix is summed here.
    long crc = memberCrc;
    long mStart = memberStart;
    long pos = 0;
    int piece = 0;
    for (int ev = 0; ; ev++) {
      long cut = ev < s.eventCount ? s.eventOuts[ev] : s.outLen;
      if (cut > pos) {
        long prefixEnd = Math.min(cut, s.prefixLen);
        if (pos < prefixEnd) {
          crc = Crc32Combine.combine(crc, crcOf(blocks, lens, pos, prefixEnd), prefixEnd - pos);
        }
        long from = Math.max(pos, s.prefixLen);
        if (from < cut) {
          if (piece >= s.pieceCount || s.pieceStarts[piece] != from || s.pieceEnds[piece] != cut) {
            throw new IllegalStateException("segment CRC pieces out of step at " + from);
          }
          crc = Crc32Combine.combine(crc, s.pieceCrcs[piece] & 0xffffffffL, cut - from);
          piece++;
        }
        pos = cut;
      }
      if (ev == s.eventCount) {
        break;
      }
      if (s.eventKinds[ev] == Segment.MEMBER_END) {
        long size = (out + pos - mStart) & 0xffffffffL;
        if (crc != (s.eventCrcs[ev] & 0xffffffffL) || size != (s.eventSizes[ev] & 0xffffffffL)) {
          for (int i = 0; i < s.wideCount; i++) {
            blockPool.give(blocks[i]); // the resolved prefix; the worker's blocks stay with s
          }
          return false;
        }
      } else {
        crc = 0;
        mStart = out + pos;
      }
    }

    if (listener != null) {
      int bi = 0;
      long blockStart = 0;
      for (int i = 0; i < s.boundaryCount; i++) {
        long rel = s.boundaryOuts[i];
        while (bi < nb - 1 && blockStart + lens[bi] < rel) {
          blockStart += lens[bi];
          bi++;
        }
        if (nb == 0) {
          winArr = window;
          winOff = 0;
        } else {
          winArr = blocks[bi];
          winOff = (int) (rel - blockStart);
        }
        listener.onBoundary(s.boundaryBits[i] >>> 1, out + rel, (s.boundaryBits[i] & 1) != 0);
      }
      winArr = window;
      winOff = 0;
    }

    if (nb > 0) {
      System.arraycopy(blocks[nb - 1], lens[nb - 1], window, 0, WINDOW);
    }
    long compressed = (s.endBit - bit) >>> 3;
    if (compressed > 0) {
      double ratio = (2.0 * s.prefixLen + (s.outLen - s.prefixLen)) / compressed;
      memoryRatio = memoryRatio == 0 ? ratio : 0.5 * memoryRatio + 0.5 * ratio;
    }
    out += s.outLen;
    bit = s.endBit;
    reportedBit = bit;
    memberCrc = crc;
    memberStart = mStart;
    atStart = false;
    if (s.status == Segment.END) {
      done = true;
    }
    accepted++;
    judge(s.storedBytes);
    markerOutput += s.markerOutput;
    if (s.chainedFrom != null) {
      chainedSegments++;
    }
    lastAccepted = s.token;
    dBlocks = blocks;
    dLens = lens;
    dCount = nb;
    dIndex = 0;
    dPos = 0;
    skipEmptyBlocks();
    return true;
  }

  /**
   * Whether the window and member floor a chained segment was decoded with are the verified ones, so
   * that it holds even though the segment it chained to was not accepted (the reference decoder
   * decoded that region instead, after a fault of the worker's own or a stretch of stored blocks).
   */
  private boolean chainHolds(Segment s) {
    return s.chainedWindow != null
        && s.chainedBit == bit
        && s.chainedFloor == verifiedFloor()
        && Arrays.equals(s.chainedWindow, window);
  }

  /**
   * The member floor at the verified position: how many of the window's oldest bytes lie before the
   * current member (all of them at the stream's start), where no back-reference may reach.
   */
  private int verifiedFloor() {
    long sinceMember = out - memberStart;
    return atStart ? WINDOW : sinceMember >= WINDOW ? 0 : (int) (WINDOW - sinceMember);
  }

  /**
   * Replaces markers by window bytes: data symbol i of the marker-mode block {@code wide} (16-bit
   * little-endian, after its 32768 history symbols) becomes {@code dst[32768 + i]}. Branch-free
   * through {@code lut}, whose first 256 entries map bytes to themselves and whose marker entries
   * hold the window.
   */
  static void resolve(byte[] wide, int count, byte[] lut, byte[] dst) {
    resolve(wide, WINDOW, count, lut, dst, WINDOW);
  }

  /** As {@link #resolve(byte[], int, byte[], byte[])} from symbol {@code from} to {@code dst[at]}. */
  static void resolve(byte[] wide, int from, int count, byte[] lut, byte[] dst, int at) {
    for (int i = 0, src = 2 * from; i < count; i++, src += 2) {
      dst[at + i] = lut[(short) LE_SHORT.get(wide, src) & 0xffff];
    }
  }

  /** CRC-32 of segment output {@code [from, to)} held in {@code blocks} (data after 32 KiB history). */
  private static long crcOf(byte[][] blocks, int[] lens, long from, long to) {
    CRC32 crc = new CRC32();
    long start = 0;
    for (int i = 0; i < blocks.length && start < to; i++) {
      long end = start + lens[i];
      long a = Math.max(from, start);
      long b = Math.min(to, end);
      if (a < b) {
        crc.update(blocks[i], WINDOW + (int) (a - start), (int) (b - a));
      }
      start = end;
    }
    return crc.getValue();
  }

  // ------------------------------------------------------------------ the reference decoder

  /**
   * Hands the stream from the verified state to the reference decoder, until the first block start
   * at or after {@code target} or, if it comes first, the start of {@code next}.
   */
  private void startSequential(long target, Segment next) {
    sequentialRuns++;
    lastAccepted = null;
    seqStartBit = bit;
    seqTarget = target;
    splice = next;
    switched = false;
    ChunkCursor cursor = new ChunkCursor(bit >>> 3);
    if (atStart) {
      seq = CheckpointingInflater.gzip(cursor, this::onSequentialBoundary);
    } else {
      long in = (bit + 7) >>> 3;
      int bits = (int) ((in << 3) - bit);
      seq =
          CheckpointingInflater.resumeMember(
              cursor, in, bits, window, out, memberStart, memberCrc, this::onSequentialBoundary);
    }
  }

  private void onSequentialBoundary(long b, long o, boolean fin) {
    if (switched) {
      return; // the reference decoder reads ahead: what follows the switch is the workers' again
    }
    if (listener != null) {
      listener.onBoundary(b, o, fin);
    }
    if (!fin && (b >= seqTarget || (splice != null && splice.startsAt(b)))) {
      switched = true;
      swBit = b;
      swOut = o;
      seq.copyWindow(swWindow, 0);
      swCrc = seq.memberCrc();
      swMemberStart = seq.memberStart();
      swStored = seq.storedBytes(); // (it reads ahead: not the blocks after the switch)
    }
  }

  /** The reference decoder's output has been read up to the switch point: stitch on from there. */
  private void endSequential() throws IOException {
    long stored = swStored;
    seq = null;
    sequentialBits += swBit - seqStartBit;
    bit = swBit;
    out = swOut;
    System.arraycopy(swWindow, 0, window, 0, WINDOW);
    memberCrc = swCrc;
    memberStart = swMemberStart;
    atStart = false;
    reportedBit = bit;
    judge(stored);
    Segment s = splice;
    splice = null;
    if (s != null && s.startsAt(bit)) {
      Chunk c = chunkAt(bit);
      if (!accept(s)) {
        startSequential(c == null || c.last ? Long.MAX_VALUE : c.end() << 3, null);
      } else if (s.continuation != null && c != null) {
        continueChunk(c, s.continuation);
      }
    }
  }

  /**
   * Counts {@code stored} bytes of stored blocks in the stretch being judged and, once the verified
   * position has passed a whole {@link #STRETCH}, decides how the next one is decoded.
   */
  private void judge(long stored) {
    if (stretch <= 0) {
      return;
    }
    stretchStored += stored;
    long len = (bit - stretchStartBit) >>> 3;
    if (len >= stretchLength()) {
      storedMode = stretchStored >= STORED_SHARE * len;
      stretchStartBit = bit;
      stretchStored = 0;
    }
  }

  /** The length of the stretch being judged: the first is short (a first guess, judged soon). */
  private long stretchLength() {
    return stretchStartBit == 0 ? Math.min(FIRST_STRETCH, stretch) : stretch;
  }

  /** The reference decoder read the whole stream to its end and found it valid. */
  private void endOfStreamInSequential() {
    sequentialBits += (readEnd << 3) - seqStartBit;
    seq = null;
    done = true;
  }

  /** The compressed stream from a position, for the reference decoder, reading chunks as needed. */
  private final class ChunkCursor extends InputStream {
    private long pos;

    ChunkCursor(long pos) {
      this.pos = pos;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      // What the reference decoder has consumed is never needed again, by it or by the workers'
      // segments that may follow (they start at or after its position).
      if (seq != null) {
        releaseBefore((switched ? swBit : seq.compressedBitPosition()) >>> 3);
      }
      while (true) {
        for (Chunk c : chunks) {
          if (c.start <= pos && pos < c.end()) {
            int n = c.copy((int) (pos - c.start), b, off, len);
            pos += n;
            return n;
          }
        }
        if (pos < readEnd) {
          throw new IllegalStateException("compressed bytes at " + pos + " were released");
        }
        if (!readChunk()) {
          return -1;
        }
      }
    }
  }

  // ------------------------------------------------------------------ chunks and workers

  /** Reads ahead so that the workers have chunks to decode, and hands them what is ready. */
  private void fill() throws IOException {
    while (!sourceEof && chunksAhead() <= maxAhead) {
      readChunk();
    }
    submitReady();
  }

  /** Submits, in order, the chunks whose lookahead is read, as far as the in-flight bound allows. */
  private void submitReady() {
    for (Chunk c : chunks) {
      if (pending >= inFlightLimit()) {
        return;
      }
      if (!c.submitted && (c.tailPage != null || c.last)) {
        maybeSubmit(c);
      }
    }
  }

  private int chunksAhead() {
    int n = 0;
    for (Chunk c : chunks) {
      if (c.end() << 3 > bit) {
        n++;
      }
    }
    return n;
  }

  /** The retained chunk holding bit position {@code b}, reading more if needed; null past the end. */
  private Chunk chunkAt(long b) throws IOException {
    while (true) {
      for (Chunk c : chunks) {
        if (c.start << 3 <= b && b < c.end() << 3) {
          return c;
        }
      }
      if (b < readEnd << 3) {
        throw new IllegalStateException("compressed bytes at bit " + b + " were released");
      }
      if (!readChunk()) {
        return null;
      }
    }
  }

  /** Reads one chunk; fills the previous chunk's lookahead and submits it. False at end of input. */
  private boolean readChunk() throws IOException {
    if (sourceEof) {
      return false;
    }
    int size = nextChunkSize();
    byte[][] pages = new byte[(size + pageSize - 1) / pageSize][];
    int n = 0;
    while (n < size) {
      int page = n / pageSize;
      if (pages[page] == null) {
        pages[page] = pagePool.bytes();
      }
      int r = source.read(pages[page], n % pageSize, Math.min(size - n, pageSize - n % pageSize));
      if (r < 0) {
        sourceEof = true;
        break;
      }
      n += r;
    }
    Chunk prev = lastRead;
    if (prev != null && !prev.released) {
      int t = Math.min(pageSize, n);
      if (t > 0) {
        prev.tailPage = pagePool.bytes();
        System.arraycopy(pages[0], 0, prev.tailPage, 0, t);
      }
      prev.tail = t;
      prev.tailEof = sourceEof && t == n;
      prev.last = n == 0;
      maybeSubmit(prev);
    } else if (prev != null) {
      prev.last = n == 0;
    }
    if (n == 0) {
      for (byte[] page : pages) {
        pagePool.give(page);
      }
      return false;
    }
    Chunk c = new Chunk(readEnd, pages, pageSize, n);
    if (readEnd == 0 && stretch > 0) {
      // A layer of data that did not compress starts with a stored block: no worker for it at all.
      storedMode = startsWithStoredBlock(c);
    }
    c.previous = lastRead;
    readEnd += n;
    c.last = sourceEof;
    c.tailEof = sourceEof;
    chunks.addLast(c);
    lastRead = c;
    if (c.last) {
      maybeSubmit(c);
    }
    return true;
  }

  /**
   * Whether the stream's first deflate block, after the gzip header (RFC 1952: ten bytes, then the
   * fields its flags name), is a stored one. A guess for the first stretch only: a header that does
   * not parse says no, and the reference decoder finds what is wrong with it.
   */
  private static boolean startsWithStoredBlock(Chunk c) {
    if (c.len < 11 || c.byteAt(0) != 0x1f || c.byteAt(1) != 0x8b || c.byteAt(2) != 8) {
      return false;
    }
    int flags = c.byteAt(3);
    long at = 10;
    if ((flags & 4) != 0) { // FEXTRA: a two-byte length, then that many bytes
      at = at + 2 >= c.len ? c.len : at + 2 + (c.byteAt((int) at) | c.byteAt((int) at + 1) << 8);
    }
    for (int field = 8; field <= 16; field <<= 1) { // FNAME, FCOMMENT: zero-terminated
      if ((flags & field) != 0) {
        while (at < c.len && c.byteAt((int) at) != 0) {
          at++;
        }
        at++;
      }
    }
    if ((flags & 2) != 0) { // FHCRC
      at += 2;
    }
    return at < c.len && (c.byteAt((int) at) >>> 1 & 3) == 0;
  }

  /** A chunk size for about {@link #segmentBudget} in flight, from the recent segments' ratio. */
  private int nextChunkSize() {
    if (memoryRatio == 0) {
      return Math.min(FIRST_CHUNK, maxChunkSize);
    }
    long size = (long) (segmentBudget / (1 + memoryRatio));
    size = Math.max(size - size % pageSize, 64 << 10); // whole pages
    return (int) Math.min(size, maxChunkSize);
  }

  /** Chunks in flight at most now: one decoding (and one being read) during the ramp-up. */
  private int inFlightLimit() {
    if (storedMode) {
      return 0; // the reference decoder decodes this stretch
    }
    return (bit >>> 3) < rampUp ? 2 : maxAhead;
  }

  private void maybeSubmit(Chunk c) {
    if (!c.submitted && !c.released && pending < inFlightLimit() && c.end() << 3 > bit) {
      submit(c);
    }
  }

  /** A worker's task: decode chunk {@code c}, going on from {@code link} when it has one. */
  private java.util.concurrent.Callable<Segment> task(Chunk c, Supplier<Segment.Link> link) {
    byte[][] pages = c.pages;
    int page = c.pageSize;
    byte[] tailPage = c.tailPage;
    int tail = c.tail;
    int dataLen = c.len + c.tail;
    long start = c.start;
    int len = c.len;
    boolean eof = c.tailEof;
    boolean last = c.last;
    // A worker ends its segment early when its output fills the chunk's share (the bound when the
    // ratio jumps; the rest of the chunk is a continuation), at once if a block overshoots by more
    // than a quarter of it.
    long soft = Math.max(segmentBudget - len, segmentBudget / 2);
    long hard = soft + segmentBudget / 4;
    // Boundaries take 16 bytes each: empty blocks (a flush every few bytes) count against the share.
    int boundaries = (int) Math.max(256, segmentBudget >>> 8);
    ThreadLocal<SegmentInflater> decoders = this.decoders;
    ThreadLocal<byte[]> inputs = this.inputs;
    return () -> {
      // The decoder wants the chunk and its lookahead in one array: this worker's own copy.
      byte[] data = inputs.get();
      for (int at = 0; at < len; at += page) {
        System.arraycopy(pages[at / page], 0, data, at, Math.min(page, len - at));
      }
      if (tail > 0) {
        System.arraycopy(tailPage, 0, data, len, tail);
      }
      return decoders.get().decode(data, dataLen, start, len, eof, last, soft, hard, boundaries, link, l -> c.link = l);
    };
  }

  /**
   * Has a worker decode chunk {@code c}: from the verified position, with its window, if that lies
   * inside the chunk (after a stretch the reference decoder decoded), else from the chunk's start.
   */
  private void submit(Chunk c) {
    ensurePool();
    Chunk previous = c.previous;
    c.previous = null; // no chain of chunks kept reachable
    Supplier<Segment.Link> from;
    if (!atStart && bit > c.start << 3 && seq == null) {
      from = verifiedLink(c);
    } else {
      from = previous == null ? () -> null : () -> previous.link;
    }
    c.result = pool.submit(task(c, from));
    c.submitted = true;
    pending++;
  }

  private void ensurePool() {
    if (pool == null) {
      String id = Integer.toHexString(System.identityHashCode(this));
      AtomicInteger n = new AtomicInteger();
      pool =
          new ThreadPoolExecutor(
              threads,
              threads,
              0,
              TimeUnit.SECONDS,
              new LinkedBlockingQueue<>(),
              r -> {
                Thread t = new Thread(r, "ztoc-inflate-" + id + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
    }
  }

  /** Has a worker decode the rest of chunk {@code c} from the end of its accepted part. */
  private void continueChunk(Chunk c, Segment.Link from) {
    if (from.endBit >= c.end() << 3) {
      return;
    }
    c.result = pool.submit(task(c, () -> from));
    continuations++;
  }

  /**
   * The verified position and window, for a worker that decodes chunk {@code c} from there (which it
   * is then asked to do only once).
   */
  private Supplier<Segment.Link> verifiedLink(Chunk c) {
    c.redecoded = true;
    Segment.Link from = new Segment.Link(bit, window.clone(), verifiedFloor(), lastAccepted);
    return () -> from;
  }

  /** The worker's segment for a chunk, submitting it now if it was not yet. */
  private Segment resultOf(Chunk c) throws IOException {
    while (!c.last && c.tailPage == null && !sourceEof) {
      readChunk(); // its lookahead
    }
    if (!c.last && c.tailPage == null) {
      c.last = true;
    }
    if (!c.submitted) {
      submit(c);
    }
    try {
      return awaitWorker(c.result);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new InterruptedIOException("interrupted while waiting for an inflate worker");
    } catch (ExecutionException e) {
      Throwable t = e.getCause();
      if (t instanceof RuntimeException) {
        throw (RuntimeException) t;
      }
      if (t instanceof Error) {
        throw (Error) t;
      }
      throw new IllegalStateException("inflate worker failed", t);
    } catch (CancellationException e) {
      throw new IllegalStateException("a needed chunk was cancelled", e);
    }
  }

  /**
   * The worker's result. Workers never block (a chunk's predecessor is polled, not awaited), so a task
   * that is neither done, running nor queued is lost: a worker thread that died of an {@link Error}
   * outside its task (an out-of-memory in the pool's own queue code) takes its dequeued task with it,
   * and waiting for it would hang the build. Seen twice a second apart, that fails the build instead.
   */
  private Segment awaitWorker(Future<Segment> result)
      throws InterruptedException, ExecutionException {
    int idle = 0;
    while (true) {
      try {
        return result.get(1, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        boolean lost = !result.isDone() && pool.getActiveCount() == 0 && pool.getQueue().isEmpty();
        idle = lost ? idle + 1 : 0;
        if (idle >= 2) {
          throw new IllegalStateException(
              "an inflate worker died and lost its chunk (out of memory? give the JVM a larger heap)");
        }
      }
    }
  }

  /** Drops the chunks that end at or before byte {@code pos}. */
  private void releaseBefore(long pos) {
    while (!chunks.isEmpty() && chunks.peekFirst().end() <= pos) {
      Chunk c = chunks.pollFirst();
      c.released = true;
      if (sink != null) {
        for (int at = 0; at < c.len; at += c.pageSize) {
          sink.passed(c.pages[at / c.pageSize], 0, Math.min(c.pageSize, c.len - at));
        }
      }
      boolean inUse = false;
      if (c.submitted) {
        pending--;
        if (!c.result.isDone()) {
          // A worker may be copying it: cancel if not started, and leave the pages to the GC.
          inUse = !c.result.cancel(false);
        }
      }
      if (!inUse) {
        for (byte[] page : c.pages) {
          pagePool.give(page);
        }
        pagePool.give(c.tailPage);
      }
    }
  }

}
