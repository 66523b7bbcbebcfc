package dev.socibuilder.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RegistryTextTest {
  @Test
  void removesAnsiAndOscEscapesAndControlCharacters() {
    assertThat(RegistryText.sanitize("\u001b[1;31mred\u001b[0m text\u001b]0;window title\u0007 and\u001b]8;;http://x\u001b\\link"))
        .isEqualTo("red text and link");
    assertThat(RegistryText.sanitize("line one\r\nline two\tTab\u0000nul\u007fdel\u0085nel\u009b2Jcsi"))
        .isEqualTo("line one line two Tab nul del nel csi");
    assertThat(RegistryText.sanitize("abc\u202eevil\u2066x\u2028y")).isEqualTo("abc evil x y");
  }

  @Test
  void redactsEchoedAuthorizationHeadersAndTokens() {
    assertThat(RegistryText.sanitize("got Authorization: Basic YWxpY2U6aHVudGVyMg== from you"))
        .isEqualTo("got Authorization: [redacted] from you");
    assertThat(RegistryText.sanitize("{\"Authorization\":\"Bearer abc.DEF-123\"}"))
        .isEqualTo("{\"Authorization\":\"[redacted]\"}");
    assertThat(RegistryText.sanitize("token Bearer abcDEF123456 rejected")).isEqualTo("token Bearer [redacted] rejected");
    assertThat(RegistryText.sanitize("jwt eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl expired"))
        .isEqualTo("jwt [redacted] expired");
    assertThat(RegistryText.sanitize("password=hunter2&user=bob, \"access_token\":\"tok123\""))
        .isEqualTo("password=[redacted]&user=bob, \"access_token\":\"[redacted]\"");
    assertThat(RegistryText.sanitize("see https://bob:hunter2@example.com/x?X-Amz-Signature=abcdef&a=1"))
        .isEqualTo("see https://[redacted]@example.com/x?X-Amz-Signature=[redacted]&a=1");
    assertThat(RegistryText.sanitize("key AKIAABCDEFGHIJKLMNOP used")).isEqualTo("key [redacted] used");
  }

  @Test
  void leavesOrdinaryMessagesAlone() {
    String[] ordinary = {
      "manifest unknown to registry",
      "basic authentication required",
      "token service http://127.0.0.1:5001 refused user 'alice'",
      "blob sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef unknown",
      "größe überschritten ✓",
    };
    for (String s : ordinary) {
      assertThat(RegistryText.sanitize(s)).isEqualTo(s);
    }
    assertThat(RegistryText.sanitize(null)).isNull();
  }

  @Test
  void cutsLongTextToItsLimit() {
    String s = RegistryText.sanitize("x".repeat(100_000));

    assertThat(s).hasSize(RegistryText.MAX_LENGTH).endsWith("…");
  }
}
