package dev.socibuilder.ztoc.inflate;

import java.util.Arrays;

/**
 * Builds two-level Huffman decoding tables, ported line for line from zlib's {@code inftrees.c}
 * ({@code inflate_table}). The port is deliberately literal: which code-length sets are accepted
 * (complete sets, plus the single-code incomplete set zlib allows for literal/length and distance
 * codes, plus the "no distance codes at all" table that only fails when a distance is decoded) must
 * be exactly zlib's, because soci builds its checkpoints with zlib.
 *
 * <p>An entry is packed into an {@code int}: bits 0-7 = number of bits to drop, bits 8-15 = op,
 * bits 16-31 = value. The op has zlib's meaning: 0 = literal; 16+n = length or distance base with n
 * extra bits; 1..15 (no 64) = pointer to a sub-table indexed by the next op bits, value = sub-table
 * offset; 32+64 = end of block; any other op with 64 set = invalid code.
 */
final class HuffmanTables {
  static final int CODES = 0;
  static final int LENS = 1;
  static final int DISTS = 2;

  /** Longest code allowed by DEFLATE. */
  static final int MAXBITS = 15;

  /** Comfortably above zlib's ENOUGH bounds for the root sizes used here (1332 for 10/286). */
  static final int LENS_TABLE_SIZE = 2048;

  static final int DISTS_TABLE_SIZE = 2048;

  private static final int[] LBASE = {
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258, 0, 0
  };
  // 77 and 202 are zlib's "invalid" markers for length symbols 286 and 287.
  private static final int[] LEXT = {
    16, 16, 16, 16, 16, 16, 16, 16, 17, 17, 17, 17, 18, 18, 18, 18, 19, 19, 19, 19, 20, 20, 20, 20,
    21, 21, 21, 21, 16, 77, 202
  };
  private static final int[] DBASE = {
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049,
    3073, 4097, 6145, 8193, 12289, 16385, 24577, 0, 0
  };
  // 64 marks distance symbols 30 and 31 invalid.
  private static final int[] DEXT = {
    16, 16, 16, 16, 17, 17, 18, 18, 19, 19, 20, 20, 21, 21, 22, 22, 23, 23, 24, 24, 25, 25, 26, 26,
    27, 27, 28, 28, 29, 29, 64, 64
  };

  private final int[] count = new int[MAXBITS + 1];
  private final int[] offs = new int[MAXBITS + 1];
  private final int[] work = new int[288];

  static int entry(int op, int bits, int val) {
    return (val << 16) | (op << 8) | bits;
  }

  static int bitsOf(int e) {
    return e & 0xff;
  }

  static int opOf(int e) {
    return (e >>> 8) & 0xff;
  }

  static int valOf(int e) {
    return e >>> 16;
  }

  /**
   * Fills {@code table} for {@code codes} symbols whose code lengths are {@code lens[lensOff..]}.
   *
   * <p>Every loop lives in a small method of its own. This runs once per table of every deflate
   * block (and of every false block start tried), so it is compiled early in a fresh JVM; one large
   * method with nine loops was compiled by C2 up to eight times (once per loop entered on the stack,
   * then again as a whole), on the compiler thread the decode loops wait for.
   *
   * @return the root table bits (&gt; 0), or -1 if the set is over-subscribed or incomplete in a
   *     way zlib rejects
   */
  int build(int type, int[] lens, int lensOff, int codes, int[] table, int rootBits) {
    int[] count = this.count;
    countLengths(count, lens, lensOff, codes);
    int max = maxLength(count);
    if (max == 0) {
      // No symbols at all: a table that makes any decode fail (zlib does the same and reports the
      // error only if a code is actually used).
      int here = entry(64, 1, 0);
      table[0] = here;
      table[1] = here;
      return 1;
    }
    int min = minLength(count, max);
    int root = Math.max(Math.min(rootBits, max), min);
    int left = unusedCodes(count);
    if (left < 0) {
      return -1; // over-subscribed
    }
    if (left > 0 && (type == CODES || max != 1)) {
      return -1; // incomplete set
    }
    sortSymbols(count, offs, work, lens, lensOff, codes);
    int[] base;
    int[] extra;
    int match;
    switch (type) {
      case CODES:
        base = null;
        extra = null;
        match = 20;
        break;
      case LENS:
        base = LBASE;
        extra = LEXT;
        match = 257;
        break;
      default:
        base = DBASE;
        extra = DEXT;
        match = 0;
        break;
    }
    return fill(lens, lensOff, table, root, min, max, base, extra, match);
  }

  /** {@code count[len]} = the number of symbols of code length {@code len}. */
  private static void countLengths(int[] count, int[] lens, int lensOff, int codes) {
    Arrays.fill(count, 0);
    for (int sym = 0; sym < codes; sym++) {
      count[lens[lensOff + sym]]++;
    }
  }

  private static int maxLength(int[] count) {
    int max = MAXBITS;
    while (max >= 1 && count[max] == 0) {
      max--;
    }
    return max;
  }

  private static int minLength(int[] count, int max) {
    int min = 1;
    while (min < max && count[min] == 0) {
      min++;
    }
    return min;
  }

  /** Codes left unused by the lengths (0 for a complete set), or -1 if over-subscribed. */
  private static int unusedCodes(int[] count) {
    int left = 1;
    for (int len = 1; len <= MAXBITS; len++) {
      left <<= 1;
      left -= count[len];
      if (left < 0) {
        return -1;
      }
    }
    return left;
  }

  /** {@code work} = the coded symbols sorted by code length, then by symbol. */
  private static void sortSymbols(
      int[] count, int[] offs, int[] work, int[] lens, int lensOff, int codes) {
    offs[1] = 0;
    for (int len = 1; len < MAXBITS; len++) {
      offs[len + 1] = offs[len] + count[len];
    }
    for (int sym = 0; sym < codes; sym++) {
      int l = lens[lensOff + sym];
      if (l != 0) {
        work[offs[l]++] = sym;
      }
    }
  }

  /** inflate_table's main loop: the entries of every sorted symbol, and the sub-tables. */
  private int fill(
      int[] lens,
      int lensOff,
      int[] table,
      int root,
      int min,
      int max,
      int[] base,
      int[] extra,
      int match) {
    int[] count = this.count;
    int[] work = this.work;
    int huff = 0;
    int sym = 0;
    int len = min;
    int next = 0; // index into table of the current (sub-)table
    int curr = root;
    int drop = 0;
    int low = -1;
    int used = 1 << root;
    int mask = used - 1;
    if (used > table.length) {
      return -1;
    }
    for (; ; ) {
      int here;
      int w = work[sym];
      if (w + 1 < match) {
        here = entry(0, len - drop, w);
      } else if (w >= match) {
        here = entry(extra[w - match], len - drop, base[w - match]);
      } else {
        here = entry(32 + 64, len - drop, 0); // end of block
      }
      int incr = 1 << (len - drop);
      int fill = 1 << curr;
      min = fill;
      do {
        fill -= incr;
        table[next + (huff >>> drop) + fill] = here;
      } while (fill != 0);

      incr = 1 << (len - 1);
      while ((huff & incr) != 0) {
        incr >>>= 1;
      }
      if (incr != 0) {
        huff &= incr - 1;
        huff += incr;
      } else {
        huff = 0;
      }
      sym++;
      if (--count[len] == 0) {
        if (len == max) {
          break;
        }
        len = lens[lensOff + work[sym]];
      }
      if (len > root && (huff & mask) != low) {
        if (drop == 0) {
          drop = root;
        }
        next += min;
        curr = subTableBits(count, len - drop, drop, max);
        used += 1 << curr;
        if (used > table.length) {
          return -1;
        }
        low = huff & mask;
        table[low] = entry(curr, root, next);
      }
    }
    if (huff != 0) {
      table[next + huff] = entry(64, len - drop, 0);
    }
    return root;
  }

  /** The index bits of a new sub-table: enough for the codes left up to {@code max}. */
  private static int subTableBits(int[] count, int curr, int drop, int max) {
    int left = 1 << curr;
    while (curr + drop < max) {
      left -= count[curr + drop];
      if (left <= 0) {
        break;
      }
      curr++;
      left <<= 1;
    }
    return curr;
  }
}
