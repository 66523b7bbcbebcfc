package dev.socibuilder.filter.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SweepCursorTest {
  @Test
  void encodesAndDecodesEveryField() {
    SweepCursor c = new SweepCursor("token/+=abc", "team/app", "v1.2", 3, 250);

    String encoded = c.encode();

    assertThat(encoded).matches("v1\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.3\\.250");
    assertThat(SweepCursor.start().encode()).isEqualTo("v1.~.~.~.1.0");
    assertThat(SweepCursor.decode(encoded)).isEqualTo(c);
    assertThat(SweepCursor.decode(SweepCursor.start().encode())).isEqualTo(new SweepCursor(null, null, null, 1, 0));
  }

  @Test
  void theNextRunsCursorCountsOnFromThisOne() {
    assertThat(new SweepCursor(null, null, null, 2, 10).next("t", "r", "v9", 15))
        .isEqualTo(new SweepCursor("t", "r", "v9", 3, 15));
  }

  @Test
  void whatIsNotOneOfOurCursorsIsRefusedWithAReason() {
    assertThatThrownBy(() -> SweepCursor.decode("!!!")).isInstanceOf(SweepRequestException.class)
        .hasMessage("cursor: not a cursor of this sweep");
    assertThatThrownBy(() -> SweepCursor.decode("v2.~.~.~.1.0")).hasMessage("cursor: not a cursor of this sweep");
    assertThatThrownBy(() -> SweepCursor.decode("v1.~.~.~.1")).hasMessage("cursor: not a cursor of this sweep");
    assertThatThrownBy(() -> SweepCursor.decode("v1.~." + b64("team/app") + ".~.1.0.extra"))
        .hasMessage("cursor: not a cursor of this sweep");
    assertThatThrownBy(() -> SweepCursor.decode("v1.~.!!.~.1.0")).isInstanceOf(SweepRequestException.class)
        .hasMessageStartingWith("cursor: ");
    assertThatThrownBy(() -> SweepCursor.decode("v1.~.~.~.0.0")).hasMessageContaining("run must be >= 1");
    assertThatThrownBy(() -> SweepCursor.decode("v1.~.~.~.x.0")).hasMessage("cursor: run is not a number");
    assertThatThrownBy(() -> SweepCursor.decode("v1.~.~.~.1.-5")).hasMessageContaining("invoked >= 0");
    assertThatThrownBy(() -> SweepCursor.decode("a".repeat(SweepCursor.MAX_ENCODED_LENGTH + 1)))
        .hasMessageContaining("longer than");
  }

  private static String b64(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
