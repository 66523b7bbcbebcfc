package dev.socibuilder.oci;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DistributionNamesTest {
  /** The distribution spec's own grammar, to compare with on short inputs (it recurses on long ones). */
  private static final Pattern SPEC_NAME =
      Pattern.compile("[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*");
  private static final Pattern SPEC_TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

  @ParameterizedTest
  @ValueSource(strings = {"a", "app", "team/app", "a/b/c", "my-app", "my--app", "my.app", "my_app", "my__app",
      "0", "a0/b1", "", "-a", "a-", "a.", ".a", "a/", "/a", "a//b", "A", "app:tag", "a___b", "a._b", "a-.b",
      "a/-b", "a b", "a__", "é"})
  void repositoryNamesFollowTheSpecGrammar(String name) {
    assertThat(DistributionNames.isRepository(name)).as(name).isEqualTo(SPEC_NAME.matcher(name).matches());
  }

  @ParameterizedTest
  @ValueSource(strings = {"v1", "latest", "_x", "1.2.3-rc.1", "A_B", "", ".x", "-x", "a:b", "a/b", "a b"})
  void tagsFollowTheSpecGrammar(String tag) {
    assertThat(DistributionNames.isTag(tag)).as(tag).isEqualTo(SPEC_TAG.matcher(tag).matches());
  }

  @Test
  void lengthsAreBounded() {
    assertThat(DistributionNames.isRepository("a".repeat(256))).isTrue();
    assertThat(DistributionNames.repositoryProblem("a".repeat(257))).isEqualTo("is longer than 256 characters (257)");
    assertThat(DistributionNames.isTag("t".repeat(128))).isTrue();
    assertThat(DistributionNames.tagProblem("t".repeat(129))).isEqualTo("is longer than 128 characters (129)");
  }

  @Test
  void hostileNamesTakeNoStackWhateverTheirLength() {
    // The spec's regex overflows the stack on names like these (a frame per repeated group).
    String components = "a/".repeat(1_000_000) + "a";
    String separators = "a.".repeat(1_000_000) + "a";
    String labels = "a.".repeat(1_000_000) + "a";

    assertThat(DistributionNames.repositoryProblem(components)).startsWith("is longer than 256 characters");
    assertThat(DistributionNames.repositoryProblem(separators)).startsWith("is longer than 256 characters");
    assertThat(DistributionNames.registryProblem(labels)).startsWith("is longer than 259 characters");
    assertThat(DistributionNames.isRepository("a.".repeat(127) + "a")).isTrue();
  }

  @Test
  void registryHostsAreLabelsAndAnOptionalPort() {
    assertThat(DistributionNames.registryProblem("localhost:5000")).isNull();
    assertThat(DistributionNames.registryProblem("123456789012.dkr.ecr.us-east-1.amazonaws.com")).isNull();
    assertThat(DistributionNames.registryProblem("a..b")).isNotNull();
    assertThat(DistributionNames.registryProblem("-a.b")).isNotNull();
    assertThat(DistributionNames.registryProblem("a.b:")).isEqualTo("has a port that is not a number");
    assertThat(DistributionNames.registryProblem("a_b")).isNotNull();
  }

  @Test
  void shortenKeepsMessagesShortAndOnOneLine() {
    assertThat(DistributionNames.shorten("abc", 10)).isEqualTo("abc");
    assertThat(DistributionNames.shorten("a\nb\u001b[31m", 10)).isEqualTo("a\\x0ab\\x1b[31m");
    assertThat(DistributionNames.shorten("x".repeat(5_000_000), 5)).isEqualTo("xxxxx... (4999995 more characters)");
  }
}
