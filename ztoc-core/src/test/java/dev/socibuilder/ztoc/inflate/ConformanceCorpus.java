package dev.socibuilder.ztoc.inflate;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the conformance corpus (src/test/resources/conformance, soci's own outputs) without a JSON
 * or FlatBuffers library: cases.json holds flat objects, and a zTOC's checkpoints blob is found by
 * its known shape {@code [uint32 vector length][int32 N][int64 span]} (soci-format.md §4.3).
 */
final class ConformanceCorpus {
  private ConformanceCorpus() {}

  record Case(
      String name,
      String layer,
      String compression,
      long spanSize,
      String expect,
      Integer numSpans,
      String errorReason) {}

  record Checkpoint(long in, long out, int bits, byte[] window) {}

  private static final Pattern OBJECT = Pattern.compile("\\{[^{}]*\\}", Pattern.DOTALL);

  static List<Case> cases() {
    String json = new String(resource("cases.json"), java.nio.charset.StandardCharsets.UTF_8);
    List<Case> out = new ArrayList<>();
    Matcher m = OBJECT.matcher(json);
    while (m.find()) {
      String o = m.group();
      String spans = field(o, "num_spans");
      out.add(
          new Case(
              field(o, "name"),
              field(o, "layer"),
              field(o, "compression"),
              Long.parseLong(field(o, "span_size")),
              field(o, "expect"),
              spans == null ? null : Integer.valueOf(spans),
              field(o, "error_reason")));
    }
    if (out.size() < 50) {
      throw new IllegalStateException("cases.json parsed to only " + out.size() + " cases");
    }
    return out;
  }

  /** Value of a string or number field, or null if the value is JSON null. */
  private static String field(String object, String key) {
    Matcher m =
        Pattern.compile("\"" + key + "\":\\s*(null|\"((?:[^\"\\\\]|\\\\.)*)\"|(-?[0-9]+))")
            .matcher(object);
    if (!m.find()) {
      throw new IllegalStateException("no field " + key + " in " + object);
    }
    if (m.group(2) != null) {
      return m.group(2).replace("\\\"", "\"").replace("\\\\", "\\");
    }
    return m.group(3);
  }

  static byte[] resource(String relative) {
    String path = "/conformance/" + relative;
    try (InputStream in = ConformanceCorpus.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] layer(Case c) {
    return resource(c.layer());
  }

  /** The checkpoints stored in the expected zTOC of an ok case. */
  static List<Checkpoint> expectedCheckpoints(Case c) {
    byte[] ztoc = resource("expected/" + c.name() + ".ztoc");
    int n = c.numSpans();
    int blobLen = 12 + 32785 * n;
    ByteBuffer key = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    key.putInt(blobLen).putInt(n).putLong(c.spanSize());
    int at = indexOf(ztoc, key.array());
    if (at < 0 || indexOf(Arrays.copyOfRange(ztoc, at + 1, ztoc.length), key.array()) >= 0) {
      throw new IllegalStateException("checkpoints blob not found exactly once in " + c.name());
    }
    ByteBuffer b = ByteBuffer.wrap(ztoc).order(ByteOrder.LITTLE_ENDIAN);
    List<Checkpoint> out = new ArrayList<>();
    int p = at + 16;
    for (int i = 0; i < n; i++) {
      long in = b.getLong(p);
      long o = b.getLong(p + 8);
      int bits = ztoc[p + 16] & 0xff;
      byte[] window = Arrays.copyOfRange(ztoc, p + 17, p + 17 + 32768);
      out.add(new Checkpoint(in, o, bits, window));
      p += 32785;
    }
    return out;
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
