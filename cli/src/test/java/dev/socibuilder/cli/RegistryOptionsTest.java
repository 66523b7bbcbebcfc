package dev.socibuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RegistryOptionsTest {
  private static String read(String stdin) throws Exception {
    return RegistryOptions.readPassword(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void passwordStdinKeepsThePasswordAsGivenDroppingOnlyTheTrailingNewline() throws Exception {
    assertThat(read("s3cret\n")).isEqualTo("s3cret");
    assertThat(read("  spaced out \t\n")).isEqualTo("  spaced out \t");
    assertThat(read("windows\r\n")).isEqualTo("windows");
    assertThat(read("no newline ")).isEqualTo("no newline ");
    assertThat(read("two\nlines\n")).isEqualTo("two\nlines");
    assertThat(read("pässwörd\n\n")).isEqualTo("pässwörd\n");
    assertThat(read("")).isEmpty();
  }

  @Test
  void passwordStdinIsBounded() {
    assertThatThrownBy(() -> read("x".repeat(RegistryOptions.MAX_PASSWORD_BYTES + 1)))
        .isInstanceOf(CliException.class).hasMessageContaining("more than " + RegistryOptions.MAX_PASSWORD_BYTES);
  }
}
