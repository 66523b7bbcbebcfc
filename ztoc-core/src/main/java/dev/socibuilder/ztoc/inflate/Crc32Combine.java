package dev.socibuilder.ztoc.inflate;

/**
 * CRC-32 (the gzip polynomial) of a concatenation from the CRCs of its parts, as zlib's {@code
 * crc32_combine}: {@code crc(A + B) = combine(crc(A), crc(B), len(B))}. Lets a member's check be
 * computed piecewise (by workers, or before and after a resume point) and still be verified
 * against the gzip trailer. Polynomial arithmetic modulo P in the reflected bit order zlib uses.
 */
final class Crc32Combine {
  private static final int POLY = 0xedb88320;
  /** X2N[k] = x^(2^k) mod P. */
  private static final int[] X2N = new int[32];

  static {
    int p = 1 << 30; // x^1
    X2N[0] = p;
    for (int k = 1; k < 32; k++) {
      p = multModP(p, p);
      X2N[k] = p;
    }
  }

  private Crc32Combine() {}

  /**
   * @param crcA CRC-32 of the first part
   * @param crcB CRC-32 of the second part
   * @param lenB length in bytes of the second part (≥ 0)
   * @return CRC-32 of the first part followed by the second
   */
  static long combine(long crcA, long crcB, long lenB) {
    if (lenB < 0) {
      throw new IllegalArgumentException("negative length " + lenB);
    }
    return (multModP(x8nModP(lenB), (int) crcA) ^ (int) crcB) & 0xffffffffL;
  }

  /** a * b mod P. */
  private static int multModP(int a, int b) {
    int m = 1 << 31;
    int p = 0;
    while (true) {
      if ((a & m) != 0) {
        p ^= b;
        if ((a & (m - 1)) == 0) {
          break;
        }
      }
      m >>>= 1;
      b = (b & 1) != 0 ? (b >>> 1) ^ POLY : b >>> 1;
    }
    return p;
  }

  /** x^(8 n) mod P: shifting a CRC over n zero bytes. */
  private static int x8nModP(long n) {
    int p = 1 << 31; // x^0
    int k = 3;
    while (n != 0) {
      if ((n & 1) != 0) {
        p = multModP(X2N[k & 31], p);
      }
      n >>>= 1;
      k++;
    }
    return p;
  }
}
