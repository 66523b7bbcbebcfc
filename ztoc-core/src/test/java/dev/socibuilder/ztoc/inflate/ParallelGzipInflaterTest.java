package dev.socibuilder.ztoc.inflate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.layer.LayerDataException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The parallel inflater against the reference decoder on generated streams: the same bytes, the
 * same boundaries with the same windows, the same faults. Chunks are made small so that every
 * stream is cut in many places (block headers, stored data, members, trailers).
 */
// A hang guard (a stitcher that stops making progress loops forever), not a speed test.
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ParallelGzipInflaterTest {

  /** Everything a decoder reports: the bytes, and each boundary with a digest of its window. */
  record Trace(byte[] bytes, List<String> boundaries, String fault) {}

  interface Decoder {
    InputStream open(InputStream source, CheckpointingInflater.BoundaryListener l);
  }

  /**
   * Reads with a random mix of read(), read(byte[]) and skip; skipped bytes are recorded as the
   * reference's plain output ({@code plain}), read bytes as read.
   */
  static Trace trace(byte[] gz, Decoder decoder, Random readPattern, byte[] plain) {
    List<String> boundaries = new ArrayList<>();
    InputStream[] holder = new InputStream[1];
    byte[] w = new byte[32768];
    CheckpointingInflater.BoundaryListener l =
        (bit, out, fin) -> {
          if (holder[0] instanceof ParallelGzipInflater p) {
            p.copyWindow(w, 0);
          } else {
            ((CheckpointingInflater) holder[0]).copyWindow(w, 0);
          }
          CRC32 c = new CRC32();
          c.update(w);
          boundaries.add(bit + "/" + out + "/" + fin + "/" + Long.toHexString(c.getValue()));
        };
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    String fault = null;
    InputStream in = decoder.open(new ByteArrayInputStream(gz), l);
    holder[0] = in;
    try {
      byte[] buf = new byte[70_000];
      while (true) {
        int mode = readPattern.nextInt(4);
        if (mode == 0) {
          // skipped bytes are not compared: boundaries and windows still are
          long want = readPattern.nextInt(50_000);
          long s = in.skip(want);
          int at = got.size();
          for (int i = 0; i < s; i++) {
            got.write(plain != null && at + i < plain.length ? plain[at + i] : 0);
          }
          if (s < want) {
            break;
          }
        } else if (mode == 1) {
          int b = in.read();
          if (b < 0) {
            break;
          }
          got.write(b);
        } else {
          int off = readPattern.nextInt(100);
          int n = in.read(buf, off, 1 + readPattern.nextInt(buf.length - off - 1));
          if (n < 0) {
            break;
          }
          got.write(buf, off, n);
        }
      }
    } catch (LayerDataException e) {
      fault = e.getMessage();
    } catch (IOException e) {
      throw new AssertionError(e);
    } finally {
      try {
        in.close();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }
    return new Trace(got.toByteArray(), boundaries, fault);
  }

  static byte[] plain(byte[] gz) {
    try {
      return CheckpointingInflater.gzip(new ByteArrayInputStream(gz), null).readAllBytes();
    } catch (LayerDataException e) {
      return null;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static Trace reference(byte[] gz, long readSeed) {
    return trace(gz, CheckpointingInflater::gzip, new Random(readSeed), plain(gz));
  }

  /** Segments accepted from workers, and regions decoded by the reference, in the last parallel trace. */
  static int lastAccepted;
  static long lastSequentialBits;
  static int lastChained;
  static int lastContinuations;
  static int lastRedecodes;
  static int lastStoredStretches;

  static Trace parallel(byte[] gz, int threads, int chunk, long readSeed) {
    return parallel(gz, threads, chunk, 64L << 20, readSeed);
  }

  static Trace parallel(byte[] gz, int threads, int chunk, long memoryBudget, long readSeed) {
    return parallel(gz, threads, chunk, memoryBudget, 0, readSeed); // the workers decode all they can
  }

  static Trace parallel(byte[] gz, int threads, int chunk, long memoryBudget, long stretch, long readSeed) {
    ParallelGzipInflater[] p = new ParallelGzipInflater[1];
    Trace t =
        trace(
            gz,
            (s, l) -> p[0] = ParallelGzipInflater.gzip(s, l, null, threads, chunk, memoryBudget, stretch),
            new Random(readSeed),
            plain(gz));
    lastAccepted = p[0].acceptedSegments();
    lastSequentialBits = p[0].sequentialBits();
    lastChained = p[0].chainedSegments();
    lastContinuations = p[0].continuations();
    lastRedecodes = p[0].redecodes();
    lastStoredStretches = p[0].storedStretches();
    return t;
  }

  static void assertSame(Trace expected, Trace actual, String msg) {
    assertThat(actual.fault()).as(msg + " fault").isEqualTo(expected.fault());
    if (expected.fault() == null) {
      // On a fault the two may have read different amounts before it; without one, all must agree.
      assertThat(actual.bytes().length).as(msg + " length").isEqualTo(expected.bytes().length);
      assertThat(Arrays.equals(actual.bytes(), expected.bytes())).as(msg + " bytes").isTrue();
      assertThat(actual.boundaries()).as(msg + " boundaries").isEqualTo(expected.boundaries());
    } else {
      // Boundaries before the fault: the parallel decoder never reports one the reference did not.
      List<String> a = actual.boundaries();
      assertThat(a).as(msg + " boundaries before the fault")
          .isEqualTo(expected.boundaries().subList(0, Math.min(a.size(), expected.boundaries().size())));
    }
  }

  /** A stream of several members, each with its own level, strategy, flushes and data kind. */
  static byte[] generatedStream(Random r, int maxMemberSize) {
    List<byte[]> parts = new ArrayList<>();
    int members = 1 + (r.nextInt(3) == 0 ? r.nextInt(4) : 0);
    int[] strategies = {Deflater.DEFAULT_STRATEGY, Deflater.FILTERED, Deflater.HUFFMAN_ONLY};
    for (int m = 0; m < members; m++) {
      byte[] data = CheckpointingInflaterTest.generate(r, maxMemberSize);
      parts.add(
          r.nextInt(4) == 0
              ? CheckpointingInflaterTest.gzipWithJdk(data)
              : CheckpointingInflaterTest.gzipWithDeflater(
                  data, r.nextInt(10), strategies[r.nextInt(3)], r, r.nextBoolean()));
    }
    return CheckpointingInflaterTest.concat(parts);
  }

  static int chunkSize(Random r) {
    switch (r.nextInt(4)) {
      case 0:
        return 64 + r.nextInt(512);
      case 1:
        return 1024 + r.nextInt(8192);
      default:
        return 16_384 + r.nextInt(200_000);
    }
  }

  @Test
  void decodesGeneratedStreamsExactlyAsTheReference() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    int accepted = 0;
    int redecodes = 0;
    long bits = 0;
    long sequentialBits = 0;
    for (int round = 0; round < 60; round++) {
      byte[] gz = generatedStream(r, 400_000);
      // Half the rounds cut the stream into a few chunks larger than its deflate blocks.
      int chunk = round % 2 == 0 ? chunkSize(r) : Math.max(8192, gz.length / (2 + r.nextInt(8)));
      int threads = 1 + r.nextInt(4);
      long readSeed = r.nextLong();
      String msg = "seed " + seed + " round " + round + " chunk " + chunk + " threads " + threads;
      Trace expected = reference(gz, readSeed);
      assertThat(expected.fault()).as(msg).isNull();
      assertSame(expected, parallel(gz, threads, chunk, readSeed), msg);
      redecodes += lastRedecodes;
      if (round % 2 == 1 && gz.length >= 2 * chunk) {
        // Chunks larger than deflate blocks: the workers' segments should do most of the work.
        accepted += lastAccepted;
        bits += 8L * gz.length;
        sequentialBits += lastSequentialBits;
      }
    }
    assertThat(accepted).as("seed %d: segments accepted", seed).isGreaterThan(0);
    // Small chunks often start (falsely) inside the block that ends the previous segment: a worker
    // decodes them again from the verified position.
    assertThat(redecodes).as("seed %d: chunks decoded again by a worker", seed).isGreaterThan(0);
    assertThat((double) sequentialBits / bits)
        .as("seed %d: share of the input decoded by the reference decoder", seed)
        .isLessThan(0.5);
  }

  @Test
  void reportsTheReferencesFaultForTruncatedStreams() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    int faults = 0;
    for (int round = 0; round < 12; round++) {
      byte[] gz = generatedStream(r, 200_000);
      int chunk = chunkSize(r);
      for (int cut = 0; cut < 12; cut++) {
        int len = cut == 0 ? gz.length - 1 - r.nextInt(12) : r.nextInt(gz.length);
        byte[] truncated = Arrays.copyOf(gz, Math.max(len, 0));
        long readSeed = r.nextLong();
        String msg = "seed " + seed + " round " + round + " cut at " + len + " chunk " + chunk;
        // (A cut between two members leaves a valid, shorter stream.)
        Trace expected = reference(truncated, readSeed);
        faults += expected.fault() != null ? 1 : 0;
        assertSame(expected, parallel(truncated, 2, chunk, readSeed), msg);
      }
    }
    assertThat(faults).as("seed %d: truncations that are faults", seed).isGreaterThan(120);
  }

  @Test
  void reportsTheReferencesFaultForCorruptedStreams() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    int faults = 0;
    for (int round = 0; round < 200; round++) {
      byte[] gz = generatedStream(r, 150_000);
      byte[] bad = gz.clone();
      int flips = 1 + r.nextInt(3);
      for (int i = 0; i < flips; i++) {
        int at = r.nextInt(bad.length);
        if (r.nextBoolean()) {
          bad[at] ^= (byte) (1 << r.nextInt(8));
        } else {
          bad[at] = (byte) r.nextInt(256);
        }
      }
      if (r.nextInt(10) == 0) {
        bad = CheckpointingInflaterTest.concat(List.of(bad, new byte[1 + r.nextInt(40)])); // trailing zeros
      }
      int chunk = chunkSize(r);
      long readSeed = r.nextLong();
      String msg = "seed " + seed + " round " + round + " chunk " + chunk;
      Trace expected = reference(bad, readSeed);
      faults += expected.fault() != null ? 1 : 0;
      assertSame(expected, parallel(bad, 1 + r.nextInt(3), chunk, readSeed), msg);
    }
    assertThat(faults).as("most corruptions are faults").isGreaterThan(100);
  }

  @Test
  void reportsTheReferencesFaultForAMatchReachingBeforeItsMembersStart() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    // Text: member 2's compressor finds its matches in member 1's tail.
    String[] words = {"layer ", "span ", "window ", "marker ", "chunk\n", "gzip ", "member "};
    StringBuilder text = new StringBuilder();
    while (text.length() < 40_000 + r.nextInt(100_000)) {
      text.append(words[r.nextInt(words.length)]).append(r.nextInt(1000));
    }
    byte[] first = text.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    // Member 2 repeats member 1's tail, compressed against it: its first matches reach back into
    // member 1, where a worker sees only the unknown window, never the member boundary.
    byte[] tail = Arrays.copyOfRange(first, first.length - 32768, first.length);
    byte[] gz1 = CheckpointingInflaterTest.gzipWithJdk(first);
    byte[] gz = CheckpointingInflaterTest.concat(
        List.of(gz1, CheckpointingInflaterTest.dictionaryMember(tail, CheckpointingInflaterTest.concat(List.of(tail, tail)))));
    Trace expected = reference(gz, 1);
    assertThat(expected.fault()).as("seed %d", seed).startsWith("invalid distance too far back");
    int header = gz1.length;
    for (int chunk : new int[] {header - 1, header, header + 4, header + 10, header + 11}) {
      assertSame(expected, parallel(gz, 2, chunk, 1), "seed " + seed + " chunk " + chunk);
    }
  }

  /**
   * One member: random bytes in stored blocks (level 0), then compressible data (level 6), in parts
   * with random flushes. Returns the stream; {@code storedEnd[0]} is the compressed offset where the
   * stored part ends.
   */
  static byte[] storedThenCompressible(Random r, int storedLen, int compressibleLen, long[] storedEnd) {
    byte[] stored = new byte[storedLen];
    r.nextBytes(stored);
    StringBuilder text = new StringBuilder();
    while (text.length() < compressibleLen) {
      text.append("usr/lib/").append(Integer.toString(r.nextInt(1 << 20), 36)).append(r.nextBoolean() ? ".so\n" : "/ ");
    }
    byte[] data = CheckpointingInflaterTest.concat(
        List.of(stored, text.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    Deflater d = new Deflater(0, true);
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    bos.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3});
    byte[] buf = new byte[8192];
    int pos = 0;
    while (pos < data.length) {
      int n = Math.min(data.length - pos, 1 + r.nextInt(200_000));
      if (pos < storedLen) {
        n = Math.min(n, storedLen - pos);
      } else if (pos == storedLen) {
        // The new level applies to the input given with the next call: give none, so that the
        // compressible data is not stored too.
        d.setLevel(6);
        d.setInput(new byte[0]);
        bos.write(buf, 0, d.deflate(buf, 0, buf.length, Deflater.NO_FLUSH));
        storedEnd[0] = bos.size();
      }
      d.setInput(data, pos, n);
      pos += n;
      int flush = pos == storedLen || r.nextInt(4) == 0 ? Deflater.SYNC_FLUSH : Deflater.NO_FLUSH;
      CheckpointingInflaterTest.deflateGiven(d, flush, buf, bos);
    }
    d.finish();
    while (!d.finished()) {
      bos.write(buf, 0, d.deflate(buf));
    }
    d.end();
    bos.writeBytes(CheckpointingInflaterTest.trailer(data));
    return bos.toByteArray();
  }

  @Test
  void decodesStretchesOfStoredBlocksOnTheCallingThreadExactlyAsTheReference() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    int storedStretches = 0;
    for (int round = 0; round < 30; round++) {
      // Stored blocks, where the workers would only add copies, then data that compresses: the
      // calling thread decodes the stored stretches, the workers the rest; the same bytes either way.
      long[] storedEnd = new long[1];
      byte[] gz = round % 3 == 0
          ? generatedStream(r, 1_000_000) // whatever the generator mixes (stored blocks among others)
          : storedThenCompressible(r, 300_000 + r.nextInt(1_500_000), 3_000_000, storedEnd);
      // Chunks larger than the deflate blocks (stored ones take 64 KiB): smaller ones are all the
      // reference decoder's anyway.
      int chunk = 65_536 + r.nextInt(100_000);
      long stretch = 16_384 + r.nextInt(200_000);
      int threads = 1 + r.nextInt(3);
      long readSeed = r.nextLong();
      String msg = "seed " + seed + " round " + round + " chunk " + chunk + " stretch " + stretch;
      Trace expected = reference(gz, readSeed);
      assertSame(expected, parallel(gz, threads, chunk, 64L << 20, stretch, readSeed), msg);
      storedStretches += lastStoredStretches;
      if (storedEnd[0] > 4 * (stretch + chunk)) {
        // Most of the stored part on the calling thread, and the workers back for what compresses.
        assertThat(lastStoredStretches).as(msg).isGreaterThan(0);
        assertThat(lastSequentialBits >>> 3).as(msg + ": bytes decoded on the calling thread")
            .isGreaterThan(storedEnd[0] / 2)
            .isLessThan(storedEnd[0] + 2 * (stretch + chunk));
        assertThat(lastAccepted).as(msg + ": segments from workers").isGreaterThan(1);
      }
    }
    assertThat(storedStretches).as("seed %d: stretches of stored blocks", seed).isGreaterThan(0);
  }

  @Test
  void leavesAStreamThatStartsWithStoredBlocksToTheCallingThreadWhateverItsHeader() throws IOException {
    Random r = new Random(11);
    byte[] data = new byte[1_500_000];
    r.nextBytes(data);
    Deflater d = new Deflater(0, true);
    d.setInput(data);
    d.finish();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] buf = new byte[65_536];
    while (!d.finished()) {
      body.write(buf, 0, d.deflate(buf));
    }
    d.end();
    // Every optional header field (RFC 1952) before the first block: FEXTRA, FNAME, FCOMMENT, FHCRC.
    byte[][] headers = {
      {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3},
      {0x1f, (byte) 0x8b, 8, 4, 0, 0, 0, 0, 0, 3, 6, 0, 'S', 'C', 2, 0, 9, 9},
      {0x1f, (byte) 0x8b, 8, 8 | 16, 0, 0, 0, 0, 0, 3, 'l', '.', 't', 'a', 'r', 0, 'h', 'i', 0},
      headerWithCrc(new byte[] {0x1f, (byte) 0x8b, 8, 2 | 8, 0, 0, 0, 0, 0, 3, 'a', 0}),
    };
    for (byte[] header : headers) {
      byte[] gz = CheckpointingInflaterTest.concat(
          List.of(header, body.toByteArray(), CheckpointingInflaterTest.trailer(data)));
      String msg = "header flags " + header[3];
      assertSame(reference(gz, 5), parallel(gz, 2, 65_536, 64L << 20, 256 << 10, 5), msg);
      assertThat(lastStoredStretches).as(msg + ": stretches on the calling thread").isGreaterThan(0);
      assertThat(lastAccepted).as(msg + ": segments from workers").isZero();
    }
  }

  /** A gzip header with FHCRC: the low 16 bits of the CRC-32 of the header before them. */
  static byte[] headerWithCrc(byte[] header) {
    CRC32 c = new CRC32();
    c.update(header);
    byte[] h = Arrays.copyOf(header, header.length + 2);
    h[header.length] = (byte) c.getValue();
    h[header.length + 1] = (byte) (c.getValue() >>> 8);
    return h;
  }

  @Test
  void decodesExactlyWhenSegmentsOutgrowASmallMemoryBudget() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    int continuations = 0;
    int chained = 0;
    for (int round = 0; round < 40; round++) {
      // Compressible data in few large chunks and a budget of a few hundred kilobytes: segments end
      // early at their share (or, for a long block, at their last block start) and continue on a
      // worker; flushes every few bytes fill the boundary share instead.
      byte[] data = CheckpointingInflaterTest.generate(r, 2_000_000);
      byte[] gz = r.nextInt(3) == 0
          ? CheckpointingInflaterTest.gzipWithDeflater(data, 1 + r.nextInt(9), Deflater.DEFAULT_STRATEGY, r, false)
          : CheckpointingInflaterTest.gzipWithJdk(data);
      int chunk = Math.max(4096, gz.length / (1 + r.nextInt(4)));
      long budget = (64L << 10) * (1 + r.nextInt(16));
      int threads = 1 + r.nextInt(3);
      long readSeed = r.nextLong();
      String msg = "seed " + seed + " round " + round + " chunk " + chunk + " budget " + budget;
      Trace expected = reference(gz, readSeed);
      assertSame(expected, parallel(gz, threads, chunk, budget, readSeed), msg);
      continuations += lastContinuations;
      chained += lastChained;
    }
    assertThat(continuations).as("seed %d: continuations", seed).isGreaterThan(0);
    assertThat(chained).as("seed %d: segments decoded or resolved with their predecessor's window", seed)
        .isGreaterThan(0);
  }

  @Test
  void decodesExactlyWithAFlushEveryFewBytes() throws IOException {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    for (int round = 0; round < 6; round++) {
      // Thousands of empty stored blocks: more boundaries than a small share allows per segment.
      byte[] data = CheckpointingInflaterTest.generate(r, 200_000);
      Deflater d = new Deflater(r.nextInt(10), true);
      ByteArrayOutputStream raw = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      for (int at = 0; at < data.length; ) {
        int n = Math.min(data.length - at, 1 + r.nextInt(64));
        d.setInput(data, at, n);
        at += n;
        int k;
        do {
          k = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
          raw.write(buf, 0, k);
        } while (k == buf.length);
      }
      d.finish();
      while (!d.finished()) {
        raw.write(buf, 0, d.deflate(buf));
      }
      d.end();
      ByteArrayOutputStream gz = new ByteArrayOutputStream();
      gz.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3});
      gz.writeBytes(raw.toByteArray());
      CRC32 crc = new CRC32();
      crc.update(data);
      for (long v : new long[] {crc.getValue(), data.length}) {
        for (int i = 0; i < 4; i++) {
          gz.write((int) (v >>> (8 * i)));
        }
      }
      byte[] stream = gz.toByteArray();
      long readSeed = r.nextLong();
      int chunk = Math.max(1024, stream.length / (2 + r.nextInt(6)));
      assertSame(reference(stream, readSeed), parallel(stream, 2, chunk, 64L << 10, readSeed),
          "seed " + seed + " round " + round + " chunk " + chunk);
    }
  }

  /** {@code command}'s standard output for {@code input} on its standard input (a real compressor). */
  static byte[] run(List<String> command, byte[] input) {
    try {
      Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      Thread feeder = new Thread(() -> {
        try (var stdin = p.getOutputStream()) {
          stdin.write(input);
        } catch (IOException e) {
          // the process ended early: its exit status says why
        }
      });
      feeder.start();
      byte[] out = p.getInputStream().readAllBytes();
      feeder.join();
      assertThat(p.waitFor()).as("%s exit status", command).isZero();
      return out;
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(command + " failed", e);
    }
  }

  /**
   * Layers are rarely compressed by zlib's deflate alone: pigz compresses blocks of the input on
   * several threads and joins them with sync (or, with {@code -i}, full) flushes and empty stored
   * blocks; {@code -11} is zopfli, with its own block splitting and Huffman trees; {@code --rsyncable}
   * cuts blocks where the data says. libdeflate ({@code -12}: near-optimal parsing) splits blocks and
   * builds its trees its own way; bgzip writes a member of at most 64 KiB per block, each with an extra
   * field, and an empty member at the end; 7-Zip has its own encoder. Each stream, whole, truncated and
   * with a flipped bit, decodes as the reference decodes it, in small and large chunks.
   */
  @Test
  void decodesWhatOtherCompressorsWriteExactlyAsTheReference() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    List<List<String>> compressors = List.of(
        List.of("pigz", "-c", "-6", "-b", "32", "-p", "2"),
        List.of("pigz", "-c", "-1", "-b", "128", "-i", "-p", "2"),
        List.of("pigz", "-c", "-9", "--rsyncable", "-p", "2"),
        List.of("pigz", "-c", "-0", "-p", "2"),
        List.of("pigz", "-c", "-11", "-p", "2"),
        List.of("gzip", "-c", "-1"),
        List.of("gzip", "-c", "-9", "--rsyncable"),
        List.of("libdeflate-gzip", "-c", "-1"),
        List.of("libdeflate-gzip", "-c", "-6"),
        List.of("libdeflate-gzip", "-c", "-12"),
        List.of("bgzip", "-c"),
        List.of("bgzip", "-c", "-l", "9"),
        List.of("7z", "a", "-tgzip", "-mx9", "-si", "-so", "stdin"));
    int faults = 0;
    int accepted = 0;
    for (List<String> compressor : compressors) {
      boolean zopfli = compressor.contains("-11");
      for (int round = 0; round < 3; round++) {
        byte[] gz = run(compressor, CheckpointingInflaterTest.generate(r, zopfli ? 150_000 : 1_500_000));
        for (int variant = 0; variant < 3; variant++) {
          faults += decodesVariantAsTheReference(gz, variant, r, "seed " + seed + " " + compressor + " round " + round)
              ? 1 : 0;
          accepted += lastAccepted;
        }
      }
    }
    assertThat(faults).as("seed %d: truncated or flipped streams that are faults", seed).isGreaterThan(10);
    assertThat(accepted).as("seed %d: segments the workers decoded", seed).isGreaterThan(0);
  }

  /**
   * Go's compress/gzip writes most layers (docker, BuildKit, containerd and go-containerregistry compress with
   * it): its own block splitting and trees, BestSpeed's and HuffmanOnly's encoders, stored blocks of its own
   * sizes, sync flushes and members (the resources go-gzip/, written by src/test/go/gostreams.go). Each stream
   * decodes to what the JDK's zlib decodes, and whole, truncated and with a flipped bit exactly as the
   * reference decodes it, on several threads and in small and large chunks.
   */
  @ParameterizedTest
  @ValueSource(strings = {"best-speed", "default", "best-compression", "huffman-only", "stored",
      "default-sync-flushes", "best-speed-sync-flushes", "huffman-only-sync-flushes", "default-members",
      "best-speed-members-and-flushes"})
  void decodesWhatGoWritesExactlyAsTheReference(String name) throws IOException {
    byte[] gz;
    try (InputStream in = ParallelGzipInflaterTest.class.getResourceAsStream("/go-gzip/" + name + ".gz")) {
      assertThat(in).as("resource go-gzip/%s.gz", name).isNotNull();
      gz = in.readAllBytes();
    }
    byte[] zlib;
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      zlib = in.readAllBytes();
    }
    assertThat(plain(gz)).as("%s decoded by the reference", name).isEqualTo(zlib);
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    int accepted = 0;
    for (int round = 0; round < 12; round++) {
      decodesVariantAsTheReference(gz, round % 3, r, "seed " + seed + " " + name + " round " + round);
      accepted += lastAccepted;
    }
    assertThat(accepted).as("seed %d %s: segments the workers decoded", seed, name).isGreaterThan(0);
  }

  /**
   * Checks that a variant of the valid stream {@code gz} (0: whole, which must decode without a fault; 1: truncated
   * at random; 2: one bit flipped at random) decodes on 2-4 threads, in a random chunk size, exactly as the
   * reference decodes it; returns whether the reference found a fault.
   */
  private static boolean decodesVariantAsTheReference(byte[] gz, int variant, Random r, String what) {
    byte[] stream = gz.clone();
    if (variant == 1) {
      stream = Arrays.copyOf(gz, r.nextInt(gz.length));
    } else if (variant == 2) {
      stream[r.nextInt(stream.length)] ^= (byte) (1 << r.nextInt(8));
    }
    int chunk = r.nextBoolean() ? chunkSize(r) : Math.max(4096, stream.length / (2 + r.nextInt(4)));
    long readSeed = r.nextLong();
    String msg = what + " variant " + variant + " chunk " + chunk;
    Trace expected = reference(stream, readSeed);
    if (variant == 0) {
      assertThat(expected.fault()).as(msg).isNull();
    }
    assertSame(expected, parallel(stream, 2 + r.nextInt(3), chunk, readSeed), msg);
    return expected.fault() != null;
  }

  /** The decoding threads still alive. */
  static List<Thread> inflateThreads() {
    List<Thread> out = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("ztoc-inflate-") && t.isAlive()) {
        out.add(t);
      }
    }
    return out;
  }

  /** Waits (bounded) for the decoding threads to end after a close; they must end, not linger. */
  static void assertThreadsEnd() throws InterruptedException {
    for (Thread t : inflateThreads()) {
      t.join(60_000);
      assertThat(t.isAlive()).as("%s ended", t.getName()).isFalse();
    }
  }

  /** A large stream, so that workers are busy when the test intervenes. */
  static byte[] largeStream() {
    Random r = new Random(7);
    List<byte[]> parts = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      parts.add(CheckpointingInflaterTest.gzipWithJdk(CheckpointingInflaterTest.generate(r, 1_000_000)));
    }
    return CheckpointingInflaterTest.concat(parts);
  }

  @Test
  void stopsItsThreadsWhenClosedEarly() throws Exception {
    byte[] gz = largeStream();
    // (Workers for everything, even if the stream starts with stored blocks.)
    ParallelGzipInflater p = ParallelGzipInflater.gzip(new ByteArrayInputStream(gz), null, null, 3, 4096, 64L << 20, 0);
    assertThat(p.read(new byte[1000])).isPositive();
    assertThat(inflateThreads()).isNotEmpty();
    p.close();
    assertThatThrownBy(() -> p.read()).isInstanceOf(IOException.class);
    assertThreadsEnd();
  }

  @Test
  void passesOnTheSourcesFailureAndStopsItsThreads() throws Exception {
    byte[] gz = largeStream();
    InputStream failing =
        new InputStream() {
          private int pos;

          @Override
          public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (pos > gz.length / 2) {
              throw new IOException("connection reset");
            }
            int n = Math.min(len, Math.min(777, gz.length - pos));
            System.arraycopy(gz, pos, b, off, n);
            pos += n;
            return n;
          }
        };
    ParallelGzipInflater p = ParallelGzipInflater.gzip(failing, null, null, 2, 8192);
    try {
      assertThatThrownBy(p::drain).isInstanceOf(IOException.class).hasMessage("connection reset");
    } finally {
      p.close();
    }
    assertThreadsEnd();
  }

  @Test
  void passesOnAListenersFailureAndStopsItsThreads() throws Exception {
    byte[] gz = largeStream();
    int[] calls = {0};
    ParallelGzipInflater p =
        ParallelGzipInflater.gzip(
            new ByteArrayInputStream(gz),
            (bit, out, fin) -> {
              if (++calls[0] == 20) {
                throw new IllegalStateException("listener broke");
              }
            },
            null,
            2,
            8192);
    try {
      assertThatThrownBy(p::drain).isInstanceOf(IllegalStateException.class).hasMessage("listener broke");
    } finally {
      p.close();
    }
    assertThreadsEnd();
  }

  @Test
  void handsEveryCompressedByteToTheSinkOnceInOrder() throws IOException {
    byte[] gz = largeStream();
    ByteArrayOutputStream passed = new ByteArrayOutputStream();
    ParallelGzipInflater p =
        ParallelGzipInflater.gzip(new ByteArrayInputStream(gz), null, passed::write, 2, 5000);
    try {
      p.drain();
    } finally {
      p.close();
    }
    assertThat(Arrays.equals(passed.toByteArray(), gz)).isTrue();
  }
}
