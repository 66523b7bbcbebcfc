package dev.socibuilder.ztoc.inflate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.layer.LayerDataException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Hand-made streams for every fault kind, and for the edge cases zlib accepts. */
// A hang guard (a decoder that stops making progress loops forever), not a speed test.
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CheckpointingInflaterErrorsTest {

  /** Writes DEFLATE bits LSB first; Huffman codes are given MSB first, as RFC 1951 defines them. */
  static final class BitWriter {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private int acc;
    private int n;

    BitWriter bits(int value, int count) {
      for (int i = 0; i < count; i++) {
        acc |= ((value >>> i) & 1) << n;
        if (++n == 8) {
          bytes.write(acc);
          acc = 0;
          n = 0;
        }
      }
      return this;
    }

    BitWriter code(int code, int len) {
      for (int i = len - 1; i >= 0; i--) {
        bits((code >>> i) & 1, 1);
      }
      return this;
    }

    BitWriter align() {
      if (n > 0) {
        bits(0, 8 - n);
      }
      return this;
    }

    BitWriter raw(byte... b) {
      align();
      bytes.writeBytes(b);
      return this;
    }

    byte[] toBytes() {
      align();
      return bytes.toByteArray();
    }
  }

  /** Canonical Huffman codes for the given lengths (RFC 1951 §3.2.2). */
  static int[] canonical(int[] lens) {
    int[] blCount = new int[16];
    for (int l : lens) {
      if (l > 0) {
        blCount[l]++;
      }
    }
    int[] next = new int[16];
    int code = 0;
    for (int bits = 1; bits < 16; bits++) {
      code = (code + blCount[bits - 1]) << 1;
      next[bits] = code;
    }
    next[1] = 0;
    code = 0;
    for (int bits = 1; bits < 16; bits++) {
      next[bits] = code;
      code = (code + blCount[bits]) << 1;
    }
    int[] codes = new int[lens.length];
    for (int i = 0; i < lens.length; i++) {
      if (lens[i] != 0) {
        codes[i] = next[lens[i]]++;
      }
    }
    return codes;
  }

  static final int[] ORDER = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

  /**
   * Starts a final dynamic block: header with all 19 code-length code lengths from clLens; the
   * caller then emits code-length symbols with {@link #cl}.
   */
  static int[] dynamicHeader(BitWriter w, int nlen, int ndist, int[] clLens) {
    w.bits(1, 1).bits(2, 2);
    w.bits(nlen - 257, 5).bits(ndist - 1, 5).bits(19 - 4, 4);
    for (int i = 0; i < 19; i++) {
      w.bits(clLens[ORDER[i]], 3);
    }
    return canonical(clLens);
  }

  static void cl(BitWriter w, int[] clCodes, int[] clLens, int sym) {
    w.code(clCodes[sym], clLens[sym]);
  }

  static int[] clLens(int... symAndLen) {
    int[] l = new int[19];
    for (int i = 0; i < symAndLen.length; i += 2) {
      l[symAndLen[i]] = symAndLen[i + 1];
    }
    return l;
  }

  static byte[] header() {
    return new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
  }

  /** A gzip member around raw deflate data, with a correct trailer for {@code plain}. */
  static byte[] member(byte[] deflate, byte[] plain) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(header());
    b.writeBytes(deflate);
    CRC32 crc = new CRC32();
    crc.update(plain);
    writeLe32(b, crc.getValue());
    writeLe32(b, plain.length);
    return b.toByteArray();
  }

  static void writeLe32(ByteArrayOutputStream b, long v) {
    for (int i = 0; i < 4; i++) {
      b.write((int) (v >>> (8 * i)));
    }
  }

  static byte[] cat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return b.toByteArray();
  }

  static byte[] decode(byte[] gz) throws IOException {
    return CheckpointingInflater.gzip(new ByteArrayInputStream(gz), null).readAllBytes();
  }

  static void assertFails(byte[] gz, String problem) {
    assertThatThrownBy(() -> CheckpointingInflater.gzip(new ByteArrayInputStream(gz), null).drain())
        .isInstanceOfSatisfying(
            LayerDataException.class, e -> assertThat(e.problem()).isEqualTo(problem));
  }

  static final byte[] HELLO = "hello hello hello".getBytes(StandardCharsets.US_ASCII);

  static byte[] goodGzip() {
    return CheckpointingInflaterTest.gzipWithJdk(HELLO);
  }

  // ---------------------------------------------------------------- framing

  @Test
  void emptyInputIsATruncatedStream() {
    assertFails(new byte[0], "unexpected end of compressed data");
  }

  @Test
  void nonGzipMagicIsRejected() {
    assertFails("PK\3\4 not gzip".getBytes(StandardCharsets.US_ASCII), "not a gzip stream (bad magic)");
  }

  @Test
  void zlibWrappedStreamIsRejectedLikeGoDoes() throws IOException {
    java.util.zip.Deflater d = new java.util.zip.Deflater(6, false);
    d.setInput(HELLO);
    d.finish();
    byte[] buf = new byte[200];
    int n = d.deflate(buf);
    d.end();
    assertFails(Arrays.copyOf(buf, n), "not a gzip stream (bad magic)");
  }

  @Test
  void unknownCompressionMethodIsRejected() {
    byte[] gz = goodGzip();
    gz[2] = 7;
    assertFails(gz, "unknown compression method");
  }

  @Test
  void reservedHeaderFlagsAreRejected() {
    byte[] gz = goodGzip();
    gz[3] = 0x20;
    assertFails(gz, "unknown header flags set");
  }

  static byte[] headerWithAllFlags(boolean goodCrc) {
    ByteArrayOutputStream h = new ByteArrayOutputStream();
    h.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 0x1f, 1, 2, 3, 4, 2, 3});
    h.writeBytes(new byte[] {4, 0, 'a', 'b', 'c', 'd'}); // FEXTRA, XLEN 4
    h.writeBytes("file.tar\0".getBytes(StandardCharsets.US_ASCII));
    h.writeBytes("a comment\0".getBytes(StandardCharsets.US_ASCII));
    CRC32 crc = new CRC32();
    crc.update(h.toByteArray());
    int v = (int) crc.getValue() & 0xffff;
    if (!goodCrc) {
      v ^= 0x0100;
    }
    h.write(v);
    h.write(v >>> 8);
    return h.toByteArray();
  }

  @Test
  void allHeaderFieldsWithAGoodHeaderCrcAreAcceptedAndTheFirstBoundaryIsTheHeaderEnd()
      throws IOException {
    byte[] jdk = goodGzip();
    byte[] hdr = headerWithAllFlags(true);
    byte[] gz = cat(hdr, Arrays.copyOfRange(jdk, 10, jdk.length));
    List<Long> bits = new ArrayList<>();
    CheckpointingInflater inf =
        CheckpointingInflater.gzip(new ByteArrayInputStream(gz), (b, o, f) -> bits.add(b));
    assertThat(inf.readAllBytes()).isEqualTo(HELLO);
    assertThat(bits.get(0)).isEqualTo(8L * hdr.length);
  }

  @Test
  void wrongHeaderCrcIsRejected() {
    byte[] jdk = goodGzip();
    assertFails(cat(headerWithAllFlags(false), Arrays.copyOfRange(jdk, 10, jdk.length)),
        "header crc mismatch");
  }

  @Test
  void wrongTrailerCrcIsRejected() {
    byte[] gz = goodGzip();
    gz[gz.length - 8] ^= 1;
    assertFails(gz, "incorrect data check");
  }

  @Test
  void wrongTrailerLengthIsRejected() {
    byte[] gz = goodGzip();
    gz[gz.length - 4] ^= 1;
    assertFails(gz, "incorrect length check");
  }

  @Test
  void truncationAnywhereIsUnexpectedEnd() {
    byte[] gz = cat(headerWithAllFlags(true), Arrays.copyOfRange(goodGzip(), 10, goodGzip().length));
    for (int cut = 1; cut < gz.length; cut++) {
      byte[] t = Arrays.copyOf(gz, cut);
      assertThatThrownBy(() -> CheckpointingInflater.gzip(new ByteArrayInputStream(t), null).drain())
          .as("cut at %d", cut)
          .isInstanceOfSatisfying(
              LayerDataException.class,
              e -> assertThat(e.problem()).isEqualTo("unexpected end of compressed data"));
    }
  }

  @Test
  void trailingZerosAfterAMemberAreRejected() {
    assertFails(cat(goodGzip(), new byte[1024]), "trailing data after gzip member is not a gzip member");
  }

  @Test
  void trailingGarbageStartingLikeGzipMagicIsRejected() {
    assertFails(cat(goodGzip(), new byte[] {0x1f, 0x00, 1, 2}),
        "trailing data after gzip member is not a gzip member");
  }

  @Test
  void aLoneMagicByteAfterAMemberIsATruncatedMember() {
    assertFails(cat(goodGzip(), new byte[] {0x1f}), "unexpected end of compressed data");
  }

  @Test
  void sourceIoExceptionsPropagate() {
    InputStream failing =
        new InputStream() {
          int n;

          @Override
          public int read() throws IOException {
            throw new IOException("boom");
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (n++ == 0) {
              b[off] = 0x1f;
              return 1;
            }
            throw new IOException("boom");
          }
        };
    assertThatThrownBy(() -> CheckpointingInflater.gzip(failing, null).drain())
        .isInstanceOf(IOException.class)
        .hasMessage("boom");
  }

  // ---------------------------------------------------------------- deflate structure

  @Test
  void emptyMembersAndEmptyBlocksAreValidAndReported() throws IOException {
    // Member 1: empty stored block, empty fixed block, final empty stored block. Member 2: HELLO.
    byte[] deflate =
        new BitWriter()
            .bits(0, 1).bits(0, 2).align().raw((byte) 0, (byte) 0, (byte) 0xff, (byte) 0xff)
            .bits(0, 1).bits(1, 2).code(0, 7) // fixed block, only end-of-block
            .bits(1, 1).bits(0, 2).align().raw((byte) 0, (byte) 0, (byte) 0xff, (byte) 0xff)
            .toBytes();
    byte[] m1 = member(deflate, new byte[0]);
    byte[] gz = cat(m1, goodGzip());
    List<long[]> seen = new ArrayList<>();
    CheckpointingInflater inf =
        CheckpointingInflater.gzip(
            new ByteArrayInputStream(gz), (b, o, f) -> seen.add(new long[] {b, o, f ? 1 : 0}));
    assertThat(inf.readAllBytes()).isEqualTo(HELLO);
    assertThat(seen.get(0)).containsExactly(80, 0, 0); // header end
    assertThat(seen.get(1)).containsExactly(8 * 15, 0, 0); // after the first empty stored block
    assertThat(seen.get(2)).containsExactly(8 * 15 + 10, 0, 0); // 3 header bits + 7-bit EOB
    assertThat(seen.get(3)).containsExactly(8 * 21, 0, 1); // 3 bits, realigned to byte 17, LEN/NLEN
    assertThat(seen.get(4)).containsExactly(8L * (m1.length + 10), 0, 0); // member 2 header
    assertThat(seen.get(seen.size() - 1)[1]).isEqualTo(HELLO.length);
  }

  @Test
  void blockType3IsInvalid() {
    assertFails(member(new BitWriter().bits(1, 1).bits(3, 2).toBytes(), new byte[0]),
        "invalid block type");
  }

  @Test
  void storedLengthsMustBeComplements() {
    byte[] d = new BitWriter().bits(1, 1).bits(0, 2).raw((byte) 5, (byte) 0, (byte) 0, (byte) 0)
        .raw(HELLO).toBytes();
    assertFails(member(d, HELLO), "invalid stored block lengths");
  }

  @Test
  void moreThan286LengthCodesAreRejected() {
    BitWriter w = new BitWriter().bits(1, 1).bits(2, 2).bits(287 - 257, 5).bits(0, 5).bits(15, 4);
    w.bits(0, 3 * 19);
    assertFails(member(w.toBytes(), new byte[0]), "too many length or distance symbols");
  }

  @Test
  void overSubscribedCodeLengthCodeIsRejected() {
    BitWriter w = new BitWriter();
    int[] l = new int[19];
    Arrays.fill(l, 1);
    dynamicHeader(w, 257, 1, l);
    assertFails(member(w.toBytes(), new byte[0]), "invalid code lengths set");
  }

  @Test
  void incompleteCodeLengthCodeIsRejectedEvenWithOneSymbol() {
    BitWriter w = new BitWriter();
    dynamicHeader(w, 257, 1, clLens(0, 1));
    assertFails(member(w.toBytes(), new byte[0]), "invalid code lengths set");
  }

  @Test
  void repeatWithNoPreviousLengthIsRejected() {
    BitWriter w = new BitWriter();
    int[] l = clLens(16, 1, 0, 1);
    int[] c = dynamicHeader(w, 257, 1, l);
    cl(w, c, l, 16);
    w.bits(0, 2);
    assertFails(member(w.toBytes(), new byte[0]), "invalid bit length repeat");
  }

  @Test
  void repeatPastTheLastLengthIsRejected() {
    BitWriter w = new BitWriter();
    int[] l = clLens(18, 1, 0, 1);
    int[] c = dynamicHeader(w, 257, 1, l);
    cl(w, c, l, 18);
    w.bits(127, 7); // 138 zeros
    cl(w, c, l, 18);
    w.bits(127, 7); // 276 > 258
    assertFails(member(w.toBytes(), new byte[0]), "invalid bit length repeat");
  }

  @Test
  void missingEndOfBlockCodeIsRejected() {
    BitWriter w = new BitWriter();
    int[] l = clLens(18, 1, 0, 1);
    int[] c = dynamicHeader(w, 257, 1, l);
    cl(w, c, l, 18);
    w.bits(127, 7); // 138
    cl(w, c, l, 18);
    w.bits(120 - 11, 7); // 120 -> 258 zeros in all
    assertFails(member(w.toBytes(), new byte[0]), "invalid code -- missing end-of-block");
  }

  /** Emits nlen+ndist code lengths with a code-length code over {0, 1, 2, 3, 18}. */
  static void lengths(BitWriter w, int nlen, int ndist, int[] all) {
    int[] l = clLens(1, 2, 2, 2, 0, 2, 3, 3, 18, 3);
    int[] c = dynamicHeader(w, nlen, ndist, l);
    int i = 0;
    while (i < all.length) {
      if (all[i] == 0) {
        int run = 0;
        while (i + run < all.length && all[i + run] == 0 && run < 138) {
          run++;
        }
        if (run >= 11) {
          cl(w, c, l, 18);
          w.bits(run - 11, 7);
          i += run;
          continue;
        }
      }
      cl(w, c, l, all[i]);
      i++;
    }
  }

  static int[] litDist(int nlen, int ndist, int... symLen) {
    int[] all = new int[nlen + ndist];
    for (int i = 0; i < symLen.length; i += 2) {
      all[symLen[i]] = symLen[i + 1];
    }
    return all;
  }

  @Test
  void overSubscribedLiteralLengthCodeIsRejected() {
    BitWriter w = new BitWriter();
    lengths(w, 257, 1, litDist(257, 1, 0, 1, 1, 1, 2, 1, 256, 1, 257, 1));
    assertFails(member(w.toBytes(), new byte[0]), "invalid literal/lengths set");
  }

  @Test
  void incompleteDistanceCodeWithTwoSymbolsIsRejected() {
    BitWriter w = new BitWriter();
    lengths(w, 257, 2, litDist(257, 2, 65, 1, 256, 1, 257, 2, 258, 2));
    assertFails(member(w.toBytes(), new byte[0]), "invalid distances set");
  }

  /** Lit/len code {A:1, EOB:2, len3:2}, distance code: one symbol (dist 1) of length 1. */
  static BitWriter singleDistanceCodeBlock() {
    BitWriter w = new BitWriter();
    int[] all = litDist(258, 1, 65, 1, 256, 2, 257, 2, 258, 1);
    lengths(w, 258, 1, all);
    return w;
  }

  @Test
  void incompleteDistanceCodeWithOneSymbolIsAcceptedLikeZlib() throws IOException {
    // Canonical lit/len codes: A=0 (1 bit), 256=10, 257=11; distance symbol 0 = "0".
    BitWriter w = singleDistanceCodeBlock();
    w.code(0, 1).code(3, 2).code(0, 1).code(2, 2);
    byte[] plain = "AAAA".getBytes(StandardCharsets.US_ASCII);
    assertThat(decode(member(w.toBytes(), plain))).isEqualTo(plain);
  }

  @Test
  void theMissingCodeOfASingleSymbolDistanceCodeIsInvalid() {
    BitWriter w = singleDistanceCodeBlock();
    w.code(0, 1).code(3, 2).code(1, 1).code(2, 2);
    assertFails(member(w.toBytes(), "AAAA".getBytes(StandardCharsets.US_ASCII)),
        "invalid distance code");
  }

  @Test
  void aBlockWithoutDistanceCodesIsFineUntilAMatchIsUsed() throws IOException {
    int[] all = litDist(258, 1, 65, 1, 256, 2, 257, 2);
    BitWriter ok = new BitWriter();
    lengths(ok, 258, 1, all);
    ok.code(0, 1).code(0, 1).code(2, 2);
    assertThat(decode(member(ok.toBytes(), "AA".getBytes(StandardCharsets.US_ASCII))))
        .isEqualTo("AA".getBytes(StandardCharsets.US_ASCII));
    BitWriter bad = new BitWriter();
    lengths(bad, 258, 1, all);
    bad.code(0, 1).code(3, 2).code(0, 1).code(2, 2);
    assertFails(member(bad.toBytes(), "AAAA".getBytes(StandardCharsets.US_ASCII)),
        "invalid distance code");
  }

  @Test
  void fixedLengthCode286IsInvalid() {
    // Fixed code for 280..287 is 8 bits 11000000 + (sym - 280).
    byte[] d = new BitWriter().bits(1, 1).bits(1, 2).code(0xc0 + 6, 8).bits(0, 16).toBytes();
    assertFails(member(d, new byte[0]), "invalid literal/length code");
  }

  @Test
  void fixedDistanceCode30IsInvalid() {
    // 'A' is 0x30 + 65 in 8 bits; length 3 is symbol 257 = 0000001 (7 bits); distance 30 = 11110.
    byte[] d = new BitWriter().bits(1, 1).bits(1, 2).code(0x30 + 65, 8).code(1, 7).code(30, 5)
        .bits(0, 16).toBytes();
    assertFails(member(d, new byte[0]), "invalid distance code");
  }

  @Test
  void distanceBeforeTheStartOfOutputIsTooFarBack() {
    // 'A', then length 3 at distance 2 (code 1, 5 bits) with only 1 byte of history.
    byte[] d = new BitWriter().bits(1, 1).bits(1, 2).code(0x30 + 65, 8).code(1, 7).code(1, 5)
        .code(0, 7).toBytes();
    assertFails(member(d, new byte[0]), "invalid distance too far back");
  }

  @Test
  void aMemberCannotReferToThePreviousMembersOutput() throws IOException {
    // Member 2 starts with a match at distance 1: fine for the data, but zlib resets its window.
    byte[] d = new BitWriter().bits(1, 1).bits(1, 2).code(1, 7).code(0, 5).code(0, 7).toBytes();
    assertFails(cat(goodGzip(), member(d, new byte[3])), "invalid distance too far back");
  }

  @Test
  void aResumedStreamMayReachIntoItsWindow() throws IOException {
    // Raw final fixed block: length 3 at distance 1, then end of block; then a trailer (unchecked).
    byte[] d = new BitWriter().bits(1, 1).bits(1, 2).code(1, 7).code(0, 5).code(0, 7).toBytes();
    byte[] stream = cat(d, new byte[8]);
    byte[] window = new byte[32768];
    window[32767] = 'z';
    CheckpointingInflater inf =
        CheckpointingInflater.resumeGzip(new ByteArrayInputStream(stream), 100, 0, window, 5000, null);
    assertThat(inf.readAllBytes()).isEqualTo("zzz".getBytes(StandardCharsets.US_ASCII));
    assertThat(inf.uncompressedPosition()).isEqualTo(5003);
  }

  @Test
  void corruptedDataIsAlwaysADataErrorNeverAnotherException() {
    byte[] base = CheckpointingInflaterTest.gzipWithJdk(
        CheckpointingInflaterTest.generate(new java.util.Random(7), 50_000));
    java.util.Random r = new java.util.Random();
    long seed = r.nextLong();
    r.setSeed(seed);
    for (int i = 0; i < 300; i++) {
      byte[] gz = base.clone();
      int at = 10 + r.nextInt(gz.length - 10);
      gz[at] ^= (byte) (1 + r.nextInt(255));
      try {
        CheckpointingInflater.gzip(new ByteArrayInputStream(gz), null).drain();
      } catch (LayerDataException expected) {
        continue;
      } catch (Exception other) {
        throw new AssertionError("seed " + seed + " flip at " + at, other);
      }
    }
  }
}
