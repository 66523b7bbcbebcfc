package dev.socibuilder.ztoc.inflate;

import java.util.Arrays;

/**
 * What a worker decoded from one compressed chunk (see {@link ParallelGzipInflater}): the
 * uncompressed bytes from a deflate block start to a later block start, with references into the
 * still unknown 32 KiB window before it kept as markers, every boundary on the way, and the gzip
 * member ends and starts with their trailers. Nothing here is trusted until the coordinator has
 * checked that the segment starts exactly where the verified stream stands and that the trailers
 * match. Written by one worker, then handed over (through a Future) to the coordinator.
 */
final class Segment {
  /** Ended at the first block start at or after the chunk's end. */
  static final int OK = 0;
  /** Decoded to the end of the stream (the last member's trailer, then end of input). */
  static final int END = 1;
  /** Ended early at a block start: output or lookahead limits, or a fault after a long good run. */
  static final int PARTIAL = 2;
  /** Nothing usable: no block start found in the chunk, or none reached after the start. */
  static final int NONE = 3;

  static final int MEMBER_START = 0;
  static final int MEMBER_END = 1;

  /** A marker: symbol {@code MARKER | i} stands for byte {@code i} of the window (0 = oldest). */
  static final int MARKER = 0x8000;

  /**
   * What the next chunk's worker needs to decode on from this segment's end without markers: the
   * end, the 32 KiB window there, and how much of the window lies before the current member's start
   * (a match may not reach it).
   */
  static final class Link {
    final long endBit;
    final byte[] window;
    final int floor;
    final Object token;

    Link(long endBit, byte[] window, int floor, Object token) {
      this.endBit = endBit;
      this.window = window;
      this.floor = floor;
      this.token = token;
    }
  }

  /** Identifies this segment (for {@link #chainedFrom}) without keeping it reachable. */
  final Object token = new Object();
  /**
   * The token of the previous segment whose end window this one was decoded (or resolved) with, or
   * null: such a segment is valid right after that one, or wherever the verified window and member
   * floor at bit {@link #chainedBit} are {@link #chainedWindow} and {@link #chainedFloor}.
   */
  Object chainedFrom;
  /**
   * Where a chained segment took the previous one's state: the bit position, the window there (never
   * changed once linked) and the member floor.
   */
  long chainedBit;
  byte[] chainedWindow;
  int chainedFloor;

  /** Records that this segment was decoded (or resolved) with {@code pred}'s end state. */
  void chainTo(Link pred) {
    chainedFrom = pred.token;
    chainedBit = pred.endBit;
    chainedWindow = pred.window;
    chainedFloor = pred.floor;
  }
  /**
   * For a PARTIAL segment that stopped at its memory limit: where a worker can go on with the rest
   * of the chunk (a continuation chained to this segment), or null.
   */
  Link continuation;

  int status = NONE;
  /** Bit position of the first block header decoded, or of the stream start (0). */
  long startBit = -1;
  /**
   * The decoding is identical from any start in {@code [startBit, startBitMax]} (a stored block's
   * header bits lie in the byte before its aligned length; the finder cannot tell which padding bits
   * were the header).
   */
  long startBitMax = -1;
  /** Bit position where the segment ends: a block start, or the end of the stream for END. */
  long endBit;

  /**
   * Output decoded while references into the unknown window were possible: blocks of 16-bit
   * little-endian symbols (a byte value, or a marker), each {@code [32768 history | data]}.
   */
  byte[][] wide = new byte[2][];
  int[] wideLens = new int[2];
  int wideCount;
  long prefixLen;
  /** Output decoded in marker mode, including what the worker itself resolved (statistics). */
  long markerOutput;
  /**
   * Bytes in stored blocks whose headers the worker read (statistics: the share of a stretch of the
   * stream that only needs copying; may count a block past the segment's end).
   */
  long storedBytes;
  /** Smallest window index any marker refers to ({@code WINDOW} if there is no marker). */
  int minMarker = CheckpointingInflater.WINDOW_SIZE;
  /** Output after the prefix; each block is {@code [32 KiB history | data]}, data from index 32768. */
  byte[][] blocks = new byte[4][];
  int[] blockLens = new int[4];
  int blockCount;
  /** Total output length (prefix plus blocks). */
  long outLen;

  /** Boundaries in stream order: {@code bit << 1 | (finalBlock ? 1 : 0)}, and output offset. */
  long[] boundaryBits = new long[64];
  long[] boundaryOuts = new long[64];
  int boundaryCount;

  /** Member events in stream order: kind, output offset, and for MEMBER_END the trailer. */
  int[] eventKinds = new int[4];
  long[] eventOuts = new long[4];
  int[] eventCrcs = new int[4];
  int[] eventSizes = new int[4];
  int eventCount;

  /**
   * CRC-32 of the block output between consecutive cut points (the prefix end and every event
   * offset), only for the non-empty pieces after the prefix, in order: {@code [pieceStarts[i],
   * pieceEnds[i])}.
   */
  long[] pieceStarts = new long[4];
  long[] pieceEnds = new long[4];
  int[] pieceCrcs = new int[4];
  int pieceCount;

  boolean usable() {
    return status != NONE;
  }

  boolean startsAt(long bit) {
    return usable() && startBit <= bit && bit <= startBitMax;
  }

  void addBoundary(long bit, long out, boolean fin) {
    if (boundaryCount == boundaryBits.length) {
      boundaryBits = Arrays.copyOf(boundaryBits, boundaryCount * 2);
      boundaryOuts = Arrays.copyOf(boundaryOuts, boundaryCount * 2);
    }
    boundaryBits[boundaryCount] = bit << 1 | (fin ? 1 : 0);
    boundaryOuts[boundaryCount++] = out;
  }

  void addEvent(int kind, long out, int crc, int size) {
    if (eventCount == eventKinds.length) {
      eventKinds = Arrays.copyOf(eventKinds, eventCount * 2);
      eventOuts = Arrays.copyOf(eventOuts, eventCount * 2);
      eventCrcs = Arrays.copyOf(eventCrcs, eventCount * 2);
      eventSizes = Arrays.copyOf(eventSizes, eventCount * 2);
    }
    eventKinds[eventCount] = kind;
    eventOuts[eventCount] = out;
    eventCrcs[eventCount] = crc;
    eventSizes[eventCount++] = size;
  }

  void addBlock(byte[] block, int len) {
    if (blockCount == blocks.length) {
      blocks = Arrays.copyOf(blocks, blockCount * 2);
      blockLens = Arrays.copyOf(blockLens, blockCount * 2);
    }
    blocks[blockCount] = block;
    blockLens[blockCount++] = len;
  }

  void addWide(byte[] block, int len) {
    if (wideCount == wide.length) {
      wide = Arrays.copyOf(wide, wideCount * 2);
      wideLens = Arrays.copyOf(wideLens, wideCount * 2);
    }
    wide[wideCount] = block;
    wideLens[wideCount++] = len;
  }

  void addPiece(long start, long end, int crc) {
    if (pieceCount == pieceStarts.length) {
      pieceStarts = Arrays.copyOf(pieceStarts, pieceCount * 2);
      pieceEnds = Arrays.copyOf(pieceEnds, pieceCount * 2);
      pieceCrcs = Arrays.copyOf(pieceCrcs, pieceCount * 2);
    }
    pieceStarts[pieceCount] = start;
    pieceEnds[pieceCount] = end;
    pieceCrcs[pieceCount++] = crc;
  }
}
