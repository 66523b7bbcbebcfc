package dev.socibuilder.ztoc.inflate;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Finds bit positions in compressed data that may start a deflate block, as rapidgzip's block
 * finder does (Knespel and Brunst, HPDC 2023): cheap tests that every real block header passes and
 * nearly every other position fails. The caller then decodes from the candidate; a false one
 * fails within a few symbols or is rejected later because it does not start where the verified
 * stream ends.
 *
 * <ul>
 *   <li>Dynamic Huffman headers (BTYPE 10): at most 286 literal/length and 30 distance codes, and a
 *       code-length code that is complete (zlib rejects an incomplete or over-subscribed one), checked
 *       with a Kraft sum over a lookup table.
 *   <li>Stored blocks (BTYPE 00): zero padding up to the byte boundary (what zlib and every common
 *       encoder write; the format allows any bits, so a block with other padding is simply not found)
 *       and {@code LEN == ~NLEN}.
 *   <li>Fixed Huffman blocks have no redundancy to test and are not searched: a chunk that begins
 *       with one is found at its next dynamic or stored block, and the coordinator decodes the gap.
 * </ul>
 *
 * Not thread-safe (keeps the last candidate's alternatives).
 */
final class BlockFinder {
  private static final VarHandle LE_LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** Kraft sum (in units of 2^-7) of four 3-bit code lengths packed in 12 bits. */
  private static final short[] KRAFT4 = kraft4();

  /** On a local array: a static field's in a static initializer is the interpreter's slow path. */
  private static short[] kraft4() {
    short[] k = new short[1 << 12];
    for (int v = 0; v < k.length; v++) {
      int sum = 0;
      for (int i = 0; i < 4; i++) {
        int len = (v >>> (3 * i)) & 7;
        if (len != 0) {
          sum += 1 << (7 - len);
        }
      }
      k[v] = (short) sum;
    }
    return k;
  }

  private long alternativesEnd;

  /**
   * The last candidate decodes identically from any bit in {@code [candidate, alternativesEnd()]}
   * (stored blocks: the header may sit anywhere in the zero padding).
   */
  long alternativesEnd() {
    return alternativesEnd;
  }

  /**
   * @param data compressed bytes; {@code data[0]} is at absolute offset {@code base}
   * @param dataLen valid bytes in {@code data}
   * @param from first bit position (absolute) to test
   * @param to end (exclusive) of the bit positions to test
   * @return the first candidate in {@code [from, to)}, or -1
   */
  long next(byte[] data, int dataLen, long base, long from, long to) {
    long baseBit = base << 3;
    long end = Math.min(to, (base + dataLen) << 3);
    for (long p = from; p < end; p++) {
      long rel = p - baseBit;
      long w = peek(data, dataLen, rel);
      int type = (int) (w >>> 1) & 3;
      if (type == 2) {
        if (((w >>> 3) & 31) <= 29 && ((w >>> 8) & 31) <= 29) {
          int n = (int) ((w >>> 13) & 15) + 4; // code-length code lengths, 3 bits each
          long lens = peek(data, dataLen, rel + 17) & ((1L << (3 * n)) - 1);
          int kraft =
              KRAFT4[(int) lens & 0xfff]
                  + KRAFT4[(int) (lens >>> 12) & 0xfff]
                  + KRAFT4[(int) (lens >>> 24) & 0xfff]
                  + KRAFT4[(int) (lens >>> 36) & 0xfff]
                  + KRAFT4[(int) (lens >>> 48) & 0x1ff];
          if (kraft == 128) {
            alternativesEnd = p;
            return p;
          }
        }
      } else if (type == 0) {
        long aligned = (p + 3 + 7) & ~7L; // bit position of LEN
        int pad = (int) (aligned - (p + 3));
        if (((w >>> 3) & ((1 << pad) - 1)) == 0) {
          long at = (aligned >>> 3) - base;
          if (at + 4 <= dataLen) {
            int i = (int) at;
            int len = (data[i] & 0xff) | (data[i + 1] & 0xff) << 8;
            int nlen = (data[i + 2] & 0xff) | (data[i + 3] & 0xff) << 8;
            if (len == (~nlen & 0xffff)) {
              // Every later position up to aligned - 3 has the same zero type bits and padding, and
              // BFINAL 0: the same block, unless this one is final.
              alternativesEnd = (w & 1) == 0 ? aligned - 3 : p;
              return p;
            }
          }
        }
      }
    }
    return -1;
  }

  /** 57 or more bits from relative bit position {@code rel}, zeros past the data. */
  private static long peek(byte[] data, int dataLen, long rel) {
    int at = (int) (rel >>> 3);
    int shift = (int) (rel & 7);
    if (at + 8 <= dataLen) {
      return (long) LE_LONG.get(data, at) >>> shift;
    }
    long v = 0;
    for (int i = 0; i < 8 && at + i < dataLen; i++) {
      v |= (long) (data[at + i] & 0xff) << (8 * i);
    }
    return v >>> shift;
  }
}
