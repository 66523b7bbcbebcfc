package dev.socibuilder.infra;

import static dev.socibuilder.infra.TemplateModel.map;
import static dev.socibuilder.infra.TestApps.logicalId;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.events.Schedule;

/**
 * The sweep of a {@link SociIndexBuilder} configured with literal props, in a platform team's own stack; the
 * deploy-time wiring (parameters, the disabled rule of {@code none}, the stack's deployment events) is checked in
 * {@link SociIndexBuilderStackTest}.
 */
class BackfillSweepTest {

  @TempDir
  Path dir;

  @Test
  void sweepIsScheduledByItsPropRunsAfterEachDeploymentOfTheEnclosingStackAndPacesFromItsProp() {
    App app = TestApps.app(dir.resolve("out"));
    Stack stack = TestApps.nagCheckedStack(app, "PlatformStack");
    SociIndexBuilder daily = new SociIndexBuilder(stack, "Daily", SociIndexBuilderProps.builder()
        .artifacts(TestApps.placeholderArtifacts(dir)).build());
    SociIndexBuilder twiceADay = new SociIndexBuilder(stack, "TwiceADay", SociIndexBuilderProps.builder()
        .artifacts(TestApps.placeholderArtifacts(dir))
        .backfillSchedule(Schedule.rate(Duration.hours(12)))
        .backfillInvokesPerMinute(90)
        .build());
    SociIndexBuilder unscheduled = new SociIndexBuilder(stack, "Unscheduled", SociIndexBuilderProps.builder()
        .artifacts(TestApps.placeholderArtifacts(dir)).backfillSchedule("none").build());

    TemplateModel t = new TemplateModel(Template.fromStack(stack).toJSON(), "PlatformStack");

    assertThat(t.properties(logicalId(stack, daily.getSweepScheduleRule())))
        .containsEntry("ScheduleExpression", "rate(1 day)").containsEntry("State", "ENABLED");
    assertThat(t.environment(logicalId(stack, daily.getSweepFunction())))
        .containsEntry("MAX_INVOKES_PER_MINUTE", "20");
    assertThat(t.properties(logicalId(stack, twiceADay.getSweepScheduleRule())))
        .containsEntry("ScheduleExpression", "rate(12 hours)");
    assertThat(t.environment(logicalId(stack, twiceADay.getSweepFunction())))
        .containsEntry("MAX_INVOKES_PER_MINUTE", "90");
    // A literal none needs no rule at all: push, failure and deployment rules per instance, two schedules.
    assertThat(unscheduled.getSweepScheduleRule()).isNull();
    assertThat(t.ofType("AWS::Events::Rule")).hasSize(3 * 3 + 2);
    assertThat(t.conditions()).isEmpty();
    // The deployments that start a sweep are the enclosing stack's.
    for (SociIndexBuilder builder : List.of(daily, twiceADay, unscheduled)) {
      Map<String, Object> pattern = map(t.properties(logicalId(stack, builder.getSweepDeployedRule()))
          .get("EventPattern"));
      assertThat(map(pattern.get("detail")).get("stack-id")).isEqualTo(List.of(Map.of("Ref", "AWS::StackId")));
    }
    assertThat(TestApps.errorsAndWarnings(stack)).isEmpty();
  }

  @Test
  void literalFiltersWithoutWildcardsNeedNoSuppressionForDescribeImages() {
    App app = TestApps.app(dir.resolve("out"));
    Stack stack = TestApps.nagCheckedStack(app, "PlatformStack");
    SociIndexBuilder builder = new SociIndexBuilder(stack, "Soci", SociIndexBuilderProps.builder()
        .artifacts(TestApps.placeholderArtifacts(dir)).filters("app:v1,base:latest").build());

    TemplateModel t = new TemplateModel(Template.fromStack(stack).toJSON(), "PlatformStack");
    String role = t.roleOf(logicalId(stack, builder.getSweepFunction()));

    assertThat(t.resource(role)).doesNotContainKey("Metadata");
    assertThat(TestApps.errorsAndWarnings(stack)).isEmpty();
  }
}
