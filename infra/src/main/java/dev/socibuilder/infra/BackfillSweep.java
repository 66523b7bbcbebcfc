package dev.socibuilder.infra;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.CfnCondition;
import software.amazon.awscdk.CfnConditionProps;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Token;
import software.amazon.awscdk.services.events.CfnRule;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.RuleProps;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.events.targets.LambdaFunctionProps;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.Policy;
import software.amazon.awscdk.services.iam.PolicyProps;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.PolicyStatementProps;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.lambda.RecursiveLoop;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * The scheduled sweep (module lambda-filter, {@value #HANDLER}): finds the images already in ECR that the filters
 * select and that have no SOCI index yet (images pushed before the deployment, pushes whose ECR event was lost) and
 * sends each to the indexer, with the same request the filter sends for a push.
 * <pre>
 * schedule rule (BackfillSchedule) ──┐
 * CREATE/UPDATE_COMPLETE of the stack ┼─▶ sweep ─ DescribeRepositories, DescribeImages ─▶ async invoke ─▶ indexer
 * aws lambda invoke (on demand) ─────┘     └─ out of time: async invoke of itself with a cursor (at most
 *                                             {@value #MAX_RUNS_PER_SWEEP} runs per sweep)
 * </pre>
 * Unreserved by default (see {@link SociIndexBuilderProps.Builder#sweepReservedConcurrency}); with reserved
 * concurrency 1, one run at a time: a continuation or a trigger arriving during a run waits in Lambda's
 * asynchronous queue. The function is invoked unqualified like the others, so it continues as what it runs as.
 */
final class BackfillSweep extends Construct {

  /** The sweep's handler (module lambda-filter, the filter's jar). */
  static final String HANDLER = "dev.socibuilder.filter.sweep.SweepHandler::handleRequest";
  /** Most indexer invokes of one sweep (over all its runs); the next sweep goes on with the rest. */
  static final int MAX_INVOKES_PER_SWEEP = 10_000;
  /** Most runs one sweep chains: a day of 15-minute runs. This bounds the recursion Lambda is told to allow. */
  static final int MAX_RUNS_PER_SWEEP = 96;
  /** The schedule expression of the disabled rule when the schedule is {@code none} (a rule must have one). */
  private static final String DISABLED_RULE_SCHEDULE = SociIndexBuilderProps.DEFAULT_BACKFILL_SCHEDULE;
  /** The CloudFormation stack statuses after which the sweep runs: the end of a deployment. */
  static final List<String> DEPLOYED_STATUSES = List.of("CREATE_COMPLETE", "UPDATE_COMPLETE");

  private final Role role;
  private final LogGroup logGroup;
  private final Function function;
  private final Rule scheduleRule;
  private final Rule deployedRule;

  /**
   * @param repositoryArns  the repositories the filters can select (the indexer's grant, {@link RepositoryArns})
   * @param deadLetterQueue where a trigger goes that EventBridge could not deliver
   */
  BackfillSweep(Construct scope, String id, SociIndexBuilderProps props, IFunction indexer,
      List<String> repositoryArns, IQueue deadLetterQueue) {
    super(scope, id);
    role = JavaFunctions.role(this, "Role", "SOCI index builder: sweep function");
    logGroup = JavaFunctions.logGroup(this, "Logs", props);
    Map<String, String> environment = new LinkedHashMap<>();
    // The filter's variables (INDEX_UNTAGGED is not among them: only tagged images are swept).
    environment.put("FILTERS", props.filters());
    environment.put("INDEXER_FUNCTION_NAME", indexer.getFunctionName());
    environment.put("SOCI_TAG_SUFFIX", props.tagSuffix());
    environment.put("EXPECTED_ACCOUNT_ID", Aws.ACCOUNT_ID);
    // With V2 an image whose <tag><suffix> exists is indexed already; with V1 the indexer finds out itself.
    environment.put("SOCI_INDEX_VERSION", props.indexVersion().value());
    environment.put("MAX_INVOKES_PER_MINUTE", SociIndexBuilder.text(props.backfillInvokesPerMinute()));
    environment.put("MAX_INVOKES_PER_SWEEP", Integer.toString(MAX_INVOKES_PER_SWEEP));
    environment.put("MAX_RUNS_PER_SWEEP", Integer.toString(MAX_RUNS_PER_SWEEP));
    function = new Function(this, "Function", JavaFunctions.function(props,
        props.artifacts().filterJar().toString(), HANDLER, role, logGroup)
        .description("Sends the ECR images the filters select and that have no SOCI index yet to the indexer")
        .timeout(Duration.minutes(15))
        .memorySize(512)
        .environment(environment)
        // With 1, one run at a time: continuations and triggers wait in the asynchronous queue (up to 6 hours).
        .reservedConcurrentExecutions(props.sweepReservedConcurrency() > 0 ? props.sweepReservedConcurrency() : null)
        // A run that runs out of time invokes itself with its cursor, a chain bounded by MAX_RUNS_PER_SWEEP;
        // Lambda's recursive loop detection would stop it after 16 links.
        .recursiveLoop(RecursiveLoop.ALLOW)
        .retryAttempts(SociIndexBuilder.ASYNC_RETRIES)
        .maxEventAge(SociIndexBuilder.MAX_EVENT_AGE)
        .build());

    // ---- IAM: list what the filters can select, hand images to the indexer, go on as itself ----
    role.addToPolicy(new PolicyStatement(PolicyStatementProps.builder()
        .sid("EcrDescribeImagesFilteredRepositories")
        .effect(Effect.ALLOW)
        .actions(List.of("ecr:DescribeImages"))
        .resources(repositoryArns)
        .build()));
    role.addToPolicy(new PolicyStatement(PolicyStatementProps.builder()
        .sid("InvokeIndexer")
        .effect(Effect.ALLOW)
        .actions(List.of("lambda:InvokeFunction"))
        .resources(List.of(indexer.getFunctionArn()))
        .build()));
    // Listing the repositories is authorized against repository ARNs: only repository/* of the account and
    // region lets DescribeRepositories list them all. In a policy of its own, so that the suppression of its
    // wildcard concerns this statement only.
    Policy listRepositories = new Policy(this, "ListRepositoriesPolicy", PolicyProps.builder()
        .roles(List.of(role))
        .statements(List.of(new PolicyStatement(PolicyStatementProps.builder()
            .sid("EcrDescribeRepositories")
            .effect(Effect.ALLOW)
            .actions(List.of("ecr:DescribeRepositories"))
            .resources(List.of(Stack.of(this).formatArn(ArnComponents.builder()
                .service("ecr").resource("repository").resourceName(RepositoryArns.EVERY_REPOSITORY).build())))
            .build())))
        .build());
    NagSuppressions.addResourceSuppressions(listRepositories, List.of(NagPackSuppression.builder()
        .id("AwsSolutions-IAM5")
        .appliesTo(List.of(RepositoryArns.NAG_REPOSITORY_PREFIX + RepositoryArns.EVERY_REPOSITORY))
        .reason("ecr:DescribeRepositories lists the registry's repositories and is authorized against each"
            + " repository's ARN, so listing them all takes repository/* of this account and region. It reveals"
            + " repository names and settings only; the images are listed (DescribeImages) only in the"
            + " repositories the filters can select.")
        .build()));
    // Not in the role's default policy: the function depends on that policy, which would then depend on the
    // function (role -> policy -> function -> role).
    new Policy(this, "InvokeSelfPolicy", PolicyProps.builder()
        .roles(List.of(role))
        .statements(List.of(new PolicyStatement(PolicyStatementProps.builder()
            .sid("InvokeSelfToContinue")
            .effect(Effect.ALLOW)
            .actions(List.of("lambda:InvokeFunction"))
            // what a run continues as: the ARN it was invoked as, unqualified (or $LATEST, if invoked so)
            .resources(List.of(function.getFunctionArn(), function.getFunctionArn() + ":$LATEST"))
            .build())))
        .build());
    List<Object> repositoryWildcards = RepositoryArns.nagWildcards(props.filters());
    if (!repositoryWildcards.isEmpty()) {
      NagSuppressions.addResourceSuppressions(role, List.of(NagPackSuppression.builder()
          .id("AwsSolutions-IAM5")
          .appliesTo(repositoryWildcards)
          .reason("ecr:DescribeImages is scoped exactly like the indexer's pull/push grant: the repository globs"
              + " of the positive filters (wildcards by design: they are the user's globs), or every repository"
              + " of the account and region for a list of exclusions only.")
          .build()), true);
    }

    // ---- triggers: the schedule, and the end of every deployment ----
    LambdaFunction target = new LambdaFunction(function, LambdaFunctionProps.builder()
        .retryAttempts(SociIndexBuilder.RULE_DELIVERY_RETRIES)
        .maxEventAge(SociIndexBuilder.RULE_DELIVERY_MAX_AGE)
        .deadLetterQueue(deadLetterQueue)
        .build());
    scheduleRule = scheduleRule(props.backfillSchedule());
    if (scheduleRule != null) {
      scheduleRule.addTarget(target);
    }
    deployedRule = new Rule(this, "DeployedRule", RuleProps.builder()
        .description("Runs the sweep once after each deployment (creation or update) of the stack")
        .eventPattern(EventPattern.builder()
            .source(List.of("aws.cloudformation"))
            .detailType(List.of("CloudFormation Stack Status Change"))
            .detail(Map.of(
                "stack-id", List.of(Stack.of(this).getStackId()),
                "status-details", Map.of("status", DEPLOYED_STATUSES)))
            .build())
        .build());
    deployedRule.addTarget(target);
  }

  /**
   * The schedule rule: none for a literal {@code none}; for a deploy-time value, a rule whose state follows it
   * (a rule needs a valid expression even when disabled, so {@code none} gets a placeholder one).
   */
  private Rule scheduleRule(String schedule) {
    String description = "Runs the sweep on the backfill schedule";
    if (!Token.isUnresolved(schedule)) {
      return schedule.equals(SociIndexBuilderProps.NO_BACKFILL_SCHEDULE) ? null
          : new Rule(this, "ScheduleRule", RuleProps.builder()
              .description(description)
              .schedule(Schedule.expression(schedule))
              .build());
    }
    CfnCondition scheduled = new CfnCondition(this, "Scheduled", CfnConditionProps.builder()
        .expression(Fn.conditionNot(Fn.conditionEquals(schedule, SociIndexBuilderProps.NO_BACKFILL_SCHEDULE)))
        .build());
    Rule rule = new Rule(this, "ScheduleRule", RuleProps.builder()
        .description(description)
        .schedule(Schedule.expression(Token.asString(
            Fn.conditionIf(scheduled.getLogicalId(), schedule, DISABLED_RULE_SCHEDULE))))
        .build());
    ((CfnRule) rule.getNode().getDefaultChild()).setState(Token.asString(
        Fn.conditionIf(scheduled.getLogicalId(), "ENABLED", "DISABLED")));
    return rule;
  }

  Function getFunction() {
    return function;
  }

  LogGroup getLogGroup() {
    return logGroup;
  }

  /** The schedule rule, or null when the schedule is a literal {@code none}. */
  Rule getScheduleRule() {
    return scheduleRule;
  }

  Rule getDeployedRule() {
    return deployedRule;
  }
}
