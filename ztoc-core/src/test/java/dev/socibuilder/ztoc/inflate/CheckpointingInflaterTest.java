package dev.socibuilder.ztoc.inflate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.layer.LayerDataException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Differential tests against java.util.zip on generated data. */
// A hang guard (a decoder that stops making progress loops forever), not a speed test.
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CheckpointingInflaterTest {

  static byte[] jdkGunzip(byte[] gz) {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz), 8192)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] gzipWithJdk(byte[] data) {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(bos)) {
      g.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bos.toByteArray();
  }

  /** Random test data of several kinds, size up to maxLen. */
  static byte[] generate(Random r, int maxLen) {
    int len = r.nextInt(4) == 0 ? r.nextInt(64) : r.nextInt(maxLen);
    byte[] b = new byte[len];
    int kind = r.nextInt(5);
    String[] words = {"the ", "quick ", "brown ", "fox ", "jumps\n", "lazy ", "dog ", "tar ", "/usr/lib/"};
    int i = 0;
    while (i < len) {
      int k = kind == 4 ? r.nextInt(4) : kind;
      int run = 1 + r.nextInt(2000);
      for (int j = 0; j < run && i < len; j++) {
        switch (k) {
          case 0: // random bytes
            b[i++] = (byte) r.nextInt(256);
            break;
          case 1: // text
            for (byte c : words[r.nextInt(words.length)].getBytes(StandardCharsets.US_ASCII)) {
              if (i < len) {
                b[i++] = c;
              }
            }
            break;
          case 2: // long runs
            b[i++] = (byte) (i / 5000);
            break;
          default: // repeats at various distances, including far ones
            int dist = 1 + r.nextInt(Math.min(i + 1, r.nextBoolean() ? 8 : 32768));
            b[i] = i >= dist ? b[i - dist] : (byte) r.nextInt(4);
            i++;
            break;
        }
      }
    }
    return b;
  }

  /** Raw deflate with the given settings and random SYNC/FULL flushes, wrapped as one gzip member. */
  static byte[] gzipWithDeflater(byte[] data, int level, int strategy, Random r, boolean nameAndComment) {
    Deflater d = new Deflater(level, true);
    d.setStrategy(strategy);
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    int flg = nameAndComment ? 0x18 : 0;
    bos.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, (byte) flg, 1, 2, 3, 4, 0, 3});
    if (nameAndComment) {
      bos.writeBytes("name.tar\0comment\0".getBytes(StandardCharsets.US_ASCII));
    }
    byte[] buf = new byte[4096];
    int pos = 0;
    while (pos < data.length) {
      int n = Math.min(data.length - pos, 1 + r.nextInt(100_000));
      d.setInput(data, pos, n);
      pos += n;
      int flush = r.nextInt(3) == 0 ? (r.nextBoolean() ? Deflater.SYNC_FLUSH : Deflater.FULL_FLUSH)
          : Deflater.NO_FLUSH;
      if (r.nextInt(8) == 0) {
        d.setLevel(r.nextInt(10));
      }
      deflateGiven(d, flush, buf, bos);
    }
    d.finish();
    while (!d.finished()) {
      int k = d.deflate(buf);
      bos.write(buf, 0, k);
    }
    d.end();
    bos.writeBytes(trailer(data));
    return bos.toByteArray();
  }

  static byte[] concat(List<byte[]> parts) {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    parts.forEach(bos::writeBytes);
    return bos.toByteArray();
  }

  @Test
  void decodesEveryLevelAndStrategyWithFlushesLikeJavaUtilZip() throws IOException {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    int[] strategies = {Deflater.DEFAULT_STRATEGY, Deflater.FILTERED, Deflater.HUFFMAN_ONLY};
    for (int level = 0; level <= 9; level++) {
      for (int strategy : strategies) {
        byte[] data = generate(r, 300_000);
        byte[] gz = gzipWithDeflater(data, level, strategy, r, r.nextBoolean());
        String msg = "seed " + seed + " level " + level + " strategy " + strategy;
        assertThat(Arrays.equals(jdkGunzip(gz), data)).as(msg + " (jdk sanity)").isTrue();
        byte[] got = CheckpointingInflater.gzip(new ByteArrayInputStream(gz), null).readAllBytes();
        assertThat(got.length).as(msg).isEqualTo(data.length);
        assertThat(Arrays.equals(got, data)).as(msg).isTrue();
      }
    }
  }

  @Test
  void decodesMultiMemberStreamsThroughRandomReadLengthsAndSkips() throws IOException {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    for (int round = 0; round < 12; round++) {
      List<byte[]> parts = new ArrayList<>();
      ByteArrayOutputStream plain = new ByteArrayOutputStream();
      int members = 1 + r.nextInt(3);
      for (int m = 0; m < members; m++) {
        byte[] data = generate(r, 400_000);
        plain.writeBytes(data);
        parts.add(r.nextBoolean() ? gzipWithJdk(data)
            : gzipWithDeflater(data, r.nextInt(10), Deflater.DEFAULT_STRATEGY, r, true));
      }
      byte[] gz = concat(parts);
      byte[] expected = plain.toByteArray();
      String msg = "seed " + seed + " round " + round;
      assertThat(Arrays.equals(jdkGunzip(gz), expected)).as(msg + " (jdk sanity)").isTrue();

      // Odd rounds trickle the input a few bytes per read (the decoder's slow path).
      InputStream source =
          round % 2 == 0
              ? new ByteArrayInputStream(gz)
              : CheckpointingInflaterConformanceTest.trickle(gz, 0, seed + round);
      CheckpointingInflater inf = CheckpointingInflater.gzip(source, null);
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[70_000];
      int pos = 0;
      while (true) {
        int mode = r.nextInt(4);
        if (mode == 0) {
          long want = r.nextInt(50_000);
          long s = inf.skip(want);
          assertThat(s).as(msg).isLessThanOrEqualTo(want);
          got.write(expected, pos, (int) s); // skipped bytes are taken as the expected ones
          pos += s;
          if (s < want) {
            break;
          }
        } else if (mode == 1) {
          int b = inf.read();
          if (b < 0) {
            break;
          }
          got.write(b);
          pos++;
        } else {
          int off = r.nextInt(100);
          int n = inf.read(buf, off, 1 + r.nextInt(buf.length - off - 1));
          if (n < 0) {
            break;
          }
          got.write(buf, off, n);
          pos += n;
        }
      }
      assertThat(pos).as(msg).isEqualTo(expected.length);
      assertThat(Arrays.equals(got.toByteArray(), expected)).as(msg).isTrue();
      assertThat(inf.read()).as(msg).isEqualTo(-1);
      assertThat(inf.uncompressedPosition()).as(msg).isEqualTo(expected.length);
      assertThat(inf.compressedBitPosition()).as(msg).isEqualTo(8L * gz.length);
    }
  }

  @Test
  void drainReturnsTheTotalAndReportsMonotonicBoundariesEndingWithAFinalBlock() throws IOException {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    byte[] a = generate(r, 200_000);
    byte[] b = generate(r, 200_000);
    byte[] gz = concat(List.of(gzipWithDeflater(a, 6, 0, r, false), gzipWithJdk(b)));
    List<long[]> seen = new ArrayList<>();
    long total =
        CheckpointingInflater.gzip(
                new ByteArrayInputStream(gz),
                (bit, out, fin) -> seen.add(new long[] {bit, out, fin ? 1 : 0}))
            .drain();
    String msg = "seed " + seed;
    assertThat(total).as(msg).isEqualTo(a.length + b.length);
    assertThat(seen.get(0)).as(msg).containsExactly(80, 0, 0); // end of the 10-byte header
    assertThat(seen.get(seen.size() - 1)[1]).as(msg).isEqualTo(total);
    assertThat(seen.get(seen.size() - 1)[2]).as(msg).isEqualTo(1);
    assertThat(seen.get(seen.size() - 1)[0]).as(msg).isLessThanOrEqualTo(8L * (gz.length - 8));
    long finals = seen.stream().filter(x -> x[2] == 1).count();
    assertThat(finals).as(msg).isEqualTo(2);
    for (int i = 1; i < seen.size(); i++) {
      assertThat(seen.get(i)[0]).as(msg).isGreaterThan(seen.get(i - 1)[0]);
      assertThat(seen.get(i)[1]).as(msg).isGreaterThanOrEqualTo(seen.get(i - 1)[1]);
    }
  }

  @Test
  void copyWindowIsZeroPaddedBefore32KiBOfOutput() throws IOException {
    byte[] data = "hello, window".getBytes(StandardCharsets.US_ASCII);
    byte[] gz = gzipWithJdk(data);
    byte[][] windows = new byte[1][];
    CheckpointingInflater[] holder = new CheckpointingInflater[1];
    holder[0] =
        CheckpointingInflater.gzip(
            new ByteArrayInputStream(gz),
            (bit, out, fin) -> {
              if (fin) {
                windows[0] = new byte[32768];
                holder[0].copyWindow(windows[0], 0);
              }
            });
    holder[0].drain();
    byte[] expected = new byte[32768];
    System.arraycopy(data, 0, expected, 32768 - data.length, data.length);
    assertThat(windows[0]).isEqualTo(expected);
  }

  /**
   * A gzip member whose deflate data was compressed against {@code dictionary} (zlib's preset
   * dictionary): its matches reach before the member's start, which gzip decoders reject.
   */
  static byte[] dictionaryMember(byte[] dictionary, byte[] data) {
    Deflater d = new Deflater(6, true);
    d.setDictionary(dictionary);
    d.setInput(data);
    d.finish();
    ByteArrayOutputStream member = new ByteArrayOutputStream();
    member.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3});
    byte[] buf = new byte[65536];
    while (!d.finished()) {
      member.write(buf, 0, d.deflate(buf));
    }
    d.end();
    member.writeBytes(trailer(data));
    return member.toByteArray();
  }

  /** Deflates all the input given to {@code d} with {@code flush}, into {@code out}. */
  static void deflateGiven(Deflater d, int flush, byte[] buf, ByteArrayOutputStream out) {
    while (true) {
      int k = d.deflate(buf, 0, buf.length, flush);
      out.write(buf, 0, k);
      if (k < buf.length && d.needsInput()) {
        return;
      }
    }
  }

  /** A gzip member's trailer for {@code data}: its CRC-32 and its length mod 2^32, little-endian. */
  static byte[] trailer(byte[] data) {
    CRC32 crc = new CRC32();
    crc.update(data);
    byte[] t = new byte[8];
    for (int i = 0; i < 4; i++) {
      t[i] = (byte) (crc.getValue() >>> (8 * i));
      t[4 + i] = (byte) (data.length >>> (8 * i));
    }
    return t;
  }

  /** A decoder's exact state at one block start, as the parallel decoder hands it back. */
  private record State(long bit, long out, byte[] window, long memberCrc, long memberStart) {
    CheckpointingInflater resume(byte[] gz) {
      long in = (bit + 7) >>> 3;
      int bits = (int) ((in << 3) - bit);
      int from = (int) (in - (bits != 0 ? 1 : 0));
      return CheckpointingInflater.resumeMember(
          new ByteArrayInputStream(gz, from, gz.length - from), in, bits, window, out, memberStart,
          memberCrc, null);
    }
  }

  /**
   * Records the state at block starts (boundaries that did not end a final block) chosen by {@code
   * pick}, up to the end of the stream or its first fault.
   */
  private static List<State> statesAt(byte[] gz, java.util.function.IntPredicate pick) throws IOException {
    List<State> states = new ArrayList<>();
    CheckpointingInflater[] h = new CheckpointingInflater[1];
    int[] index = new int[1];
    h[0] =
        CheckpointingInflater.gzip(
            new ByteArrayInputStream(gz),
            (bit, out, fin) -> {
              if (!fin && pick.test(index[0]++)) {
                byte[] w = new byte[32768];
                h[0].copyWindow(w, 0);
                states.add(new State(bit, out, w, h[0].memberCrc(), h[0].memberStart()));
              }
            });
    try {
      h[0].drain();
    } catch (LayerDataException e) {
      // states up to the fault
    }
    return states;
  }

  private static String faultOf(CheckpointingInflater inf) {
    try {
      inf.drain();
    } catch (LayerDataException e) {
      return e.getMessage();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "no fault";
  }

  @Test
  void resumeMemberContinuesAsIfDecodingHadNeverStopped() throws IOException {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    List<byte[]> parts = new ArrayList<>();
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    for (int m = 0; m < 3; m++) {
      byte[] data = generate(r, 300_000);
      plain.writeBytes(data);
      parts.add(gzipWithDeflater(data, 1 + r.nextInt(9), Deflater.DEFAULT_STRATEGY, r, m == 1));
    }
    byte[] gz = concat(parts);
    byte[] expected = plain.toByteArray();
    // The same stream with a wrong CRC, then a wrong length, in the last member's trailer.
    byte[] badCrc = gz.clone();
    badCrc[gz.length - 8] ^= 1;
    byte[] badLength = gz.clone();
    badLength[gz.length - 4] ^= 1;
    String crcFault = faultOf(CheckpointingInflater.gzip(new ByteArrayInputStream(badCrc), null));
    String lengthFault = faultOf(CheckpointingInflater.gzip(new ByteArrayInputStream(badLength), null));
    assertThat(crcFault).startsWith("incorrect data check");
    assertThat(lengthFault).startsWith("incorrect length check");

    List<State> states = statesAt(gz, i -> i < 3 || r.nextInt(3) == 0);
    assertThat(states).isNotEmpty();
    for (State s : states) {
      String msg = "seed " + seed + " at bit " + s.bit();
      byte[] rest = s.resume(gz).readAllBytes();
      assertThat(rest.length).as(msg).isEqualTo(expected.length - s.out());
      assertThat(Arrays.equals(rest, 0, rest.length, expected, (int) s.out(), expected.length)).as(msg).isTrue();
      assertThat(faultOf(s.resume(badCrc))).as(msg).isEqualTo(crcFault);
      assertThat(faultOf(s.resume(badLength))).as(msg).isEqualTo(lengthFault);
    }
  }

  @Test
  void resumeMemberStillRejectsAReferenceBeforeTheMembersStart() throws IOException {
    byte[] first = new byte[50_000];
    for (int i = 0; i < first.length; i++) {
      first[i] = (byte) ("abcdefghij".charAt(i % 10) + (i / 997) % 3);
    }
    // Member 2 is compressed against member 1's tail as a preset dictionary: its matches reach back
    // before its own start, which gzip (and zlib) reject as "too far back".
    byte[] second = Arrays.copyOfRange(first, first.length - 3000, first.length);
    byte[] member = dictionaryMember(Arrays.copyOfRange(first, first.length - 20_000, first.length), second);
    byte[] gz = concat(List.of(gzipWithJdk(first), member));
    String fault = faultOf(CheckpointingInflater.gzip(new ByteArrayInputStream(gz), null));
    assertThat(fault).startsWith("invalid distance too far back");

    // The boundary right after member 2's header: its data starts there.
    List<State> all = statesAt(gz, i -> true);
    State atSecondHeader = all.stream().filter(s -> s.out() == first.length).reduce((a, b) -> b).orElseThrow();
    assertThat(atSecondHeader.memberStart()).isEqualTo(first.length);
    assertThat(faultOf(atSecondHeader.resume(gz))).isEqualTo(fault);
    // The same position resumed as if the member had begun with the stream accepts the reference
    // (and then fails only the trailer's checks).
    assertThatThrownBy(() -> new State(atSecondHeader.bit(), atSecondHeader.out(), atSecondHeader.window(), 0, 0)
            .resume(gz).drain())
        .isInstanceOf(LayerDataException.class)
        .hasMessageNotContaining("too far back");
  }
}
