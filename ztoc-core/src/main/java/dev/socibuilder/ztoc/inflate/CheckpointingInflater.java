package dev.socibuilder.ztoc.inflate;

import dev.socibuilder.layer.LayerDataException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * A pure-Java gzip (RFC 1952) / DEFLATE (RFC 1951) decoder that reports every deflate block
 * boundary and every gzip header end, with the exact bit position, like zlib's {@code
 * inflate(Z_BLOCK)} does for soci's checkpoint builder (see soci-format.md §4.1-4.2).
 *
 * <p>It behaves like zlib {@code inflateInit2(47)} driven by a {@code Z_BLOCK} loop that calls
 * {@code inflateReset2} after each member while input remains (soci v0.14+), except that a
 * zlib-wrapped (RFC 1950) stream is rejected, as Go's gzip reader rejects it. Which streams are
 * accepted or rejected mirrors zlib (Huffman table rules are ported from {@code inftrees.c}).
 *
 * <p>Faults in the data throw {@link LayerDataException} with a zlib-like problem text; failures of
 * the source propagate as {@link IOException}. The source is never closed by this class ({@link
 * #close()} does nothing to it). Not thread-safe.
 */
public final class CheckpointingInflater extends InputStream {

  /** Receives every boundary, in stream order, synchronously from read()/skip()/drain(). */
  public interface BoundaryListener {
    /**
     * Called when decoding reaches (a) the end of a gzip member header ({@code finalBlock=false}),
     * or (b) the end of ANY deflate block ({@code finalBlock} = that block had BFINAL set; zlib
     * {@code data_type & 64}).
     *
     * @param bitOffset absolute bit position B in the compressed input where the next block/data
     *     starts (bit 0 = LSB of byte 0); after a header, B = 8 * headerEndByte
     * @param uncompressedOffset total bytes decoded so far across all members (file-global)
     * @param finalBlock whether the block just finished had BFINAL set
     */
    void onBoundary(long bitOffset, long uncompressedOffset, boolean finalBlock);
  }

  /** DEFLATE window size; also the history kept in front of the output buffer. */
  public static final int WINDOW_SIZE = 32768;

  private static final int MAX_MATCH = 258;
  private static final int OUT_CAPACITY = 256 * 1024;
  private static final int IN_CAPACITY = 64 * 1024;
  /** Bytes kept before inPos when compacting, so whole bytes in the bit buffer can be unread. */
  private static final int LOOKBEHIND = 8;
  /** Bytes needed in the input buffer for the fast loop's 8-byte refill. */
  private static final int FAST_IN = 8;

  /** Room after the output limit for the 8-byte match copy's overshoot. */
  private static final int COPY_SLACK = 8;

  private static final int LEN_ROOT = 10;
  private static final int DIST_ROOT = 8;

  private static final VarHandle LE_LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final int[] CODE_LENGTH_ORDER = {
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15
  };

  // Decoder states.
  private static final int S_HEADER = 0;
  private static final int S_BLOCK = 1;
  private static final int S_STORED = 2;
  private static final int S_HUFFMAN = 3;
  private static final int S_TRAILER = 4;
  private static final int S_DONE = 5;

  private final InputStream source;
  private final BoundaryListener listener;

  // Input: inBuf[inPos..inEnd) not yet consumed; inBase = absolute offset of inBuf[0].
  private final byte[] inBuf = new byte[LOOKBEHIND + IN_CAPACITY];
  private int inPos;
  private int inEnd;
  private long inBase;
  private boolean sourceEof;
  // Bit buffer: the low bitCnt bits are unconsumed input. Bits above bitCnt are either zero or
  // equal to the input bytes that follow (the 8-byte refill peeks ahead), never anything else.
  private long bitBuf;
  private int bitCnt;
  /** Bits of the first source byte still to decode when resuming mid-byte (0 once applied). */
  private int pendingPrimeBits;

  // Output: out[0..outPos) decoded (the first WINDOW_SIZE bytes at least are history);
  // outBase = absolute uncompressed offset of out[0] (negative while the zero padding is there).
  private final byte[] out = new byte[WINDOW_SIZE + OUT_CAPACITY + MAX_MATCH + COPY_SLACK];
  private int outPos;
  private long outBase;
  private int readPos;
  private int crcPos;
  /** Lowest out index a match may reach (start of the current member's data, or 0). */
  private int histFloor;

  private int state;
  private boolean lastBlock;
  private int storedLeft;
  /** Bytes in the stored blocks whose headers were read (statistics). */
  private long storedBytes;
  private boolean firstMemberResumed;
  private long memberStart;
  /** For {@link #resumeMember}: CRC-32 of the member's bytes before the resume point. */
  private long crcSeed;
  /** Whether {@link #crcSeed} applies (the member being decoded is the resumed one). */
  private boolean seeded;
  /** Uncompressed offset of the resume point (where the seed ends and {@link #crc} begins). */
  private long seedEnd;
  private final CRC32 crc = new CRC32();
  private final CRC32 headerCrc = new CRC32();

  // Huffman tables of the current block (either the fixed ones or the dynamic ones).
  private int[] lenTable;
  private int[] distTable;
  private int lenBits;
  private int distBits;
  private final int[] fixedLen = new int[HuffmanTables.LENS_TABLE_SIZE];
  private final int[] fixedDist = new int[HuffmanTables.DISTS_TABLE_SIZE];
  private int fixedLenBits;
  private int fixedDistBits;
  private final int[] dynLen = new int[HuffmanTables.LENS_TABLE_SIZE];
  private final int[] dynDist = new int[HuffmanTables.DISTS_TABLE_SIZE];
  private final int[] codeTable = new int[HuffmanTables.LENS_TABLE_SIZE];
  private final int[] lens = new int[320];
  private final HuffmanTables builder = new HuffmanTables();

  private CheckpointingInflater(InputStream source, BoundaryListener listener) {
    this.source = Objects.requireNonNull(source, "source");
    this.listener = listener;
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
   * Multi-member gzip (RFC 1952) over {@code source}; does not close source.
   *
   * @param listener receives every boundary; may be null
   */
  public static CheckpointingInflater gzip(InputStream source, BoundaryListener listener) {
    CheckpointingInflater inf = new CheckpointingInflater(source, listener);
    // The history starts as 32 KiB of zeros: this gives the zero left-padding of early windows.
    inf.outPos = WINDOW_SIZE;
    inf.outBase = -WINDOW_SIZE;
    inf.readPos = WINDOW_SIZE;
    inf.crcPos = WINDOW_SIZE;
    inf.histFloor = WINDOW_SIZE;
    inf.state = S_HEADER;
    return inf;
  }

  /**
   * Resume decoding at a checkpoint (for extracting files through a zTOC). {@code source} yields
   * the compressed layer starting at byte {@code compressedStart - (bits != 0 ? 1 : 0)}; if {@code
   * bits != 0} the first byte's top {@code bits} bits are the first bits to decode (the low {@code
   * 8 - bits} bits were already consumed). Decoding starts at a deflate block start inside a member,
   * with {@code window} (32768 bytes, oldest first) as history; {@code uncompressedStart} is the
   * checkpoint's out. At the end of that member the trailer is read but its CRC32/ISIZE are not
   * checked (decoding started mid-member); following members are decoded normally. Does not close
   * source.
   *
   * <p>A checkpoint at a gzip header end ({@code bits == 0}, before the first block) is also a
   * block start, so it resumes fine.
   *
   * @param listener receives every boundary; may be null
   */
  public static CheckpointingInflater resumeGzip(
      InputStream source,
      long compressedStart,
      int bits,
      byte[] window,
      long uncompressedStart,
      BoundaryListener listener) {
    if (bits < 0 || bits > 7) {
      throw new IllegalArgumentException("bits must be 0..7: " + bits);
    }
    if (window == null || window.length != WINDOW_SIZE) {
      throw new IllegalArgumentException("window must be " + WINDOW_SIZE + " bytes");
    }
    if (compressedStart < 0 || uncompressedStart < 0 || (bits != 0 && compressedStart == 0)) {
      throw new IllegalArgumentException("bad checkpoint position");
    }
    CheckpointingInflater inf = new CheckpointingInflater(source, listener);
    System.arraycopy(window, 0, inf.out, 0, WINDOW_SIZE);
    inf.outPos = WINDOW_SIZE;
    inf.outBase = uncompressedStart - WINDOW_SIZE;
    inf.readPos = WINDOW_SIZE;
    inf.crcPos = WINDOW_SIZE;
    inf.histFloor = 0; // the whole window is usable history (zran sets it as dictionary)
    inf.firstMemberResumed = true;
    inf.memberStart = uncompressedStart;
    inf.state = S_BLOCK;
    if (bits != 0) {
      inf.inBase = compressedStart - 1;
      inf.pendingPrimeBits = bits;
    } else {
      inf.inBase = compressedStart;
    }
    return inf;
  }

  /**
   * Resumes decoding exactly where a decoder of the whole stream (from {@link #gzip}) stood at a
   * deflate block start, with the member's state, so that everything after this point behaves as
   * if decoding had never stopped: the current member's CRC-32 and length are still checked at its
   * trailer, a back-reference before the member's start is still "too far back", and faults carry
   * the same file-global offsets. Used by the parallel decoder to hand a region back to this
   * reference decoder. Does not close source.
   *
   * @param source the compressed layer from byte {@code compressedStart - (bits != 0 ? 1 : 0)}
   * @param compressedStart {@code ceil(B / 8)} for the block start's bit position B
   * @param bits {@code 8 * compressedStart - B} (0…7)
   * @param window the 32768 bytes decoded before this point, oldest first (zero-padded on the left
   *     near the start of the stream)
   * @param uncompressedStart bytes decoded before this point (file-global)
   * @param memberStart uncompressed offset where the current member's data began ({@code <=
   *     uncompressedStart})
   * @param memberCrc CRC-32 of the member's data from {@code memberStart} to {@code
   *     uncompressedStart}
   * @param listener receives every boundary after this point; may be null
   */
  public static CheckpointingInflater resumeMember(
      InputStream source,
      long compressedStart,
      int bits,
      byte[] window,
      long uncompressedStart,
      long memberStart,
      long memberCrc,
      BoundaryListener listener) {
    if (memberStart < 0 || memberStart > uncompressedStart) {
      throw new IllegalArgumentException(
          "member start " + memberStart + " is not before " + uncompressedStart);
    }
    CheckpointingInflater inf =
        resumeGzip(source, compressedStart, bits, window, uncompressedStart, listener);
    inf.firstMemberResumed = false;
    inf.memberStart = memberStart;
    inf.crcSeed = memberCrc & 0xffffffffL;
    inf.seeded = true;
    inf.seedEnd = uncompressedStart;
    // A member that began less than a window ago: its start is the history floor, as in the
    // uninterrupted decoder (zlib's inflateReset2 empties the window).
    long sinceStart = uncompressedStart - memberStart;
    inf.histFloor = sinceStart >= WINDOW_SIZE ? 0 : (int) (WINDOW_SIZE - sinceStart);
    return inf;
  }

  /**
   * Bytes in the stored blocks whose headers were read so far (statistics: a stretch of stored
   * blocks only needs copying, which one thread does faster than several hand it around).
   */
  long storedBytes() {
    return storedBytes;
  }

  /**
   * CRC-32 of the current member's data decoded so far (up to {@link #uncompressedPosition()}).
   * Meaningful for decoders from {@link #gzip} and {@link #resumeMember}; for {@link #resumeGzip}
   * it covers only the bytes since the resume point.
   */
  public long memberCrc() {
    updateCrc();
    return currentCrc();
  }

  /** Uncompressed offset (file-global) where the current member's data began. */
  public long memberStart() {
    return memberStart;
  }

  // ------------------------------------------------------------------ public stream API

  @Override
  public int read() throws IOException {
    while (readPos == outPos) {
      if (state == S_DONE) {
        return -1;
      }
      decodeSome();
    }
    return out[readPos++] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    while (readPos == outPos) {
      if (state == S_DONE) {
        return -1;
      }
      decodeSome();
    }
    int n = Math.min(len, outPos - readPos);
    System.arraycopy(out, readPos, b, off, n);
    readPos += n;
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long skipped = 0;
    while (skipped < n) {
      if (readPos == outPos) {
        if (state == S_DONE) {
          break;
        }
        decodeSome();
        continue;
      }
      int k = (int) Math.min(n - skipped, outPos - readPos);
      readPos += k;
      skipped += k;
    }
    return skipped;
  }

  @Override
  public int available() {
    return outPos - readPos;
  }

  /**
   * Copies the last 32768 decoded bytes before the current decode position into {@code
   * dst[off..off+32768)}, oldest first, left-padded with zeros when fewer were produced (for a
   * resumed stream, the history counts).
   */
  public void copyWindow(byte[] dst, int off) {
    System.arraycopy(out, outPos - WINDOW_SIZE, dst, off, WINDOW_SIZE);
  }

  /** Absolute count of compressed bits consumed by the decoder (excludes read-ahead still buffered). */
  public long compressedBitPosition() {
    long pos = (inBase + inPos) * 8 - bitCnt;
    // Before the first read of a resumed stream, the partly consumed first byte is not loaded yet.
    return pendingPrimeBits != 0 ? pos + 8 - pendingPrimeBits : pos;
  }

  /** Total bytes decoded so far (may be ahead of what read() returned; internal output buffering). */
  public long uncompressedPosition() {
    return outBase + outPos;
  }

  /**
   * Decodes (discarding output, still reporting boundaries) to the end of the input.
   *
   * @return the total decoded bytes, i.e. {@link #uncompressedPosition()} at the end (file-global,
   *     so for a resumed stream it includes the checkpoint's offset)
   */
  public long drain() throws IOException {
    while (state != S_DONE) {
      readPos = outPos;
      decodeSome();
    }
    readPos = outPos;
    return uncompressedPosition();
  }

  // ------------------------------------------------------------------ driver

  /** Decodes until the output buffer is nearly full or the stream ends. Needs readPos == outPos. */
  private void decodeSome() throws IOException {
    if (out.length - outPos < WINDOW_SIZE) {
      slide();
    }
    while (state != S_DONE && out.length - outPos >= MAX_MATCH) {
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
          throw new IllegalStateException("state " + state);
      }
    }
  }

  private void slide() {
    updateCrc();
    int shift = outPos - WINDOW_SIZE;
    System.arraycopy(out, shift, out, 0, WINDOW_SIZE);
    outPos = WINDOW_SIZE;
    readPos -= shift;
    crcPos -= shift;
    histFloor = Math.max(0, histFloor - shift);
    outBase += shift;
  }

  private void updateCrc() {
    if (outPos > crcPos) {
      if (!firstMemberResumed) {
        crc.update(out, crcPos, outPos - crcPos);
      }
      crcPos = outPos;
    }
  }

  private long currentCrc() {
    return seeded
        ? Crc32Combine.combine(crcSeed, crc.getValue(), uncompressedPosition() - seedEnd)
        : crc.getValue();
  }

  private void boundary(boolean fin) {
    if (listener != null) {
      listener.onBoundary(compressedBitPosition(), uncompressedPosition(), fin);
    }
  }

  private LayerDataException fault(String problem) {
    return new LayerDataException(problem, compressedBitPosition() >>> 3, uncompressedPosition());
  }

  private LayerDataException truncated() {
    return new LayerDataException(
        "unexpected end of compressed data", inBase + inEnd, uncompressedPosition());
  }

  // ------------------------------------------------------------------ input

  /**
   * Compacts the input buffer (keeping a few consumed bytes for unreading) and reads more.
   *
   * @return false if the source is exhausted and nothing was added
   */
  private boolean fillInput() throws IOException {
    if (sourceEof) {
      return false;
    }
    int keepFrom = Math.max(0, inPos - LOOKBEHIND);
    if (keepFrom > 0) {
      int n = inEnd - keepFrom;
      System.arraycopy(inBuf, keepFrom, inBuf, 0, n);
      inPos -= keepFrom;
      inEnd = n;
      inBase += keepFrom;
    }
    while (true) {
      int space = inBuf.length - inEnd;
      if (space == 0) {
        return true;
      }
      int r = source.read(inBuf, inEnd, space);
      if (r < 0) {
        sourceEof = true;
        return false;
      }
      if (r > 0) {
        inEnd += r;
        if (pendingPrimeBits != 0) {
          // Resume mid-byte: the first byte's low (8 - bits) bits were consumed before.
          int b = inBuf[inPos++] & 0xff;
          bitBuf = (long) (b >>> (8 - pendingPrimeBits));
          bitCnt = pendingPrimeBits;
          pendingPrimeBits = 0;
        }
        return true;
      }
    }
  }

  private boolean pullByte() throws IOException {
    while (inPos == inEnd) {
      if (!fillInput()) {
        return false;
      }
    }
    bitBuf |= (long) (inBuf[inPos++] & 0xff) << bitCnt;
    bitCnt += 8;
    return true;
  }

  private void needBits(int n) throws IOException {
    while (bitCnt < n) {
      if (!pullByte()) {
        throw truncated();
      }
    }
  }

  private int takeBits(int n) throws IOException {
    needBits(n);
    int v = (int) bitBuf & ((1 << n) - 1);
    bitBuf >>>= n;
    bitCnt -= n;
    return v;
  }

  /** Drops the bits up to the next byte boundary and gives whole buffered bytes back to inBuf. */
  private void alignToByte() {
    int drop = bitCnt & 7;
    bitCnt -= drop;
    inPos -= bitCnt >>> 3;
    bitCnt = 0;
    bitBuf = 0;
  }

  /** Next byte at a byte-aligned position (bit buffer empty). */
  private int nextByte() throws IOException {
    if (inPos == inEnd) {
      fillInput();
      if (inPos == inEnd) {
        throw truncated();
      }
    }
    return inBuf[inPos++] & 0xff;
  }

  /** True if at least one more input byte exists (at a byte-aligned position). */
  private boolean moreInput() throws IOException {
    if (inPos < inEnd) {
      return true;
    }
    fillInput();
    return inPos < inEnd;
  }

  // ------------------------------------------------------------------ gzip framing

  private void readHeader() throws IOException {
    CRC32 hcrc = headerCrc;
    hcrc.reset();
    int id1 = nextByte();
    int id2 = nextByte();
    if (id1 != 0x1f || id2 != 0x8b) {
      throw fault("not a gzip stream (bad magic)");
    }
    int cm = nextByte();
    int flg = nextByte();
    hcrc.update(id1);
    hcrc.update(id2);
    hcrc.update(cm);
    hcrc.update(flg);
    if (cm != 8) {
      throw fault("unknown compression method");
    }
    if ((flg & 0xe0) != 0) {
      throw fault("unknown header flags set");
    }
    for (int i = 0; i < 6; i++) { // MTIME, XFL, OS
      hcrc.update(nextByte());
    }
    if ((flg & 0x04) != 0) { // FEXTRA
      int lo = nextByte();
      int hi = nextByte();
      hcrc.update(lo);
      hcrc.update(hi);
      int xlen = lo | (hi << 8);
      for (int i = 0; i < xlen; i++) {
        hcrc.update(nextByte());
      }
    }
    if ((flg & 0x08) != 0) { // FNAME
      int c;
      do {
        c = nextByte();
        hcrc.update(c);
      } while (c != 0);
    }
    if ((flg & 0x10) != 0) { // FCOMMENT
      int c;
      do {
        c = nextByte();
        hcrc.update(c);
      } while (c != 0);
    }
    if ((flg & 0x02) != 0) { // FHCRC
      int v = nextByte() | (nextByte() << 8);
      if (v != ((int) hcrc.getValue() & 0xffff)) {
        throw fault("header crc mismatch");
      }
    }
    // New member: zlib's inflateReset2 empties its window, so no match may reach back before here.
    updateCrc();
    crc.reset();
    histFloor = outPos;
    memberStart = uncompressedPosition();
    boundary(false);
    state = S_BLOCK;
  }

  private void readTrailer() throws IOException {
    alignToByte();
    updateCrc();
    long crcVal = 0;
    for (int i = 0; i < 4; i++) {
      crcVal |= (long) nextByte() << (8 * i);
    }
    long isize = 0;
    for (int i = 0; i < 4; i++) {
      isize |= (long) nextByte() << (8 * i);
    }
    if (!firstMemberResumed) {
      if (crcVal != currentCrc()) {
        throw new LayerDataException(
            "incorrect data check", inBase + inPos - 8, uncompressedPosition());
      }
      if (isize != ((uncompressedPosition() - memberStart) & 0xffffffffL)) {
        throw new LayerDataException(
            "incorrect length check", inBase + inPos - 4, uncompressedPosition());
      }
    }
    firstMemberResumed = false;
    seeded = false;
    if (!moreInput()) {
      state = S_DONE;
      return;
    }
    // soci (v0.14+) resets and expects another gzip member: anything else is an error.
    int b0 = inBuf[inPos] & 0xff;
    if (b0 != 0x1f) {
      throw fault("trailing data after gzip member is not a gzip member");
    }
    if (inPos + 1 >= inEnd) {
      fillInput();
    }
    if (inPos + 1 < inEnd && (inBuf[inPos + 1] & 0xff) != 0x8b) {
      throw fault("trailing data after gzip member is not a gzip member");
    }
    state = S_HEADER;
  }

  // ------------------------------------------------------------------ deflate blocks

  private void readBlockHeader() throws IOException {
    int h = takeBits(3);
    lastBlock = (h & 1) != 0;
    switch (h >>> 1) {
      case 0:
        alignToByte();
        int len = nextByte() | (nextByte() << 8);
        int nlen = nextByte() | (nextByte() << 8);
        if (len != (~nlen & 0xffff)) {
          throw fault("invalid stored block lengths");
        }
        storedLeft = len;
        storedBytes += len;
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
        throw fault("invalid block type");
    }
  }

  private void endOfBlock() {
    boundary(lastBlock);
    state = lastBlock ? S_TRAILER : S_BLOCK;
  }

  private void copyStored() throws IOException {
    while (storedLeft > 0) {
      if (inPos == inEnd) {
        fillInput();
        if (inPos == inEnd) {
          throw truncated();
        }
      }
      int room = out.length - outPos;
      if (room == 0) {
        return;
      }
      int n = Math.min(storedLeft, Math.min(room, inEnd - inPos));
      System.arraycopy(inBuf, inPos, out, outPos, n);
      inPos += n;
      outPos += n;
      storedLeft -= n;
    }
    endOfBlock();
  }

  private void readDynamicTables() throws IOException {
    int nlen = takeBits(5) + 257;
    int ndist = takeBits(5) + 1;
    int ncode = takeBits(4) + 4;
    if (nlen > 286 || ndist > 30) {
      throw fault("too many length or distance symbols");
    }
    readCodeLengthCode(ncode);
    int codeBits = builder.build(HuffmanTables.CODES, lens, 0, 19, codeTable, 7);
    if (codeBits < 0) {
      throw fault("invalid code lengths set");
    }
    readCodeLengths(nlen + ndist, (1 << codeBits) - 1);
    int[] lens = this.lens;
    if (lens[256] == 0) {
      throw fault("invalid code -- missing end-of-block");
    }
    lenBits = builder.build(HuffmanTables.LENS, lens, 0, nlen, dynLen, LEN_ROOT);
    if (lenBits < 0) {
      throw fault("invalid literal/lengths set");
    }
    distBits = builder.build(HuffmanTables.DISTS, lens, nlen, ndist, dynDist, DIST_ROOT);
    if (distBits < 0) {
      throw fault("invalid distances set");
    }
    lenTable = dynLen;
    distTable = dynDist;
  }

  // The header's loops are methods of their own: small methods are quick to compile, and
  // readDynamicTables (once per block) is then compiled once, not once per loop (see
  // HuffmanTables.build).

  /** The code-length code's lengths, in their permuted order; the ones not sent are 0. */
  private void readCodeLengthCode(int ncode) throws IOException {
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
  private void readCodeLengths(int total, int codeMask) throws IOException {
    int[] lens = this.lens;
    int have = 0;
    while (have < total) {
      int here;
      while (true) {
        here = codeTable[(int) bitBuf & codeMask];
        if (HuffmanTables.bitsOf(here) <= bitCnt) {
          break;
        }
        if (!pullByte()) {
          throw truncated();
        }
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
            throw fault("invalid bit length repeat");
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
          throw fault("invalid bit length repeat");
        }
        Arrays.fill(lens, have, have + copy, len);
        have += copy;
      }
    }
  }

  /** Decodes the current Huffman block until its end or until the output buffer is nearly full. */
  private void decodeHuffman() throws IOException {
    int outLimit = out.length - MAX_MATCH;
    while (true) {
      if (inEnd - inPos < FAST_IN) {
        fillInput();
      }
      if (outPos > outLimit) {
        return;
      }
      boolean eob;
      if (inEnd - inPos >= FAST_IN && outPos <= outLimit - COPY_SLACK) {
        eob = fastLoop();
      } else {
        eob = slowSymbol();
      }
      if (eob) {
        endOfBlock();
        return;
      }
    }
  }

  /**
   * The hot loop: runs while at least 8 input bytes and 258 output bytes of room are available,
   * refilling the 64-bit bit buffer 8 bytes at a time (one refill covers a whole length/distance
   * pair: at most 15+5+15+13 = 48 bits).
   *
   * @return true at end of block, false when input or output room ran low
   */
  private boolean fastLoop() {
    final byte[] in = inBuf;
    final byte[] o = out;
    final int[] lc = lenTable;
    final int[] dc = distTable;
    final int lmask = (1 << lenBits) - 1;
    final int dmask = (1 << distBits) - 1;
    final int inLimit = inEnd - 8;
    final int outLimit = o.length - MAX_MATCH - COPY_SLACK;
    final int floor = histFloor;
    long bb = bitBuf;
    int bc = bitCnt;
    int ip = inPos;
    int op = outPos;
    boolean eob = false;
    String error = null;
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
        // A second literal without refilling if enough bits remain (max code 15 bits).
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
            error = "invalid distance too far back";
            break loop;
          }
          copyMatch(o, op, dist, len);
          op += len;
          continue loop;
        }
        error = "invalid distance code";
        break loop;
      }
      if ((opc & 32) != 0) {
        eob = true;
        break loop;
      }
      error = "invalid literal/length code";
      break loop;
    }
    bitBuf = bb;
    bitCnt = bc;
    inPos = ip;
    outPos = op;
    if (error != null) {
      throw fault(error);
    }
    return eob;
  }

  /**
   * Copies a match of {@code len} bytes from {@code dist} back. 8 bytes at a time when {@code dist >=
   * 8}: every move reads only bytes already final, so this is right for overlapping matches too; it
   * may write up to 7 bytes past the match, into the slack (overwritten by later output).
   *
   * <p>A method of its own so that the decode loop has no inner loop: the JIT then compiles the
   * decode loop once on the stack instead of once per loop whose counter overflows first (in a fresh
   * JVM its compiler thread is what the decoding waits for).
   */
  static void copyMatch(byte[] o, int op, int dist, int len) {
    int from = op - dist;
    int end = op + len;
    if (dist >= 8) {
      do {
        LE_LONG.set(o, op, (long) LE_LONG.get(o, from));
        op += 8;
        from += 8;
      } while (op < end);
    } else {
      while (op < end) {
        o[op++] = o[from++];
      }
    }
  }

  /** Decodes one symbol (and its match) with exact end-of-input handling, like zlib's slow path. */
  private boolean slowSymbol() throws IOException {
    int e;
    int mask = (1 << lenBits) - 1;
    int[] lc = lenTable;
    while (true) {
      e = lc[(int) bitBuf & mask];
      if (HuffmanTables.bitsOf(e) <= bitCnt) {
        break;
      }
      if (!pullByte()) {
        throw truncated();
      }
    }
    while (true) {
      int opc = HuffmanTables.opOf(e);
      if (opc != 0 && (opc & (16 | 64)) == 0) {
        // Sub-table: the root bits and the sub-table bits must be there.
        int rb = HuffmanTables.bitsOf(e);
        int sub = HuffmanTables.valOf(e);
        int m = (1 << opc) - 1;
        int e2;
        while (true) {
          e2 = lc[sub + ((int) (bitBuf >>> rb) & m)];
          if (rb + HuffmanTables.bitsOf(e2) <= bitCnt) {
            break;
          }
          if (!pullByte()) {
            throw truncated();
          }
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
      out[outPos++] = (byte) HuffmanTables.valOf(e);
      return false;
    }
    if ((opc & 32) != 0) {
      return true;
    }
    if ((opc & 64) != 0) {
      throw fault("invalid literal/length code");
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
      if (!pullByte()) {
        throw truncated();
      }
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
        if (!pullByte()) {
          throw truncated();
        }
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
      throw fault("invalid distance code");
    }
    int dist = HuffmanTables.valOf(d) + takeBits(dop & 15);
    if (dist > outPos - histFloor) {
      throw fault("invalid distance too far back");
    }
    int from = outPos - dist;
    for (int i = 0; i < len; i++) {
      out[outPos++] = out[from++];
    }
    return false;
  }
}
