package dev.socibuilder.ztoc.flatbuffers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FlatBufferReaderTest {

  private static byte[] sample() {
    FlatBufferBuilder b = new FlatBufferBuilder(0);
    int s = b.createString(new byte[] {'h', 'i'});
    b.startObject(3);
    b.addOffset(0, s);
    b.addLong(1, 42, 0);
    b.addByte(2, (byte) 2, (byte) 1);
    b.finish(b.endObject());
    return b.sizedByteArray();
  }

  @Test
  void readsPresentFieldsAndDefaultsForAbsentOnes() {
    FlatBufferReader r = new FlatBufferReader(sample());
    int t = r.rootTable();

    assertThat(r.bytesField(t, 0)).containsExactly('h', 'i');
    assertThat(r.longField(t, 1, 0)).isEqualTo(42);
    assertThat(r.byteField(t, 2, (byte) 1)).isEqualTo((byte) 2);
    assertThat(r.intField(t, 9, 5)).isEqualTo(5); // beyond the vtable: absent
    assertThat(r.bytesField(t, 9)).isNull();
  }

  @Test
  void referencesOutsideTheBufferThrowInvalidFlatBuffer() {
    byte[] b = sample();
    b[0] = (byte) 0xf0; // root offset far past the end

    assertThatThrownBy(() -> new FlatBufferReader(b).rootTable())
        .isInstanceOf(InvalidFlatBufferException.class);
    assertThatThrownBy(() -> new FlatBufferReader(new byte[2]).rootTable())
        .isInstanceOf(InvalidFlatBufferException.class);
  }

  @Test
  void aStringLengthPastTheEndThrowsInvalidFlatBuffer() {
    byte[] b = sample();
    FlatBufferReader r = new FlatBufferReader(b);
    int t = r.rootTable();
    int s = r.refField(t, 0);
    b[s + 3] = 0x7f; // length ~2^31

    assertThatThrownBy(() -> r.bytesField(t, 0)).isInstanceOf(InvalidFlatBufferException.class);
  }

  @Test
  void aNegativeVectorIndexPositionThrowsInvalidFlatBuffer() {
    FlatBufferReader r = new FlatBufferReader(sample());

    assertThatThrownBy(() -> r.readInt(-1)).isInstanceOf(InvalidFlatBufferException.class);
    assertThatThrownBy(() -> r.vectorRef(0, Integer.MAX_VALUE))
        .isInstanceOf(InvalidFlatBufferException.class);
  }
}
