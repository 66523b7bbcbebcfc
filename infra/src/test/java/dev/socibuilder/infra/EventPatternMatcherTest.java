package dev.socibuilder.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventPatternMatcherTest {

  private final Map<String, Object> pattern = Map.of(
      "source", List.of("lambda"),
      "detail", Map.of("arn", List.of("arn:f", Map.of("prefix", "arn:f:"))));

  @Test
  void matchesLiteralsPrefixesAndNestedFields() {
    assertThat(EventPatternMatcher.matches(pattern, Map.of("source", "lambda", "detail", Map.of("arn", "arn:f"))))
        .isTrue();
    assertThat(EventPatternMatcher.matches(pattern,
        Map.of("source", "lambda", "detail", Map.of("arn", "arn:f:$LATEST")))).isTrue();
    assertThat(EventPatternMatcher.matches(pattern, Map.of("source", List.of("x", "lambda"),
        "detail", Map.of("arn", "arn:f")))).isTrue();
  }

  @Test
  void rejectsOtherValuesAndMissingFields() {
    assertThat(EventPatternMatcher.matches(pattern, Map.of("source", "lambda", "detail", Map.of("arn", "arn:fx"))))
        .isFalse();
    assertThat(EventPatternMatcher.matches(pattern, Map.of("source", "aws.ecr", "detail", Map.of("arn", "arn:f"))))
        .isFalse();
    assertThat(EventPatternMatcher.matches(pattern, Map.of("source", "lambda"))).isFalse();
  }
}
