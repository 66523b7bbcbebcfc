package dev.socibuilder.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.testing.filters.FilterCases;
import dev.socibuilder.testing.filters.FilterCases.FilterCase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The grant of a literal filter list (the construct with literal props); the deploy-time grant of the stack's
 * parameter is checked against the same table in {@link SociIndexBuilderStackTest}.
 */
class RepositoryArnsTest {

  static List<FilterCase> sharedCases() {
    return FilterCases.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sharedCases")
  void literalListsGrantWhatTheSharedFilterTableSays(FilterCase c) {
    List<String> globs = RepositoryArns.repositoryGlobs(c.filters());

    assertThat(globs.stream().anyMatch(g -> CfnEvaluator.iamResourceMatches(g, c.repository())))
        .as("globs %s", globs).isEqualTo(c.granted());
  }

  @Test
  void grantsThePositiveGlobsInOrderWithoutRepeatsOrEveryRepositoryForExclusionsOnly() {
    assertThat(RepositoryArns.repositoryGlobs("team/*:v*,!team/x:*,base:latest,team/*:*"))
        .containsExactly("team/*", "base");
    assertThat(RepositoryArns.repositoryGlobs("!legacy/*:*,!*:dev-*")).containsExactly("*");
  }

  @Test
  void aBadLiteralListIsRejectedNamingTheFilter() {
    assertThatThrownBy(() -> RepositoryArns.repositoryGlobs("Team/App:*"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Team/App:*");
  }
}
