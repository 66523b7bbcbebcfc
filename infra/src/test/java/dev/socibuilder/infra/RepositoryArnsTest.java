package dev.socibuilder.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.testing.filters.FilterCases;
import dev.socibuilder.testing.filters.FilterCases.FilterCase;
import io.github.cdklabs.cdknag.RegexAppliesTo;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.Token;

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
  void nagWildcardsOfALiteralListAreItsGlobsWithAStarAsCdkNagShowsThem() {
    String prefix = "Resource::arn:<AWS::Partition>:ecr:<AWS::Region>:<AWS::AccountId>:repository/";

    assertThat(RepositoryArns.nagWildcards("team/*:v*,base:latest,app?:*"))
        .containsExactly(prefix + "team/*");
    assertThat(RepositoryArns.nagWildcards("!legacy/*:*")).containsExactly(prefix + "*");
    assertThat(RepositoryArns.nagWildcards("base:latest")).isEmpty();
  }

  @Test
  void nagWildcardOfADeployTimeListIsOnlyTheExclusionOnlyBranch() {
    List<Object> wildcards = RepositoryArns.nagWildcards(Token.asString(Map.of("Ref", "Filters")));

    assertThat(wildcards).singleElement().isInstanceOf(RegexAppliesTo.class);
    Pattern regex = Pattern.compile(((RegexAppliesTo) wildcards.get(0)).getRegex().replaceAll("^/|/$", ""));
    String ifBranch = "Resource::{\"Fn::If\":[\"BuilderNoPositiveFilter682D1657\",[{\"Fn::Join\":[\"\",[\"arn:\","
        + "{\"Ref\":\"AWS::Partition\"},\":ecr:\",{\"Ref\":\"AWS::Region\"},\":\",{\"Ref\":\"AWS::AccountId\"},"
        + "\":repository/";
    assertThat(regex.matcher(ifBranch + "*\"]]}],[...]]}").find()).isTrue();
    assertThat(regex.matcher(ifBranch + "team/*\"]]}],[...]]}").find()).as("another first branch").isFalse();
    assertThat(regex.matcher("Resource::*").find()).isFalse();
  }

  @Test
  void aBadLiteralListIsRejectedNamingTheFilter() {
    assertThatThrownBy(() -> RepositoryArns.repositoryGlobs("Team/App:*"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Team/App:*");
  }
}
