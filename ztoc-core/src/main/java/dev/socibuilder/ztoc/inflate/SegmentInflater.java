package dev.socibuilder.ztoc.inflate;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.zip.CRC32;

/**
 * The worker's decoder (rapidgzip's two-stage decoding, Knespel and Brunst, HPDC 2023): decodes one
 * compressed chunk of a gzip stream into a {@link Segment}, starting at the stream's first byte or,
 * for any later chunk, at the first candidate block start the {@link BlockFinder} yields that
 * decodes well, and ending at the first block start at or after the chunk's end.
 *
 * <p>The 32 KiB window before a candidate is unknown, so decoding starts in <em>marker mode</em>:
 * output goes to blocks of 16-bit symbols whose first block starts with 32768 markers ({@link
 * Segment#MARKER} plus the window index) in place of the window, so that a back-reference into the
 * window copies markers like any bytes. Once the last 32 KiB of output holds no marker, no later byte
 * can depend on the window, and decoding switches to <em>byte mode</em>: the same fast loop as {@link
 * CheckpointingInflater}'s, into byte blocks. Every block carries the 32 KiB (or 32768 symbols)
 * before it, comes from a {@link BufferPool} and goes back to it once read.
 *
 * <p>The decoding rules (Huffman table rules, stored lengths, distances, gzip headers) are the
 * reference decoder's, but nothing here reports a fault: any anomaly just ends the attempt (a false
 * candidate, or a fault the coordinator will have the reference decoder report). The checks that
 * need the stream before the chunk (CRC-32 and length of a member that began earlier, references
 * before a member start) are left to the coordinator, with the data they need recorded.
 *
 * <p>One instance decodes one chunk; not thread-safe.
 */
final class SegmentInflater {
  private static final int WINDOW = CheckpointingInflater.WINDOW_SIZE;
  private static final int MAX_MATCH = 258;
  private static final int COPY_SLACK = 8;
  private static final int FAST_IN = 8;
  private static final int LEN_ROOT = 10;
  private static final int DIST_ROOT = 8;
  /** Data bytes per output block (blocks stay below G1's humongous-object size). */
  static final int BLOCK_DATA = 1 << 18;
  /**
   * Data symbols per marker-mode block (two bytes each): as many as make a marker-mode block exactly
   * as large as a byte block, so that both come from one pool and share its memory.
   */
  static final int WIDE_DATA =
      (WINDOW + BLOCK_DATA + MAX_MATCH + COPY_SLACK) / 2 - WINDOW - MAX_MATCH - COPY_SLACK;
  /** A start followed by this many good block starts is taken to be real even if a fault follows. */
  private static final int TRUSTED_STARTS = 4;

  private static final VarHandle LE_LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LE_SHORT =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  /** The high byte of each 16-bit symbol in a long: non-zero only for markers. */
  private static final long MARKER_BYTES = 0xff00ff00ff00ff00L;
  /** The first marker block's history: the marker of every window byte, oldest first. Never written. */
  private static final byte[] MARKED_WINDOW = markedWindow();

  /**
   * A method of its own, on a local array: in the class's static initializer each store to a static
   * field's array goes through the interpreter's slow path (the class is not initialized yet), which
   * took 25–40 ms of every parallel build's first use of this class.
   */
  private static byte[] markedWindow() {
    byte[] w = new byte[2 * WINDOW];
    for (int i = 0; i < WINDOW; i++) {
      int symbol = Segment.MARKER | i;
      w[2 * i] = (byte) symbol; // little-endian 16-bit symbols
      w[2 * i + 1] = (byte) (symbol >>> 8);
    }
    return w;
  }

  private static final int[] CODE_LENGTH_ORDER = {
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15
  };

  private static final int S_HEADER = 0;
  private static final int S_BLOCK = 1;
  private static final int S_STORED = 2;
  private static final int S_HUFFMAN = 3;
  private static final int S_TRAILER = 4;
  private static final int S_DONE = 5;

  // Why an attempt stopped.
  private static final int AT_TARGET = 1;
  private static final int AT_END = 2;
  /** Bad data (or the stream's end inside a member). */
  private static final int FAULT = 3;
  /** The chunk's lookahead ran out before the target. */
  private static final int NO_INPUT = 4;
  /** Output or boundary-count limits. */
  private static final int LIMIT = 5;

  /** Unwinds an attempt; preallocated and without a stack trace, as false candidates are common. */
  private static final class Stop extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stop() {
      super(null, null, false, false);
    }
  }

  private final Stop stop = new Stop();
  private int stopKind;

  private final BlockFinder finder = new BlockFinder();
  private final BufferPool pool;
  private final BufferPool widePool;
  private long softCap;
  private long hardCap;
  private int maxBoundaries;

  // Input: the chunk and its lookahead, in[0] at absolute offset inBase.
  private byte[] in;
  private int inPos;
  private int inEnd;
  private long inBase;
  /** Whether the stream ends at inEnd (else more data exists that this worker cannot see). */
  private boolean inEof;
  private long bitBuf;
  private int bitCnt;

  private int state;
  private boolean lastBlock;
  private int storedLeft;
  private long target;

  // Huffman tables (the same layout as the reference decoder's).
  private int[] lenTable;
  private int[] distTable;
  private int lenBits;
  private int distBits;
  private final int[] fixedLen = new int[HuffmanTables.LENS_TABLE_SIZE];
  private final int[] fixedDist = new int[HuffmanTables.DISTS_TABLE_SIZE];
  private final int fixedLenBits;
  private final int fixedDistBits;
  private final int[] dynLen = new int[HuffmanTables.LENS_TABLE_SIZE];
  private final int[] dynDist = new int[HuffmanTables.DISTS_TABLE_SIZE];
  private final int[] codeTable = new int[HuffmanTables.LENS_TABLE_SIZE];
  private final int[] lens = new int[320];
  private final HuffmanTables builder = new HuffmanTables();

  // Marker mode output: the current block of 16-bit little-endian symbols, [32768 history | data],
  // so that a match moves four symbols per 8-byte copy.
  private boolean markers;
  private byte[] wb;
  /** Symbol index in wb of the next output symbol. */
  private int cp;
  /** Output offset (within the segment) of wb's first data symbol. */
  private long wRel;
  /** Lowest symbol index of wb a match may reach: a member start in this segment, else 0. */
  private int cFloor;
  /** Symbols of wb that are the window's markers (WINDOW in the first block, then 0). */
  private int windowMarkers;
  /** Index (in wb, may be negative) of the end of the last output that may hold a marker. */
  private int lastMarkerEnd;
  private int minMarker;

  // Byte mode output: the current block, [32 KiB history | data].
  private byte[] ob;
  private int op;
  /** Lowest index of ob a match may reach (a member start in this block, else 0). */
  private int oFloor;
  /** Output offset (within the segment) of ob[WINDOW]. */
  private long obRel;

  private Segment seg;
  private Supplier<Segment.Link> previous;
  /** Whether the segment has the previous segment's window (decoded with it, or resolved with it). */
  private boolean adopted;
  /** The window floor the previous segment gave (for a member that began before this segment). */
  private int predFloor;
  /** This segment's link for the next chunk, if it ends at its target in byte mode. */
  private Segment.Link link;
  private final byte[] lut = new byte[Segment.MARKER + WINDOW];
  /**
   * The first marker block of an abandoned attempt, its history still the window's markers: false
   * candidates are common (dozens per chunk), so the next attempt reuses it instead of copying
   * 64 KiB of markers again.
   */
  private byte[] spareWide;
  // CRC-32 of the byte-mode output, computed block by block while the block is still in cache.
  private final CRC32 crc = new CRC32();
  private long crcDone;
  private long pieceStart;
  private int crcEvent;
  // The last block start passed: where a partial segment ends.
  private int startsPassed;
  private long lastStartBit;
  private long lastStartOut;
  private int lastStartBoundaries;
  private int lastStartEvents;

  /**
   * One decoder per worker thread, reused for every chunk it decodes (its tables stay warm).
   *
   * @param pool byte blocks ({@link #blockSize()} bytes) come from here and go back there
   * @param widePool marker-mode blocks ({@link #wideBlockSize()} bytes, the same size: may be the
   *     same pool)
   */
  SegmentInflater(BufferPool pool, BufferPool widePool) {
    this.pool = pool;
    this.widePool = widePool;
    for (int i = 0; i < 256; i++) {
      lut[i] = (byte) i;
    }
    int[] l = new int[320];
    int sym = 0;
    while (sym < 144) {
      l[sym++] = 8;
    }
    while (sym < 256) {
      l[sym++] = 9;
    }
    while (sym < 280) {
      l[sym++] = 7;
    }
    while (sym < 288) {
      l[sym++] = 8;
    }
    fixedLenBits = builder.build(HuffmanTables.LENS, l, 0, 288, fixedLen, LEN_ROOT);
    for (sym = 0; sym < 32; sym++) {
      l[sym] = 5;
    }
    fixedDistBits = builder.build(HuffmanTables.DISTS, l, 0, 32, fixedDist, DIST_ROOT);
  }

  /**
   * Decodes one chunk.
   *
   * @param data the chunk's bytes followed by lookahead from the next chunk
   * @param dataLen valid bytes in data
   * @param base absolute offset of data[0] (the chunk's start)
   * @param ownLen the chunk's own length: candidates are searched in {@code [base, base + ownLen)}
   *     and decoding ends at the first block start at or after its end
   * @param eof whether the stream ends at {@code base + dataLen}
   * @param last whether this is the stream's last chunk (decode to the end)
   * @param softCap output memory (bytes; marker output takes two per byte) after which the segment
   *     ends at the next block start
   * @param hardCap output memory after which the segment ends at once (a block longer than the
   *     difference: the segment ends at its last block start)
   * @param maxBoundaries boundaries after which the segment ends at the next block start
   * @param previous the previous chunk's link once its worker is done (else null); read again at
   *     block starts while markers are possible
   * @param publish receives this segment's link when it ends at its target
   */
  Segment decode(
      byte[] data,
      int dataLen,
      long base,
      int ownLen,
      boolean eof,
      boolean last,
      long softCap,
      long hardCap,
      int maxBoundaries,
      Supplier<Segment.Link> previous,
      Consumer<Segment.Link> publish) {
    this.softCap = softCap;
    this.hardCap = hardCap;
    this.maxBoundaries = maxBoundaries;
    in = data;
    inEnd = dataLen;
    inBase = base;
    inEof = eof;
    target = last ? Long.MAX_VALUE : (base + ownLen) << 3;
    this.previous = previous;
    Segment s = decodeChunk(base, ownLen);
    in = null; // the chunk is the coordinator's again
    this.previous = null;
    if (s.status == Segment.OK && link != null) {
      publish.accept(link);
    }
    link = null;
    seg = null;
    return s;
  }

  private Segment decodeChunk(long base, int ownLen) {
    if (base == 0) {
      return attempt(0, 0, null, true);
    }
    long from = base << 3;
    long to = (base + ownLen) << 3;
    Segment.Link pred = previous.get();
    if (pred != null && pred.endBit >= from) {
      if (pred.endBit >= to) {
        return new Segment(); // the previous segment covers this chunk
      }
      // A known block start (valid if the previous segment is accepted): no search. With its
      // window, decode in byte mode; without, in marker mode.
      return attempt(pred.endBit, pred.endBit, pred, false);
    }
    try {
      while (true) {
        long candidate = finder.next(in, inEnd, base, from, to);
        if (candidate < 0) {
          return new Segment();
        }
        Segment s = attempt(candidate, finder.alternativesEnd(), null, false);
        if (s != null) {
          return s;
        }
        from = candidate + 1;
      }
    } finally {
      widePool.give(spareWide);
      spareWide = null;
    }
  }

  /**
   * Decodes from one start: the stream's, the previous segment's end ({@code pred}), or a
   * candidate. Null if it was a false candidate (try the next one).
   */
  private Segment attempt(long startBit, long startBitMax, Segment.Link pred, boolean streamStart) {
    seg = new Segment();
    link = null;
    adopted = false;
    seg.startBit = startBit;
    seg.startBitMax = startBitMax;
    startsPassed = 0;
    inPos = (int) ((startBit >>> 3) - inBase);
    bitBuf = 0;
    bitCnt = 0;
    int skip = (int) (startBit & 7);
    if (skip != 0) {
      bitBuf = (in[inPos++] & 0xff) >>> skip;
      bitCnt = 8 - skip;
    }
    if (streamStart) {
      // Known state: the stream's start, a zero window that no match may reach (member floor).
      markers = false;
      ob = pool.bytes();
      Arrays.fill(ob, 0, WINDOW, (byte) 0); // the zero-padded window of early checkpoints
      op = WINDOW;
      oFloor = WINDOW;
      obRel = 0;
      startCrc(0);
      state = S_HEADER;
    } else if (pred != null && pred.window != null) {
      // Known window: the previous segment's end. Valid if that segment is accepted.
      markers = false;
      ob = pool.bytes();
      System.arraycopy(pred.window, 0, ob, 0, WINDOW);
      op = WINDOW;
      oFloor = pred.floor;
      obRel = 0;
      predFloor = pred.floor;
      seg.chainTo(pred);
      adopted = true;
      startCrc(0);
      state = S_BLOCK;
    } else {
      markers = true;
      if (spareWide != null) {
        wb = spareWide;
        spareWide = null;
      } else {
        wb = widePool.bytes();
        System.arraycopy(MARKED_WINDOW, 0, wb, 0, 2 * WINDOW);
      }
      cp = WINDOW;
      wRel = 0;
      cFloor = 0;
      windowMarkers = WINDOW;
      lastMarkerEnd = WINDOW;
      minMarker = WINDOW;
      ob = null;
      state = S_BLOCK;
    }
    stopKind = 0;
    try {
      run();
    } catch (Stop s) {
      // stopKind says why
    }
    switch (stopKind) {
      case AT_TARGET:
        seg.status = Segment.OK;
        seg.endBit = lastStartBit;
        link = linkAtLastStart();
        finish(lastStartOut);
        return seg;
      case AT_END:
        seg.status = Segment.END;
        seg.endBit = bitPosition();
        finish(relOut());
        return seg;
      case FAULT:
        if (!streamStart && pred == null && startsPassed < TRUSTED_STARTS) {
          // (A start from a link is a true block start if the previous segment holds: a fault after
          // it is the stream's, kept as a partial segment for the reference decoder to report.)
          recycle();
          return null;
        }
        return partial();
      default: // NO_INPUT, LIMIT
        if (stopKind == LIMIT && startsPassed > 0) {
          seg.continuation = linkAtLastStart(); // over the memory share: a worker can go on
        }
        return partial();
    }
  }

  /** The segment up to the last block start passed, or NONE. */
  private Segment partial() {
    if (startsPassed == 0) {
      recycle();
      Segment none = new Segment();
      none.startBit = seg.startBit;
      none.startBitMax = seg.startBitMax;
      return none;
    }
    seg.status = Segment.PARTIAL;
    seg.endBit = lastStartBit;
    seg.boundaryCount = lastStartBoundaries;
    seg.eventCount = lastStartEvents;
    finish(lastStartOut);
    return seg;
  }

  /** Gives the output of an abandoned attempt back to the pool, keeping its first marker block. */
  private void recycle() {
    for (int i = 0; i < seg.blockCount; i++) {
      pool.give(seg.blocks[i]);
    }
    byte[] first = seg.wideCount > 0 ? seg.wide[0] : wb;
    for (int i = 1; i < seg.wideCount; i++) {
      widePool.give(seg.wide[i]);
    }
    if (seg.wideCount > 0) {
      widePool.give(wb);
    }
    if (first != null) {
      widePool.give(spareWide);
      spareWide = first;
    }
    pool.give(ob);
    ob = null;
    wb = null;
  }

  /** Size of an output block: 32 KiB of history, the data, and room for the last match and copy slack. */
  static int blockSize() {
    return WINDOW + BLOCK_DATA + MAX_MATCH + COPY_SLACK;
  }

  /** Size in bytes of a marker-mode block: as {@link #blockSize()} in 16-bit symbols. */
  static int wideBlockSize() {
    return 2 * (WINDOW + WIDE_DATA + MAX_MATCH + COPY_SLACK);
  }

  /** Closes the output at {@code end} (an offset within the segment) and finishes the CRCs. */
  private void finish(long end) {
    Segment s = seg;
    if (s.markerOutput == 0) {
      s.markerOutput = markers ? end : s.prefixLen;
    }
    if (markers) {
      if (end >= wRel) {
        s.addWide(wb, (int) (end - wRel));
      } else {
        widePool.give(wb);
        cutWide(end);
      }
      wb = null;
      s.prefixLen = end;
    } else if (end >= obRel && end >= crcDone) {
      crcThrough(end);
      s.addBlock(ob, (int) (end - obRel));
      endCrc(end);
    } else {
      // Cut back into an earlier block (a partial segment ending at an earlier block start): the
      // pieces computed so far may run past the end; compute them again.
      pool.give(ob);
      if (end <= s.prefixLen) {
        for (int i = 0; i < s.blockCount; i++) {
          pool.give(s.blocks[i]);
        }
        s.blockCount = 0;
        cutWide(end);
        s.prefixLen = end;
      } else {
        long blockStart = s.prefixLen;
        int keep = 0;
        while (keep < s.blockCount && blockStart + s.blockLens[keep] < end) {
          blockStart += s.blockLens[keep];
          keep++;
        }
        for (int i = keep + 1; i < s.blockCount; i++) {
          pool.give(s.blocks[i]);
        }
        s.blockLens[keep] = (int) (end - blockStart);
        s.blockCount = keep + 1;
      }
      s.outLen = end;
      s.pieceCount = 0;
      crcPieces(s);
    }
    ob = null;
    s.minMarker = minMarker;
    s.outLen = end;
  }

  /** Drops the marker-mode output past {@code end}. */
  private void cutWide(long end) {
    Segment s = seg;
    long start = 0;
    int keep = 0;
    while (keep < s.wideCount && start + s.wideLens[keep] < end) {
      start += s.wideLens[keep];
      keep++;
    }
    for (int i = keep + 1; i < s.wideCount; i++) {
      widePool.give(s.wide[i]);
    }
    if (keep < s.wideCount) {
      s.wideLens[keep] = (int) (end - start);
      s.wideCount = keep + 1;
    }
  }

  private void startCrc(long at) {
    crc.reset();
    crcDone = at;
    pieceStart = at;
    crcEvent = seg.eventCount;
  }

  /** Extends the CRC pieces over the current block's output up to {@code end}. */
  private void crcThrough(long end) {
    crcThrough(ob, obRel, end);
  }

  /** Extends the CRC pieces over {@code block} (whose data is output from {@code blockRel}) up to {@code end}. */
  private void crcThrough(byte[] block, long blockRel, long end) {
    Segment s = seg;
    while (crcDone < end) {
      closePiecesAt(crcDone);
      long cut = crcEvent < s.eventCount ? Math.min(end, s.eventOuts[crcEvent]) : end;
      crc.update(block, WINDOW + (int) (crcDone - blockRel), (int) (cut - crcDone));
      crcDone = cut;
    }
  }

  /** Member events at or before {@code pos} end the current piece. */
  private void closePiecesAt(long pos) {
    Segment s = seg;
    while (crcEvent < s.eventCount && s.eventOuts[crcEvent] <= pos) {
      long at = s.eventOuts[crcEvent];
      if (at > pieceStart) {
        s.addPiece(pieceStart, at, (int) crc.getValue());
        crc.reset();
      }
      pieceStart = Math.max(pieceStart, at);
      crcEvent++;
    }
  }

  private void endCrc(long end) {
    closePiecesAt(end);
    if (end > pieceStart) {
      seg.addPiece(pieceStart, end, (int) crc.getValue());
    }
  }

  /** CRC-32 of the block output between cut points (prefix end, member events), from scratch. */
  private static void crcPieces(Segment s) {
    CRC32 crc = new CRC32();
    long blockStart = s.prefixLen;
    int ev = 0;
    long pieceStart = s.prefixLen;
    for (int b = 0; b < s.blockCount; b++) {
      byte[] block = s.blocks[b];
      long blockEnd = blockStart + s.blockLens[b];
      long pos = blockStart;
      while (pos < blockEnd) {
        while (ev < s.eventCount && s.eventOuts[ev] <= pos) {
          if (s.eventOuts[ev] > pieceStart) {
            s.addPiece(pieceStart, s.eventOuts[ev], (int) crc.getValue());
            crc.reset();
          }
          pieceStart = Math.max(pieceStart, s.eventOuts[ev]);
          ev++;
        }
        long cut = ev < s.eventCount ? Math.min(blockEnd, s.eventOuts[ev]) : blockEnd;
        crc.update(block, WINDOW + (int) (pos - blockStart), (int) (cut - pos));
        pos = cut;
      }
      blockStart = blockEnd;
    }
    if (s.outLen > pieceStart) {
      s.addPiece(pieceStart, s.outLen, (int) crc.getValue());
    }
  }

  // ------------------------------------------------------------------ driver

  private void run() {
    while (true) {
      switch (state) {
        case S_HEADER:
          readHeader();
          break;
        case S_BLOCK:
          readBlockHeader();
          break;
        case S_STORED:
          copyStored();
          break;
        case S_HUFFMAN:
          decodeHuffman();
          break;
        case S_TRAILER:
          readTrailer();
          break;
        default:
          stopKind = AT_END;
          return;
      }
    }
  }

  private Stop stop(int kind) {
    stopKind = kind;
    return stop;
  }

  private long bitPosition() {
    return (inBase + inPos) * 8 - bitCnt;
  }

  private long relOut() {
    return markers ? wRel + (cp - WINDOW) : obRel + (op - WINDOW);
  }

  private void boundary(boolean fin) {
    long bit = bitPosition();
    long rel = relOut();
    seg.addBoundary(bit, rel, fin);
    if (!fin) {
      if (markers && !adopted) {
        tryAdopt();
      }
      startsPassed++;
      lastStartBit = bit;
      lastStartOut = rel;
      lastStartBoundaries = seg.boundaryCount;
      lastStartEvents = seg.eventCount;
      if (bit >= target) {
        throw stop(AT_TARGET);
      }
      if (outputMemory() >= softCap || seg.boundaryCount >= maxBoundaries) {
        throw stop(LIMIT);
      }
    }
  }

  /**
   * If the previous chunk's worker is done and its segment ends exactly where this one starts, its
   * window is this one's: resolve the markers so far and go on in byte mode (workers run nearly in
   * step, so this usually ends marker mode long before the output would be free of markers).
   */
  private void tryAdopt() {
    Segment.Link pred = previous.get();
    if (pred == null) {
      return;
    }
    if (pred.window == null) {
      adopted = true; // its window holds markers: nothing to take
      return;
    }
    adopted = true; // one look only: a mismatch will not change
    if (pred.endBit < seg.startBit || pred.endBit > seg.startBitMax || minMarker < pred.floor) {
      return; // not this start, or a match before the member's start (the reference reports it)
    }
    System.arraycopy(pred.window, 0, lut, Segment.MARKER, WINDOW);
    Segment s = seg;
    crc.reset();
    crcDone = 0;
    pieceStart = 0;
    crcEvent = 0;
    byte[] history = pred.window;
    int historyAt = 0;
    long rel = 0;
    s.markerOutput = relOut();
    for (int i = 0; i < s.wideCount; i++) {
      byte[] block = pool.bytes();
      System.arraycopy(history, historyAt, block, 0, WINDOW);
      ParallelGzipInflater.resolve(s.wide[i], s.wideLens[i], lut, block);
      widePool.give(s.wide[i]);
      s.wide[i] = null;
      s.addBlock(block, s.wideLens[i]);
      crcThrough(block, rel, rel + s.wideLens[i]);
      rel += s.wideLens[i];
      history = block;
      historyAt = s.wideLens[i];
    }
    s.wideCount = 0;
    // The current marker block becomes the current byte block (same layout, more room).
    byte[] block = pool.bytes();
    System.arraycopy(history, historyAt, block, 0, WINDOW);
    ParallelGzipInflater.resolve(wb, cp - WINDOW, lut, block);
    int floor = cFloor > 0 ? cFloor : wRel == 0 ? pred.floor : 0;
    if (wb != null && wRel == 0) {
      widePool.give(spareWide); // the first block's history is intact: keep it for reuse
      spareWide = wb;
    } else {
      widePool.give(wb);
    }
    wb = null;
    ob = block;
    op = cp;
    obRel = wRel;
    oFloor = floor;
    predFloor = pred.floor;
    markers = false;
    s.prefixLen = 0;
    minMarker = WINDOW;
    s.chainTo(pred);
  }

  /**
   * The link at the last block start passed: its position, the 32 KiB window there and the member
   * floor, for the next chunk's worker or for a continuation of this chunk. Without a window in
   * marker mode (the window holds markers); null if that window is not in this segment's blocks.
   */
  private Segment.Link linkAtLastStart() {
    if (markers) {
      // The window holds markers: the next decode starts here, but in marker mode.
      return new Segment.Link(lastStartBit, null, 0, seg.token);
    }
    long end = lastStartOut;
    byte[] window = new byte[WINDOW];
    if (end >= obRel) {
      System.arraycopy(ob, (int) (end - obRel), window, 0, WINDOW);
    } else {
      long start = seg.prefixLen;
      int k = 0;
      while (k < seg.blockCount && start + seg.blockLens[k] < end) {
        start += seg.blockLens[k];
        k++;
      }
      if (k == seg.blockCount || end < start) {
        return null;
      }
      System.arraycopy(seg.blocks[k], (int) (end - start), window, 0, WINDOW);
    }
    int floor;
    int ev = lastStartEvents;
    if (ev > 0 && seg.eventKinds[ev - 1] == Segment.MEMBER_START) {
      long since = end - seg.eventOuts[ev - 1];
      floor = since >= WINDOW ? 0 : (int) (WINDOW - since);
    } else if (ev > 0) {
      return null; // between members: never at a block start
    } else if (adopted) {
      floor = (int) Math.max(0, predFloor - end);
    } else {
      floor = 0; // began in marker mode: more than a window of this segment lies behind
    }
    return new Segment.Link(lastStartBit, window, floor, seg.token);
  }

  /** Memory the output holds: two bytes per marker-mode char, one per byte after. */
  private long outputMemory() {
    return markers ? 2 * relOut() : 2 * seg.prefixLen + (relOut() - seg.prefixLen);
  }

  /** Ran out of bytes: the stream's end (a fault) or the end of what this worker can see. */
  private Stop outOfInput() {
    return stop(inEof ? FAULT : NO_INPUT);
  }

  // ------------------------------------------------------------------ output

  /** Makes room for one more symbol (a match of up to 258 bytes plus copy slack). */
  private void ensureRoom() {
    if (markers) {
      if (cp > (wb.length >> 1) - MAX_MATCH - COPY_SLACK) {
        if (outputMemory() > hardCap) {
          throw stop(LIMIT);
        }
        rotateWide();
      }
    } else if (op > ob.length - MAX_MATCH - COPY_SLACK) {
      if (outputMemory() > hardCap) {
        throw stop(LIMIT);
      }
      rotate();
    }
  }

  /** Ends the current marker-mode block and starts the next with the last 32768 symbols as history. */
  private void rotateWide() {
    int shift = cp - WINDOW;
    byte[] next = widePool.bytes();
    System.arraycopy(wb, 2 * shift, next, 0, 2 * WINDOW);
    seg.addWide(wb, shift);
    wRel += shift;
    cFloor = Math.max(0, cFloor - shift);
    windowMarkers = 0;
    lastMarkerEnd -= shift;
    wb = next;
    cp = WINDOW;
  }

  /** Ends the current byte block and starts the next with the last 32 KiB as history. */
  private void rotate() {
    int shift = op - WINDOW;
    crcThrough(obRel + shift);
    byte[] next = pool.bytes();
    System.arraycopy(ob, op - WINDOW, next, 0, WINDOW);
    seg.addBlock(ob, shift);
    obRel += shift;
    oFloor = Math.max(0, oFloor - shift);
    ob = next;
    op = WINDOW;
  }

  /** From markers to bytes: the last 32 KiB of output hold no marker, so none can appear again. */
  private void switchToBytes() {
    ob = pool.bytes();
    // The last 32 KiB hold no marker: the table's identity part suffices (the same hot loop as
    // resolving markers, rather than another one for the JIT to compile).
    ParallelGzipInflater.resolve(wb, cp - WINDOW, WINDOW, lut, ob, 0);
    op = WINDOW;
    obRel = relOut();
    seg.addWide(wb, cp - WINDOW);
    wb = null;
    seg.prefixLen = obRel;
    oFloor = Math.max(0, cFloor - (cp - WINDOW));
    markers = false;
    startCrc(obRel);
  }

  private boolean markerFree() {
    return markers && cp - lastMarkerEnd >= WINDOW;
  }

  // ------------------------------------------------------------------ input

  private void pullByte() {
    if (inPos == inEnd) {
      throw outOfInput();
    }
    bitBuf |= (long) (in[inPos++] & 0xff) << bitCnt;
    bitCnt += 8;
  }

  private void needBits(int n) {
    while (bitCnt < n) {
      pullByte();
    }
  }

  private int takeBits(int n) {
    needBits(n);
    int v = (int) bitBuf & ((1 << n) - 1);
    bitBuf >>>= n;
    bitCnt -= n;
    return v;
  }

  private void alignToByte() {
    int drop = bitCnt & 7;
    bitCnt -= drop;
    inPos -= bitCnt >>> 3;
    bitCnt = 0;
    bitBuf = 0;
  }

  private int nextByte() {
    if (inPos == inEnd) {
      throw outOfInput();
    }
    return in[inPos++] & 0xff;
  }

  // ------------------------------------------------------------------ gzip framing

  private void readHeader() {
    int headerStart = inPos;
    if (nextByte() != 0x1f || nextByte() != 0x8b || nextByte() != 8) {
      throw stop(FAULT);
    }
    int flg = nextByte();
    if ((flg & 0xe0) != 0) {
      throw stop(FAULT);
    }
    for (int i = 0; i < 6; i++) {
      nextByte();
    }
    if ((flg & 0x04) != 0) {
      int xlen = nextByte() | (nextByte() << 8);
      for (int i = 0; i < xlen; i++) {
        nextByte();
      }
    }
    if ((flg & 0x08) != 0) {
      while (nextByte() != 0) {
        // name
      }
    }
    if ((flg & 0x10) != 0) {
      while (nextByte() != 0) {
        // comment
      }
    }
    if ((flg & 0x02) != 0) {
      CRC32 hcrc = new CRC32();
      hcrc.update(in, headerStart, inPos - headerStart);
      int v = nextByte() | (nextByte() << 8);
      if (v != ((int) hcrc.getValue() & 0xffff)) {
        throw stop(FAULT);
      }
    }
    // A new member: no match may reach before its start (zlib resets its window).
    if (markers) {
      cFloor = cp;
      windowMarkers = 0;
    } else {
      oFloor = op;
    }
    seg.addEvent(Segment.MEMBER_START, relOut(), 0, 0);
    state = S_BLOCK;
    boundary(false);
  }

  private void readTrailer() {
    alignToByte();
    int crc = 0;
    for (int i = 0; i < 4; i++) {
      crc |= nextByte() << (8 * i);
    }
    int size = 0;
    for (int i = 0; i < 4; i++) {
      size |= nextByte() << (8 * i);
    }
    seg.addEvent(Segment.MEMBER_END, relOut(), crc, size);
    if (inPos == inEnd) {
      if (inEof) {
        state = S_DONE;
        return;
      }
      throw stop(NO_INPUT);
    }
    state = S_HEADER; // anything but a gzip member fails its header
  }

  // ------------------------------------------------------------------ deflate blocks

  private void readBlockHeader() {
    if (markerFree()) {
      switchToBytes();
    }
    int h = takeBits(3);
    lastBlock = (h & 1) != 0;
    switch (h >>> 1) {
      case 0:
        alignToByte();
        int len = nextByte() | (nextByte() << 8);
        int nlen = nextByte() | (nextByte() << 8);
        if (len != (~nlen & 0xffff)) {
          throw stop(FAULT);
        }
        storedLeft = len;
        seg.storedBytes += len;
        state = S_STORED;
        break;
      case 1:
        lenTable = fixedLen;
        lenBits = fixedLenBits;
        distTable = fixedDist;
        distBits = fixedDistBits;
        state = S_HUFFMAN;
        break;
      case 2:
        readDynamicTables();
        state = S_HUFFMAN;
        break;
      default:
        throw stop(FAULT);
    }
  }

  private void endOfBlock() {
    state = lastBlock ? S_TRAILER : S_BLOCK;
    boundary(lastBlock);
  }

  private void copyStored() {
    while (storedLeft > 0) {
      if (inPos == inEnd) {
        throw outOfInput();
      }
      ensureRoom();
      int avail = inEnd - inPos;
      if (markers) {
        int n = Math.min(storedLeft, Math.min(avail, (wb.length >> 1) - MAX_MATCH - COPY_SLACK - cp + 1));
        widen(in, inPos, wb, 2 * cp, n);
        cp += n;
        inPos += n;
        storedLeft -= n;
      } else {
        int n = Math.min(storedLeft, Math.min(avail, ob.length - MAX_MATCH - COPY_SLACK - op + 1));
        System.arraycopy(in, inPos, ob, op, n);
        op += n;
        inPos += n;
        storedLeft -= n;
      }
    }
    endOfBlock();
  }

  /** Stored bytes as 16-bit symbols (marker mode); a loop of its own, as {@link #copyWide}. */
  private static void widen(byte[] in, int from, byte[] o, int at, int n) {
    for (int i = 0; i < n; i++, at += 2) {
      o[at] = in[from + i];
      o[at + 1] = 0;
    }
  }

  private void readDynamicTables() {
    int nlen = takeBits(5) + 257;
    int ndist = takeBits(5) + 1;
    int ncode = takeBits(4) + 4;
    if (nlen > 286 || ndist > 30) {
      throw stop(FAULT);
    }
    readCodeLengthCode(ncode);
    int codeBits = builder.build(HuffmanTables.CODES, lens, 0, 19, codeTable, 7);
    if (codeBits < 0) {
      throw stop(FAULT);
    }
    readCodeLengths(nlen + ndist, (1 << codeBits) - 1);
    int[] lens = this.lens;
    if (lens[256] == 0) {
      throw stop(FAULT);
    }
    lenBits = builder.build(HuffmanTables.LENS, lens, 0, nlen, dynLen, LEN_ROOT);
    if (lenBits < 0) {
      throw stop(FAULT);
    }
    distBits = builder.build(HuffmanTables.DISTS, lens, nlen, ndist, dynDist, DIST_ROOT);
    if (distBits < 0) {
      throw stop(FAULT);
    }
    lenTable = dynLen;
    distTable = dynDist;
  }

  // The header's loops are methods of their own: small methods are quick to compile, and
  // readDynamicTables (once per block) is then compiled once, not once per loop (see
  // HuffmanTables.build).

  /** The code-length code's lengths, in their permuted order; the ones not sent are 0. */
  private void readCodeLengthCode(int ncode) {
    int[] lens = this.lens;
    int have = 0;
    while (have < ncode) {
      lens[CODE_LENGTH_ORDER[have++]] = takeBits(3);
    }
    while (have < 19) {
      lens[CODE_LENGTH_ORDER[have++]] = 0;
    }
  }

  /** The literal/length and distance code lengths, decoded with the code-length code. */
  private void readCodeLengths(int total, int codeMask) {
    int[] lens = this.lens;
    int have = 0;
    while (have < total) {
      int here;
      while (true) {
        here = codeTable[(int) bitBuf & codeMask];
        if (HuffmanTables.bitsOf(here) <= bitCnt) {
          break;
        }
        pullByte();
      }
      int hb = HuffmanTables.bitsOf(here);
      int val = HuffmanTables.valOf(here);
      if (val < 16) {
        bitBuf >>>= hb;
        bitCnt -= hb;
        lens[have++] = val;
      } else {
        int len;
        int copy;
        if (val == 16) {
          needBits(hb + 2);
          bitBuf >>>= hb;
          bitCnt -= hb;
          if (have == 0) {
            throw stop(FAULT);
          }
          len = lens[have - 1];
          copy = 3 + takeBits(2);
        } else if (val == 17) {
          needBits(hb + 3);
          bitBuf >>>= hb;
          bitCnt -= hb;
          len = 0;
          copy = 3 + takeBits(3);
        } else {
          needBits(hb + 7);
          bitBuf >>>= hb;
          bitCnt -= hb;
          len = 0;
          copy = 11 + takeBits(7);
        }
        if (have + copy > total) {
          throw stop(FAULT);
        }
        Arrays.fill(lens, have, have + copy, len);
        have += copy;
      }
    }
  }

  private void decodeHuffman() {
    while (true) {
      ensureRoom();
      boolean eob;
      if (inEnd - inPos >= FAST_IN) {
        eob = markers ? fastLoopMarkers() : fastLoop();
      } else {
        eob = slowSymbol();
      }
      if (eob) {
        endOfBlock();
        return;
      }
      if (markerFree()) {
        switchToBytes();
      }
    }
  }

  /**
   * Byte mode's hot loop: {@link CheckpointingInflater}'s, line for line, into the current block.
   *
   * @return true at end of block, false when input or output room ran low
   */
  private boolean fastLoop() {
    final byte[] in = this.in;
    final byte[] o = ob;
    final int[] lc = lenTable;
    final int[] dc = distTable;
    final int lmask = (1 << lenBits) - 1;
    final int dmask = (1 << distBits) - 1;
    final int inLimit = inEnd - 8;
    final int outLimit = o.length - MAX_MATCH - COPY_SLACK;
    final int floor = oFloor;
    long bb = bitBuf;
    int bc = bitCnt;
    int ip = inPos;
    int op = this.op;
    boolean eob = false;
    boolean bad = false;
    loop:
    while (ip <= inLimit && op <= outLimit) {
      bb |= (long) LE_LONG.get(in, ip) << bc;
      ip += (63 - bc) >>> 3;
      bc |= 56;
      int e = lc[(int) bb & lmask];
      int n = e & 0xff;
      bb >>>= n;
      bc -= n;
      int opc = (e >>> 8) & 0xff;
      if ((opc & (16 | 64)) == 0 && opc != 0) {
        // Longer than the root table's bits: one sub-table lookup (a code has 15 bits at most).
        e = lc[(e >>> 16) + ((int) bb & ((1 << opc) - 1))];
        n = e & 0xff;
        bb >>>= n;
        bc -= n;
        opc = (e >>> 8) & 0xff;
      }
      if (opc == 0) {
        o[op++] = (byte) (e >>> 16);
        if (bc >= 15) {
          e = lc[(int) bb & lmask];
          if (((e >>> 8) & 0xff) == 0) {
            n = e & 0xff;
            bb >>>= n;
            bc -= n;
            o[op++] = (byte) (e >>> 16);
          }
        }
        continue loop;
      }
      if ((opc & 16) != 0) {
        int len = e >>> 16;
        opc &= 15;
        if (opc != 0) {
          len += (int) bb & ((1 << opc) - 1);
          bb >>>= opc;
          bc -= opc;
        }
        int d = dc[(int) bb & dmask];
        n = d & 0xff;
        bb >>>= n;
        bc -= n;
        int dop = (d >>> 8) & 0xff;
        if ((dop & (16 | 64)) == 0) {
          d = dc[(d >>> 16) + ((int) bb & ((1 << dop) - 1))]; // a sub-table, as above
          n = d & 0xff;
          bb >>>= n;
          bc -= n;
          dop = (d >>> 8) & 0xff;
        }
        if ((dop & 16) != 0) {
          int dist = d >>> 16;
          dop &= 15;
          if (dop != 0) {
            dist += (int) bb & ((1 << dop) - 1);
            bb >>>= dop;
            bc -= dop;
          }
          if (dist > op - floor) {
            bad = true;
            break loop;
          }
          CheckpointingInflater.copyMatch(o, op, dist, len);
          op += len;
          continue loop;
        }
        bad = true;
        break loop;
      }
      if ((opc & 32) != 0) {
        eob = true;
        break loop;
      }
      bad = true;
      break loop;
    }
    bitBuf = bb;
    bitCnt = bc;
    inPos = ip;
    this.op = op;
    if (bad) {
      throw stop(FAULT);
    }
    return eob;
  }

  /**
   * Marker mode's loop: as {@link #fastLoop} but into 16-bit symbols, writing markers for bytes of
   * the unknown window, and noting where the last marker was written so that the switch to byte
   * mode happens as soon as the last 32 KiB are free of them.
   */
  private boolean fastLoopMarkers() {
    final byte[] in = this.in;
    final byte[] o = wb;
    final int[] lc = lenTable;
    final int[] dc = distTable;
    final int lmask = (1 << lenBits) - 1;
    final int dmask = (1 << distBits) - 1;
    final int inLimit = inEnd - 8;
    final int outLimit = (o.length >> 1) - MAX_MATCH - COPY_SLACK;
    final int floor = cFloor;
    final int marked = windowMarkers;
    long bb = bitBuf;
    int bc = bitCnt;
    int ip = inPos;
    int op = cp;
    int lme = lastMarkerEnd;
    int minM = minMarker;
    boolean eob = false;
    boolean bad = false;
    loop:
    while (ip <= inLimit && op <= outLimit && op - lme < WINDOW) {
      bb |= (long) LE_LONG.get(in, ip) << bc;
      ip += (63 - bc) >>> 3;
      bc |= 56;
      int e = lc[(int) bb & lmask];
      int n = e & 0xff;
      bb >>>= n;
      bc -= n;
      int opc = (e >>> 8) & 0xff;
      if ((opc & (16 | 64)) == 0 && opc != 0) {
        // Longer than the root table's bits: one sub-table lookup (a code has 15 bits at most).
        e = lc[(e >>> 16) + ((int) bb & ((1 << opc) - 1))];
        n = e & 0xff;
        bb >>>= n;
        bc -= n;
        opc = (e >>> 8) & 0xff;
      }
      if (opc == 0) {
        LE_SHORT.set(o, op << 1, (short) (e >>> 16));
        op++;
        if (bc >= 15) {
          e = lc[(int) bb & lmask];
          if (((e >>> 8) & 0xff) == 0) {
            n = e & 0xff;
            bb >>>= n;
            bc -= n;
            LE_SHORT.set(o, op << 1, (short) (e >>> 16));
            op++;
          }
        }
        continue loop;
      }
      if ((opc & 16) != 0) {
        int len = e >>> 16;
        opc &= 15;
        if (opc != 0) {
          len += (int) bb & ((1 << opc) - 1);
          bb >>>= opc;
          bc -= opc;
        }
        int d = dc[(int) bb & dmask];
        n = d & 0xff;
        bb >>>= n;
        bc -= n;
        int dop = (d >>> 8) & 0xff;
        if ((dop & (16 | 64)) == 0) {
          d = dc[(d >>> 16) + ((int) bb & ((1 << dop) - 1))]; // a sub-table, as above
          n = d & 0xff;
          bb >>>= n;
          bc -= n;
          dop = (d >>> 8) & 0xff;
        }
        if ((dop & 16) != 0) {
          int dist = d >>> 16;
          dop &= 15;
          if (dop != 0) {
            dist += (int) bb & ((1 << dop) - 1);
            bb >>>= dop;
            bc -= dop;
          }
          int from = op - dist;
          if (from < floor) {
            bad = true;
            break loop;
          }
          if (from < marked && from < minM) {
            minM = from; // a direct reference into the window
          }
          int end = op + len;
          if ((copyWide(o, from, op, end, dist) & MARKER_BYTES) != 0) {
            lme = end; // (a move's overshoot may see a marker just past the copy: a later switch, never a wrong one)
          }
          op = end;
          continue loop;
        }
        bad = true;
        break loop;
      }
      if ((opc & 32) != 0) {
        eob = true;
        break loop;
      }
      bad = true;
      break loop;
    }
    bitBuf = bb;
    bitCnt = bc;
    inPos = ip;
    cp = op;
    lastMarkerEnd = lme;
    minMarker = minM;
    if (bad) {
      throw stop(FAULT);
    }
    return eob;
  }

  /**
   * Copies a match of 16-bit symbols (marker mode), four per move when the source is at least four
   * behind; the last move may copy up to three symbols too many (overwritten later, inside the slack).
   * A method of its own, as {@link CheckpointingInflater#copyMatch}.
   *
   * @return the OR of every symbol moved, to tell whether a marker was among them
   */
  private static long copyWide(byte[] o, int from, int op, int end, int dist) {
    int fb = from << 1;
    int tb = op << 1;
    int eb = end << 1;
    long acc = 0;
    if (dist >= 4) {
      do {
        long v = (long) LE_LONG.get(o, fb);
        acc |= v;
        LE_LONG.set(o, tb, v);
        tb += 8;
        fb += 8;
      } while (tb < eb);
    } else {
      do {
        short v = (short) LE_SHORT.get(o, fb);
        acc |= v;
        LE_SHORT.set(o, tb, v);
        tb += 2;
        fb += 2;
      } while (tb < eb);
    }
    return acc;
  }

  /** One symbol with exact end-of-input handling, in either mode. */
  private boolean slowSymbol() {
    int e;
    int mask = (1 << lenBits) - 1;
    int[] lc = lenTable;
    while (true) {
      e = lc[(int) bitBuf & mask];
      if (HuffmanTables.bitsOf(e) <= bitCnt) {
        break;
      }
      pullByte();
    }
    while (true) {
      int opc = HuffmanTables.opOf(e);
      if (opc != 0 && (opc & (16 | 64)) == 0) {
        int rb = HuffmanTables.bitsOf(e);
        int sub = HuffmanTables.valOf(e);
        int m = (1 << opc) - 1;
        int e2;
        while (true) {
          e2 = lc[sub + ((int) (bitBuf >>> rb) & m)];
          if (rb + HuffmanTables.bitsOf(e2) <= bitCnt) {
            break;
          }
          pullByte();
        }
        bitBuf >>>= rb;
        bitCnt -= rb;
        e = e2;
        continue;
      }
      break;
    }
    int n = HuffmanTables.bitsOf(e);
    bitBuf >>>= n;
    bitCnt -= n;
    int opc = HuffmanTables.opOf(e);
    if (opc == 0) {
      if (markers) {
        LE_SHORT.set(wb, cp << 1, (short) HuffmanTables.valOf(e));
        cp++;
      } else {
        ob[op++] = (byte) HuffmanTables.valOf(e);
      }
      return false;
    }
    if ((opc & 32) != 0) {
      return true;
    }
    if ((opc & 64) != 0) {
      throw stop(FAULT);
    }
    int len = HuffmanTables.valOf(e) + takeBits(opc & 15);
    int dmask = (1 << distBits) - 1;
    int[] dc = distTable;
    int d;
    while (true) {
      d = dc[(int) bitBuf & dmask];
      if (HuffmanTables.bitsOf(d) <= bitCnt) {
        break;
      }
      pullByte();
    }
    int dop = HuffmanTables.opOf(d);
    if (dop != 0 && (dop & (16 | 64)) == 0) {
      int rb = HuffmanTables.bitsOf(d);
      int sub = HuffmanTables.valOf(d);
      int m = (1 << dop) - 1;
      int d2;
      while (true) {
        d2 = dc[sub + ((int) (bitBuf >>> rb) & m)];
        if (rb + HuffmanTables.bitsOf(d2) <= bitCnt) {
          break;
        }
        pullByte();
      }
      bitBuf >>>= rb;
      bitCnt -= rb;
      d = d2;
      dop = HuffmanTables.opOf(d);
    }
    n = HuffmanTables.bitsOf(d);
    bitBuf >>>= n;
    bitCnt -= n;
    if ((dop & 16) == 0) {
      throw stop(FAULT);
    }
    int dist = HuffmanTables.valOf(d) + takeBits(dop & 15);
    if (markers) {
      int from = cp - dist;
      if (from < cFloor) {
        throw stop(FAULT);
      }
      if (from < windowMarkers) {
        minMarker = Math.min(minMarker, from);
      }
      int end = cp + len;
      boolean marked = false;
      while (cp < end) {
        short c = (short) LE_SHORT.get(wb, from << 1);
        marked |= (c & 0xff00) != 0;
        LE_SHORT.set(wb, cp << 1, c);
        cp++;
        from++;
      }
      if (marked) {
        lastMarkerEnd = end;
      }
    } else {
      if (dist > op - oFloor) {
        throw stop(FAULT);
      }
      int from = op - dist;
      for (int i = 0; i < len; i++) {
        ob[op++] = ob[from++];
      }
    }
    return false;
  }
}
