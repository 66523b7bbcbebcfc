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

    assertThat(encoded).matches("[A-Za-z0-9_-]+");
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
        .hasMessageStartingWith("cursor: not a cursor of this sweep");
    assertThatThrownBy(() -> SweepCursor.decode(b64("{\"v\":2}"))).hasMessage("cursor: not a cursor of this sweep");
    assertThatThrownBy(() -> SweepCursor.decode(b64("[1]"))).hasMessage("cursor: not a cursor of this sweep");
    assertThatThrownBy(() -> SweepCursor.decode(b64("{\"v\":1,\"run\":1,\"invoked\":0,\"repo\":7}")))
        .hasMessage("cursor: repo is not a string");
    assertThatThrownBy(() -> SweepCursor.decode(b64("{\"v\":1,\"run\":0,\"invoked\":0}")))
        .hasMessageContaining("run must be >= 1");
    assertThatThrownBy(() -> SweepCursor.decode(b64("{\"v\":1,\"invoked\":0}"))).hasMessage("cursor: run is not a number");
    assertThatThrownBy(() -> SweepCursor.decode("a".repeat(SweepCursor.MAX_ENCODED_LENGTH + 1)))
        .hasMessageContaining("longer than");
  }

  private static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
