package dev.socibuilder.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CfnEvaluatorTest {

  private final CfnEvaluator evaluator = new CfnEvaluator(Map.of("P", "a:1,b:2"), id -> "phys-" + id);

  @Test
  void joinsSplitsAndSelectsLikeCloudFormation() {
    Object node = Map.of("Fn::Join", List.of("/", List.of(
        Map.of("Ref", "AWS::AccountId"),
        Map.of("Fn::Select", List.of(1, Map.of("Fn::Split", List.of(",", Map.of("Ref", "P"))))),
        Map.of("Ref", "Res"))));

    assertThat(evaluator.evaluateString(node)).isEqualTo("111122223333/b:2/phys-Res");
  }

  @Test
  void splitKeepsEmptyTrailingElements() {
    assertThat(evaluator.evaluate(Map.of("Fn::Split", List.of(":", "a:")))).isEqualTo(List.of("a", ""));
  }

  @Test
  void selectPastTheEndFailsLikeADeployment() {
    Object node = Map.of("Fn::Select", List.of(2, Map.of("Fn::Split", List.of(",", Map.of("Ref", "P")))));

    assertThatThrownBy(() -> evaluator.evaluate(node)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void iamWildcardsMatchAnyRunOrOneCharacterAcrossSlashes() {
    assertThat(CfnEvaluator.iamResourceMatches("arn:x/app/*", "arn:x/app/a/b")).isTrue();
    assertThat(CfnEvaluator.iamResourceMatches("arn:x/app?", "arn:x/app1")).isTrue();
    assertThat(CfnEvaluator.iamResourceMatches("arn:x/app?", "arn:x/app")).isFalse();
    assertThat(CfnEvaluator.iamResourceMatches("arn:x/app", "arn:x/apps")).isFalse();
    assertThat(CfnEvaluator.iamResourceMatches("arn:x/a.c", "arn:x/abc")).isFalse();
  }

  @Test
  void ifFollowsTheTemplatesConditionsAndNoValueLeavesAnElementOut() {
    Map<String, Object> conditions = Map.of(
        "IsEmpty", Map.of("Fn::Equals", List.of(Map.of("Ref", "P"), "")),
        "NotEmpty", Map.of("Fn::Not", List.of(Map.of("Condition", "IsEmpty"))),
        "Both", Map.of("Fn::And", List.of(Map.of("Condition", "NotEmpty"),
            Map.of("Fn::Or", List.of(Map.of("Condition", "IsEmpty"), Map.of("Fn::Equals", List.of("a", "a")))))));
    Object node = List.of(Map.of("Fn::If", List.of("Both", "yes", Map.of("Ref", "AWS::NoValue"))), "x");
    CfnEvaluator empty = new CfnEvaluator(Map.of("P", ""), id -> id, conditions);

    assertThat(evaluator.evaluate(Map.of("Fn::GetAtt", List.of("Fn", "Arn")))).isEqualTo("phys-Fn.Arn");
    assertThat(new CfnEvaluator(Map.of("P", "v"), id -> id, conditions).evaluate(node)).isEqualTo(List.of("yes", "x"));
    assertThat(empty.evaluate(node)).isEqualTo(List.of("x"));
    assertThat(empty.condition("IsEmpty")).isTrue();
    assertThat(empty.evaluate(Map.of("Fn::If", List.of("IsEmpty", Map.of("Ref", "AWS::NoValue"), "v"))))
        .isSameAs(CfnEvaluator.NO_VALUE);
  }
}
