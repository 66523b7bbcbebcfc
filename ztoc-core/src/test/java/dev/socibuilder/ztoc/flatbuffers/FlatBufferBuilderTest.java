package dev.socibuilder.ztoc.flatbuffers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class FlatBufferBuilderTest {

  private static byte[] tarZinfoLike(FlatBufferBuilder b, int version, long span, long size) {
    b.startObject(3);
    b.addInt(0, version, 0);
    b.addLong(1, span, 0);
    b.addLong(2, size, 0);
    b.finish(b.endObject());
    return b.sizedByteArray();
  }

  @Test
  void reproducesBytesMadeByTheGoLibrary() {
    // soci-format.md §2.3: TarZinfo{2, 4194304, 2048} built by Go flatbuffers v25.12.19.
    byte[] bytes = tarZinfoLike(new FlatBufferBuilder(0), 2, 4_194_304, 2048);

    assertThat(HexFormat.of().formatHex(bytes))
        .isEqualTo("140000000000000000000a001c0018000c0004000a00000000080000000000000000400000"
            + "0000000000000002000000");
  }

  @Test
  void growingFromAnEmptyBufferGivesTheSameBytesAsAPresizedOne() {
    assertThat(tarZinfoLike(new FlatBufferBuilder(0), 2, 77, 5))
        .isEqualTo(tarZinfoLike(new FlatBufferBuilder(4096), 2, 77, 5));
  }

  @Test
  void stringsAreLengthPrefixedNulTerminatedAndPaddedAfterTheNul() {
    FlatBufferBuilder b = new FlatBufferBuilder(0);
    int s = b.createString("abcde".getBytes(StandardCharsets.US_ASCII));
    b.startObject(1);
    b.addOffset(0, s);
    b.finish(b.endObject());
    byte[] bytes = b.sizedByteArray();

    // The string was written first, so it ends the buffer: len=5, "abcde", NUL, 2 pad bytes.
    assertThat(HexFormat.of().formatHex(bytes, bytes.length - 12, bytes.length))
        .isEqualTo("050000006162636465000000");
    FlatBufferReader r = new FlatBufferReader(bytes);
    assertThat(r.bytesField(r.rootTable(), 0)).isEqualTo("abcde".getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void trailingAbsentFieldsAreTrimmedFromTheVtable() {
    FlatBufferBuilder b = new FlatBufferBuilder(0);
    b.startObject(5);
    b.addInt(0, 7, 0);
    b.addInt(4, 0, 0); // default: omitted
    b.finish(b.endObject());
    byte[] bytes = b.sizedByteArray();
    FlatBufferReader r = new FlatBufferReader(bytes);
    int t = r.rootTable();

    assertThat(r.readUnsignedShort(t - r.readInt(t))).isEqualTo(6); // 2 metadata + 1 field
    assertThat(r.intField(t, 0, -1)).isEqualTo(7);
    assertThat(r.intField(t, 4, -1)).isEqualTo(-1);
  }

  @Test
  void identicalVtablesAreWrittenOnceAndSharedByLaterTables() {
    FlatBufferBuilder b = new FlatBufferBuilder(0);
    b.startObject(2);
    b.addInt(0, 1, 0);
    b.addInt(1, 2, 0);
    int first = b.endObject();
    int afterFirst = b.offset();
    b.startObject(2);
    b.addInt(0, 3, 0);
    b.addInt(1, 4, 0);
    int second = b.endObject();

    // The second table is 4 (soffset) + 8 (two ints) bytes and has no vtable of its own.
    assertThat(b.offset() - afterFirst).isEqualTo(12);
    b.startVector(4, 2, 4);
    b.prependUOffset(second);
    b.prependUOffset(first);
    int vector = b.endVector(2);
    b.startObject(1);
    b.addOffset(0, vector);
    b.finish(b.endObject());
    FlatBufferReader r = new FlatBufferReader(b.sizedByteArray());
    int v = r.refField(r.rootTable(), 0);
    int t0 = r.vectorRef(v, 0);
    int t1 = r.vectorRef(v, 1);
    assertThat(t1 - r.readInt(t1)).isEqualTo(t0 - r.readInt(t0));
    assertThat(r.readInt(t1)).isNegative(); // the shared vtable lies after the newer table
    assertThat(r.intField(t0, 1, 0)).isEqualTo(2);
    assertThat(r.intField(t1, 0, 0)).isEqualTo(3);
  }

  @Test
  void finishAlignsTheWholeBufferToTheLargestScalar() {
    FlatBufferBuilder b = new FlatBufferBuilder(0);
    b.createString(new byte[] {1}); // leaves the offset at 8, a 4-aligned position
    b.startObject(1);
    b.addLong(0, 1, 0);
    b.finish(b.endObject());

    assertThat(b.sizedByteArray().length % 8).isZero();
  }

  @Test
  void defaultValuedScalarsAreNotWritten() {
    FlatBufferBuilder withDefaults = new FlatBufferBuilder(0);
    withDefaults.startObject(3);
    withDefaults.addByte(0, (byte) 1, (byte) 1);
    withDefaults.addLong(1, 0, 0);
    withDefaults.addInt(2, 0, 0);
    withDefaults.finish(withDefaults.endObject());

    // root uoffset + soffset + vtable (4 bytes, no entries) rounded to 4: nothing else.
    assertThat(withDefaults.sizedByteArray()).hasSize(12);
  }

  @Test
  void misuseFailsLoudly() {
    FlatBufferBuilder b = new FlatBufferBuilder(0);
    b.startObject(1);
    assertThatThrownBy(() -> b.createString(new byte[0])).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(b::sizedByteArray).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> b.prependUOffset(1000)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aMeasuringBuilderReportsTheExactSizeAndAnExactlySizedBufferIsHandedOver() {
    FlatBufferBuilder measuring = FlatBufferBuilder.measuring();
    tarZinfoLikeUnfinished(measuring);
    int size = measuring.offset();
    FlatBufferBuilder exact = new FlatBufferBuilder(size);
    tarZinfoLikeUnfinished(exact);

    byte[] bytes = exact.sizedByteArray();

    assertThat(bytes).hasSize(size).isSameAs(exact.sizedByteArray());
    FlatBufferBuilder growing = new FlatBufferBuilder(0);
    tarZinfoLikeUnfinished(growing);
    assertThat(bytes).isEqualTo(growing.sizedByteArray());
    assertThatThrownBy(measuring::sizedByteArray).isInstanceOf(IllegalStateException.class);
  }

  private static void tarZinfoLikeUnfinished(FlatBufferBuilder b) {
    int s = b.createString(new byte[] {1, 2, 3}); // exercises a string and a shared vtable
    b.startObject(1);
    b.addOffset(0, s);
    b.endObject();
    b.startObject(1);
    b.addOffset(0, s);
    b.endObject();
    b.startObject(3);
    b.addInt(0, 2, 0);
    b.addLong(1, 4_194_304, 0);
    b.addLong(2, 2048, 0);
    b.finish(b.endObject());
  }
}
