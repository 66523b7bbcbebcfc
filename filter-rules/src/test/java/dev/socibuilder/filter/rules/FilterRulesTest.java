package dev.socibuilder.filter.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.testing.filters.FilterCases;
import dev.socibuilder.testing.filters.FilterCases.FilterCase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class FilterRulesTest {

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"  ", "\t"})
  void blankListMeansEverything(String list) {
    FilterRules rules = FilterRules.parse(list);

    assertThat(rules.toString()).isEqualTo("*:*");
    assertThat(rules.selects("any/repo", "any-tag")).isTrue();
    assertThat(rules.selects("any/repo", "")).isTrue();
  }

  @Test
  void parsesExclusionsAndTrimsWhitespace() {
    FilterRules rules = FilterRules.parse(" team/*:* , !team/*:dev-? ");

    assertThat(rules.rules()).containsExactly(
        new FilterRule("team/*:*", false, "team/*", "*"),
        new FilterRule("!team/*:dev-?", true, "team/*", "dev-?"));
  }

  @ParameterizedTest(name = "{0} selects {1}:{2}: {3}")
  @CsvSource(delimiter = '|', textBlock = """
      *:*                          | team/app | v1       | true
      *:*,!*:dev-*                 | team/app | dev-1    | false
      *:*,!*:dev-*                 | team/app | v1       | true
      !*:dev-*,*:*                 | team/app | dev-1    | true
      !*:dev-*,team/app:dev-1      | team/app | dev-1    | true
      !*:dev-*,team/app:dev-1      | team/app | dev-2    | false
      !*:dev-*,team/app:dev-1      | other    | v1       | false
      !legacy/*:*                  | legacy/x | v1       | false
      !legacy/*:*                  | team/app | v1       | true
      team/*:*                     | other    | v1       | false
      team/*:*,!team/secret:*      | team/app | v1       | true
      team/*:*,!team/secret:*      | team/secret | v1    | false
      *:*                          | team/app | ''       | true
      *:?*                         | team/app | ''       | false
      team/app:                    | team/app | ''       | true
      team/app:                    | team/app | v1       | false
      *:v?                         | team/app | v1       | true
      *:v?                         | team/app | v10      | false
      *:V?                         | team/app | v1       | false
      """)
  void lastMatchingFilterDecides(String list, String repository, String tag, boolean selected) {
    assertThat(FilterRules.parse(list).selects(repository, tag)).isEqualTo(selected);
  }

  static List<FilterCase> sharedCases() {
    return FilterCases.all();
  }

  /** The table the filter Lambda and the stack's grant are checked against too. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("sharedCases")
  void selectsWhatTheSharedFilterTableSays(FilterCase c) {
    assertThat(FilterRules.parse(c.filters()).selects(c.repository(), c.tag())).isEqualTo(c.selected());
  }

  @Test
  void reportsDecidingRule() {
    FilterRules rules = FilterRules.parse("*:*,!*:dev-*");

    assertThat(rules.decidingRule("a", "dev-1")).map(FilterRule::text).contains("!*:dev-*");
    assertThat(rules.decidingRule("a", "v1")).map(FilterRule::text).contains("*:*");
    assertThat(FilterRules.parse("team/*:*").decidingRule("other", "v1")).isEmpty();
  }

  @ParameterizedTest(name = "{0} might select a tag of {1}: {2}")
  @CsvSource(delimiter = '|', textBlock = """
      *:*                          | team/app    | true
      team/*:*                     | team/app    | true
      team/*:*                     | other       | false
      team/*:v1                    | team/app    | true
      team/*:*,!team/secret:*      | team/secret | false
      team/*:*,!team/secret:dev-*  | team/secret | true
      !legacy/*:*                  | legacy/x    | false
      !legacy/*:**                 | legacy/x    | false
      !legacy/*:*                  | team/app    | true
      !legacy/*:dev-*              | legacy/x    | true
      !legacy/*:*,legacy/keep:*    | legacy/keep | true
      legacy/keep:*,!legacy/*:*    | legacy/keep | false
      !*:dev-*,team/app:dev-1      | other       | false
      !*:dev-*,team/app:dev-1      | team/app    | true
      """)
  void mightSelectRepositoryIsFalseOnlyWhenNoTagCanBeSelected(String list, String repository, boolean might) {
    FilterRules rules = FilterRules.parse(list);

    assertThat(rules.mightSelectRepository(repository)).isEqualTo(might);
  }

  @Test
  void mightSelectRepositoryIsNeverFalseForARepositoryWithASelectedTag() {
    List<String> lists = List.of("*:*", "team/*:*,!team/secret:*", "!legacy/*:*,legacy/keep:v?",
        "!*:dev-*,team/app:dev-1", "a?c:*,!abc:x*", "!*:*,x/*:", "team/*:*,!*:*,team/app:*");
    List<String> repositories = List.of("team/app", "team/secret", "legacy/x", "legacy/keep", "abc", "x/y", "other");
    List<String> tags = List.of("", "v1", "dev-1", "x1", "latest");
    for (String list : lists) {
      FilterRules rules = FilterRules.parse(list);
      for (String repository : repositories) {
        boolean anySelected = tags.stream().anyMatch(t -> rules.selects(repository, t));
        if (anySelected) {
          assertThat(rules.mightSelectRepository(repository)).as(list + " " + repository).isTrue();
        }
      }
    }
  }

  @ParameterizedTest(name = "rejects ''{0}''")
  @CsvSource(delimiter = '|', textBlock = """
      team/app                | no ':'
      :latest                 | empty repository glob
      Team/App:*              | lower case
      team app:*              | cannot contain it
      team/app:v 1            | tags cannot contain it
      team/app:v1:extra       | tags cannot contain it
      *:*,,team/*:*           | empty filter
      *:*,                    | empty filter
      !                       | no ':'
      """)
  void rejectsMalformedFilters(String list, String message) {
    assertThatThrownBy(() -> FilterRules.parse(list))
        .isInstanceOf(FilterSyntaxException.class)
        .hasMessageContaining(message);
  }
}
