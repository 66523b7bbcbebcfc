package dev.socibuilder.infra;

import static dev.socibuilder.infra.TemplateModel.list;
import static dev.socibuilder.infra.TemplateModel.map;
import static dev.socibuilder.infra.TemplateModel.onlyElement;
import static dev.socibuilder.infra.TemplateModel.statementWith;
import static dev.socibuilder.infra.TemplateModel.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackProps;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.cxapi.SynthesisMessage;
import software.amazon.awscdk.services.events.EventBus;
import software.amazon.awscdk.services.events.EventBusProps;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.lambda.ApplicationLogLevel;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sns.Topic;

/**
 * The construct inside a platform team's own stack, configured with literal typed props (no CloudFormation
 * parameters), with cdk-nag's AwsSolutions checks and cdk.json's feature flags on the app.
 */
class SociIndexBuilderTest {

  @TempDir
  Path dir;

  private Stack userStack(App app) {
    Aspects.of(app).add(new AwsSolutionsChecks(NagPackProps.builder().verbose(true).build()));
    return new Stack(app, "PlatformStack");
  }

  @Test
  void twoInstancesLiveInOneUserStackEachWithItsOwnResourcesAndGrants() {
    App app = TestApps.app(dir.resolve("out"));
    Stack stack = userStack(app);
    LambdaArtifacts artifacts = TestApps.placeholderArtifacts(dir);
    SociIndexBuilder teamA = new SociIndexBuilder(stack, "TeamA", SociIndexBuilderProps.builder()
        .artifacts(artifacts).filters("team-a/*:*,!team-a/scratch:*").build());
    SociIndexBuilder others = new SociIndexBuilder(stack, "Others", SociIndexBuilderProps.builder()
        .artifacts(artifacts).filters("!team-a/*:*").build());

    Template template = Template.fromStack(stack);
    TemplateModel t = new TemplateModel(template.toJSON(), "PlatformStack");

    template.resourceCountIs("AWS::Lambda::Function", 8);
    template.resourceCountIs("AWS::Events::Rule", 8);
    template.resourceCountIs("AWS::SQS::Queue", 4);
    template.resourceCountIs("AWS::CloudWatch::Alarm", 12);
    template.resourceCountIs("AWS::SNS::Topic", 2);
    template.resourceCountIs("AWS::S3::Bucket", 2);
    // Literal props need no deploy-time choices.
    assertThat(t.parameters().keySet()).containsOnly("BootstrapVersion");
    assertThat(t.conditions()).isEmpty();
    assertThat(describe(Annotations.fromStack(stack).findError("*", Match.anyValue()))).isEmpty();
    assertThat(describe(Annotations.fromStack(stack).findWarning("*", Match.anyValue()))).isEmpty();
    CfnEvaluator deployed = t.deployed(Map.of());
    for (SociIndexBuilder builder : List.of(teamA, others)) {
      String indexer = logicalId(stack, builder.getIndexerFunction());
      String filter = logicalId(stack, builder.getFilterFunction());
      // Each filter invokes its own indexer.
      assertThat(t.environment(filter).get("INDEXER_FUNCTION_NAME")).isEqualTo(Map.of("Ref", indexer));
      // Each failure rule takes its own indexer's records only.
      String rule = logicalId(stack, builder.getIndexerFailureRule());
      Map<String, Object> functionArns = map(map(map(t.properties(rule).get("EventPattern")).get("detail"))
          .get("requestContext"));
      assertThat(list(functionArns.get("functionArn")).get(0))
          .isEqualTo(Map.of("Fn::GetAtt", List.of(indexer, "Arn")));
      // Each sweep sends to its own indexer, with its own filters, and goes on as itself.
      String sweep = logicalId(stack, builder.getSweepFunction());
      assertThat(t.environment(sweep).get("INDEXER_FUNCTION_NAME")).isEqualTo(Map.of("Ref", indexer));
      assertThat(t.environment(sweep).get("FILTERS")).isEqualTo(builder.getProps().filters());
      assertThat(strings(deployed.evaluate(invokeStatement(t, sweep, sweep).get("Resource"))))
          .containsExactly(t.refOf(sweep + ".Arn"), t.refOf(sweep + ".Arn") + ":$LATEST");
      // Each indexer uses its own cache bucket.
      String bucket = logicalId(stack, builder.getZtocCacheBucket());
      assertThat(t.environment(indexer).get("ZTOC_CACHE_BUCKET")).isEqualTo(Map.of("Ref", bucket));
      assertThat(deployed.evaluate(statementWith(t.statementsOf(t.roleOf(indexer)), "s3:GetObject").get("Resource")))
          .isEqualTo(t.refOf(bucket + ".Arn") + "/ztoc/*");
    }
    assertThat(granted(t, deployed, teamA, stack)).containsExactly(repositoryArn("team-a/*"));
    assertThat(granted(t, deployed, others, stack)).containsExactly(repositoryArn("*"));
    // The sweep describes the images where its indexer may write, and nowhere else.
    for (SociIndexBuilder builder : List.of(teamA, others)) {
      String sweepRole = t.roleOf(logicalId(stack, builder.getSweepFunction()));
      assertThat(strings(deployed.evaluate(statementWith(t.statementsOf(sweepRole), "ecr:DescribeImages")
          .get("Resource")))).isEqualTo(granted(t, deployed, builder, stack));
    }
  }

  @Test
  void withoutTheZtocCacheTheIndexerGetsNoBucketVariableAndNoS3Permission() {
    App app = TestApps.app(dir.resolve("out"));
    Stack stack = userStack(app);
    SociIndexBuilder builder = new SociIndexBuilder(stack, "Soci", SociIndexBuilderProps.builder()
        .artifacts(TestApps.placeholderArtifacts(dir)).filters("app:v1").ztocCache(false).build());

    TemplateModel t = new TemplateModel(Template.fromStack(stack).toJSON(), "PlatformStack");
    String indexer = logicalId(stack, builder.getIndexerFunction());

    assertThat(builder.getZtocCacheBucket()).isNull();
    assertThat(t.ofType("AWS::S3::Bucket")).isEmpty();
    assertThat(t.environment(indexer)).doesNotContainKeys("ZTOC_CACHE_BUCKET", "ZTOC_CACHE_PREFIX");
    assertThat(t.allStatements()).noneMatch(s -> strings(s.get("Action")).stream().anyMatch(a -> a.startsWith("s3:")));
    // Literal filters without a wildcard: the sweep's DescribeImages needs no suppression either.
    assertThat(describe(Annotations.fromStack(stack).findError("*", Match.anyValue()))).isEmpty();
    assertThat(describe(Annotations.fromStack(stack).findWarning("*", Match.anyValue()))).isEmpty();
  }

  @Test
  void sociOptimizationsAndZtocLimitsReachTheIndexerOnlyWhenGiven() {
    App app = TestApps.app(dir.resolve("out"));
    Stack stack = new Stack(app, "PlatformStack");
    SociIndexBuilder plain = new SociIndexBuilder(stack, "Plain", SociIndexBuilderProps.builder()
        .artifacts(TestApps.placeholderArtifacts(dir)).build());
    SociIndexBuilder tuned = new SociIndexBuilder(stack, "Tuned", SociIndexBuilderProps.builder()
        .artifacts(TestApps.placeholderArtifacts(dir))
        .sociOptimizations("xattr")
        .ztocLimits("toc-entries=8000000,ztoc-bytes=1GiB")
        .build());

    TemplateModel t = new TemplateModel(Template.fromStack(stack).toJSON(), "PlatformStack");

    assertThat(t.environment(logicalId(stack, plain.getIndexerFunction())))
        .doesNotContainKeys("SOCI_OPTIMIZATIONS", "ZTOC_LIMITS");
    assertThat(t.environment(logicalId(stack, tuned.getIndexerFunction())))
        .containsEntry("SOCI_OPTIMIZATIONS", "xattr")
        .containsEntry("ZTOC_LIMITS", "toc-entries=8000000,ztoc-bytes=1GiB");
  }

  private static Map<String, Object> invokeStatement(TemplateModel t, String function, String target) {
    return onlyElement(t.statementsOf(t.roleOf(function)).stream()
        .filter(s -> strings(s.get("Action")).contains("lambda:InvokeFunction")
            && s.get("Resource").toString().contains(target))
        .toList());
  }

  @Test
  void typedPropsConfigureTheFunctionsTheResultBusTheAlarmsTheRolesAndWhatIsKept() {
    App app = TestApps.app(dir.resolve("out"));
    Stack stack = userStack(app);
    EventBus bus = new EventBus(stack, "PipelineBus", EventBusProps.builder().build());
    String opsArn = "arn:aws:sns:eu-west-1:111122223333:ops";
    software.amazon.awscdk.services.sns.ITopic ops = Topic.fromTopicArn(stack, "Ops", opsArn);
    String boundary = "arn:aws:iam::111122223333:policy/platform-boundary";
    SociIndexBuilder builder = new SociIndexBuilder(stack, "Soci", SociIndexBuilderProps.builder()
        .artifacts(TestApps.placeholderArtifacts(dir))
        .filters(List.of("app/*:v*"))
        .indexVersion(IndexVersion.V1)
        .spanSizeBytes(8L << 20)
        .minLayerSizeBytes(0)
        .tagSuffix("-lazy")
        .indexUntaggedPushes(true)
        .indexerMemoryMiB(4096)
        .indexerReservedConcurrency(5)
        .resultBus(bus)
        .alarmTopic(ops)
        .logRetention(RetentionDays.ONE_WEEK)
        .removalPolicy(RemovalPolicy.RETAIN)
        .permissionsBoundary(ManagedPolicy.fromManagedPolicyArn(stack, "Boundary", boundary))
        .logLevel(ApplicationLogLevel.WARN)
        .build());

    TemplateModel t = new TemplateModel(Template.fromStack(stack).toJSON(), "PlatformStack");
    CfnEvaluator deployed = t.deployed(Map.of());
    String indexer = logicalId(stack, builder.getIndexerFunction());
    String filter = logicalId(stack, builder.getFilterFunction());
    String busArn = t.refOf(logicalId(stack, bus) + ".Arn");

    Map<String, Object> env = t.environment(indexer);
    assertThat(env).containsEntry("SOCI_INDEX_VERSION", "V1").containsEntry("SPAN_SIZE_BYTES", "8388608")
        .containsEntry("MIN_LAYER_SIZE_BYTES", "0").containsEntry("SOCI_TAG_SUFFIX", "-lazy");
    assertThat(deployed.evaluate(env.get("RESULT_EVENT_BUS_NAME"))).isEqualTo(busArn);
    assertThat(t.environment(filter)).containsEntry("FILTERS", "app/*:v*").containsEntry("INDEX_UNTAGGED", "true")
        .containsEntry("SOCI_TAG_SUFFIX", "-lazy");
    assertThat(t.properties(indexer)).containsEntry("MemorySize", 4096)
        .containsEntry("ReservedConcurrentExecutions", 5);
    assertThat(strings(deployed.evaluate(statementWith(t.statementsOf(t.roleOf(indexer)), "events:PutEvents")
        .get("Resource")))).contains(busArn);
    assertThat(granted(t, deployed, builder, stack)).containsExactly(repositoryArn("app/*"));
    // No topic of its own: the given one is notified.
    assertThat(builder.getAlarmTopic()).isSameAs(ops);
    assertThat(t.ofType("AWS::SNS::Topic")).isEmpty();
    for (String alarm : t.ofType("AWS::CloudWatch::Alarm")) {
      assertThat(deployed.evaluate(t.properties(alarm).get("AlarmActions"))).isEqualTo(List.of(opsArn));
    }
    for (String role : t.ofType("AWS::IAM::Role")) {
      assertThat(t.properties(role).get("PermissionsBoundary")).isEqualTo(boundary);
    }
    for (String function : t.ofType("AWS::Lambda::Function")) {
      assertThat(map(t.properties(function).get("LoggingConfig"))).containsEntry("ApplicationLogLevel", "WARN");
      assertThat(t.properties(t.logGroupOf(function))).containsEntry("RetentionInDays", 7);
      assertThat(t.resource(t.logGroupOf(function))).containsEntry("DeletionPolicy", "Retain");
    }
    for (String queue : t.ofType("AWS::SQS::Queue")) {
      assertThat(t.resource(queue)).containsEntry("DeletionPolicy", "Retain");
    }
  }

  @Test
  void reservedConcurrencyZeroLeavesTheIndexerUnreserved() {
    App app = TestApps.app(dir.resolve("out"));
    Stack stack = new Stack(app, "PlatformStack");
    SociIndexBuilder builder = new SociIndexBuilder(stack, "Soci", SociIndexBuilderProps.builder()
        .artifacts(TestApps.placeholderArtifacts(dir)).indexerReservedConcurrency(0).build());

    TemplateModel t = new TemplateModel(Template.fromStack(stack).toJSON(), "PlatformStack");

    assertThat(t.properties(logicalId(stack, builder.getIndexerFunction())))
        .doesNotContainKey("ReservedConcurrentExecutions");
    assertThat(builder.getAlarms()).hasSize(6);
  }

  @Test
  void sweepReservedConcurrencyOneKeepsOneSweepRunningAtATimeAndOtherValuesAreRefused() {
    App app = TestApps.app(dir.resolve("out"));
    Stack stack = new Stack(app, "PlatformStack");
    SociIndexBuilder builder = new SociIndexBuilder(stack, "Soci", SociIndexBuilderProps.builder()
        .artifacts(TestApps.placeholderArtifacts(dir)).sweepReservedConcurrency(1).build());

    TemplateModel t = new TemplateModel(Template.fromStack(stack).toJSON(), "PlatformStack");

    assertThat(t.properties(logicalId(stack, builder.getSweepFunction())))
        .containsEntry("ReservedConcurrentExecutions", 1);
    assertThatThrownBy(() -> SociIndexBuilderProps.builder().artifacts(TestApps.placeholderArtifacts(dir))
        .sweepReservedConcurrency(2).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sweepReservedConcurrency");
  }

  private static List<String> granted(TemplateModel t, CfnEvaluator deployed, SociIndexBuilder builder,
      Stack stack) {
    String role = t.roleOf(logicalId(stack, builder.getIndexerFunction()));
    return strings(deployed.evaluate(statementWith(t.statementsOf(role), "ecr:BatchGetImage").get("Resource")));
  }

  private static String repositoryArn(String glob) {
    return "arn:aws:ecr:" + CfnEvaluator.REGION + ":" + CfnEvaluator.ACCOUNT + ":repository/" + glob;
  }

  private static String logicalId(Stack stack, software.constructs.IConstruct construct) {
    software.constructs.IConstruct resource = construct.getNode().getDefaultChild() != null
        ? construct.getNode().getDefaultChild() : construct;
    return stack.resolve(((software.amazon.awscdk.CfnElement) resource).getLogicalId()).toString();
  }

  // Annotations.findError/findWarning still return the deprecated cxapi type in aws-cdk-lib 2.263.0.
  @SuppressWarnings("deprecation")
  private static List<String> describe(List<SynthesisMessage> messages) {
    return messages.stream().map(m -> m.getId() + ": " + m.getEntry().getData()).toList();
  }
}
