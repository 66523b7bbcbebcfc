package dev.socibuilder.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Token;

class IndexVersionTest {

  @Test
  void literalsAreTheTwoConstants() {
    assertThat(IndexVersion.of("V2")).isSameAs(IndexVersion.V2);
    assertThat(IndexVersion.of("V1")).isSameAs(IndexVersion.V1);
    assertThat(IndexVersion.V1.value()).isEqualTo("V1");
  }

  @Test
  void anyOtherLiteralIsRejectedNamingIt() {
    assertThatThrownBy(() -> IndexVersion.of("v2")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'v2'");
  }

  @Test
  void aDeployTimeValueIsKeptForCloudFormationToCheck() {
    String token = Token.asString(java.util.Map.of("Ref", "SociIndexVersion"));

    assertThat(IndexVersion.of(token).value()).isEqualTo(token);
  }
}
