package dev.socibuilder.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ErrorBodyTest {
  private static ErrorBody parse(String body) {
    return ErrorBody.parse(body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsTheFirstOciErrorAndCountsTheOthers() {
    assertThat(parse("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}"))
        .isEqualTo(new ErrorBody("MANIFEST_UNKNOWN", "manifest unknown"));
    assertThat(parse("{\"errors\":[{\"code\":\"DENIED\",\"message\":\"no\"},{\"code\":\"X\"}]}"))
        .isEqualTo(new ErrorBody("DENIED", "no (and 1 more errors)"));
  }

  @Test
  void readsOauthErrors() {
    assertThat(parse("{\"error\":\"invalid_grant\",\"error_description\":\"bad password\"}"))
        .isEqualTo(new ErrorBody("invalid_grant", "bad password"));
  }

  @Test
  void ignoresBodiesThatAreNotErrorJson() {
    assertThat(parse("<html>502 Bad Gateway</html>")).isEqualTo(ErrorBody.NONE);
    assertThat(parse("{\"errors\":[]}")).isEqualTo(ErrorBody.NONE);
    assertThat(parse("")).isEqualTo(ErrorBody.NONE);
  }
}
