package dev.socibuilder.ztoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.digest.Digest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SpanDigesterTest {

  /** The definition (soci-format.md §4.4): span i is [in_i - (bits_i != 0), in_{i+1}), the last to the end. */
  static List<Digest> expected(byte[] layer, long[] in, int[] bits) {
    List<Digest> out = new ArrayList<>();
    for (int i = 0; i < in.length; i++) {
      int from = (int) (in[i] - (bits[i] != 0 ? 1 : 0));
      int to = i + 1 < in.length ? (int) in[i + 1] : layer.length;
      out.add(Digest.sha256Of(Arrays.copyOfRange(layer, from, to)));
    }
    return out;
  }

  @Test
  void digestsTheSpansOfBytesPushedInPiecesAfterTheirCheckpoints() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    for (int round = 0; round < 300; round++) {
      byte[] layer = new byte[20 + r.nextInt(round < 100 ? 200 : 100_000)];
      r.nextBytes(layer);
      int n = 1 + r.nextInt(Math.min(12, layer.length / 10));
      long[] in = new long[n];
      int[] bits = new int[n];
      in[0] = 10;
      for (int i = 1; i < n; i++) {
        // adjacent spans may share a byte; two checkpoints may even be one byte apart
        in[i] = Math.min(layer.length - 1, in[i - 1] + 1 + r.nextInt(Math.max(1, 2 * layer.length / n)));
        bits[i] = r.nextInt(3) == 0 ? 0 : 1 + r.nextInt(7);
      }
      for (int i = 1; i < n; i++) {
        if (in[i] <= in[i - 1]) {
          n = i; // ran into the end
          in = Arrays.copyOf(in, n);
          bits = Arrays.copyOf(bits, n);
          break;
        }
      }
      SpanDigester d = new SpanDigester();
      int pushed = 0;
      int told = 0;
      while (pushed < layer.length || told < n) {
        // A checkpoint is told before any byte at or after its start is pushed (the inflater's promise).
        long nextStart = told < n ? in[told] - (bits[told] != 0 ? 1 : 0) : Long.MAX_VALUE;
        if (told < n && (pushed >= nextStart || r.nextBoolean())) {
          d.checkpoint(in[told], bits[told]);
          told++;
          continue;
        }
        int limit = (int) Math.min(layer.length, nextStart);
        if (pushed >= limit) {
          continue;
        }
        int k = 1 + r.nextInt(limit - pushed);
        byte[] piece = new byte[k + 4];
        System.arraycopy(layer, pushed, piece, 2, k);
        d.bytes(piece, 2, k);
        pushed += k;
      }
      assertThat(d.bytesPushed()).isEqualTo(layer.length);
      assertThat(d.finish()).as("seed %d round %d", seed, round).isEqualTo(expected(layer, in, bits));
    }
  }

  @Test
  void refusesASpanStartThatWasAlreadyPassed() {
    SpanDigester d = new SpanDigester();
    d.checkpoint(10, 0);
    d.bytes(new byte[30], 0, 30);
    assertThatThrownBy(() -> d.checkpoint(20, 3)).isInstanceOf(IllegalStateException.class);
  }
}
